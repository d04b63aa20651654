"""Working days on the official Chinese calendar.

Administrative time limits count working days and do not count the start day, so
``add_workdays(received_on, 7)`` is the last day of a 7-working-day limit. Holidays and make-up
workdays come from the ``holidays`` library, corrected by ``CalendarOverride`` rows that provincial
staff edit; for a year nobody knows yet the library's estimate (or plain weekends) is used, so
the functions never fail for a future year.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from .models import CalendarOverride


@lru_cache(maxsize=64)
def _library_year(year: int) -> tuple[frozenset, frozenset]:
    try:
        calendar = holidays.China(years=year)
        days_off = frozenset(d for d in calendar if d.year == year)
        workdays = frozenset(d for d in calendar.weekend_workdays if d.year == year)
    except (NotImplementedError, ValueError, OverflowError, KeyError):
        # Beyond the library's lunar tables: fall back to weekends and the overrides.
        days_off, workdays = frozenset(), frozenset()
    return days_off, workdays


class WorkingCalendar:
    """Reads each year's overrides once; make one per computation, not per process, so that
    every worker sees an override as soon as staff save it."""

    def __init__(self):
        self._overrides: dict[int, dict[dt.date, str]] = {}

    def _override(self, day: dt.date) -> str | None:
        if day.year not in self._overrides:
            self._overrides[day.year] = dict(
                CalendarOverride.objects.filter(date__year=day.year).values_list("date", "kind")
            )
        return self._overrides[day.year].get(day)

    def is_workday(self, day: dt.date) -> bool:
        override = self._override(day)
        if override is not None:
            return override == CalendarOverride.Kind.WORKDAY
        days_off, workdays = _library_year(day.year)
        if day in workdays:
            return True
        if day in days_off:
            return False
        return day.weekday() < 5


def is_workday(day: dt.date) -> bool:
    return WorkingCalendar().is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start`` (``start`` itself is not counted).

    ``n == 0`` gives ``start`` itself when it is a working day, else the next working day.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    calendar = WorkingCalendar()
    day = start
    if n == 0:
        while not calendar.is_workday(day):
            day += dt.timedelta(days=1)
        return day
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    calendar = WorkingCalendar()
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += calendar.is_workday(day)
    return count


def roll_to_workday(day: dt.date) -> dt.date:
    """A period ending on a holiday ends on the next working day instead."""
    return add_workdays(day, 0)
