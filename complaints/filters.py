"""Filters of the complaint queue, shared by the page, its export and the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.filters import CodeChoiceFilter, ProvincePrefectureFilterMixin
from tsprotect.core import scoping
from tsprotect.core.widgets import FastSelect, YesNoSelect
from tsprotect.regions.models import Prefecture

from . import services
from .models import Complaint
from .workflow import CRIMINAL_LOSS_THRESHOLD, OPEN_STATES, Channel, Kind, State, TransferState


class ComplaintFilter(ProvincePrefectureFilterMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search", label=_("Reference, case number, party or description")
    )
    state = django_filters.ChoiceFilter(widget=FastSelect, choices=State.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(widget=FastSelect, choices=Kind.choices, label=_("Kind"))
    channel = django_filters.ChoiceFilter(
        widget=FastSelect, choices=Channel.choices, label=_("Channel")
    )
    open = django_filters.BooleanFilter(
        widget=YesNoSelect, method="filter_open", label=_("Still open")
    )
    overdue = django_filters.BooleanFilter(
        widget=YesNoSelect, method="filter_overdue", label=_("Overdue")
    )
    candidate = django_filters.BooleanFilter(
        widget=YesNoSelect,
        method="filter_candidate",
        label=_("Candidate for transfer to public security"),
    )
    # The bureau's own work, without the read-only traces of complaints it handed on.
    handled = django_filters.BooleanFilter(
        widget=YesNoSelect, method="filter_handled", label=_("Handled by my bureau")
    )
    due_until = django_filters.DateFilter(
        field_name="next_deadline", lookup_expr="lte", label=_("Next deadline until")
    )
    received_after = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", label=_("Received from")
    )
    received_before = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", label=_("Received until")
    )
    prefecture = CodeChoiceFilter(queryset=Prefecture.objects.all(), label=_("Prefecture"))

    class Meta:
        model = Complaint
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        if user is None:
            return queryset.none()
        # Each row is searched on what its audience is shown (``workflow.AUDIENCES``).
        return queryset.filter(services.search_q(user, value))

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(state__in=OPEN_STATES)
            if value
            else queryset.exclude(state__in=OPEN_STATES)
        )

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(state__in=OPEN_STATES, next_deadline__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_handled(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value is None or user is None:
            return queryset
        handled = scoping.scope_q(Complaint, user, "change")
        if handled is None:
            return queryset.none() if value else queryset
        return queryset.filter(handled) if value else queryset.exclude(handled)

    def filter_candidate(self, queryset, name, value):
        if value is None:
            return queryset
        candidate = Q(estimated_loss__gte=CRIMINAL_LOSS_THRESHOLD)
        return queryset.filter(candidate) if value else queryset.exclude(candidate)


class TransferFilter(ProvincePrefectureFilterMixin, django_filters.FilterSet):
    """Filters of the transfers to public security (``services.police_transfers``)."""

    q = django_filters.CharFilter(method="filter_search", label=_("Reference or case number"))
    transfer_state = django_filters.ChoiceFilter(
        widget=FastSelect, choices=TransferState.choices, label=_("Police's answer")
    )
    late = django_filters.BooleanFilter(
        widget=YesNoSelect, method="filter_late", label=_("Police answered late")
    )
    sent_after = django_filters.DateFilter(
        field_name="transfer_sent_at", lookup_expr="date__gte", label=_("Sent from")
    )
    sent_before = django_filters.DateFilter(
        field_name="transfer_sent_at", lookup_expr="date__lte", label=_("Sent until")
    )
    prefecture = CodeChoiceFilter(queryset=Prefecture.objects.all(), label=_("Prefecture"))

    class Meta:
        model = Complaint
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__icontains=value) | Q(case_number__icontains=value))

    def filter_late(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(police_late=value)
