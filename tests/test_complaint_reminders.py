"""Deadline reminders: whom ``services.send_reminders`` tells of which clock, and the daily job
itself going through Redis to a real Celery worker, telling the right officers only, once."""

import datetime as dt

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from complaints import services, tasks
from complaints.models import Complaint, StatutoryLimit
from tsprotect.accounts.models import Role
from tsprotect.celery import app
from tsprotect.notifications.models import Notification

from .conftest import client_for, make_user

D = dt.date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def limits(regions):
    """The statutory limits (the shared ``regions`` fixture reloads them after a flush)."""


def register(officer, **fields):
    values = {
        "kind": "complaint",
        "channel": "12315",
        "prefecture_id": "430100",
        "county_id": None,
        "received_on": D(2026, 9, 28),
        "complainant_name": "长沙湘江新材料有限公司",
        "complainant_contact": "0731-88886666",
        "respondent_name": "长沙某某科技有限公司",
        "secret_kind": "technical",
        "description": "前技术总监离职后带走工艺图纸。",
        **fields,
    }
    return services.create_complaint(Complaint(**values), officer)


def act(complaint, action, officer, note="", **data):
    return services.transition(complaint, action, officer, note, **data)


def reminders(user=None):
    found = Notification.objects.filter(kind="complaint_deadline")
    if user is not None:
        found = found.filter(recipient=user)
    return list(found.order_by("pk").values_list("title", flat=True))


# send_reminders ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_clock_due_today_tomorrow_or_overdue_is_reminded(limits, changsha_officer):
    # Received 28 September 2026: to be accepted or refused by 13 October.
    complaint = register(changsha_officer)
    ref = complaint.reference
    assert services.send_reminders(D(2026, 10, 10)) == 0  # due in three days: not yet
    assert services.send_reminders(D(2026, 10, 12)) == 1
    assert services.send_reminders(D(2026, 10, 13)) == 1
    assert services.send_reminders(D(2026, 10, 14)) == 1
    assert reminders(changsha_officer) == [
        f"Due on 2026-10-13: {ref} — 投诉受理决定",
        f"Due on 2026-10-13: {ref} — 投诉受理决定",
        f"Overdue: {ref} — 投诉受理决定 was due on 2026-10-13",
    ]
    urls = set(Notification.objects.filter(kind="complaint_deadline").values_list("url", flat=True))
    assert urls == {complaint.get_absolute_url()}


@pytest.mark.django_db
def test_a_second_run_the_same_day_reminds_no_one_again(limits, changsha_officer):
    register(changsha_officer)
    assert services.send_reminders(D(2026, 10, 14)) == 1
    assert services.send_reminders(D(2026, 10, 14)) == 0
    assert len(reminders()) == 1
    assert services.send_reminders(D(2026, 10, 15)) == 1  # a new day, a new reminder


@pytest.mark.django_db
def test_met_and_closed_clocks_are_not_reminded(limits, changsha_officer):
    decided = act(register(changsha_officer), "accept", changsha_officer)
    closed = act(register(changsha_officer), "refuse", changsha_officer, "不属于本局管辖。")
    closed = act(closed, "feedback", changsha_officer, "已电话告知。", method="phone")
    closed = act(closed, "close", changsha_officer)
    # Even a clock left running on a closed complaint is never reminded.
    Complaint.objects.filter(pk=closed.pk).update(accept_decided_at=None)
    services.refresh_clocks(Complaint.objects.get(pk=closed.pk))
    assert closed.clocks.filter(met_at__isnull=True).exists()
    assert decided.clocks.get(limit__code="complaint_acceptance").met_at is not None
    assert services.send_reminders(D(2026, 10, 14)) == 0
    assert reminders() == []


@pytest.mark.django_db
def test_the_officer_in_charge_is_reminded_else_the_whole_bureau(
    limits, changsha_officer, yueyang_officer, yuelu_officer, province
):
    colleague = make_user("officer_430100_2", Role.PREFECTURE_OFFICER, "430100")
    report = register(changsha_officer, kind="report")
    handled = act(report, "accept", colleague)  # colleague takes charge
    unassigned = register(changsha_officer, county_id="430104")
    # The report's filing decision to its officer; the complaint's acceptance and filing
    # decision (art. 18 runs for complaints too) to the bureau's two officers and the county's.
    assert services.send_reminders(D(2026, 12, 31)) == 1 + 2 * 3
    assert {t.split(" — ")[0] for t in reminders(colleague)} == {
        f"Overdue: {handled.reference}",
        f"Overdue: {unassigned.reference}",
    }
    assert len(reminders(changsha_officer)) == len(reminders(yuelu_officer)) == 2
    assert reminders(yueyang_officer) == reminders(province) == []


