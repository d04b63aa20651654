"""The figures of a periodic report, computed with a handful of aggregate queries per section.

``compute(period, prefecture)`` returns a JSON-ready dict stored on the ``Report``: a prefecture's
report when ``prefecture`` is given, else the provincial consolidation (the 14 side by side).
Every query is grouped by prefecture, so one code path serves both, and every figure links to
the filtered list it counts. What the figures mean is declared once here (titles, columns, row
labels), and the HTML page, the PDF, the XLSX and the dashboards all render from this.

Shape::

    {"version": 1, "period": "2026-Q3", "starts_on": …, "ends_on": …, "as_of": …,
     "prefecture": {"code": "430100", "name": "长沙市"} | None,
     "sections": [{"key": "directory", "tables": [
         {"key": "summary", "columns": ["size", "added", …], "chart": "bar" | "pie" | None,
          "rows": [{"key": "430100", "label": "长沙市", "cells": [12, 3, …],
                    "links": ["/enterprises/?…", None, …]}],
          "total": [ … ] | None}]}]}
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessments.models import ChecklistAnswer, ChecklistSubmission, Tier
from complaints.models import Complaint, ComplaintClock, ComplaintEvent, CreditPush
from complaints.workflow import Channel, Kind, Remedy
from demonstrations.models import DemonstrationApplication, FundingRecord
from demonstrations.workflow import ENTERPRISE_TRACKS, State, Track
from enterprises.industries import SECTION_CHOICES as INDUSTRY_SECTIONS
from enterprises.models import Enterprise
from tsprotect.regions.models import County, Prefecture
from tsprotect.trainings.models import TrainingEvent

from .models import WorkPlan, WorkPlanTarget
from .periods import Period

VERSION = 1

SECTIONS = {
    "directory": _("Enterprise directory"),
    "demonstrations": _("Demonstration enterprises, sites and bases"),
    "complaints": _("Complaints and reports"),
    "assessments": _("Self-assessments"),
    "trainings": _("Trainings and publicity"),
    "work_plan": _("Progress against the annual work plan"),
}

TABLES = {
    ("directory", "summary"): _("Directory size and changes"),
    ("directory", "by_county"): _("Directory by county"),
    ("directory", "by_industry"): _("Directory by industry"),
    ("directory", "by_tag"): _("Directory by tag"),
    ("demonstrations", "summary"): _("Designations"),
    ("demonstrations", "by_stage"): _("Applications by track and stage"),
    ("demonstrations", "funding"): _("Special funding granted in the period"),
    ("complaints", "summary"): _("Complaints and reports received and handled"),
    ("complaints", "by_channel"): _("Received by channel"),
    ("complaints", "outcomes"): _("Steps and outcomes in the period"),
    ("complaints", "on_time"): _("Statutory time limits falling due in the period"),
    ("complaints", "remedies"): _("Guided to another remedy"),
    ("assessments", "summary"): _("Self-assessment checklists"),
    ("assessments", "tiers"): _("Risk tiers in the directory"),
    ("assessments", "failed_items"): _("Most failed checklist items"),
    ("trainings", "summary"): _("Events held"),
    ("demonstrations", "designations_by_prefecture"): _("Designations in force by prefecture"),
    ("work_plan", "progress"): _("Targets of the year and progress"),
    ("work_plan", "progress_by_prefecture"): _("Progress by prefecture (percent of target)"),
}

COLUMNS = {
    "size": _("In the directory"),
    "added": _("Added"),
    "changed": _("Changed"),
    "removed": _("Removed"),
    "count": _("Number"),
    "share": _("Share (%)"),
    "valid": _("Designations in force"),
    "new": _("Designated in the period"),
    "revoked": _("Revoked in the period"),
    "in_preparation": _("In preparation"),
    "under_review": _("Under review"),
    "pilot": _("Pilot and acceptance"),
    "designated": _("Designated"),
    "not_approved": _("Not approved"),
    "grants": _("Grants"),
    "amount": _("Amount (yuan)"),
    "received": _("Received"),
    "complaints": pgettext_lazy("complaint kind", "Complaints"),
    "reports": pgettext_lazy("complaint kind", "Reports"),
    "accepted": _("Accepted"),
    "not_accepted": _("Not accepted"),
    "awaiting": _("Awaiting decision"),
    "cases": _("Cases filed"),
    "transfers": _("Transferred to public security"),
    "penalties": _("Penalties"),
    "fines": _("Fines (yuan)"),
    "credit_pushes": _("Credit platform pushes"),
    "due": _("Falling due"),
    "on_time": _("Met on time"),
    "late": _("Late"),
    "running": _("Not yet due or running"),
    "on_time_rate": _("On-time rate (%)"),
    "submitted": _("Checklists submitted"),
    "confirmed": _("Confirmed by the bureau"),
    "covered": _("Enterprises assessed this year"),
    "coverage": _("Coverage (%)"),
    "high": Tier.HIGH.label,
    "medium": Tier.MEDIUM.label,
    "low": Tier.LOW.label,
    "unassessed": _("Not assessed"),
    "failed": _("Answered “no”"),
    "events": _("Events"),
    "participants": _("Sign-ups"),
    "target": _("Target"),
    "actual": _("Actual"),
    "progress": _("Progress (%)"),
}

OUTCOME_ACTIONS = {
    "accept": _("Accepted"),
    "refuse": _("Not accepted"),
    "file_case": _("Case filed"),
    "send_transfer": _("Transferred to public security"),
    "guide": _("Guided to another remedy"),
    "mediate": _("Mediated"),
    "not_substantiated": _("Not substantiated"),
    "decide_case": _("Case decided"),
    "feedback": _("Feedback given to the complainant"),
    "close": pgettext_lazy("complaint", "Closed"),
}

STAGES = {
    "in_preparation": (State.DRAFT, State.SUBMITTED, State.RETURNED),
    "under_review": (State.RECOMMENDED, State.UNDER_REVIEW, State.APPROVED),
    "pilot": (State.PILOT, State.ACCEPTANCE),
    "designated": (State.DESIGNATED,),
    "not_approved": (State.REJECTED,),
    "revoked": (State.REVOKED,),
}

TAGS = ("is_industry_leader", "is_time_honoured_brand", "is_high_tech", "is_sme")
TAG_KEYS = {
    "is_industry_leader": "industry_leader",
    "is_time_honoured_brand": "time_honoured_brand",
    "is_high_tech": "high_tech",
    "is_sme": "sme",
}

# Row labels that are choices: translated when the report is shown, whatever language it was
# built in. Other rows (prefectures, counties, checklist items) keep the name they were built with.
ROW_LABELS = {
    ("directory", "by_industry"): dict(INDUSTRY_SECTIONS),
    ("directory", "by_tag"): {TAG_KEYS[t]: Enterprise.TAGS[TAG_KEYS[t]] for t in TAGS},
    ("demonstrations", "summary"): dict(Track.choices),
    ("demonstrations", "by_stage"): dict(Track.choices),
    ("demonstrations", "funding"): dict(Track.choices),
    ("complaints", "by_channel"): dict(Channel.choices),
    ("complaints", "outcomes"): OUTCOME_ACTIONS,
    ("complaints", "remedies"): dict(Remedy.choices),
    ("assessments", "tiers"): {**dict(Tier.choices), "unassessed": COLUMNS["unassessed"]},
    ("trainings", "summary"): dict(TrainingEvent.Kind.choices),
    ("work_plan", "progress"): {key: label for key, label, _pct in WorkPlanTarget.METRICS},
}


_METRIC_AND_TRACK_LABELS = {
    **dict(Track.choices),
    **{key: label for key, label, _pct in WorkPlanTarget.METRICS},
}


def section_title(key):
    return SECTIONS.get(key, key)


def table_title(section, key):
    return TABLES.get((section, key), key)


def column_label(key):
    return COLUMNS.get(key) or _METRIC_AND_TRACK_LABELS.get(key, key)


def row_label(section, table, row):
    return ROW_LABELS.get((section, table), {}).get(row["key"], row["label"])


def _bounds(period: Period):
    """The period as aware datetimes: from its first moment to its last, local time."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.starts_on, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.ends_on + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _link(name, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + ("?" + query if query else "")


