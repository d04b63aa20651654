"""Reporting periods: a month (``2026-09``), a quarter (``2026-Q3``) or a year (``2026``).

A period is named by its code everywhere (URLs, the API, ``build_reports --period``); this module
is the one place that parses a code, says when the period starts and ends, and when the
prefectures' reports on it fall due.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tsprotect.core.bureau_rules import bureau_rule
from tsprotect.regions.calendar import add_workdays

FIRST_YEAR = 2021  # the policy's year: nothing to report before it

QUARTER_NUMERALS = "一二三四"
_CODE = re.compile(r"(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    YEAR = "year", _("Annual")


# Working days after a period ends by which a prefecture's report is due (the bureau's own rule,
# ``tsprotect.core.bureau_rules``); the provincial consolidation is built on the day after.
DUE_RULES = {
    PeriodKind.MONTH: "report_due_month",
    PeriodKind.QUARTER: "report_due_quarter",
    PeriodKind.YEAR: "report_due_year",
}


@dataclass(frozen=True, order=True)
class Period:
    starts_on: dt.date
    ends_on: dt.date
    kind: str
    code: str

    def __str__(self):
        return self.code

    @property
    def year(self) -> int:
        return self.starts_on.year

    @property
    def due_on(self) -> dt.date:
        # The rule in force when the period ends: a later change does not move a past deadline.
        return add_workdays(self.ends_on, bureau_rule(self.due_rule, self.ends_on))

    @property
    def due_rule(self) -> str:
        return DUE_RULES[self.kind]

    @property
    def label(self) -> str:
        """The period as people write it, in the active language (2026年第三季度, Q3 2026)."""
        quarter = (self.starts_on.month - 1) // 3
        if not (translation.get_language() or "zh").startswith("zh"):
            if self.kind == PeriodKind.MONTH:
                return self.starts_on.strftime("%B %Y")
            if self.kind == PeriodKind.QUARTER:
                return f"Q{quarter + 1} {self.year}"
            return str(self.year)
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}年{self.starts_on.month}月"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}年第{QUARTER_NUMERALS[quarter]}季度"
        return f"{self.year}年度"

    def has_ended(self, today: dt.date | None = None) -> bool:
        return self.ends_on < (today or timezone.localdate())

    def previous(self) -> Period:
        return containing(self.starts_on - dt.timedelta(days=1), self.kind)


def parse(code: str) -> Period:
    """The period a code names; ValidationError with a message for the user otherwise."""
    match = _CODE.fullmatch((code or "").strip())
    if not match or (match["month"] and not 1 <= int(match["month"]) <= 12):
        raise ValidationError(
            _("“%(code)s” is not a period: write 2026-09 (a month), 2026-Q3 (a quarter) or 2026."),
            params={"code": code},
            code="malformed",
        )
    year = int(match["year"])
    if year < FIRST_YEAR:
        raise ValidationError(
            _("Reports start with %(year)s."), params={"year": FIRST_YEAR}, code="too_early"
        )
    if match["month"]:
        month = int(match["month"])
        last = calendar.monthrange(year, month)[1]
        return Period(
            dt.date(year, month, 1),
            dt.date(year, month, last),
            PeriodKind.MONTH,
            f"{year}-{month:02d}",
        )
    if match["quarter"]:
        quarter = int(match["quarter"])
        first = 3 * quarter - 2
        last = dt.date(year, first + 2, calendar.monthrange(year, first + 2)[1])
        return Period(dt.date(year, first, 1), last, PeriodKind.QUARTER, f"{year}-Q{quarter}")
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), PeriodKind.YEAR, str(year))


def parse_closed(code: str, today: dt.date | None = None) -> Period:
    """A period that has ended: only those are reported on (a report on a running period would
    be frozen with half its figures)."""
    period = parse(code)
    today = today or timezone.localdate()
    if period.starts_on > today:
        raise ValidationError(
            _("%(period)s lies in the future."), params={"period": period.code}, code="future"
        )
    if not period.has_ended(today):
        raise ValidationError(
            _("%(period)s has not ended yet: its report can be built from %(day)s."),
            params={"period": period.code, "day": period.ends_on + dt.timedelta(days=1)},
            code="running",
        )
    return period


def containing(day: dt.date, kind: str) -> Period:
    if kind == PeriodKind.MONTH:
        return parse(f"{day.year}-{day.month:02d}")
    if kind == PeriodKind.QUARTER:
        return parse(f"{day.year}-Q{(day.month + 2) // 3}")
    return parse(str(day.year))


def last_closed(kind: str, today: dt.date | None = None) -> Period:
    """The most recent period of ``kind`` that has ended."""
    today = today or timezone.localdate()
    return containing(today, kind).previous()


def recent(kind: str, count: int, today: dt.date | None = None) -> list[Period]:
    """The ``count`` most recent closed periods of ``kind``, oldest first (for trends)."""
    periods = [last_closed(kind, today)]
    while len(periods) < count and periods[-1].starts_on > dt.date(FIRST_YEAR, 1, 1):
        periods.append(periods[-1].previous())
    return periods[::-1]
