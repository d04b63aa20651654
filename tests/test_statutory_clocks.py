"""Statutory clocks on the official calendar: weekends, the National Day and Spring Festival
holidays, make-up workdays, pauses, extensions, calendar-day limits ending on a holiday, and a
year the holiday library has no data for — first the rule alone, then each complaint's clocks
as the services chain them step after step.

The 2026 calendar (holidays library, as published by the State Council): Spring Festival off
15–23 February with Saturdays 14 and 28 February worked; National Day off 1–7 October with
Sunday 20 September and Saturday 10 October worked."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from complaints import clocks, services
from complaints.clocks import Pause
from complaints.models import Complaint, ComplaintClock, StatutoryLimit
from tsprotect.regions.models import CalendarOverride

from .conftest import make_uscc

D = dt.date


@pytest.fixture
def limit(regions):
    # ``regions`` loads the limits again when a transactional test before this one flushed them.
    return lambda code: StatutoryLimit.objects.get(code=code)


def test_the_limits_in_force_are_loaded_with_their_articles(limit):
    acceptance = limit("complaint_acceptance")
    assert (acceptance.length, acceptance.unit) == (7, "working_days")
    assert "第十四条" in acceptance.legal_basis
    case = limit("case_decision")
    assert (case.length, case.unit, case.extension, case.roll_to_workday) == (
        90,
        "calendar_days",
        30,
        True,
    )
    assert set(case.pauses) == {
        "suspension",
        "hearing",
        "announcement",
        "appraisal",
        "identification",
        "refund",
    }
    # The note quotes art. 18 word for word, or labels art. 64's summary as one, never passing
    # a paraphrase off as the text.
    assert "责令退还多收价款" in case.basis_note and case.basis_note.startswith(
        "第六十四条要旨（非原文）"
    )
    assert case.further_extensions and "第六十四条" in case.legal_basis
    verification = limit("report_verification")
    assert (verification.extension, verification.further_extensions) == (15, False)
    assert verification.applies_to == "any" and verification.starts_at == "received"
    assert "第十八条" in verification.legal_basis and "收到材料之日" in verification.basis_note
    assert verification.basis_note.startswith("第十八条原文：“市场监督管理部门对依据监督检查职权")
    assert "法律、法规、规章另有规定的除外。" in verification.basis_note
    assert limit("transfer_dispatch").unit == "hours"


def test_a_complaint_received_before_national_day_is_decided_by_13_october(limit):
    # 29, 30 Sep; 1–7 Oct off; 8, 9 Oct; Saturday 10 Oct is a make-up workday; 12, 13 Oct.
    assert clocks.due(limit("complaint_acceptance"), D(2026, 9, 28)) == D(2026, 10, 13)


def test_the_day_of_receipt_is_not_counted_and_weekends_are_skipped(limit):
    # Received on a Friday: Mon–Fri of the next week and Mon–Tue after, 7 working days.
    assert clocks.due(limit("complaint_acceptance"), D(2026, 11, 20)) == D(2026, 12, 1)


def test_spring_festival_holidays_are_not_counted(limit):
    # The 2027 Spring Festival holiday (5–11 Feb on the library's calendar) stops the count.
    due = clocks.due(limit("complaint_acceptance"), D(2027, 2, 3))
    assert due > D(2027, 2, 12)
    from tsprotect.regions.calendar import workdays_between

    assert workdays_between(D(2027, 2, 3), due) == 7


def test_a_report_is_extended_once_by_fifteen_working_days(limit):
    report = limit("report_verification")
    plain = clocks.due(report, D(2026, 11, 2))
    extended = clocks.due(report, D(2026, 11, 2), extended=True)
    from tsprotect.regions.calendar import workdays_between

    assert workdays_between(D(2026, 11, 2), plain) == 15
    assert workdays_between(plain, extended) == 15


def test_an_appraisal_pause_stops_the_report_clock_but_not_the_acceptance_clock(limit):
    start = D(2026, 11, 2)  # a Monday
    pause = Pause("appraisal", D(2026, 11, 9), D(2026, 11, 13))  # one working week
    report = limit("report_verification")
    assert clocks.due(report, start, pauses=[pause]) == clocks.due(report, start) + dt.timedelta(
        days=7
    )
    acceptance = limit("complaint_acceptance")
    assert clocks.due(acceptance, start, pauses=[pause]) == clocks.due(acceptance, start)


def test_a_running_pause_keeps_the_clock_stopped(limit):
    running = Pause("identification", D(2026, 11, 3))
    assert clocks.due(limit("report_verification"), D(2026, 11, 2), pauses=[running]) is None
    later = Pause("identification", D(2027, 1, 4))  # starts after the limit has fallen due
    assert clocks.due(limit("report_verification"), D(2026, 11, 2), pauses=[later]) is not None


def test_a_case_of_90_calendar_days_ending_in_a_holiday_ends_on_the_next_working_day(limit):
    case = limit("case_decision")
    # Filed 4 July 2026: 90 days later is 2 October, inside the National Day holiday.
    assert D(2026, 7, 4) + dt.timedelta(days=90) == D(2026, 10, 2)
    assert clocks.due(case, D(2026, 7, 4)) == D(2026, 10, 8)
    # Extended by 30 days: 1 November 2026 is a Sunday, so it ends on Monday 2 November.
    assert clocks.due(case, D(2026, 7, 4), extended=True) == D(2026, 11, 2)


def test_a_transfer_is_approved_within_three_days_and_sent_within_24_hours(limit):
    assert clocks.due(limit("transfer_approval"), D(2026, 10, 1)) == D(2026, 10, 4)
    approved = dt.datetime(2026, 10, 4, 16, 30)
    assert clocks.due(limit("transfer_dispatch"), approved) == dt.datetime(2026, 10, 5, 16, 30)
    with pytest.raises(TypeError):
        clocks.due(limit("transfer_dispatch"), D(2026, 10, 4))


def test_staff_overrides_of_the_calendar_move_the_deadline(limit):
    base = clocks.due(limit("complaint_acceptance"), D(2026, 11, 20))
    CalendarOverride.objects.create(date=D(2026, 11, 23), kind="holiday", name="临时调休")
    assert clocks.due(limit("complaint_acceptance"), D(2026, 11, 20)) == base + dt.timedelta(days=1)


def test_a_year_beyond_the_holiday_library_counts_weekdays(limit):
    # No official schedule is known for 2150: Monday to Friday are working days.
    assert clocks.due(limit("complaint_acceptance"), D(2150, 3, 6)) == D(2150, 3, 17)


def test_the_limits_that_apply_depend_on_the_kind_and_the_reporters_name(limit):
    assert {lim.code for lim in clocks.limits_for("complaint")} >= {"complaint_acceptance"}
    report = {lim.code for lim in clocks.limits_for("report")}
    assert "report_verification" in report and "reporter_notice" not in report
    assert "reporter_notice" in {lim.code for lim in clocks.limits_for("report", real_name=True)}


# Through the services: each complaint's clocks, chained step after step ----------------------


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
RESPONDENT_USCC = make_uscc("430104", "MA4L0X9Y8")


def at(*args):
    """A moment in the portal's time zone."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


