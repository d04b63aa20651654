"""The complaint queue, its roll-up by prefecture, its exports and the credit platform pushes.

Rows come from ``restrict(user, "view")`` and the list, its exports and the API filter through
the one ``ComplaintFilter``. The queue is the bureaus' working tool; a complainant (an enterprise
user) sees its own complaints in it with the status meant for it, and nothing of the clocks.
"""

import datetime as dt
from urllib.parse import urlencode

import django_filters
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsprotect.core import scoping
from tsprotect.core.views import ScopedListView
from tsprotect.core.widgets import FastSelect
from tsprotect.regions.calendar import WorkingCalendar

from . import exporting, services
from .filters import ComplaintFilter, TransferFilter
from .models import Complaint, ComplaintClock, CreditPush
from .workflow import AUDIENCES, State

LIST_RELATED = (
    "prefecture",
    "county",
    "next_limit",
    "complainant_enterprise",
    "respondent_enterprise",
)
ORDERING_FIELDS = ("next_deadline", "received_on", "reference", "state")
PUBLICATION_LIMIT = "penalty_publication"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def handles_complaints(user) -> bool:
    """Officers of a bureau (or county) and provincial staff: those who work the queue."""
    codename = Complaint.scope.permissions["view"]
    return user.is_authenticated and bool(scoping.prefecture_codes(user, codename))


def follows_as_complainant(user) -> bool:
    """An enterprise user following its own complaints (and handling none)."""
    return (
        user.is_authenticated
        and not handles_complaints(user)
        and bool(scoping.enterprise_ids(user))
    )


def _officers_only(user):
    if not handles_complaints(user):
        raise PermissionDenied


