"""Notifications: who is told what, once, by the header bell and by e-mail after the commit."""

import copy
import logging
import uuid

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from demonstrations import services as demonstrations
from demonstrations.models import ExpertAssignment
from tsprotect.accounts.models import Role
from tsprotect.notifications import services
from tsprotect.notifications.models import Notification

from .conftest import client_for, make_user
from .test_demonstration_workflow import (  # noqa: F401 — fixtures
    file_application,
    media_in_tmp,
    panel,
    recommended,
    submitted,
)

pytestmark = pytest.mark.django_db

PROCESSOR = "tsprotect.notifications.context_processors.notifications"


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """A cache of the test's own: counts cached by an earlier run for the same user ids (the test
    database is created anew, Redis is not) must not show."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"notifications-{uuid.uuid4().hex}",
        }
    }


def tell(users, **fields):
    return services.notify(users, **{"kind": "test", "title": "材料已退回", **fields})


def titles(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


# notify --------------------------------------------------------------------------------------


def test_it_writes_one_notification_per_recipient(changsha_officer, yueyang_officer):
    told = tell([changsha_officer, yueyang_officer, changsha_officer], url="/demonstrations/")
    assert told == 2
    row = Notification.objects.get(recipient=changsha_officer)
    assert (row.kind, row.title, row.url) == ("test", "材料已退回", "/demonstrations/")
    assert row.read_at is None
    assert titles(yueyang_officer) == ["材料已退回"]


def test_it_skips_inactive_users(changsha_officer, yueyang_officer):
    yueyang_officer.is_active = False
    yueyang_officer.save()
    assert tell([changsha_officer, yueyang_officer]) == 1
    assert titles(yueyang_officer) == []


def test_a_key_tells_each_user_once(changsha_officer, yueyang_officer):
    assert tell([changsha_officer], key="complaint_deadline:7") == 1
    # The job runs again, now for both: only the one not yet told is told.
    assert tell([changsha_officer, yueyang_officer], key="complaint_deadline:7") == 1
    assert tell([changsha_officer, yueyang_officer], key="complaint_deadline:7") == 0
    assert Notification.objects.filter(key="complaint_deadline:7").count() == 2
    # Without a key every call tells again.
    tell([changsha_officer])
    tell([changsha_officer])
    assert len(titles(changsha_officer)) == 3


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/",
        "//evil.example/login",
        "/\\evil.example",
        "javascript:alert(1)",
        "demonstrations/1/",
        "/a b",
        "/x\r\nSet-Cookie: a=b",
    ],
)
def test_a_link_must_be_a_path_of_the_portal(changsha_officer, url):
    with pytest.raises(ValueError):
        tell([changsha_officer], url=url)
    assert not Notification.objects.exists()


def test_enterprise_users_are_the_active_users_acting_for_it(
    enterprise_user, changsha_enterprise, yueyang_enterprise, changsha_officer
):
    colleague = make_user("enterprise2", Role.ENTERPRISE)
    group = Group.objects.create(name="麓谷芯片经办人")
    assign_perm("enterprises.act_for_enterprise", group, changsha_enterprise)
    colleague.groups.add(group)
    former = make_user("enterprise3", Role.ENTERPRISE, is_active=False)
    assign_perm("enterprises.act_for_enterprise", former, changsha_enterprise)
    other = make_user("enterprise4", Role.ENTERPRISE)
    assign_perm("enterprises.act_for_enterprise", other, yueyang_enterprise)

    assert set(services.enterprise_users(changsha_enterprise.pk)) == {enterprise_user, colleague}


# The unread count ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_unread_count_is_cached_and_follows_every_change(
    changsha_officer, django_assert_num_queries
):
    assert services.unread_count(changsha_officer) == 0
    tell([changsha_officer])
    tell([changsha_officer], title="专家评审")
    assert services.unread_count(changsha_officer) == 2
    with django_assert_num_queries(0):
        assert services.unread_count(changsha_officer) == 2

    first = Notification.objects.filter(recipient=changsha_officer).last()
    assert services.mark_read(changsha_officer, [first.pk]) == 1
    assert services.unread_count(changsha_officer) == 1
    assert services.mark_read(changsha_officer) == 1
    assert services.unread_count(changsha_officer) == 0
    assert services.mark_read(changsha_officer) == 0
    tell([changsha_officer], key="once")
    assert services.unread_count(changsha_officer) == 1
    tell([changsha_officer], key="once")  # told already: the count is still right
    with django_assert_num_queries(0):
        assert services.unread_count(changsha_officer) == 1


def test_a_change_not_yet_committed_is_counted_but_not_cached(changsha_officer):
    assert services.unread_count(changsha_officer) == 0  # cached
    tell([changsha_officer])  # inside the test's transaction, never committed
    assert services.unread_count(changsha_officer) == 1


def test_mark_read_touches_only_the_users_own(changsha_officer, yueyang_officer):
    tell([changsha_officer, yueyang_officer])
    theirs = Notification.objects.get(recipient=yueyang_officer)
    assert services.mark_read(changsha_officer, [theirs.pk]) == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None


# Pages ---------------------------------------------------------------------------------------


def test_the_list_shows_only_the_users_own_with_the_unread_emphasised(
    changsha_officer, yueyang_officer
):
    tell([changsha_officer], title="长沙的通知", body="第一行\n<b>第二行</b>")
    tell([yueyang_officer], title="岳阳的通知")
    Notification.objects.create(recipient=changsha_officer, kind="test", title="已读的通知")
    Notification.objects.filter(title="已读的通知").update(read_at=timezone.now())

    page = client_for(changsha_officer).get(reverse("notifications:list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "长沙的通知" in html and "已读的通知" in html and "岳阳的通知" not in html
    assert html.count('class="row-unread"') == 1 and html.count('class="row-muted"') == 1
    assert "第一行<br>&lt;b&gt;第二行&lt;/b&gt;" in html
    assert reverse("notifications:read_all") in html


def test_the_list_has_pages_of_25(changsha_officer):
    for number in range(30):
        tell([changsha_officer], title=f"通知{number}")
    client = client_for(changsha_officer)
    first = client.get(reverse("notifications:list"))
    assert len(first.context["notification_list"]) == 25
    assert first.context["notification_list"][0].title == "通知29"  # newest first
    second = client.get(reverse("notifications:list") + "?page=2")
    assert len(second.context["notification_list"]) == 5


def test_no_mark_all_button_when_everything_is_read(changsha_officer):
    page = client_for(changsha_officer).get(reverse("notifications:list"))
    assert reverse("notifications:read_all") not in page.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_opening_marks_it_read_and_follows_its_link(changsha_officer, method):
    tell([changsha_officer], url="/demonstrations/?state=returned")
    notification = Notification.objects.get()
    client = client_for(changsha_officer)
    response = getattr(client, method)(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/demonstrations/?state=returned"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert services.unread_count(changsha_officer) == 0


def test_opening_one_without_a_link_goes_back_to_the_list(changsha_officer):
    tell([changsha_officer])
    notification = Notification.objects.get()
    response = client_for(changsha_officer).get(
        reverse("notifications:open", args=[notification.pk])
    )
    assert response["Location"] == reverse("notifications:list")


def test_someone_elses_notification_answers_404_and_stays_unread(changsha_officer, yueyang_officer):
    tell([yueyang_officer], url="/demonstrations/")
    theirs = Notification.objects.get()
    response = client_for(changsha_officer).get(reverse("notifications:open", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_all_marks_every_own_notification_read(changsha_officer, yueyang_officer):
    tell([changsha_officer, yueyang_officer])
    tell([changsha_officer])
    client = client_for(changsha_officer)
    assert client.get(reverse("notifications:read_all")).status_code == 405
    response = client.post(reverse("notifications:read_all"))
    assert response["Location"] == reverse("notifications:list")
    assert not Notification.objects.filter(recipient=changsha_officer, read_at__isnull=True)
    assert Notification.objects.get(recipient=yueyang_officer).read_at is None


# The header bell -----------------------------------------------------------------------------


def bell(html):
    start = html.index('class="bell"')
    return html[start : html.index("</a>", start)]


def english_client(user):
    client = client_for(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_bell_shows_the_unread_count(changsha_officer):
    client = english_client(changsha_officer)
    quiet = bell(client.get(reverse("home")).content.decode())
    assert 'aria-label="Notifications"' in quiet and "bell-count" not in quiet
    assert f'href="{reverse("notifications:list")}"' in quiet

    for _ in range(3):
        tell([changsha_officer])
    ringing = bell(client.get(reverse("home")).content.decode())
    assert 'aria-label="Notifications, 3 unread"' in ringing
    assert '<span class="bell-count" aria-hidden="true">3</span>' in ringing


def test_anonymous_pages_have_no_bell_and_no_notification_query(regions):
    with CaptureQueriesContext(connection) as queries:
        page = client_for(None).get(reverse("login"))
    assert 'class="bell"' not in page.content.decode()
    assert not [q for q in queries if "notifications_notification" in q["sql"]]


def test_the_bell_costs_no_query_once_the_cache_is_warm(changsha_officer, settings):
    # Written directly, so that no change waits for a commit (which would bypass the cache).
    Notification.objects.create(recipient=changsha_officer, kind="test", title="新的通知")
    client = client_for(changsha_officer)
    url = reverse("password_change")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url)
        assert page.status_code == 200
        return len(captured), page.content.decode()

    with_bell = settings.TEMPLATES
    without_bell = copy.deepcopy(with_bell)
    without_bell[0]["OPTIONS"]["context_processors"].remove(PROCESSOR)
    settings.TEMPLATES = without_bell
    queries()  # the session and the other cached rows (regions) warmed up
    baseline, html = queries()
    assert 'class="bell"' in html and "bell-count" not in html

    settings.TEMPLATES = with_bell
    cold, html = queries()
    assert 'class="bell-count" aria-hidden="true">1<' in html
    warm, html = queries()
    assert 'class="bell-count" aria-hidden="true">1<' in html
    assert (cold, warm) == (baseline + 1, baseline)


# E-mail --------------------------------------------------------------------------------------


@pytest.fixture
def addressed(changsha_officer, yueyang_officer):
    changsha_officer.email = "officer@csamr.example"
    changsha_officer.save()
    return changsha_officer, yueyang_officer  # the second has no address


def test_no_mail_without_a_mail_server(addressed, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = ""
    with django_capture_on_commit_callbacks(execute=True):
        tell(addressed)
    assert mail.outbox == []


def test_mail_goes_after_the_commit_to_users_with_an_address(
    addressed, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.amr.example"
    with django_capture_on_commit_callbacks(execute=True):
        tell(addressed, body="请补充材料。", url="/demonstrations/3/")
        assert mail.outbox == []  # not before the commit
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["officer@csamr.example"]
    assert message.subject == "材料已退回"
    assert "请补充材料。" in message.body and "/demonstrations/3/" in message.body


def test_no_mail_when_the_transaction_rolls_back(
    addressed, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.amr.example"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            tell(addressed)
            transaction.set_rollback(True)
    assert callbacks == [] and mail.outbox == []
    assert not Notification.objects.exists()


def test_no_second_mail_for_a_key_already_told(
    addressed, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.amr.example"
    with django_capture_on_commit_callbacks(execute=True):
        tell(addressed, key="k")
        tell(addressed, key="k")
    assert len(mail.outbox) == 1


def test_a_mail_failure_is_logged_never_raised(
    addressed, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.amr.example"

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr(services, "send_mass_mail", refuse)
    with caplog.at_level(logging.ERROR, logger="tsprotect.notifications.services"):
        with django_capture_on_commit_callbacks(execute=True):
            assert tell(addressed) == 2
    assert "Could not e-mail 1 notification(s)." in caplog.text
    assert Notification.objects.count() == 2


# The events of the demonstration pipeline ----------------------------------------------------


def test_a_returned_application_tells_the_enterprises_users(
    enterprise_user, changsha_enterprise, changsha_officer, yueyang_officer
):
    colleague = make_user("enterprise2", Role.ENTERPRISE)
    assign_perm("enterprises.act_for_enterprise", colleague, changsha_enterprise)
    application = file_application(enterprise_user, changsha_enterprise)
    submitted(application, enterprise_user)

    demonstrations.transition(application, "return", changsha_officer, note="请补充保密协议。")

    told = Notification.objects.filter(kind="application_returned")
    assert {n.recipient for n in told} == {enterprise_user, colleague}
    assert {n.url for n in told} == {application.get_absolute_url()}
    assert application.name in told.first().title
    assert not Notification.objects.filter(recipient=changsha_officer).exists()


def test_other_transitions_tell_no_one(enterprise_user, changsha_enterprise, changsha_officer):
    application = file_application(enterprise_user, changsha_enterprise)
    submitted(application, enterprise_user)
    demonstrations.transition(application, "recommend", changsha_officer)
    assert not Notification.objects.exists()


def test_assigned_experts_are_told_once_each(recommended, panel, province):  # noqa: F811
    demonstrations.assign_experts(recommended, panel[:3], province)
    told = Notification.objects.filter(kind="expert_assigned")
    assert {n.recipient for n in told} == set(panel[:3])
    assert {n.url for n in told} == {recommended.get_absolute_url()}
    assert {n.key for n in told} == {
        f"expert_assigned:{a.pk}" for a in ExpertAssignment.objects.filter(application=recommended)
    }

    demonstrations.assign_experts(recommended, panel[3:4], province)
    told = Notification.objects.filter(kind="expert_assigned")
    assert told.count() == 4
    assert told.filter(recipient=panel[3]).count() == 1
    assert not Notification.objects.filter(recipient=panel[4]).exists()