def register(officer, **fields):
    values = {
        "kind": "complaint",
        "channel": "12315",
        "prefecture_id": "430100",
        "county_id": "430104",
        "received_on": D(2026, 9, 28),
        "complainant_name": "长沙湘江新材料有限公司",
        "complainant_contact": "0731-88886666",
        "respondent_name": "长沙某某科技有限公司",
        "secret_kind": "technical",
        "description": "前技术总监离职后带走工艺图纸。",
        **fields,
    }
    return services.create_complaint(Complaint(**values), officer)


def report(officer, **fields):
    return register(officer, kind="report", channel="12345", **fields)


def act(complaint, action, officer, note="", **data):
    return services.transition(complaint, action, officer, note, **data)


def clock(complaint, code):
    return ComplaintClock.objects.get(complaint=complaint, limit__code=code)


def backdate(complaint, **moments):
    """Move milestones recorded "now" to the moment the test needs, and recount the clocks."""
    Complaint.objects.filter(pk=complaint.pk).update(**moments)
    complaint = Complaint.objects.get(pk=complaint.pk)
    services.refresh_clocks(complaint)
    return Complaint.objects.get(pk=complaint.pk)


def test_the_service_sets_the_acceptance_deadline_of_a_complaint(changsha_officer):
    complaint = Complaint.objects.get(pk=register(changsha_officer).pk)
    assert complaint.accept_deadline == D(2026, 10, 13)
    assert complaint.next_deadline == D(2026, 10, 13)
    assert complaint.next_limit.code == "complaint_acceptance"
    assert not complaint.paused
    # The lead-verification clock of art. 18 runs from receipt too (15 working days).
    assert set(complaint.clocks.values_list("limit__code", flat=True)) == {
        "complaint_acceptance",
        "report_verification",
    }
    complaint = act(complaint, "accept", changsha_officer)
    acceptance = clock(complaint, "complaint_acceptance")
    assert acceptance.met_at and acceptance.met_late  # decided today, long after 13 October
    # Still to decide on filing a case: due 15 working days after receipt, on 23 October.
    assert Complaint.objects.get(pk=complaint.pk).next_deadline == D(2026, 10, 23)