def queue_order(queryset, sort="", *, complainant=False):
    """``?sort=`` when allowed, else the open complaints first, the one falling due first at the
    top (those without a running clock after them), then the newest. A complainant's list is
    newest first: the clocks are the bureau's business."""
    fields = ("received_on", "reference") if complainant else ORDERING_FIELDS
    if sort.lstrip("-") in fields:
        return queryset.order_by(sort, "pk")
    if complainant:
        return queryset.order_by("-received_on", "-pk")
    closed_last = Case(
        When(state=State.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return queryset.order_by(
        closed_last, F("next_deadline").asc(nulls_last=True), "-received_on", "-pk"
    )


class ComplainantFilter(ComplaintFilter):
    """A complainant filters its complaints by what it is shown: not by the internal states, the
    clocks or the transfer threshold."""

    HIDDEN = ("state", "kind", "overdue", "candidate")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.HIDDEN:
            self.filters.pop(name, None)


class ComplaintListView(ScopedListView):
    model = Complaint
    related = LIST_RELATED
    ordering_fields = ORDERING_FIELDS

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.complainant = follows_as_complainant(request.user)

    @property
    def filterset_class(self):
        return ComplainantFilter if self.complainant else ComplaintFilter

    def get_queryset(self):
        queryset = services.with_overdue_flag(super().get_queryset())
        queryset = services.with_audience(queryset, self.request.user)
        return queue_order(queryset, self.request.GET.get("sort", ""), complainant=self.complainant)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        for complaint in context["object_list"]:
            # Each row shows what its audience is shown (a trace's row no deadline …).
            complaint.shown = AUDIENCES[complaint.audience].fields
        officer = handles_complaints(user)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            complainant_view=self.complainant,
            officer=officer,
            province_wide=scoping.is_province_wide(user),
            can_register=officer and scoping.can(user, Complaint, "add"),
            can_file=self.complainant and scoping.can(user, Complaint, "add"),
            export_query=params.urlencode(),
        )
        return context


@login_required
def export(request, fmt):
    """The filtered queue as XLSX or CSV, for officers: never the complainant's identity."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    _officers_only(request.user)
    queryset = Complaint.objects.restrict(request.user, "view")
    filterset = ComplaintFilter(request.GET or None, queryset, request=request)
    queryset = filterset.qs if filterset.is_bound else queryset
    queryset = queue_order(queryset, request.GET.get("sort", ""))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(
            exporting.complaints_csv(queryset, request.user), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            exporting.complaints_xlsx(queryset, request.user), content_type=XLSX_TYPE
        )
    response["Content-Disposition"] = f'attachment; filename="complaints-{stamp}.{fmt}"'
    return response


def _list_link(**params):
    return f"{reverse('complaints:list')}?{urlencode(params)}"


@login_required
def overview(request):
    """Received, open, overdue, due within a week and transfer candidates per prefecture: every
    prefecture for the province (a total row too), an officer's own for an officer."""
    user = request.user
    _officers_only(user)
    counted = {row["prefecture"]: row for row in services.roll_up(user)}
    province = scoping.is_province_wide(user)
    figures = ("received", "open", "overdue", "due_soon", "candidates")
    soon = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    rows = []
    for prefecture in scoping.prefectures_for(user, Complaint, "view"):
        row = {name: counted.get(prefecture.pk, {}).get(name, 0) for name in figures}
        # The prefecture filter is the province's: an officer's list is its own prefecture.
        where = {"prefecture": prefecture.pk} if province else {}
        row.update(
            prefecture=prefecture,
            list_url=_list_link(handled="true", **where),
            open_url=_list_link(open="true", handled="true", **where),
            overdue_url=_list_link(overdue="true", handled="true", **where),
            due_soon_url=_list_link(
                overdue="false", open="true", handled="true", due_until=soon, **where
            ),
            candidates_url=_list_link(candidate="true", open="true", handled="true", **where),
        )
        rows.append(row)
    total = {name: sum(row[name] for row in rows) for name in figures} if province else None
    return render(
        request,
        "complaints/overview.html",
        {"rows": rows, "total": total, "province_wide": province, "today": timezone.localdate()},
    )


class CreditPushFilter(django_filters.FilterSet):
    published = django_filters.ChoiceFilter(
        widget=FastSelect,
        choices=(("yes", gettext_lazy("Published")), ("no", gettext_lazy("Not yet published"))),
        method="filter_published",
        label=gettext_lazy("Publication"),
    )

    class Meta:
        model = CreditPush
        fields = []

    def filter_published(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(published_on__isnull=False)
        if value == "no":
            return queryset.filter(published_on__isnull=True)
        return queryset


class CreditPushListView(ScopedListView):
    """The penalties to publish on the social credit platform, unpublished ones first."""

    model = CreditPush
    related = ("complaint", "complaint__prefecture")
    filterset_class = CreditPushFilter

    def get_queryset(self):
        publication = ComplaintClock.objects.filter(
            complaint=OuterRef("complaint"), limit__code=PUBLICATION_LIMIT
        )
        return (
            super()
            .get_queryset()
            .annotate(publication_due=Subquery(publication.values("due_on")[:1]))
            .order_by(F("published_on").desc(nulls_first=True), "-decided_on", "-pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        calendar = WorkingCalendar()  # one for the page: each year's overrides read once
        for push in context["object_list"]:
            push.days_left = None
            push.late = False
            if push.published_on is None and push.publication_due is not None:
                push.late = push.publication_due < today
                if not push.late:
                    push.days_left = _workdays_left(calendar, today, push.publication_due)
        context["province_wide"] = scoping.is_province_wide(self.request.user)
        params = self.request.GET.copy()
        params.pop("page", None)
        context["export_query"] = params.urlencode()
        return context


def _workdays_left(calendar, today, due):
    """Working days after today up to and including ``due``."""
    count, day = 0, today
    while day < due:
        day += dt.timedelta(days=1)
        count += calendar.is_workday(day)
    return count


@login_required
def credit_export(request):
    """The social credit platform's CSV of the penalties in scope (filtered like the list)."""
    if not scoping.can(request.user, CreditPush, "view"):
        raise PermissionDenied
    queryset = CreditPush.objects.restrict(request.user, "view")
    filterset = CreditPushFilter(request.GET or None, queryset, request=request)
    queryset = (filterset.qs if filterset.is_bound else queryset).order_by("decided_on", "pk")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        exporting.credit_csv(queryset), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="credit-penalties-{stamp}.csv"'
    return response


TRANSFER_ORDERING = ("transfer_sent_at", "reference", "police_decided_on", "police_due")
TRANSFER_RELATED = ("prefecture", "county")


def _transfers(request):
    """The transfers to public security of the request's user, filtered and sorted: what the
    list and its exports show alike."""
    queryset = services.police_transfers(request.user).select_related(*TRANSFER_RELATED)
    filterset = TransferFilter(request.GET or None, queryset, request=request)
    queryset = filterset.qs if filterset.is_bound else queryset
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in TRANSFER_ORDERING:
        return filterset, queryset.order_by(sort, "pk")
    return filterset, queryset.order_by("-transfer_sent_at", "-pk")


class TransferListView(ScopedListView):
    """Every transfer to public security the user's bureau handles (provincial staff: every
    prefecture's), with the police's answers and whether they came in time (arts. 8–9 of the
    State Council's rules on transfers)."""

    model = Complaint
    action = "change"
    template_name = "complaints/transfer_list.html"
    context_object_name = "transfers"

    def get_queryset(self):
        self.filterset, queryset = _transfers(self.request)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["province_wide"] = scoping.is_province_wide(self.request.user)
        context["export_query"] = context["query_string"]
        context["today"] = timezone.localdate()
        return context


@login_required
def transfers_export(request, fmt):
    """The filtered transfers as XLSX or CSV, for the bureaus and the province."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    if not scoping.can(request.user, Complaint, "change"):
        raise PermissionDenied
    _filterset, queryset = _transfers(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(
            exporting.transfers_csv(queryset), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(exporting.transfers_xlsx(queryset), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="police-transfers-{stamp}.{fmt}"'
    return response


def workbench(user):
    """The complaint cards of the workbench: (label, count, list URL, tone), in one query."""
    base = reverse("complaints:list")
    if handles_complaints(user):
        counts = services.queue_counts(Complaint.objects.restrict(user, "change"))
        soon = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
        overdue = counts["overdue"]
        return [
            (
                _("Open complaints and reports"),
                counts["open"],
                f"{base}?open=true&handled=true",
                "",
            ),
            (
                _("Overdue complaints"),
                overdue,
                f"{base}?overdue=true&handled=true",
                "tier-high" if overdue else "tier-low",
            ),
            (
                _("Complaints due within a week"),
                counts["due_soon"],
                f"{base}?overdue=false&open=true&handled=true&due_until={soon}&sort=next_deadline",
                "tier-medium" if counts["due_soon"] else "",
            ),
        ]
    if follows_as_complainant(user):
        counts = services.queue_counts(Complaint.objects.restrict(user, "view"))
        return [(_("My complaints in progress"), counts["open"], f"{base}?open=true", "")]
    return []
