"""Filters of the application list, shared by the page and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.filters import CodeChoiceFilter, ProvincePrefectureFilterMixin
from tsprotect.core.widgets import FastSelect
from tsprotect.regions.models import Prefecture

from .models import DemonstrationApplication
from .workflow import State, Track


class YearFilter(django_filters.NumberFilter):
    """A batch's year: a whole number (a plain NumberFilter would take 0.5 and find nothing)."""

    field_class = forms.IntegerField


class ApplicationFilter(ProvincePrefectureFilterMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Name or certificate number"))
    track = django_filters.ChoiceFilter(widget=FastSelect, choices=Track.choices, label=_("Track"))
    state = django_filters.ChoiceFilter(widget=FastSelect, choices=State.choices, label=_("State"))
    year = YearFilter(field_name="batch__year", label=_("Year"))
    prefecture = CodeChoiceFilter(queryset=Prefecture.objects.all(), label=_("Prefecture"))

    class Meta:
        model = DemonstrationApplication
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(certificate_number__iexact=value))