def test_a_report_received_before_spring_festival_has_15_working_days(changsha_officer):
    # Thu 12 Feb; Fri 13 and the make-up Saturday 14 count; 15–23 Feb off; 24–27 Feb, the make-up
    # Saturday 28 Feb, then 2–6 and 9–11 March: the 15th working day is Wednesday 11 March.
    received = report(changsha_officer, received_on=D(2026, 2, 12))
    assert Complaint.objects.get(pk=received.pk).accept_deadline == D(2026, 3, 11)
    assert clock(received, "report_verification").due_on == D(2026, 3, 11)


def test_an_appraisal_stops_the_report_clock_until_it_ends(changsha_officer):
    # Received Monday 2 November: due on Monday 23 November (15 working days).
    received = act(report(changsha_officer, received_on=D(2026, 11, 2)), "accept", changsha_officer)
    assert clock(received, "report_verification").due_on == D(2026, 11, 23)
    pause = services.start_pause(
        received, changsha_officer, reason="appraisal", started_on=D(2026, 11, 9), note="司法鉴定"
    )
    paused = Complaint.objects.get(pk=received.pk)
    assert paused.paused
    assert clock(paused, "report_verification").due_on is None
    assert paused.next_deadline is None and paused.accept_deadline is None
    assert paused not in Complaint.objects.overdue(D(2026, 12, 31))
    # The appraisal took Monday 9 to Friday 13 November: five working days more.
    services.end_pause(pause, changsha_officer, ended_on=D(2026, 11, 13))
    resumed = Complaint.objects.get(pk=received.pk)
    assert not resumed.paused
    assert clock(resumed, "report_verification").due_on == D(2026, 11, 30)
    assert resumed.next_deadline == D(2026, 11, 30)


def test_a_pause_the_limit_does_not_list_is_ignored(changsha_officer):
    received = act(report(changsha_officer, received_on=D(2026, 11, 2)), "accept", changsha_officer)
    services.start_pause(received, changsha_officer, reason="hearing", started_on=D(2026, 11, 9))
    received = Complaint.objects.get(pk=received.pk)
    assert not received.paused
    assert clock(received, "report_verification").due_on == D(2026, 11, 23)


