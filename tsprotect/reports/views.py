"""The report pages: the list, a report with its figures and forms, the province's inbox, the
dashboards, the work plan, builds and their progress, and the downloads.

Each view reads rows through ``restrict(user)`` and hands every change to ``services``; a
refusal comes back as a message. The dashboards read the figures stored with the reports, so
their charts and tables always agree with the reports themselves.
"""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tsprotect.core import scoping
from tsprotect.core.views import ScopedDetailView, ScopedListView, private_file

from . import figures, periods, rendering, services
from .forms import (
    CONSOLIDATION,
    BuildForm,
    NarrativeForm,
    ReportFilter,
    ReviewForm,
    WorkPlanForm,
    prefecture_code,
)
from .models import Report, ReportBuild, WorkPlan, WorkPlanTarget
from .periods import PeriodKind

PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Columns a chart leaves out: sums of money beside counts would flatten every other bar.
MONEY_COLUMNS = {"fines", "amount"}
# How many periods a trend shows, by kind of period.
TREND_LENGTH = {PeriodKind.MONTH: 6, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 3}


# ---------------------------------------------------------------------------------------------
# Helpers


def _report(request, pk):
    reports = Report.objects.restrict(request.user).select_related("prefecture")
    return get_object_or_404(reports, pk=pk)


