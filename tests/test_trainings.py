"""Training and publicity events (§17): who manages them, sign-up rules, the public page,
the export and the reminder."""

import io
import itertools
import threading
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from tsprotect.accounts.models import Role
from tsprotect.notifications.models import Notification
from tsprotect.trainings import services
from tsprotect.trainings.models import Registration, TrainingEvent
from tsprotect.trainings.tasks import send_training_reminders

from .conftest import client_for as logged_in_client
from .conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def client_for(user):
    """A logged-in browser reading the portal in English, the language of the messages."""
    browser = logged_in_client(user)
    browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


_addresses = itertools.count(1)


def visitor():
    """An anonymous client with an address of its own, so rate limits never carry over between
    tests (the limit's counters live in the shared Redis)."""
    n = next(_addresses) + 1000 * (threading.get_ident() % 200)
    browser = Client(REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
    browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def make_event(creator, *, prefecture="430100", status="published", capacity=30, days=10, **extra):
    start = timezone.now() + timedelta(days=days)
    fields = {
        "title": "商业秘密保护实务培训",
        "organiser": "长沙片区知识产权综合服务分中心",
        "prefecture_id": prefecture,
        "venue": "麓谷企业广场 A 座报告厅",
        "starts_at": start,
        "ends_at": start + timedelta(hours=3),
        "signup_deadline": start - timedelta(hours=12),
        "capacity": capacity,
        "status": status,
        "created_by": creator,
        **extra,
    }
    return TrainingEvent.objects.create(**fields)


def sign_up(event, phone="13800138000", name="王小明", **extra):
    return services.register(
        event.pk,
        name=name,
        organisation="长沙某科技有限公司",
        phone=phone,
        consent=True,
        **extra,
    )


def form_data(**extra):
    return {
        "name": "王小明",
        "organisation": "长沙某科技有限公司",
        "phone": "138 0013 8000",
        "email": "",
        "consent": "on",
        **extra,
    }


@pytest.fixture
def changsha_event(changsha_officer):
    return make_event(changsha_officer)


@pytest.fixture
def service_centre(regions):
    return make_user("centre_430100", Role.SERVICE_CENTRE, "430100")


# Lifecycle -----------------------------------------------------------------------------------


def test_it_lets_the_bureau_create_publish_and_cancel_an_event(changsha_officer, enterprise_user):
    client = client_for(changsha_officer)
    start = timezone.localtime() + timedelta(days=5)
    response = client.post(
        reverse("trainings:create"),
        {
            "title": "企业商业秘密保护宣传周",
            "kind": "publicity",
            "organiser": "长沙片区知识产权综合服务分中心",
            "prefecture": "430100",
            "ftz_area": "changsha",
            "venue": "长沙市岳麓区",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "signup_deadline": (start - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 50,
            "audience": "园区企业",
            "description": "讲解商业秘密保护要点。",
        },
    )
    event = TrainingEvent.objects.get()
    assert response.status_code == 302
    assert event.status == "draft" and event.created_by == changsha_officer
    # A draft is not public.
    assert visitor().get(reverse("public:training", args=[event.pk])).status_code == 404

    client.post(reverse("trainings:act", args=[event.pk, "publish"]))
    event.refresh_from_db()
    assert event.status == "published" and event.published_at
    assert visitor().get(reverse("public:trainings")).content.decode().count(event.title) == 1

    sign_up(event, user=enterprise_user)
    client.post(reverse("trainings:act", args=[event.pk, "cancel"]))
    event.refresh_from_db()
    assert event.status == "cancelled"
    assert Notification.objects.filter(recipient=enterprise_user, kind="training_cancelled")
    # Cancelled is final: no publishing again, no editing.
    with pytest.raises(ValidationError):
        services.transition(event.pk, "publish", by=changsha_officer)
    assert client.get(reverse("trainings:update", args=[event.pk])).status_code == 404


def test_it_refuses_an_event_that_ends_before_it_starts(changsha_officer):
    start = timezone.localtime() + timedelta(days=5)
    response = client_for(changsha_officer).post(
        reverse("trainings:create"),
        {
            "title": "培训",
            "kind": "training",
            "organiser": "长沙分中心",
            "prefecture": "430100",
            "venue": "长沙",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "signup_deadline": (start - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 10,
        },
    )
    assert response.status_code == 200
    assert not TrainingEvent.objects.exists()


def test_it_does_not_let_an_officer_file_an_event_in_another_prefecture(changsha_officer):
    form_prefectures = services.prefectures_for(changsha_officer, "add")
    assert list(form_prefectures.values_list("pk", flat=True)) == ["430100"]


# Scoping -------------------------------------------------------------------------------------


def test_it_hides_a_changsha_event_from_the_yueyang_officer(changsha_event, yueyang_officer):
    sign_up(changsha_event)
    client = client_for(yueyang_officer)
    for name in ("trainings:participants", "trainings:export", "trainings:update"):
        assert client.get(reverse(name, args=[changsha_event.pk])).status_code == 404, name
    response = client.post(reverse("trainings:act", args=[changsha_event.pk, "cancel"]))
    assert response.status_code == 404
    changsha_event.refresh_from_db()
    assert changsha_event.status == "published"
    assert changsha_event.title not in client.get(reverse("trainings:list")).content.decode()


def test_it_lets_the_province_see_every_event(changsha_event, yueyang_officer, province):
    yueyang = make_event(yueyang_officer, prefecture="430600", title="岳阳片区宣讲会")
    assert set(TrainingEvent.objects.restrict(province)) == {changsha_event, yueyang}
    assert list(TrainingEvent.objects.restrict(yueyang_officer)) == [yueyang]


def test_it_lets_service_centre_staff_manage_their_prefecture_only(
    changsha_event, service_centre, yueyang_officer
):
    yueyang = make_event(yueyang_officer, prefecture="430600")
    assert list(TrainingEvent.objects.restrict(service_centre, "change")) == [changsha_event]
    client = client_for(service_centre)
    assert client.get(reverse("trainings:list")).status_code == 200
    assert (
        client.get(reverse("trainings:participants", args=[changsha_event.pk])).status_code == 200
    )
    assert client.get(reverse("trainings:participants", args=[yueyang.pk])).status_code == 404
    assert list(services.prefectures_for(service_centre, "add").values_list("pk", flat=True)) == [
        "430100"
    ]


def test_it_keeps_county_officers_experts_and_enterprises_out(
    changsha_event, yuelu_officer, expert, enterprise_user
):
    for user in (yuelu_officer, expert, enterprise_user):
        client = client_for(user)
        assert client.get(reverse("trainings:list")).status_code == 403
        assert (
            client.get(reverse("trainings:participants", args=[changsha_event.pk])).status_code
            == 404
        )


# Sign-up -------------------------------------------------------------------------------------


def test_it_signs_up_a_visitor_from_the_public_page(changsha_event):
    response = visitor().post(reverse("public:training", args=[changsha_event.pk]), form_data())
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.phone == "13800138000"
    assert registration.user is None and registration.enterprise is None


def test_it_fills_in_and_records_the_enterprise_of_a_signed_in_user(
    changsha_event, enterprise_user, changsha_enterprise
):
    client = client_for(enterprise_user)
    page = client.get(reverse("public:training", args=[changsha_event.pk])).content.decode()
    assert changsha_enterprise.name in page
    client.post(reverse("public:training", args=[changsha_event.pk]), form_data())
    registration = Registration.objects.get()
    assert registration.enterprise == changsha_enterprise
    assert registration.user == enterprise_user


def test_it_refuses_the_same_phone_twice(changsha_event):
    sign_up(changsha_event, phone="13800138000")
    with pytest.raises(ValidationError, match="already signed up"):
        sign_up(changsha_event, phone="+86 138-0013-8000", name="另一个人")
    response = visitor().post(reverse("public:training", args=[changsha_event.pk]), form_data())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This phone number is already signed up for the event."
    ]
    assert Registration.objects.count() == 1


def test_it_refuses_a_phone_that_is_not_one(changsha_event):
    response = visitor().post(
        reverse("public:training", args=[changsha_event.pk]), form_data(phone="12345")
    )
    assert response.status_code == 200
    assert not Registration.objects.exists()


def test_it_refuses_without_consent(changsha_event):
    data = form_data()
    del data["consent"]
    visitor().post(reverse("public:training", args=[changsha_event.pk]), data)
    assert not Registration.objects.exists()


def test_it_refuses_when_the_event_is_full(changsha_officer):
    event = make_event(changsha_officer, capacity=1)
    sign_up(event, phone="13800138000")
    with pytest.raises(ValidationError, match="full"):
        sign_up(event, phone="13900139000")
    response = visitor().get(reverse("public:training", args=[event.pk]))
    assert response.context["closed"] == "The event is full: all 1 places are taken."
    assert 'name="phone"' not in response.content.decode()


def test_it_closes_the_sign_up_after_the_deadline(changsha_officer):
    start = timezone.now() + timedelta(hours=2)
    event = make_event(
        changsha_officer, starts_at=start, signup_deadline=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="deadline"):
        sign_up(event)
    visitor().post(reverse("public:training", args=[event.pk]), form_data())
    assert not Registration.objects.exists()


def test_it_closes_the_sign_up_of_a_cancelled_event(changsha_event, changsha_officer):
    services.transition(changsha_event.pk, "cancel", by=changsha_officer)
    with pytest.raises(ValidationError, match="cancelled"):
        sign_up(changsha_event)
    response = visitor().get(reverse("public:training", args=[changsha_event.pk]))
    assert response.status_code == 200
    assert 'name="phone"' not in response.content.decode()


def test_it_locks_the_event_while_counting_places(changsha_officer):
    event = make_event(changsha_officer, capacity=1)
    recorder = _Recorder()
    with connection.execute_wrapper(recorder):
        sign_up(event)
    assert any("FOR UPDATE" in sql and "trainings_trainingevent" in sql for sql in recorder.sql)


class _Recorder:
    def __init__(self):
        self.sql = []

    def __call__(self, execute, sql, params, many, context):
        self.sql.append(sql)
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_it_gives_the_last_place_to_one_of_two_simultaneous_sign_ups(changsha_officer):
    event = make_event(changsha_officer, capacity=1)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(phone):
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            sign_up(event, phone=phone)
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in ("13800138000", "13900139000")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=lambda o: o != "ok")[0] == "ok"
    assert outcomes.count("ok") == 1, outcomes
    assert Registration.objects.filter(event=event).count() == 1


# What the public sees ------------------------------------------------------------------------


def test_it_shows_the_public_places_but_never_who_signed_up(changsha_officer):
    event = make_event(changsha_officer, capacity=5)
    sign_up(event, phone="13712345678", name="李秘密", email="li.mimi@example.com")
    client = visitor()
    for url in (reverse("public:trainings"), reverse("public:training", args=[event.pk])):
        page = client.get(url).content.decode()
        assert "李秘密" not in page and "13712345678" not in page and "li.mimi" not in page
    assert client.get(reverse("public:training", args=[event.pk])).context["free_places"] == 4


def test_it_offers_upcoming_events_to_the_public_home(changsha_officer):
    make_event(changsha_officer, title="即将举办")
    make_event(changsha_officer, title="草稿", status="draft")
    from tsprotect.trainings.public import upcoming

    assert [e.title for e in upcoming()["trainings"]] == ["即将举办"]


# Export --------------------------------------------------------------------------------------


def test_it_exports_participants_with_formulas_neutralised(changsha_event, changsha_officer):
    sign_up(changsha_event, name='=HYPERLINK("http://evil.example","点我")')
    response = client_for(changsha_officer).get(
        reverse("trainings:export", args=[changsha_event.pk])
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][1].startswith("'=")
    assert rows[1][3] == "13800138000"


# Reminder ------------------------------------------------------------------------------------


def test_it_reminds_only_that_events_enterprise_users_once(
    changsha_officer, enterprise_user, regions
):
    from tsprotect.accounts.services import grant_enterprise_access

    from .conftest import make_enterprise

    tomorrow = timezone.localtime() + timedelta(days=1)
    tomorrow = tomorrow.replace(hour=9, minute=30, second=0, microsecond=0)
    event = make_event(
        changsha_officer,
        starts_at=tomorrow,
        ends_at=tomorrow + timedelta(hours=2),
        signup_deadline=tomorrow - timedelta(hours=1),
    )
    later = make_event(changsha_officer, days=5, title="下周培训")
    other = make_user("enterprise2", "")
    grant_enterprise_access(other, make_enterprise("430104", "MA4L0C3D4", "湖南岳麓山生物医药"))
    sign_up(event, phone="13800138000", user=enterprise_user)
    sign_up(event, phone="13900139000")  # no account: not notified, not e-mailed
    sign_up(later, phone="13700137000", user=other)

    assert send_training_reminders.apply().get() == 1
    assert send_training_reminders.apply().get() == 0
    reminders = Notification.objects.filter(kind="training_reminder")
    assert [n.recipient for n in reminders] == [enterprise_user]
    assert reminders.get().url == reverse("public:training", args=[event.pk])


# Rate limit ----------------------------------------------------------------------------------


def test_it_throttles_a_flood_of_sign_ups_with_a_clear_message(changsha_officer):
    event = make_event(changsha_officer, capacity=100)
    client = visitor()
    url = reverse("public:training", args=[event.pk])
    for n in range(10):
        response = client.post(url, form_data(phone=f"1380013{n:04d}"))
        assert response.status_code == 302, n
    response = client.post(url, form_data(phone="13800139999"))
    assert response.status_code == 429
    assert "Too many sign-ups from your network" in response.context["form"].non_field_errors()[0]
    assert Registration.objects.count() == 10
    # Another address is not affected.
    assert visitor().post(url, form_data(phone="13800139999")).status_code == 302


def test_it_renders_the_upcoming_section_of_the_public_home(changsha_officer):
    from django.template.loader import render_to_string

    from tsprotect.trainings.public import upcoming_context

    make_event(changsha_officer, title="即将举办的培训", capacity=3)
    html = render_to_string("trainings/_upcoming.html", {"data": upcoming_context(None)})
    assert "即将举办的培训" in html and "3 places free" in html
    try:
        from tsprotect.publicity.home import SECTIONS
    except ImportError:
        return
    assert [s for s in SECTIONS if s[1] == "trainings/_upcoming.html"]


def test_it_lists_events_in_a_constant_number_of_queries(
    changsha_officer, django_assert_max_num_queries
):
    for n in range(15):
        event = make_event(changsha_officer, title=f"培训 {n}")
        sign_up(event, phone=f"1380013{n:04d}")
    client = client_for(changsha_officer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("trainings:list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert visitor().get(reverse("public:trainings")).status_code == 200
