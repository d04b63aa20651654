"""Statutory clocks: when a limit of the ``StatutoryLimit`` table falls due.

The day of the start event is not counted. Working days follow the official calendar
(``tsprotect.regions.calendar``: holidays, make-up workdays, staff overrides); days inside a
pause the limit lists (testing and appraisal, the rights holder identifying its secret,
hearing, public announcement, suspension) are not counted; each extension recorded on the clock
— the head's approval, then any collective decision of the heads with its stated period — adds
its period; a limit in calendar days that ends on a holiday ends on the next working day when
the rule says so (行政处罚程序规定 art. 80). This is the one computation of a due day: the
complaint's page, the lists, the overdue flags, the reminders and the API all read what
``services.refresh_clocks`` stored from it.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from tsprotect.regions.calendar import WorkingCalendar, roll_to_workday

from .models import StatutoryLimit


@dataclass(frozen=True)
class Pause:
    reason: str
    start: dt.date
    end: dt.date | None = None  # still running when None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def due(limit: StatutoryLimit, start, *, pauses=(), extended=False, extensions=()):
    """The last day (or, for a limit in hours, the moment) by which ``limit`` must be met.

    ``start`` is the date of the start event (a datetime for limits in hours). ``extensions``
    are the periods the clock was extended by, in the limit's unit; ``extended`` adds the
    limit's own extension once (the head's approval, when no record is at hand). A pause whose
    reason the limit does not list is ignored. ``None`` while a running pause (no end yet) has
    stopped the clock before it fell due: the date is known again once the pause ends.
    """
    length = limit.length + (limit.extension if extended else 0) + sum(extensions)
    if limit.unit == StatutoryLimit.Unit.HOURS:
        if not isinstance(start, dt.datetime):
            raise TypeError("a limit in hours counts from a moment, not a day")
        return start + dt.timedelta(hours=length)
    if isinstance(start, dt.datetime):
        # The day of the event where the portal is (a moment read from the database is in UTC).
        start = timezone.localdate(start) if timezone.is_aware(start) else start.date()
    counted = [p for p in pauses if p.reason in limit.pauses]
    calendar = WorkingCalendar()
    working = limit.unit == StatutoryLimit.Unit.WORKING_DAYS
    day, remaining = start, length
    while remaining:
        day += dt.timedelta(days=1)
        covering = [p for p in counted if p.covers(day)]
        if any(p.end is None for p in covering):
            return None
        if covering:
            continue
        if working and not calendar.is_workday(day):
            continue
        remaining -= 1
    if limit.roll_to_workday:
        day = roll_to_workday(day)
    return day


def limits_for(kind: str, *, real_name=False):
    """The limits in force that apply to a complaint of ``kind`` (``complaint`` / ``report``)."""
    limits = StatutoryLimit.objects.filter(active=True, applies_to__in=[kind, "any"])
    if not real_name:
        limits = limits.exclude(real_name_only=True)
    return limits
