"""The risk rule (§12 风险评估, 分级管理): checklist score + risk factors → risk tier.

One module, so the result page, the API, the PDF and the reports all explain the same numbers:

- checklist score (0–100): the weighted share of the items met — yes 1, partly ½, no 0 — over
  the items that apply (not applicable items leave the denominator);
- risk points: what the checklist misses (100 − score) plus each risk factor of the enterprise;
- tier: high from 50 points or when a critical item is answered no; medium from 25 points or
  when a critical item is only partly met; low otherwise;
- tiered management: a guidance visit every so many days per tier — the bureau's own rule
  (``visit_interval_high`` / ``_medium`` / ``_low`` in ``tsprotect.core.bureau_rules``, 90 / 180
  / 365 days when first set), not a legal period.
"""

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from complaints.workflow import State
from tsprotect.core.bureau_rules import bureau_rule

from .models import ChecklistAnswer, Tier

ANSWER_VALUE = {
    ChecklistAnswer.Answer.YES: Decimal(1),
    ChecklistAnswer.Answer.PARTLY: Decimal("0.5"),
    ChecklistAnswer.Answer.NO: Decimal(0),
}
HIGH_FROM, MEDIUM_FROM = Decimal(50), Decimal(25)
VISIT_INTERVAL_RULES = {
    Tier.HIGH: "visit_interval_high",
    Tier.MEDIUM: "visit_interval_medium",
    Tier.LOW: "visit_interval_low",
}
ONE_DECIMAL = Decimal("0.1")
COMPLAINT_YEARS = 2  # how far back complaints about the enterprise's secrets count
NOT_COUNTED = (State.NOT_ACCEPTED, State.NOT_SUBSTANTIATED)


def visit_interval_days(tier, on=None) -> int | None:
    """Days between guidance visits for ``tier`` (the bureau's rule), None without a tier."""
    code = VISIT_INTERVAL_RULES.get(tier)
    return bureau_rule(code, on) if code else None


def visit_intervals(on=None):
    """``(tier, days, rule code)`` for each tier, high first."""
    return [
        (Tier(tier), bureau_rule(code, on), code) for tier, code in VISIT_INTERVAL_RULES.items()
    ]


@dataclass(frozen=True)
class Reason:
    """Something that moved the score: an item that lost points, or a factor that added some."""

    kind: str  # "item" | "critical" | "factor"
    label: str
    points: Decimal

    def as_json(self):
        # A factor is kept as its English message and translated when shown, so the reader's
        # language decides; an item's text is the template's own wording.
        with translation.override("en"):
            label = str(self.label)
        return {**asdict(self), "label": label, "points": str(self.points)}


@dataclass(frozen=True)
class Result:
    score: Decimal
    risk_points: Decimal
    tier: str
    reasons: list


def _round(value) -> Decimal:
    return Decimal(value).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _lost(item, answer, total_weight) -> Decimal:
    return _round(item.weight * (1 - ANSWER_VALUE[answer]) * 100 / total_weight)


def checklist_score(answers):
    """(score, reasons): ``answers`` are (item, answer) pairs of one submission."""
    applicable = [(item, answer) for item, answer in answers if answer in ANSWER_VALUE]
    total_weight = sum(item.weight for item, _answer in applicable)
    if not total_weight:
        return Decimal(100), []
    met = sum(item.weight * ANSWER_VALUE[answer] for item, answer in applicable)
    reasons = [
        Reason(
            "item", item.text, _round(item.weight * (1 - ANSWER_VALUE[answer]) * 100 / total_weight)
        )
        for item, answer in applicable
        if ANSWER_VALUE[answer] < 1
    ]
    return _round(met * 100 / total_weight), reasons


# Risk factors of the enterprise record: each returns (points, label) or None.


def departures_factor(enterprise):
    departures, rd_staff = enterprise.technical_departures_per_year, enterprise.rd_staff_count
    if not departures or not rd_staff:
        return None
    rate = Decimal(departures) / Decimal(rd_staff)
    if rate >= Decimal("0.2"):
        return Decimal(15), _(
            "Yearly technical staff departures of at least 20 percent of R&D staff"
        )
    if rate >= Decimal("0.1"):
        return Decimal(8), _(
            "Yearly technical staff departures of at least 10 percent of R&D staff"
        )
    return None


def secrets_factor(enterprise):
    if enterprise.holds_technical_information and enterprise.holds_business_information:
        return Decimal(6), _("Holds both technical and business information")
    if enterprise.holds_technical_information:
        return Decimal(4), _("Holds technical information")
    return None


def rd_intensity_factor(enterprise):
    staff, rd_staff = enterprise.staff_count, enterprise.rd_staff_count
    if not staff or rd_staff is None:
        return None
    share = Decimal(rd_staff) / Decimal(staff)
    if share >= Decimal("0.3"):
        return Decimal(10), _("R&D staff make up at least 30 percent of all staff")
    if share >= Decimal("0.15"):
        return Decimal(5), _("R&D staff make up at least 15 percent of all staff")
    return None


def complaints_factor(enterprise):
    """Complaints the enterprise made about its secrets being infringed: a sign they are sought.

    Only those it filed as rights holder count (never complaints against it, which the enterprise
    must not learn of through its score), and not those refused or found unsubstantiated.
    """
    since = timezone.localdate() - dt.timedelta(days=COMPLAINT_YEARS * 365)
    count = (
        Complaint.objects.filter(complainant_enterprise=enterprise, received_on__gte=since)
        .exclude(state__in=NOT_COUNTED)
        .count()
    )
    if not count:
        return None
    points = Decimal(10) if count >= 2 else Decimal(5)
    return points, _("Complaints about infringement of its secrets in the past two years")


FACTORS = [departures_factor, secrets_factor, rd_intensity_factor, complaints_factor]


def risk_factors(enterprise):
    reasons = []
    for factor in FACTORS:
        found = factor(enterprise)
        if found:
            points, label = found
            reasons.append(Reason("factor", label, points))
    return reasons


def assess(enterprise, answers) -> Result:
    """The score, risk points, tier and their reasons for ``answers`` of ``enterprise``."""
    score, item_reasons = checklist_score(answers)
    factor_reasons = risk_factors(enterprise)
    risk_points = _round(Decimal(100) - score + sum(r.points for r in factor_reasons))
    critical_no = [item for item, answer in answers if item.critical and answer == "no"]
    critical_partly = [item for item, answer in answers if item.critical and answer == "partly"]
    if risk_points >= HIGH_FROM or critical_no:
        tier = Tier.HIGH
    elif risk_points >= MEDIUM_FROM or critical_partly:
        tier = Tier.MEDIUM
    else:
        tier = Tier.LOW
    critical = [Reason("critical", item.text, Decimal(0)) for item in critical_no + critical_partly]
    item_reasons.sort(key=lambda r: r.points, reverse=True)
    return Result(score, risk_points, tier, critical + factor_reasons + item_reasons)