@pytest.mark.django_db
def test_a_deactivated_limit_is_no_longer_reminded_nor_kept_as_a_deadline(limits, changsha_officer):
    complaint = register(changsha_officer)
    StatutoryLimit.objects.filter(code="complaint_acceptance").update(active=False)
    # The nightly refresh no longer counts it as the complaint's next deadline …
    assert services.refresh_open_clocks() == 1
    complaint.refresh_from_db()
    # The filing decision of art. 18 (23 October) is its next deadline now.
    assert (complaint.next_deadline, complaint.next_limit.code) == (
        D(2026, 10, 23),
        "report_verification",
    )
    assert not Complaint.objects.overdue(D(2026, 10, 14)).exists()
    # … and the daily job no longer reminds of its clock, due or overdue.
    assert services.send_reminders(D(2026, 10, 13)) == 0
    assert services.send_reminders(D(2026, 10, 14)) == 0
    assert reminders() == []
    # Back in force, it is reminded again.
    StatutoryLimit.objects.filter(code="complaint_acceptance").update(active=True)
    services.refresh_open_clocks()
    assert services.send_reminders(D(2026, 10, 14)) == 1


# The daily job on a real worker --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_daily_job_reminds_the_right_officers_on_a_real_worker(
    limits, changsha_officer, yueyang_officer, yuelu_officer, province, expert, enterprise_user
):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    today = timezone.localdate()
    colleague = make_user("officer_430100_2", Role.PREFECTURE_OFFICER, "430100")
    # 长沙: a report in the colleague's charge, overdue; a complaint no one has taken, overdue.
    handled = act(
        register(changsha_officer, kind="report", received_on=today - dt.timedelta(days=60)),
        "accept",
        colleague,
    )
    # 40 days back: past its acceptance and its filing decision (15 working days), whatever
    # holidays lie between.
    unassigned = register(
        changsha_officer, county_id="430104", received_on=today - dt.timedelta(days=40)
    )
    # 岳阳: a complaint received today, far from due.
    register(yueyang_officer, prefecture_id="430600", county_id="430602", received_on=today)
    assert set(Complaint.objects.overdue(today)) == {handled, unassigned}

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        sent = tasks.send_deadline_reminders.delay().get(timeout=30)
        again = tasks.send_deadline_reminders.delay().get(timeout=30)

    # The report to its officer; the complaint's two clocks to its bureau's three officers.
    assert (sent, again) == (7, 0)
    # The worker writes in the portal's language: compare what each reminder is about.
    with translation.override(settings.LANGUAGE_CODE):
        overdue = translation.gettext("Overdue: %(reference)s — %(limit)s was due on %(date)s")
    prefix = overdue.split("%(reference)s")[0]
    assert all(title.startswith(prefix) for title in reminders())

    def about(user):
        return sorted(
            c.reference for c in (handled, unassigned) for t in reminders(user) if c.reference in t
        )

    # One reminder per clock: the unassigned complaint's acceptance and filing decision.
    assert about(colleague) == sorted([handled.reference, *[unassigned.reference] * 2])
    assert about(changsha_officer) == about(yuelu_officer) == [unassigned.reference] * 2
    for outsider in (yueyang_officer, province, expert, enterprise_user):
        assert reminders(outsider) == []
    assert len(reminders()) == 7


@pytest.mark.django_db
def test_a_deactivated_limit_shows_as_no_longer_in_force_and_cannot_be_extended(
    limits, changsha_officer
):
    complaint = register(changsha_officer)
    StatutoryLimit.objects.filter(code="complaint_acceptance").update(active=False)
    clock = complaint.clocks.select_related("limit").get(limit__code="complaint_acceptance")
    assert not clock.running and not clock.is_overdue(timezone.now() + dt.timedelta(days=60))
    page = client_for(changsha_officer).get(complaint.get_absolute_url())
    assert "已停止适用" in page.content.decode()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.extend(
            complaint,
            changsha_officer,
            limit_code="complaint_acceptance",
            approved_by="局长",
            decided_on=timezone.localdate(),
            document_number="长市监延〔2026〕1号",
            reason="案情复杂",
        )
    assert refused.value.message_dict["limit"] == ["该时限已停止适用。"]
    clock.refresh_from_db()
    assert not clock.extended