def _number(value):
    if isinstance(value, Decimal):
        return float(value) if value % 1 else int(value)
    return value or 0


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _cell(values: dict, column):
    """A count is 0 when nothing was counted; a rate with nothing to rate stays empty (—)."""
    value = values.get(column)
    if value is None and column not in PERCENT_COLUMNS:
        return 0
    return value


def _row(key, label, cells, links=None):
    return {
        "key": key,
        "label": str(label),
        "cells": [_number(c) if c is not None else None for c in cells],
        "links": links or [None] * len(cells),
    }


PERCENT_COLUMNS = {"share", "on_time_rate", "coverage", "progress"}


def _table(key, columns, rows, *, chart=None, total=True):
    table = {"key": key, "columns": columns, "rows": rows, "chart": chart, "total": None}
    if total and rows:
        sums = []
        for i, column in enumerate(columns):
            values = [r["cells"][i] for r in rows if isinstance(r["cells"][i], int | float)]
            sums.append(None if column in PERCENT_COLUMNS else _number(sum(values)))
        table["total"] = sums
    return table


class Builder:
    """Computes one report's sections; ``code`` is the prefecture, or None for the province."""

    def __init__(self, period: Period, prefecture: Prefecture | None, today=None):
        self.period = period
        self.prefecture = prefecture
        self.code = prefecture.pk if prefecture else None
        self.today = today or timezone.localdate()
        self.start, self.end = _bounds(period)
        self.prefectures = (
            [(prefecture.pk, prefecture.name)]
            if prefecture
            else list(Prefecture.objects.values_list("code", "name"))
        )
        self.names = dict(self.prefectures)

    # -- helpers ---------------------------------------------------------------------------

    def where(self, field="prefecture"):
        return Q(**{f"{field}_id": self.code}) if self.code else Q()

    def params(self, **params):
        """List filters, with the prefecture for a prefecture's report."""
        return {"prefecture": self.code, **params} if self.code else params

    def per_prefecture(self, key, columns, values: dict, links: Callable, chart="bar"):
        """One row per prefecture (the consolidation) or the prefecture's single row."""
        rows = [
            _row(code, name, [_cell(values.get(code, {}), c) for c in columns], links(code))
            for code, name in self.prefectures
        ]
        return _table(key, columns, rows, chart=chart if not self.code else None)

    # -- sections --------------------------------------------------------------------------

    def directory(self):
        """One scan of the directory, grouped finely enough to give every directory table and
        the risk tiers of the assessment section."""
        enterprises = Enterprise.objects.filter(
            self.where(), status=Enterprise.Status.ACTIVE, created_at__lt=self.end
        )
        # Counties only for a prefecture's report: the consolidation's groups stay few.
        keys = ["prefecture_id", "industry_section", "risk_tier"] + (
            ["county_id"] if self.code else []
        )
        groups = list(
            enterprises.values(*keys)
            .annotate(
                size=Count("pk"),
                added=Count("pk", filter=Q(created_at__gte=self.start)),
                **{tag: Count("pk", filter=Q(**{tag: True})) for tag in TAGS},
            )
            .order_by()
        )
        History = Enterprise.history.model
        changes = {
            row["prefecture_id"]: row
            for row in History.objects.filter(
                self.where(),
                history_type="~",
                history_date__gte=self.start,
                history_date__lt=self.end,
            )
            .values("prefecture_id")
            .annotate(
                changed=Count("id", distinct=True, filter=~Q(status=Enterprise.Status.REMOVED)),
                removed=Count("id", distinct=True, filter=Q(status=Enterprise.Status.REMOVED)),
            )
            .order_by()
        }
        self.groups = groups
        by_prefecture = defaultdict(lambda: defaultdict(int))
        by_county = defaultdict(lambda: defaultdict(int))
        by_industry = defaultdict(lambda: defaultdict(int))
        for g in groups:
            for target in (
                by_prefecture[g["prefecture_id"]],
                by_county[g.get("county_id")],
                by_industry[g["industry_section"]],
            ):
                target["size"] += g["size"]
                target["added"] += g["added"]
            for tag in TAGS:
                by_prefecture[g["prefecture_id"]][tag] += g[tag]
        for code, row in changes.items():
            by_prefecture[code]["changed"] = row["changed"]
            by_prefecture[code]["removed"] = row["removed"]
        self.directory_size = {code: v["size"] for code, v in by_prefecture.items()}
        tables = [
            self.per_prefecture(
                "summary",
                ["size", "added", "changed", "removed"],
                by_prefecture,
                lambda code: [
                    _link("enterprises:list", prefecture=code),
                    _link(
                        "enterprises:list",
                        prefecture=code,
                        filed_after=self.period.starts_on,
                        filed_before=self.period.ends_on,
                    ),
                    None,
                    _link("enterprises:list", prefecture=code, status="removed"),
                ],
            )
        ]
        if self.code:
            counties = County.objects.filter(prefecture_id=self.code).values_list("code", "name")
            tables.append(
                _table(
                    "by_county",
                    ["size", "added"],
                    [
                        _row(
                            code,
                            name,
                            [by_county[code]["size"], by_county[code]["added"]],
                            [
                                _link("enterprises:list", **self.params(county=code)),
                                _link(
                                    "enterprises:list",
                                    **self.params(
                                        county=code,
                                        filed_after=self.period.starts_on,
                                        filed_before=self.period.ends_on,
                                    ),
                                ),
                            ],
                        )
                        for code, name in counties
                        if by_county[code]["size"] or by_county[code]["added"]
                    ],
                    chart="bar",
                )
            )
        tables.append(
            _table(
                "by_industry",
                ["size", "added"],
                [
                    _row(
                        code,
                        label,
                        [by_industry[code]["size"], by_industry[code]["added"]],
                        [_link("enterprises:list", **self.params(industry_section=code)), None],
                    )
                    for code, label in INDUSTRY_SECTIONS
                    if by_industry[code]["size"]
                ],
                chart="bar",
            )
        )
        tag_totals = {tag: sum(v[tag] for v in by_prefecture.values()) for tag in TAGS}
        size = sum(self.directory_size.values())
        tables.append(
            _table(
                "by_tag",
                ["count", "share"],
                [
                    _row(
                        TAG_KEYS[tag],
                        Enterprise.TAGS[TAG_KEYS[tag]],
                        [tag_totals[tag], _percent(tag_totals[tag], size)],
                        [_link("enterprises:list", **self.params(tag=TAG_KEYS[tag])), None],
                    )
                    for tag in TAGS
                ],
                chart="bar",
                total=False,
            )
        )
        return tables

    def demonstrations(self):
        applications = DemonstrationApplication.objects.filter(self.where())
        stage_of = {state: stage for stage, states in STAGES.items() for state in states}
        by_track_state = list(
            applications.values("prefecture_id", "track", "state")
            .annotate(
                # Stages of the applications made by the period's end; designations by their
                # dates (a designation may be recorded after the fact).
                n=Count("pk", filter=Q(created_at__lt=self.end)),
                valid=Count(
                    "pk",
                    filter=Q(
                        state=State.DESIGNATED,
                        designated_on__lte=self.period.ends_on,
                        valid_until__gte=self.period.ends_on,
                    ),
                ),
                new=Count(
                    "pk",
                    filter=Q(
                        designated_on__gte=self.period.starts_on,
                        designated_on__lte=self.period.ends_on,
                    ),
                ),
            )
            .order_by()
        )
        revoked = dict(
            applications.filter(
                events__action="revoke", events__at__gte=self.start, events__at__lt=self.end
            )
            .values("track")
            .annotate(n=Count("pk", distinct=True))
            .values_list("track", "n")
        )
        stages = defaultdict(lambda: defaultdict(int))
        summary = defaultdict(lambda: defaultdict(int))
        self.designations = defaultdict(lambda: defaultdict(int))
        for g in by_track_state:
            stages[g["track"]][stage_of.get(g["state"], "in_preparation")] += g["n"]
            summary[g["track"]]["valid"] += g["valid"]
            summary[g["track"]]["new"] += g["new"]
            self.designations[g["prefecture_id"]][g["track"]] += g["valid"]
        tables = [
            _table(
                "summary",
                ["valid", "new", "revoked"],
                [
                    _row(
                        track,
                        label,
                        [summary[track]["valid"], summary[track]["new"], revoked.get(track, 0)],
                        [
                            _link(
                                "demonstrations:list",
                                **self.params(track=track, state=State.DESIGNATED),
                            ),
                            None,
                            _link(
                                "demonstrations:list", **self.params(track=track, state="revoked")
                            ),
                        ],
                    )
                    for track, label in Track.choices
                ],
                chart="bar",
            ),
            _table(
                "by_stage",
                list(STAGES),
                [
                    _row(
                        track,
                        label,
                        [stages[track][stage] for stage in STAGES],
                        [
                            _link("demonstrations:list", **self.params(track=track, state=s[0]))
                            if len(s) == 1
                            else _link("demonstrations:list", **self.params(track=track))
                            for s in STAGES.values()
                        ],
                    )
                    for track, label in Track.choices
                ],
            ),
        ]
        funding = {
            row["application__track"]: row
            for row in FundingRecord.objects.filter(
                self.where("application__prefecture"),
                granted_on__gte=self.period.starts_on,
                granted_on__lte=self.period.ends_on,
            )
            .values("application__track")
            .annotate(grants=Count("pk"), amount=Sum("amount"))
            .order_by()
        }
        tables.append(
            _table(
                "funding",
                ["grants", "amount"],
                [
                    _row(
                        track,
                        label,
                        [funding[track]["grants"], funding[track]["amount"]],
                    )
                    for track, label in Track.choices
                    if track in funding
                ],
            )
        )
        if not self.code:
            tables.append(
                self.per_prefecture(
                    "designations_by_prefecture",
                    [t.value for t in Track],
                    self.designations,
                    lambda code: [
                        _link(
                            "demonstrations:list", prefecture=code, track=t, state=State.DESIGNATED
                        )
                        for t in Track
                    ],
                )
            )
        return tables

    def complaints(self):
        ends, starts = self.period.ends_on, self.period.starts_on
        received = Complaint.objects.filter(
            self.where(), received_on__gte=starts, received_on__lte=ends
        )
        by_channel = list(
            received.values("prefecture_id", "channel", "kind").annotate(n=Count("pk")).order_by()
        )
        decisions = {
            row["prefecture_id"]: row
            for row in received.values("prefecture_id")
            .annotate(
                accepted=Count(
                    "pk", filter=Q(accept_decided_at__isnull=False) & ~Q(state="not_accepted")
                ),
                not_accepted=Count("pk", filter=Q(state="not_accepted")),
                awaiting=Count("pk", filter=Q(state="received")),
            )
            .order_by()
        }
        events = list(
            ComplaintEvent.objects.filter(
                self.where("complaint__prefecture"),
                at__gte=self.start,
                at__lt=self.end,
                action__in=list(OUTCOME_ACTIONS),
            )
            .values("complaint__prefecture_id", "action")
            .annotate(n=Count("pk"))
            .order_by()
        )
        remedies = dict(
            ComplaintEvent.objects.filter(
                self.where("complaint__prefecture"),
                at__gte=self.start,
                at__lt=self.end,
                action="guide",
            )
            .values("complaint__remedy")
            .annotate(n=Count("pk"))
            .values_list("complaint__remedy", "n")
        )
        penalties = {
            row["prefecture_id"]: row
            for row in Complaint.objects.filter(
                self.where(), case_decided_on__gte=starts, case_decided_on__lte=ends, penalty=True
            )
            .values("prefecture_id")
            .annotate(penalties=Count("pk"), fines=Sum("fine"))
            .order_by()
        }
        pushes = dict(
            CreditPush.objects.filter(
                self.where("complaint__prefecture"),
                created_at__gte=self.start,
                created_at__lt=self.end,
            )
            .values("complaint__prefecture_id")
            .annotate(n=Count("pk"))
            .values_list("complaint__prefecture_id", "n")
        )
        on_time = self.clocks(starts, ends)
        per = defaultdict(lambda: defaultdict(int))
        channels = defaultdict(lambda: defaultdict(int))
        for g in by_channel:
            per[g["prefecture_id"]]["received"] += g["n"]
            per[g["prefecture_id"]]["complaints" if g["kind"] == Kind.COMPLAINT else "reports"] += (
                g["n"]
            )
            channels[g["channel"]][g["kind"]] += g["n"]
        for code, row in decisions.items():
            per[code].update({k: row[k] for k in ("accepted", "not_accepted", "awaiting")})
        outcome_totals = defaultdict(int)
        for g in events:
            outcome_totals[g["action"]] += g["n"]
            if g["action"] == "file_case":
                per[g["complaint__prefecture_id"]]["cases"] += g["n"]
            if g["action"] == "send_transfer":
                per[g["complaint__prefecture_id"]]["transfers"] += g["n"]
        for code, row in penalties.items():
            per[code]["penalties"] = row["penalties"]
            per[code]["fines"] = _number(row["fines"] or 0)
        for code, n in pushes.items():
            per[code]["credit_pushes"] = n
        for code, row in on_time["per"].items():
            per[code]["on_time_rate"] = _percent(row["on_time"], row["on_time"] + row["late"])
        received_link = dict(received_after=starts, received_before=ends)
        summary = self.per_prefecture(
            "summary",
            [
                "received",
                "complaints",
                "reports",
                "accepted",
                "not_accepted",
                "awaiting",
                "cases",
                "transfers",
                "penalties",
                "fines",
                "credit_pushes",
                "on_time_rate",
            ],
            per,
            lambda code: [
                _link("complaints:list", prefecture=code, **received_link),
                _link("complaints:list", prefecture=code, kind=Kind.COMPLAINT, **received_link),
                _link("complaints:list", prefecture=code, kind=Kind.REPORT, **received_link),
                None,
                _link("complaints:list", prefecture=code, state="not_accepted", **received_link),
                _link("complaints:list", prefecture=code, state="received", **received_link),
                None,
                None,
                None,
                None,
                _link("complaints:credit"),
                None,
            ],
        )
        if summary["total"]:
            totals = on_time["total"]
            summary["total"][-1] = _percent(totals["on_time"], totals["on_time"] + totals["late"])
        return [
            summary,
            _table(
                "by_channel",
                ["complaints", "reports"],
                [
                    _row(
                        channel,
                        label,
                        [channels[channel][Kind.COMPLAINT], channels[channel][Kind.REPORT]],
                        [
                            _link(
                                "complaints:list",
                                **self.params(channel=channel, kind=k, **received_link),
                            )
                            for k in (Kind.COMPLAINT, Kind.REPORT)
                        ],
                    )
                    for channel, label in Channel.choices
                    if channels[channel]
                ],
                chart="pie",
            ),
            _table(
                "outcomes",
                ["count"],
                [
                    _row(action, label, [outcome_totals[action]])
                    for action, label in OUTCOME_ACTIONS.items()
                ],
                chart="bar",
                total=False,
            ),
            _table(
                "remedies",
                ["count"],
                [_row(r, label, [remedies[r]]) for r, label in Remedy.choices if r in remedies],
                total=False,
            ),
            on_time["table"],
        ]

    def clocks(self, starts, ends):
        """Statutory limits falling due in the period: met on time, late (met after the due
        day, or not met and past it), still running; per limit and per prefecture."""
        due = Q(due_on__gte=starts, due_on__lte=ends) | Q(
            due_on__isnull=True, due_at__gte=self.start, due_at__lt=self.end
        )
        on_time = Q(met_at__isnull=False) & (
            Q(due_on__isnull=False, met_at__date__lte=F("due_on"))
            | Q(due_on__isnull=True, met_at__lte=F("due_at"))
        )
        late = (
            Q(met_at__isnull=False)
            & (
                Q(due_on__isnull=False, met_at__date__gt=F("due_on"))
                | Q(due_on__isnull=True, met_at__gt=F("due_at"))
            )
        ) | (
            Q(met_at__isnull=True)
            & (
                Q(due_on__isnull=False, due_on__lt=self.today)
                | Q(due_on__isnull=True, due_at__lt=timezone.now())
            )
        )
        groups = list(
            ComplaintClock.objects.filter(self.where("complaint__prefecture"))
            .filter(due)
            .values("complaint__prefecture_id", "limit__code", "limit__label")
            .annotate(
                due=Count("pk"),
                on_time=Count("pk", filter=on_time),
                late=Count("pk", filter=late),
            )
            .order_by("limit__code")
        )
        per = defaultdict(lambda: defaultdict(int))
        limits = {}
        for g in groups:
            code = g["complaint__prefecture_id"]
            for key in ("due", "on_time", "late"):
                per[code][key] += g[key]
            row = limits.setdefault(
                g["limit__code"], {"label": g["limit__label"], "due": 0, "on_time": 0, "late": 0}
            )
            for key in ("due", "on_time", "late"):
                row[key] += g[key]
        total = {k: sum(v[k] for v in limits.values()) for k in ("due", "on_time", "late")}
        table = _table(
            "on_time",
            ["due", "on_time", "late", "running", "on_time_rate"],
            [
                _row(
                    code,
                    row["label"],
                    [
                        row["due"],
                        row["on_time"],
                        row["late"],
                        row["due"] - row["on_time"] - row["late"],
                        _percent(row["on_time"], row["on_time"] + row["late"]),
                    ],
                )
                for code, row in limits.items()
            ],
        )
        if table["total"]:
            table["total"][-1] = _percent(total["on_time"], total["on_time"] + total["late"])
        return {"per": per, "total": total, "table": table}

    def assessments(self):
        year_start = _bounds(Period(dt.date(self.period.year, 1, 1), self.period.ends_on, "", ""))[
            0
        ]
        submitted = ChecklistSubmission.objects.filter(
            self.where(), submitted_at__isnull=False, submitted_at__lt=self.end
        )
        counts = {
            row["prefecture_id"]: row
            for row in submitted.values("prefecture_id")
            .annotate(
                submitted=Count("pk", filter=Q(submitted_at__gte=self.start)),
                confirmed=Count("pk", filter=Q(submitted_at__gte=self.start, status="confirmed")),
                covered=Count("enterprise", distinct=True, filter=Q(submitted_at__gte=year_start)),
            )
            .order_by()
        }
        per = defaultdict(dict)
        for code, _name in self.prefectures:
            row = counts.get(code, {})
            size = self.directory_size.get(code, 0)
            per[code] = {
                "submitted": row.get("submitted", 0),
                "confirmed": row.get("confirmed", 0),
                "covered": row.get("covered", 0),
                "coverage": _percent(row.get("covered", 0), size),
            }
        self.coverage = {code: v["coverage"] for code, v in per.items()}
        submitted_link = dict(
            submitted_after=self.period.starts_on, submitted_before=self.period.ends_on
        )
        summary = self.per_prefecture(
            "summary",
            ["submitted", "confirmed", "covered", "coverage"],
            per,
            lambda code: [
                _link("assessments:list", prefecture=code, **submitted_link),
                _link("assessments:list", prefecture=code, status="confirmed", **submitted_link),
                None,
                None,
            ],
        )
        if summary["total"]:
            covered = sum(v["covered"] for v in per.values())
            summary["total"][-1] = _percent(covered, sum(self.directory_size.values()))
        tiers = defaultdict(int)
        for g in self.groups:
            tiers[g["risk_tier"] or "unassessed"] += g["size"]
        size = sum(tiers.values())
        failed = list(
            ChecklistAnswer.objects.filter(
                self.where("submission__prefecture"),
                submission__submitted_at__gte=self.start,
                submission__submitted_at__lt=self.end,
                answer=ChecklistAnswer.Answer.NO,
            )
            .values("item__code", "item__text")
            .annotate(n=Count("pk"))
            .order_by("-n", "item__code")[:10]
        )
        return [
            summary,
            _table(
                "tiers",
                ["count", "share"],
                [
                    _row(
                        key,
                        label,
                        [tiers[key], _percent(tiers[key], size)],
                        [
                            _link("enterprises:list", **self.params(risk_tier=key))
                            if key != "unassessed"
                            else None,
                            None,
                        ],
                    )
                    for key, label in [*Tier.choices, ("unassessed", COLUMNS["unassessed"])]
                ],
                chart="pie",
                total=False,
            ),
            _table(
                "failed_items",
                ["failed"],
                [_row(f["item__code"], f["item__text"][:80], [f["n"]]) for f in failed],
                total=False,
            ),
        ]

    def trainings(self, start=None):
        events = TrainingEvent.objects.filter(
            self.where(),
            status=TrainingEvent.Status.PUBLISHED,
            starts_at__gte=start or self.start,
            starts_at__lt=self.end,
        )
        groups = list(
            events.values("prefecture_id", "kind")
            .annotate(events=Count("pk", distinct=True), participants=Count("registrations"))
            .order_by()
        )
        if start is not None:  # the year to date, for the work plan
            totals = defaultdict(int)
            for g in groups:
                totals[g["prefecture_id"]] += g["events"]
            return totals
        kinds = defaultdict(lambda: defaultdict(int))
        for g in groups:
            kinds[g["kind"]]["events"] += g["events"]
            kinds[g["kind"]]["participants"] += g["participants"]
        return [
            _table(
                "summary",
                ["events", "participants"],
                [
                    _row(kind, label, [kinds[kind]["events"], kinds[kind]["participants"]])
                    for kind, label in TrainingEvent.Kind.choices
                ],
                chart="bar",
            )
        ]

    def work_plan(self):
        """Targets of the period's year against what the data show at the period's end."""
        plan = WorkPlan.objects.filter(year=self.period.year).first()
        if plan is None:
            return []
        targets = {t.prefecture_id: t for t in plan.targets.filter(self.where())}
        if not targets:
            return []
        year_start = dt.date(self.period.year, 1, 1)
        ytd = Period(year_start, self.period.ends_on, self.period.kind, self.period.code)
        clocks = self.clocks(ytd.starts_on, ytd.ends_on)["per"]
        trainings = self.trainings(start=_bounds(ytd)[0])
        enterprise_tracks = set(ENTERPRISE_TRACKS)
        actual = {}
        for code, _name in self.prefectures:
            designations = self.designations.get(code, {})
            ticks = clocks.get(code, {})
            actual[code] = {
                "directory_size": self.directory_size.get(code, 0),
                "demonstration_enterprises": sum(
                    n for track, n in designations.items() if track in enterprise_tracks
                ),
                "demonstration_sites": designations.get(Track.SITE, 0),
                "assessment_coverage": self.coverage.get(code) or 0,
                "on_time_rate": _percent(
                    ticks.get("on_time", 0), ticks.get("on_time", 0) + ticks.get("late", 0)
                ),
                "trainings": trainings.get(code, 0),
            }
        rows = []
        for key, label, is_percent in WorkPlanTarget.METRICS:
            target = sum(getattr(t, key) for t in targets.values())
            if is_percent:  # the province's target and figure: the prefectures' mean
                target = round(target / len(targets), 1)
                values = [actual[c][key] for c in targets if actual[c][key] is not None]
                value = round(sum(values) / len(values), 1) if values else None
            else:
                value = sum(actual[c][key] for c in targets)
            rows.append(
                _row(key, label, [target, value, _percent(value or 0, target) if target else None])
            )
        tables = [_table("progress", ["target", "actual", "progress"], rows, total=False)]
        if not self.code:
            tables.append(
                _table(
                    "progress_by_prefecture",
                    [key for key, _label, _pct in WorkPlanTarget.METRICS],
                    [
                        _row(
                            code,
                            self.names[code],
                            [
                                _percent(actual[code][key] or 0, getattr(t, key))
                                if getattr(t, key)
                                else None
                                for key, _label, _pct in WorkPlanTarget.METRICS
                            ],
                        )
                        for code, t in sorted(targets.items())
                    ],
                    chart="bar",
                    total=False,
                )
            )
        return tables


STEPS = ("directory", "demonstrations", "complaints", "assessments", "trainings", "work_plan")


def compute(period: Period, prefecture: Prefecture | None, progress=None, today=None) -> dict:
    """The report's figures; ``progress(step_index, step_key)`` is called before each section."""
    builder = Builder(period, prefecture, today=today)
    sections = []
    for index, key in enumerate(STEPS):
        if progress:
            progress(index, key)
        tables = getattr(builder, key)()
        if tables:
            sections.append({"key": key, "tables": tables})
    return {
        "version": VERSION,
        "period": period.code,
        "label": period.label,
        "starts_on": period.starts_on.isoformat(),
        "ends_on": period.ends_on.isoformat(),
        "as_of": timezone.now().isoformat(),
        "prefecture": {"code": prefecture.pk, "name": prefecture.name} if prefecture else None,
        "sections": sections,
    }


def find(figures: dict, section: str, table: str) -> dict | None:
    for s in figures.get("sections", ()):
        if s["key"] == section:
            for t in s["tables"]:
                if t["key"] == table:
                    return t
    return None