def test_a_report_is_extended_once_with_the_approval_recorded(changsha_officer):
    received = act(report(changsha_officer, received_on=D(2026, 11, 2)), "accept", changsha_officer)
    with pytest.raises(ValidationError, match="Please say who approved the extension."):
        services.extend(
            received,
            changsha_officer,
            limit_code="report_verification",
            approved_by="",
            decided_on=D(2026, 11, 20),
            document_number="岳市监延〔2026〕1号",
            reason="x",
        )
    services.extend(
        received,
        changsha_officer,
        limit_code="report_verification",
        approved_by="局长 王某",
        decided_on=D(2026, 11, 20),
        document_number="长市监延〔2026〕1号",
        reason="涉及多家关联企业，需调取银行流水。",
    )
    extended = clock(received, "report_verification")
    (approval,) = extended.extensions.all()
    assert extended.extended and approval.approved_by == "局长 王某"
    assert approval.reason == "涉及多家关联企业，需调取银行流水。"
    assert (approval.kind, approval.period) == ("approval", 15)
    # 15 more working days after 23 November: 14 December.
    assert extended.due_on == D(2026, 12, 14)
    assert Complaint.objects.get(pk=received.pk).next_deadline == D(2026, 12, 14)
    with pytest.raises(ValidationError, match="already been extended once"):
        services.extend(
            received,
            changsha_officer,
            limit_code="report_verification",
            approved_by="局长",
            decided_on=D(2026, 12, 1),
            document_number="长市监延〔2026〕2号",
            reason="再延",
        )
    with pytest.raises(ValidationError, match="no further extension"):
        services.extend(
            received,
            changsha_officer,
            limit_code="report_verification",
            kind="collective",
            period=10,
            approved_by="局长办公会",
            decided_on=D(2026, 12, 1),
            document_number="长市监延〔2026〕3号",
            reason="再延",
        )
    assert clock(received, "report_verification").due_on == D(2026, 12, 14)


def test_a_limit_the_law_does_not_extend_cannot_be_extended(changsha_officer):
    received = register(changsha_officer)
    with pytest.raises(ValidationError, match="The law allows no extension of this time limit."):
        services.extend(
            received,
            changsha_officer,
            limit_code="complaint_acceptance",
            approved_by="局长",
            decided_on=D(2026, 9, 30),
            document_number="长市监延〔2026〕1号",
            reason="忙",
        )
    with pytest.raises(ValidationError, match="This time limit is not running on this complaint."):
        services.extend(
            received,
            changsha_officer,
            limit_code="case_decision",
            approved_by="局长",
            decided_on=D(2026, 9, 30),
            document_number="长市监延〔2026〕1号",
            reason="复杂",
        )
    assert not clock(received, "complaint_acceptance").extended


def test_a_case_ending_on_a_holiday_ends_on_the_next_working_day_and_is_extended_by_30(
    changsha_officer,
):
    complaint = act(
        register(changsha_officer, received_on=D(2026, 6, 22)), "accept", changsha_officer
    )
    # Filed 5 July: 90 days later is Saturday 3 October, in the National Day holiday (1–7 Oct).
    assert D(2026, 7, 5) + dt.timedelta(days=90) == D(2026, 10, 3)
    complaint = act(
        complaint,
        "file_case",
        changsha_officer,
        case_number="长市监立〔2026〕7号",
        on=D(2026, 7, 5),
    )
    assert clock(complaint, "case_decision").due_on == D(2026, 10, 8)
    assert Complaint.objects.get(pk=complaint.pk).next_deadline == D(2026, 10, 8)
    services.extend(
        complaint,
        changsha_officer,
        limit_code="case_decision",
        approved_by="局长",
        decided_on=D(2026, 10, 8),
        document_number="长市监延〔2026〕4号",
        reason="案情复杂",
    )
    # 120 days after 5 July is Monday 2 November, a working day.
    assert clock(complaint, "case_decision").due_on == D(2026, 11, 2)