def _next_url(request):
    """Where a posted form came from, if it is a page of this site."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _show_refusal(request, error, form=None):
    """A service's refusal (ValidationError or PermissionDenied) as messages, each naming the
    field it is about."""
    if isinstance(error, PermissionDenied):
        messages.error(request, str(error) or _("You may not do this."))
        return
    if hasattr(error, "error_dict"):
        for name, field_messages in error.message_dict.items():
            field = form.fields.get(name) if form is not None else None
            for message in field_messages:
                messages.error(request, f"{field.label}: {message}" if field else message)
        return
    for message in error.messages:
        messages.error(request, message)


def _buildable_prefectures(user):
    """The prefectures whose reports the user may build (its own bureau's; the province all)."""
    prefectures = list(scoping.prefectures_for(user, Report, "change"))
    if prefectures and not services.may_prepare(user, prefectures[0].pk):
        return []
    return prefectures


def _place(report):
    return report.prefecture.name if report.prefecture_id else rendering.HUNAN


def _chosen_period(request, kind=PeriodKind.QUARTER):
    """``?period=`` if it names a period that has ended; else (with a message) the last closed
    period of ``kind``."""
    code = (request.GET.get("period") or "").strip()
    if code:
        try:
            return periods.parse_closed(code)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    return periods.last_closed(kind)


def _trend_periods(period):
    """The period and those before it, oldest first, for a trend."""
    chosen = [period]
    first = dt.date(periods.FIRST_YEAR, 1, 1)
    while len(chosen) < TREND_LENGTH[period.kind] and chosen[-1].starts_on > first:
        chosen.append(chosen[-1].previous())
    return chosen[::-1]


def _active_build(user, period_code, code):
    return (
        ReportBuild.objects.restrict(user)
        .filter(period=period_code, prefecture_id=code, status__in=ReportBuild.ACTIVE)
        .first()
    )


# ---------------------------------------------------------------------------------------------
# Charts: the data each chart draws, embedded with json_script and drawn by static/js/reports.js


def _chart(chart_id, kind, title, categories, series, stack=False):
    return {
        "id": chart_id,
        "type": kind,
        "title": str(title),
        "categories": [str(c) for c in categories],
        "series": series,
        "stack": stack,
    }


def _series(name, data, percent=False):
    return {"name": str(name), "data": data, "percent": percent}


def table_chart(table, chart_id):
    """The chart of one table of ``rendering.document``: a bar per row and counted column (a
    pie of the rows' counts), from the same values as the table's cells."""
    if not table.get("chart") or not table["rows"]:
        return None
    keys = table["column_keys"]
    usable = [i for i, key in enumerate(keys) if key not in MONEY_COLUMNS]
    counted = [i for i in usable if keys[i] not in figures.PERCENT_COLUMNS]
    chosen = counted or usable
    labels = [row["label"] for row in table["rows"]]
    if table["chart"] == "pie":
        values = [sum(row["cells"][i]["value"] or 0 for i in chosen) for row in table["rows"]]
        pairs = [(label, value) for label, value in zip(labels, values, strict=True) if value]
        if not pairs:
            return None
        return _chart(
            chart_id,
            "pie",
            table["title"],
            [p[0] for p in pairs],
            [_series(table["title"], [p[1] for p in pairs])],
        )
    series = [
        _series(
            table["columns"][i],
            [row["cells"][i]["value"] for row in table["rows"]],
            percent=keys[i] in figures.PERCENT_COLUMNS,
        )
        for i in chosen
    ]
    if not any(value for s in series for value in s["data"]):
        return None  # nothing to draw: the table says it
    return _chart(chart_id, "bar", table["title"], labels, series)


def document_with_charts(report, prefix="chart"):
    """``rendering.document(report)`` with each charted table's chart data (``table.chart_data``),
    and the list of them for json_script."""
    doc = rendering.document(report)
    charts = []
    for section in doc["sections"]:
        for table in section["tables"]:
            data = table_chart(table, f"{prefix}-{section['key']}-{table['key']}")
            table["chart_data"] = data
            if data:
                charts.append(data)
    return doc, charts


# ---------------------------------------------------------------------------------------------
# The list and a build


class ReportListView(ScopedListView):
    """The reports in the user's scope, the builds under way and the form to start one."""

    model = Report
    related = ("prefecture",)
    template_name = "reports/report_list.html"

    def get_queryset(self):
        user = self.request.user
        queryset = super().get_queryset().defer("figures")
        self.province_wide = scoping.is_province_wide(user)
        self.prefectures = list(scoping.prefectures_for(user, Report, "view"))
        data = self.request.GET.copy()
        data.pop("build", None)  # the build whose bar shows, not a filter
        data.pop("page", None)
        self.filterset = ReportFilter(
            data or None, queryset, request=self.request, prefectures=self.prefectures
        )
        if self.filterset.is_bound:
            queryset = self.filterset.qs if self.filterset.is_valid() else queryset.none()
        return queryset.order_by(
            "-ends_on", "period_kind", F("prefecture").asc(nulls_first=True), "pk"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["filter"] = self.filterset
        buildable = _buildable_prefectures(user)
        if buildable or services.may_prepare(user, None):
            context["build_form"] = BuildForm(user=user, prefectures=buildable)
        context.update(
            province_wide=self.province_wide,
            builds=self._builds(),
            today=timezone.localdate(),
        )
        return context

    def _builds(self):
        """The builds under way in the user's scope, and the one just requested (``?build=``)
        whatever its state, so its bar shows where it went."""
        scoped = ReportBuild.objects.restrict(self.request.user).select_related("prefecture")
        builds = list(scoped.filter(status__in=ReportBuild.ACTIVE)[:20])
        requested = self.request.GET.get("build", "")
        if requested.isdigit():
            requested = int(requested)
            if not any(b.pk == requested for b in builds):
                builds[:0] = list(scoped.filter(pk=requested))
            for b in builds:
                b.requested_here = b.pk == requested
        return builds


@login_required
@require_POST
def build(request):
    """Queue a build (``services.request_build``) and go where its progress shows: the report's
    page when the report exists, else the list."""
    user = request.user
    if not (scoping.can(user, Report, "change") or services.may_review(user)):
        raise PermissionDenied
    back = _next_url(request) or reverse("reports:list")
    form = BuildForm(request.POST, user=user, prefectures=_buildable_prefectures(user))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    code = prefecture_code(form.cleaned_data["prefecture"])
    try:
        queued = services.request_build(user, form.cleaned_data["period"].code, code)
    except (ValidationError, PermissionDenied) as error:
        _show_refusal(request, error)
        return redirect(back)
    place = queued.prefecture.name if queued.prefecture_id else rendering.HUNAN
    queued.refresh_from_db()  # without a broker (make run) the task has already run
    if queued.status == ReportBuild.Status.DONE and queued.report_id:
        messages.success(
            request,
            _("The %(period)s report of %(place)s is built.")
            % {"period": queued.period, "place": place},
        )
        return redirect("reports:detail", pk=queued.report_id)
    if queued.status == ReportBuild.Status.FAILED:
        messages.error(request, _("The build failed: %(error)s") % {"error": queued.error})
    else:
        messages.success(
            request,
            _("The build of the %(period)s report of %(place)s has started; its progress is below.")
            % {"period": queued.period, "place": place},
        )
    report = Report.objects.restrict(user).filter(period=queued.period, prefecture_id=code).first()
    target = report.get_absolute_url() if report else reverse("reports:list")
    return redirect(f"{target}?{urlencode({'build': queued.pk})}")


@never_cache
@login_required
def build_status(request, pk):
    """Where a build stands, for the progress bar (polled every second)."""
    queued = get_object_or_404(ReportBuild.objects.restrict(request.user), pk=pk)
    return JsonResponse(
        {
            "status": queued.status,
            "status_label": queued.get_status_display(),
            "percent": queued.percent,
            "step": queued.step,
            "error": queued.error,
            "report_url": reverse("reports:detail", args=[queued.report_id])
            if queued.report_id
            else None,
        }
    )


# ---------------------------------------------------------------------------------------------
# A report


def detail_context(request, report, narrative_form=None, review_form=None):
    """What the report's page shows to this user: the figures, the forms it may use, the
    history and the build under way."""
    user = request.user
    doc, charts = document_with_charts(report)
    editable = report.is_open and services.may_submit(user, report)
    if editable and narrative_form is None:
        narrative_form = NarrativeForm(
            initial={f: getattr(report, f) for f in services.NARRATIVE_FIELDS}
        )
    reviewable = (
        report.status == Report.Status.SUBMITTED
        and not report.is_consolidation
        and services.may_review(user)
    )
    current = _active_build(user, report.period, report.prefecture_id)
    failed = None
    requested = request.GET.get("build", "")
    if current is None and requested.isdigit():
        failed = (
            ReportBuild.objects.restrict(user)
            .filter(
                pk=requested,
                period=report.period,
                prefecture_id=report.prefecture_id,
                status=ReportBuild.Status.FAILED,
            )
            .first()
        )
    return {
        "report": report,
        "object": report,
        "doc": doc,
        "charts": charts,
        "place": _place(report),
        "late": report.is_late(),
        "events": report.events.select_related("actor"),
        "narrative_form": narrative_form if editable else None,
        "review_form": (review_form or ReviewForm()) if reviewable else None,
        "may_rebuild": report.is_open
        and current is None
        and services.may_prepare(user, report.prefecture_id),
        "build": current,
        "failed_build": failed,
        "prefecture_value": report.prefecture_id or CONSOLIDATION,
    }


class ReportDetailView(ScopedDetailView):
    model = Report
    related = ("prefecture", "built_by", "submitted_by", "reviewed_by")
    template_name = "reports/report_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(detail_context(self.request, self.object))
        return context


def _refused(request, report, error, form):
    """Show the refusal; keep what was typed when the report can still be edited."""
    _show_refusal(request, error, form)
    report.refresh_from_db()
    if report.is_open and services.may_submit(request.user, report):
        if hasattr(error, "error_dict"):
            for name, field_messages in error.message_dict.items():
                if name in form.fields:
                    form.add_error(name, field_messages)
        return render(
            request,
            "reports/report_detail.html",
            detail_context(request, report, narrative_form=form),
        )
    return redirect(report)


@login_required
@require_POST
def narrative(request, pk):
    report = _report(request, pk)
    form = NarrativeForm(request.POST)
    form.is_valid()
    try:
        services.save_narrative(report, request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        return _refused(request, report, error, form)
    messages.success(request, _("The narrative is saved. The report is not submitted yet."))
    return redirect(f"{report.get_absolute_url()}#narrative")


@login_required
@require_POST
def submit(request, pk):
    report = _report(request, pk)
    form = NarrativeForm(request.POST)
    form.is_valid()
    try:
        submitted = services.submit(report, request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        return _refused(request, report, error, form)
    messages.success(
        request,
        _("The report is submitted to the province (submission %(version)s); it is now frozen.")
        % {"version": submitted.version},
    )
    return redirect(report)


def _review(request, pk, call, done):
    report = _report(request, pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        call(report, request.user, form.cleaned_data.get("comment", ""))
    except (ValidationError, PermissionDenied) as error:
        _show_refusal(request, error, form)
    else:
        messages.success(request, done % {"place": _place(report), "period": report.period})
    return redirect(_next_url(request) or report.get_absolute_url())


@login_required
@require_POST
def acknowledge(request, pk):
    return _review(
        request,
        pk,
        services.acknowledge,
        gettext_lazy("The %(period)s report of %(place)s is acknowledged."),
    )


@login_required
@require_POST
def return_report(request, pk):
    return _review(
        request,
        pk,
        services.return_report,
        gettext_lazy(
            "The %(period)s report of %(place)s is returned for correction; the bureau is told."
        ),
    )


def _download(request, pk, kind, content_type):
    report = _report(request, pk)
    stored = services.report_file(report, kind)
    filename = f"{report.period}-{report.prefecture_id or CONSOLIDATION}-{_place(report)}.{kind}"
    return private_file(stored, filename, content_type)


@login_required
def pdf(request, pk):
    return _download(request, pk, "pdf", PDF_TYPE)


@login_required
def xlsx(request, pk):
    return _download(request, pk, "xlsx", XLSX_TYPE)


# ---------------------------------------------------------------------------------------------
# The province's inbox


@login_required
def inbox(request):
    """Each prefecture's report on a period and where it stands, and the consolidation."""
    user = request.user
    if not services.may_review(user):
        raise PermissionDenied
    period = _chosen_period(request)
    rows = services.inbox(user, period)
    counts = {state: 0 for state in services.INBOX_STATES}
    for row in rows:
        counts[row["state"]] += 1
    builds = {
        b.prefecture_id: b
        for b in ReportBuild.objects.restrict(user).filter(
            period=period.code, status__in=ReportBuild.ACTIVE
        )
    }
    may_build = {p.pk for p in _buildable_prefectures(user)}
    for row in rows:
        row["build"] = builds.get(row["prefecture"].pk)
        # A missing draft can be built from here; an existing one is rebuilt from its page.
        row["may_build"] = row["prefecture"].pk in may_build and row["report"] is None
    consolidation = (
        Report.objects.restrict(user).filter(period=period.code, prefecture__isnull=True).first()
    )
    return render(
        request,
        "reports/inbox.html",
        {
            "period": period,
            "rows": rows,
            "counts": [
                (state, label, counts[state]) for state, label in services.INBOX_STATES.items()
            ],
            "consolidation": consolidation,
            "consolidation_build": builds.get(None),
            "may_build_consolidation": services.may_prepare(user, None)
            and (consolidation is None or consolidation.is_open),
            "previous": period.previous(),
            "next": _next_closed(period),
            "consolidation_value": CONSOLIDATION,
            "here": request.get_full_path(),
        },
    )


def _next_closed(period):
    """The period after ``period``, if it has ended."""
    following = periods.containing(period.ends_on + dt.timedelta(days=1), period.kind)
    return following if following.has_ended() else None


# ---------------------------------------------------------------------------------------------
# Dashboards


# The figures a trend follows: (section, table, column, label). Each is read from the table's
# total, which for a prefecture's report is the prefecture's own figure.
TREND = (
    ("directory", "summary", "size", gettext_lazy("Enterprises in the directory")),
    ("directory", "summary", "added", gettext_lazy("Added to the directory")),
    ("complaints", "summary", "received", gettext_lazy("Complaints and reports received")),
    ("complaints", "summary", "on_time_rate", gettext_lazy("Time limits met on time (%)")),
    ("assessments", "summary", "coverage", gettext_lazy("Self-assessment coverage (%)")),
    ("demonstrations", "summary", "valid", gettext_lazy("Designations in force")),
)

# The consolidation's per-prefecture figures shown side by side: (section, table, columns,
# label). Several columns are summed (designations of every track).
SIDE_BY_SIDE = (
    ("directory", "summary", ("size",), gettext_lazy("Enterprises in the directory")),
    ("directory", "summary", ("added",), gettext_lazy("Added in the period")),
    ("complaints", "summary", ("received",), gettext_lazy("Complaints and reports received")),
    ("complaints", "summary", ("on_time_rate",), gettext_lazy("Time limits met on time (%)")),
    ("assessments", "summary", ("coverage",), gettext_lazy("Self-assessment coverage (%)")),
    ("demonstrations", "designations_by_prefecture", None, gettext_lazy("Designations in force")),
)


def _figure(report, section, table, column):
    """A report's figure for the whole of it (the table's total), or None."""
    found = figures.find(report.figures, section, table) if report else None
    if not found or column not in found["columns"] or not found.get("total"):
        return None
    return found["total"][found["columns"].index(column)]


def _trend(reports, trend_periods):
    """Rows (one per figure) of the values over the periods, and a chart for each figure."""
    rows, charts = [], []
    labels = [p.code for p in trend_periods]
    for index, (section, table, column, label) in enumerate(TREND):
        percent = column in figures.PERCENT_COLUMNS
        values = [_figure(reports.get(p.code), section, table, column) for p in trend_periods]
        rows.append(
            {
                "label": label,
                "cells": [
                    {"text": rendering.format_figure(v, percent), "report": reports.get(p.code)}
                    for v, p in zip(values, trend_periods, strict=True)
                ],
            }
        )
        charts.append(
            _chart(
                f"trend-{index}",
                "line",
                label,
                labels,
                [_series(label, values, percent=percent)],
            )
        )
    return rows, charts


def _side_by_side(consolidation):
    """The 14 prefectures' figures from the consolidation: a table (each figure linked to the
    list it counts) and a chart per figure."""
    data = consolidation.figures
    prefectures = []
    columns = []
    charts = []
    for index, (section, key, wanted, label) in enumerate(SIDE_BY_SIDE):
        table = figures.find(data, section, key)
        if table is None:
            continue
        picked = [i for i, c in enumerate(table["columns"]) if wanted is None or c in wanted]
        percent = wanted is not None and wanted[0] in figures.PERCENT_COLUMNS
        if not prefectures:
            prefectures = [(row["key"], row["label"]) for row in table["rows"]]
        by_code = {row["key"]: row for row in table["rows"]}
        cells = []
        for code, _name in prefectures:
            row = by_code.get(code)
            if row is None:
                cells.append({"value": None, "text": "—", "link": None})
                continue
            values = [row["cells"][i] for i in picked]
            value = None if all(v is None for v in values) else sum(v or 0 for v in values)
            link = row["links"][picked[0]] if len(picked) == 1 else _designated_link(code)
            text = rendering.format_figure(value, percent)
            cells.append({"value": value, "text": text, "link": link})
        columns.append({"label": label, "cells": cells})
        charts.append(
            _chart(
                f"side-{index}",
                "bar",
                label,
                [name for _code, name in prefectures],
                [_series(label, [c["value"] for c in cells], percent=percent)],
            )
        )
    rows = [
        {"name": name, "cells": [column["cells"][i] for column in columns]}
        for i, (_code, name) in enumerate(prefectures)
    ]
    return {"headers": [c["label"] for c in columns], "rows": rows}, charts


def _designated_link(code):
    query = urlencode({"prefecture": code, "state": "designated"})
    return f"{reverse('demonstrations:list')}?{query}"


@login_required
def dashboard(request):
    """The province: a period's consolidation with the 14 prefectures side by side, and the
    trend over the periods before it. An officer (or the province choosing one prefecture):
    the prefecture's trend and the charts of the chosen period's report."""
    user = request.user
    if not scoping.can(user, Report, "view"):
        raise PermissionDenied
    province = scoping.is_province_wide(user)
    prefectures = list(scoping.prefectures_for(user, Report, "view"))
    chosen = request.GET.get("prefecture", "")
    if province:
        prefecture = next((p for p in prefectures if p.pk == chosen), None)
    else:
        prefecture = next((p for p in prefectures if p.pk == chosen), prefectures[0])
    code = prefecture.pk if prefecture else None
    kind = request.GET.get("kind", "")
    period = _chosen_period(request, kind=kind if kind in PeriodKind.values else PeriodKind.QUARTER)
    trend_periods = _trend_periods(period)
    reports = {
        r.period: r
        for r in Report.objects.restrict(user).filter(
            period__in=[p.code for p in trend_periods], prefecture_id=code
        )
    }
    current = reports.get(period.code)
    trend_rows, charts = _trend(reports, trend_periods)
    context = {
        "period": period,
        "prefecture": prefecture,
        "prefectures": prefectures if province else [],
        "province": province,
        "place": prefecture.name if prefecture else rendering.HUNAN,
        "report": current,
        "trend_periods": trend_periods,
        "trend_rows": trend_rows,
        "trend_charts": charts[:],
        "latest": [(label, periods.last_closed(kind).code) for kind, label in PeriodKind.choices],
        "previous": period.previous(),
        "next": _next_closed(period),
        "may_build": services.may_prepare(user, code),
        "build": _active_build(user, period.code, code),
        "prefecture_value": code or CONSOLIDATION,
        "here": request.get_full_path(),
    }
    if current is not None:
        if code is None:
            side, side_charts = _side_by_side(current)
            context.update(side=side, side_charts=side_charts)
            charts += side_charts
        else:
            doc, report_charts = document_with_charts(current, prefix="latest")
            context["doc"] = doc
            charts += report_charts
    context["charts"] = charts
    return render(request, "reports/dashboard.html", context)


# ---------------------------------------------------------------------------------------------
# The annual work plan (§4)


def may_plan(user) -> bool:
    """Provincial staff set the year's targets."""
    return (
        user.is_authenticated
        and scoping.is_province_wide(user)
        and user.has_perm("reports.change_workplan")
    )


def _progress(user, year):
    """Per prefecture (and ``None`` for the province), the latest stored report of ``year`` and
    its work plan progress: ``{code: (report, {metric: {target, actual, progress}})}``."""
    latest = {}
    for pk, code, starts, ends in (
        Report.objects.restrict(user)
        .filter(starts_on__year=year)
        .values_list("pk", "prefecture_id", "starts_on", "ends_on")
    ):
        rank = (ends, -starts.toordinal())  # the latest end; of equals, the longest period
        if code not in latest or rank > latest[code][0]:
            latest[code] = (rank, pk)
    found = {}
    for report in Report.objects.restrict(user).filter(pk__in=[pk for _r, pk in latest.values()]):
        table = figures.find(report.figures, "work_plan", "progress")
        metrics = {}
        for row in table["rows"] if table else ():
            target, actual, progress = row["cells"]
            metrics[row["key"]] = {
                "target": target,
                "actual": actual,
                "progress": progress,
                "progress_text": rendering.format_figure(progress, True),
            }
        found[report.prefecture_id] = (report, metrics)
    return found


@login_required
def work_plan_current(request):
    if not scoping.can(request.user, WorkPlanTarget, "view"):
        raise PermissionDenied
    return redirect("reports:work-plan", year=timezone.localdate().year)


@login_required
def work_plan(request, year):
    """The year's targets per prefecture: the province edits all 14 in one form; an officer
    reads its own. Progress comes from the latest report of the year, never typed in."""
    user = request.user
    if not scoping.can(user, WorkPlanTarget, "view"):
        raise PermissionDenied
    this_year = timezone.localdate().year
    if not periods.FIRST_YEAR <= year <= this_year + 1:
        raise Http404
    editable = may_plan(user)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    plan = WorkPlan.objects.filter(year=year).first()
    prefectures = list(scoping.prefectures_for(user, WorkPlanTarget, "view"))
    targets = {
        t.prefecture_id: t for t in WorkPlanTarget.objects.restrict(user).filter(plan__year=year)
    }
    form = None
    if editable:
        form = WorkPlanForm(
            request.POST or None, year=year, prefectures=prefectures, plan=plan, targets=targets
        )
        if request.method == "POST":
            if form.is_valid():
                form.save(user)
                messages.success(request, _("The %(year)s targets are saved.") % {"year": year})
                return redirect("reports:work-plan", year=year)
            messages.error(
                request, _("The targets were not saved: correct the cells marked below.")
            )
    progress = _progress(user, year)
    metrics = WorkPlanTarget.METRICS
    rows = []
    fields = {p.pk: cells for p, cells in form.rows()} if form is not None else {}
    for prefecture in prefectures:
        target = targets.get(prefecture.pk)
        report, measured = progress.get(prefecture.pk, (None, {}))
        rows.append(
            {
                "prefecture": prefecture,
                "report": report,
                "cells": [
                    {
                        "key": key,
                        "label": label,
                        "percent": is_percent,
                        "target": getattr(target, key) if target else None,
                        "field": fields[prefecture.pk][i] if fields else None,
                        "measured": measured.get(key),
                    }
                    for i, (key, label, is_percent) in enumerate(metrics)
                ],
            }
        )
    province_report, province_measured = progress.get(None, (None, {}))
    return render(
        request,
        "reports/work_plan.html",
        {
            "year": year,
            "plan": plan,
            "form": form,
            "rows": rows,
            "metrics": metrics,
            "province_report": province_report,
            "province_measured": [province_measured.get(key) for key, *_rest in metrics],
            "previous_year": year - 1 if year > periods.FIRST_YEAR else None,
            "next_year": year + 1 if year <= this_year else None,
        },
    )
