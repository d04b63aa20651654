"""Statutory clocks on the official calendar: weekends, the National Day and Spring Festival
holidays, make-up workdays, pauses, extensions, calendar-day limits ending on a holiday, and a
year the holiday library has no data for."""

import datetime as dt

import pytest

from complaints import clocks
from complaints.clocks import Pause
from complaints.models import StatutoryLimit
from tsprotect.regions.models import CalendarOverride

D = dt.date


@pytest.fixture
def limit(db):
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
    assert set(case.pauses) == {"suspension", "hearing", "appraisal"}
    assert limit("report_verification").extension == 15
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