def test_a_transfer_is_approved_within_3_days_and_sent_within_24_hours(changsha_officer):
    complaint = act(
        act(register(changsha_officer, received_on=D(2026, 9, 1)), "accept", changsha_officer),
        "propose_transfer",
        changsha_officer,
        "涉嫌犯罪。",
        receiving_unit="长沙市公安局",
    )
    # Proposed at 01:30 on 1 October, Beijing time (still 30 September in UTC): due 4 October,
    # three calendar days, holiday or not.
    complaint = backdate(complaint, transfer_proposed_at=at(2026, 10, 1, 1, 30))
    approval = clock(complaint, "transfer_approval")
    assert (approval.due_on, approval.due_at) == (D(2026, 10, 4), None)
    assert complaint.next_deadline == D(2026, 10, 4)
    assert complaint in Complaint.objects.overdue(D(2026, 10, 5))
    assert complaint not in Complaint.objects.overdue(D(2026, 10, 4))

    complaint = act(complaint, "approve_transfer", changsha_officer, approved_by="局长 王某")
    assert clock(complaint, "transfer_approval").met_at
    now_due = clock(complaint, "transfer_dispatch")
    assert now_due.due_at - Complaint.objects.get(pk=complaint.pk).transfer_approved_at == (
        dt.timedelta(hours=24)
    )
    complaint = backdate(complaint, transfer_approved_at=at(2026, 10, 4, 16, 30))
    dispatch = clock(complaint, "transfer_dispatch")
    assert dispatch.due_at == at(2026, 10, 5, 16, 30)
    assert dispatch.due_on == D(2026, 10, 5)
    assert dispatch.is_overdue(at(2026, 10, 5, 16, 31))
    assert not dispatch.is_overdue(at(2026, 10, 5, 16, 29))
    complaint = act(complaint, "send_transfer", changsha_officer)
    assert clock(complaint, "transfer_dispatch").met_at
    # Then the police's answer is awaited (tests/test_police_transfers.py).
    assert Complaint.objects.get(pk=complaint.pk).next_limit.code == "police_filing_decision"


def test_a_penalty_is_published_within_20_working_days(changsha_officer):
    received = register(
        changsha_officer, received_on=D(2026, 9, 1), respondent_credit_code=RESPONDENT_USCC
    )
    complaint = act(
        act(received, "accept", changsha_officer),
        "file_case",
        changsha_officer,
        case_number="长市监立〔2026〕11号",
        on=D(2026, 9, 10),
    )
    complaint = act(
        complaint,
        "decide_case",
        changsha_officer,
        "罚款十万元。",
        on=D(2026, 9, 28),
        penalty=True,
        decision_number="长市监处罚〔2026〕30号",
        facts="当事人违反保密义务使用权利人的客户信息。",
        content="罚款十万元。",
        fine=100000,
    )
    # 29, 30 Sep; 8, 9, 10 (make-up Saturday) Oct; then 12–16, 19–23, 26–30 Oct: 30 October.
    publication = clock(complaint, "penalty_publication")
    assert publication.due_on == D(2026, 10, 30)
    assert clock(complaint, "case_decision").met_at
    services.publish_penalty(complaint, changsha_officer, published_on=D(2026, 10, 20))
    assert clock(complaint, "penalty_publication").met_at


def test_a_real_name_reporter_is_told_within_5_working_days_of_the_decision(changsha_officer):
    named = act(report(changsha_officer, received_on=D(2026, 9, 1)), "accept", changsha_officer)
    named = act(
        named, "file_case", changsha_officer, case_number="长市监立〔2026〕12号", on=D(2026, 9, 20)
    )
    # Decided on Monday 28 September: 29, 30 Sep, 8, 9 Oct and the make-up Saturday 10 October.
    named = backdate(named, filing_decided_at=at(2026, 9, 28, 10))
    notice = clock(named, "reporter_notice")
    assert notice.due_on == D(2026, 10, 10)
    # The earliest running clock is the next deadline: the notice, not the 90-day case.
    assert clock(named, "case_decision").due_on == D(2026, 12, 21)
    assert (named.next_deadline, named.next_limit.code) == (D(2026, 10, 10), "reporter_notice")
    assert clock(named, "report_verification").met_at
    named = act(named, "feedback", changsha_officer, "已电话告知立案。", method="phone")
    assert clock(named, "reporter_notice").met_at
    named = Complaint.objects.get(pk=named.pk)
    assert (named.next_deadline, named.next_limit.code) == (D(2026, 12, 21), "case_decision")

    anonymous = act(
        report(
            changsha_officer,
            received_on=D(2026, 9, 1),
            anonymous=True,
            complainant_name="",
            complainant_contact="",
        ),
        "accept",
        changsha_officer,
    )
    anonymous = act(
        anonymous,
        "file_case",
        changsha_officer,
        case_number="长市监立〔2026〕13号",
        on=D(2026, 9, 20),
    )
    assert not anonymous.clocks.filter(limit__code="reporter_notice").exists()


