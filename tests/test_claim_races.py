"""Two people acting at once: each gets an answer on the page, never a server error, and the
data is left whole. Real concurrency: two threads, each with its own PostgreSQL connection,
lined up by a barrier at the moment the race is decided."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from enterprises import importing
from enterprises.models import Enterprise, ImportBatch
from tsprotect.accounts import services
from tsprotect.accounts.models import EnterpriseClaim, Role, User

from .conftest import make_uscc, make_user
from .test_enterprise_import import record, xlsx_file

pytestmark = pytest.mark.django_db(transaction=True)

# Long enough for both threads to reach the barrier on a busy machine; once a fix makes the
# second wait on the first's lock, the first goes on alone when this runs out.
LINE_UP_SECONDS = 3
VERIFIED = "The account has been verified and notified."


class LineUp:
    """Stops each thread at ``target`` until both are there (or the wait times out because
    one is held by a lock), so that both enter the critical part of the code together."""

    def __init__(self, monkeypatch, owner, name, *, after=False):
        self.barrier = threading.Barrier(2, timeout=LINE_UP_SECONDS)
        original = getattr(owner, name)

        def lined_up(*args, **kwargs):
            if not after:
                self.wait()
            result = original(*args, **kwargs)
            if after:
                self.wait()
            return result

        monkeypatch.setattr(owner, name, lined_up)

    def wait(self):
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            pass  # the other thread waits on a lock we hold: go on alone


def run_together(*requests):
    """Run each ``(client, url)`` POST in its own thread; their responses, in order."""
    responses = [None] * len(requests)
    errors = []

    def run(index, client, url):
        try:
            responses[index] = client.post(url)
        except Exception as error:  # noqa: BLE001 -- reported by the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, client, url))
        for index, (client, url) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    return responses


def logged_in(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def said(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def shown(message, **values):
    """``message`` as the pages show it (in Chinese, the portal's language)."""
    with translation.override("zh-hans"):
        return gettext(message) % values


def claim_for(uscc, username, name="长沙新注册科技有限公司"):
    applicant = User(username=username)
    applicant.set_password("registration-pass-2026")
    return services.register_enterprise_user(
        user=applicant, uscc=uscc, enterprise_name=name, contact_person="张三", phone="0731-8888"
    )


@pytest.fixture
def second_changsha_officer(regions):
    return make_user("officer_430100_b", Role.PREFECTURE_OFFICER, "430100")


def test_two_officers_verifying_two_claims_of_one_enterprise_at_once_both_get_an_answer(
    monkeypatch, changsha_enterprise, changsha_officer, second_changsha_officer
):
    first = claim_for(changsha_enterprise.uscc, "zhangsan")
    second = claim_for(changsha_enterprise.uscc, "lisi")
    # Both have their claim in hand and are about to decide who becomes the manager.
    LineUp(monkeypatch, services, "_locked_pending", after=True)

    responses = run_together(
        (logged_in(changsha_officer), reverse("claim_verify", args=[first.pk])),
        (logged_in(second_changsha_officer), reverse("claim_verify", args=[second.pk])),
    )

    assert [r.status_code for r in responses] == [302, 302]
    assert [said(r) for r in responses] == [[shown(VERIFIED)]] * 2
    claims = EnterpriseClaim.objects.filter(enterprise=changsha_enterprise)
    assert sorted(claims.values_list("status", flat=True)) == ["verified", "verified"]
    assert claims.filter(is_manager=True).count() == 1
    for username in ("zhangsan", "lisi"):
        user = User.objects.get(username=username)
        assert list(Enterprise.objects.restrict(user)) == [changsha_enterprise]


def test_two_claims_for_the_same_new_credit_code_verified_at_once_file_one_record(
    monkeypatch, regions, changsha_officer, second_changsha_officer
):
    uscc = make_uscc("430104", "MA4N9W8Y7")  # not in the directory yet
    first = claim_for(uscc, "zhangsan")
    second = claim_for(uscc, "lisi")
    LineUp(monkeypatch, services, "_locked_pending", after=True)

    responses = run_together(
        (logged_in(changsha_officer), reverse("claim_verify", args=[first.pk])),
        (logged_in(second_changsha_officer), reverse("claim_verify", args=[second.pk])),
    )

    assert [r.status_code for r in responses] == [302, 302]
    assert [said(r) for r in responses] == [[shown(VERIFIED)]] * 2
    enterprise = Enterprise.objects.get(uscc=uscc)
    assert enterprise.prefecture_id == "430100" and enterprise.county_id == "430104"
    assert enterprise.history.count() == 1
    claims = EnterpriseClaim.objects.filter(uscc=uscc)
    assert set(claims.values_list("status", "enterprise")) == {("verified", enterprise.pk)}
    assert claims.filter(is_manager=True).count() == 1


def test_confirming_one_import_twice_at_once_imports_it_once_and_says_so(
    monkeypatch, changsha_officer
):
    rows = [record(), record(uscc=make_uscc("430104", "MA4L0X002"), name="长沙岳麓第二有限公司")]
    upload = xlsx_file(rows)
    page = logged_in(changsha_officer).post(
        reverse("enterprises:import"), {"file": upload, "prefecture": "430100"}
    )
    batch = ImportBatch.objects.get()
    assert page["Location"] == reverse("enterprises:import_preview", args=[batch.pk])
    # Both requests have found the batch waiting for its import and start importing.
    LineUp(monkeypatch, importing, "_import")
    confirm = reverse("enterprises:import_confirm", args=[batch.pk])

    responses = run_together(
        (logged_in(changsha_officer), confirm), (logged_in(changsha_officer), confirm)
    )

    assert [r.status_code for r in responses] == [302, 302]
    answers = sorted(message for r in responses for message in said(r))
    assert answers == sorted(
        [
            shown("Imported: %(created)d new records, %(updated)d updated.", created=2, updated=0),
            shown("This spreadsheet has already been imported."),
        ]
    )
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED and batch.errors == []
    assert Enterprise.objects.count() == 2
    assert Enterprise.history.count() == 2