def test_a_year_beyond_the_holiday_library_still_has_deadlines(changsha_officer):
    # Made directly: nobody may register a receipt in the future. Received Monday 28 December
    # 2099: 29–31 Dec, 1 January 2100 is New Year's Day, then 4–7 January.
    complaint = Complaint.objects.create(
        kind="complaint",
        reference="长市监商秘〔2099〕1号",
        channel="12315",
        prefecture_id="430100",
        received_on=D(2099, 12, 28),
        registered_by=changsha_officer,
        complainant_name="长沙湘江新材料有限公司",
        respondent_name="长沙某某科技有限公司",
        secret_kind="technical",
        description="远期测试。",
    )
    services.refresh_clocks(complaint)
    complaint.refresh_from_db()
    assert complaint.accept_deadline == D(2100, 1, 7)
    far = Complaint.objects.create(
        kind="report",
        reference="长市监商秘〔2149〕1号",
        channel="12345",
        prefecture_id="430100",
        received_on=D(2149, 12, 29),
        registered_by=changsha_officer,
        anonymous=True,
        respondent_name="长沙某某科技有限公司",
        secret_kind="technical",
        description="远期测试。",
    )
    services.refresh_clocks(far)
    far.refresh_from_db()
    # No schedule at all for 2149–2150: weekdays only, even 1 January. Received Monday 29
    # December 2149: 30, 31 Dec, 1, 2, 5–9, 12–16 and 19 January.
    assert far.accept_deadline == D(2150, 1, 19)


def test_overdue_complaints_are_listed_and_closing_clears_the_deadline(changsha_officer):
    late = register(changsha_officer, received_on=D(2026, 9, 28))
    assert list(Complaint.objects.overdue(D(2026, 10, 14))) == [late]
    assert not Complaint.objects.overdue(D(2026, 10, 13)).exists()
    late = act(late, "refuse", changsha_officer, "不属于本局管辖。")
    late = act(late, "feedback", changsha_officer, "已告知。", method="phone")
    assert Complaint.objects.get(pk=late.pk).next_deadline is None
    report_with_notice = act(
        report(changsha_officer, received_on=D(2026, 9, 28)),
        "refuse",
        changsha_officer,
        "线索不清。",
    )
    # A real-name reporter refused is owed the news: that clock stays until the feedback.
    assert Complaint.objects.get(pk=report_with_notice.pk).next_limit.code == "reporter_notice"
    closed = act(late, "close", changsha_officer)
    # Whatever its clocks say, a closed complaint has no deadline left.
    closed = backdate(closed, accept_decided_at=None)
    assert clock(closed, "complaint_acceptance").running
    assert (closed.next_deadline, closed.next_limit, closed.paused) == (None, None, False)
    assert closed not in Complaint.objects.overdue(D(2027, 1, 1))


def test_a_calendar_correction_moves_the_open_deadlines(changsha_officer):
    # Received Friday 20 November: due Tuesday 1 December.
    complaint = register(changsha_officer, received_on=D(2026, 11, 20))
    assert Complaint.objects.get(pk=complaint.pk).accept_deadline == D(2026, 12, 1)
    CalendarOverride.objects.create(date=D(2026, 11, 23), kind="holiday", name="临时调休")
    assert services.refresh_open_clocks() == 1
    moved = Complaint.objects.get(pk=complaint.pk)
    assert moved.accept_deadline == moved.next_deadline == D(2026, 12, 2)
    assert clock(moved, "complaint_acceptance").due_on == D(2026, 12, 2)


def test_the_refund_pause_migration_leaves_clocks_staff_edited_and_is_undone_by_reversing(limit):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("complaints.migrations.0012_refund_pause")
    migration.backward(apps, None)
    case = limit("case_decision")
    assert "refund" not in case.pauses and "责令退还多收价款" not in case.basis_note
    assert "法律、法规、规章另有规定的除外" not in limit("report_verification").basis_note
    case.basis_note = "本局按第六十四条执行。"
    case.save(update_fields=["basis_note"])
    migration.forward(apps, None)
    case = limit("case_decision")
    assert "refund" in case.pauses and case.basis_note == "本局按第六十四条执行。"
    assert "法律、法规、规章另有规定的除外" in limit("report_verification").basis_note
