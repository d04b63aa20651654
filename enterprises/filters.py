"""The directory's filters, shared by the list page, its exports and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from tsprotect.core import scoping
from tsprotect.core.widgets import FastSelect
from tsprotect.regions.models import County, FtzArea, HostOrganisation, Prefecture

from .industries import DIVISION_CHOICES, SECTION_CHOICES
from .models import Enterprise
from .search import search

TAG_CHOICES = list(Enterprise.TAGS.items())


@extend_schema_field(OpenApiTypes.STR)
class CodeChoiceFilter(django_filters.ModelChoiceFilter):
    """A region given by its code (division code ``430100``, FTZ area ``changsha``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)


class EnterpriseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Name or credit code"))
    prefecture = CodeChoiceFilter(queryset=Prefecture.objects.all(), label=_("Prefecture"))
    county = CodeChoiceFilter(queryset=County.objects.all(), label=_("County"))
    park = django_filters.ModelChoiceFilter(
        widget=FastSelect,
        queryset=HostOrganisation.objects.filter(kind__in=HostOrganisation.PARK_KINDS),
        label=_("Park"),
    )
    ftz_area = CodeChoiceFilter(queryset=FtzArea.objects.all(), label=_("FTZ area"))
    industry_section = django_filters.ChoiceFilter(
        widget=FastSelect, choices=SECTION_CHOICES, label=_("Industry")
    )
    industry_division = django_filters.ChoiceFilter(
        widget=FastSelect, choices=DIVISION_CHOICES, label=_("Industry division")
    )
    tag = django_filters.ChoiceFilter(
        widget=FastSelect, choices=TAG_CHOICES, method="filter_tag", label=_("Tag")
    )
    status = django_filters.ChoiceFilter(
        widget=FastSelect, choices=Enterprise.Status.choices, label=_("Status")
    )

    class Meta:
        model = Enterprise
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        # Choices never list regions outside the user's scope.
        prefectures = scoping.prefectures_for(user, Enterprise, "view")
        codes = list(prefectures.values_list("pk", flat=True))
        self.filters["prefecture"].queryset = prefectures
        counties = County.objects.filter(prefecture__in=codes)
        if scoping.county_limit(user):
            counties = counties.filter(pk=scoping.county_limit(user))
        self.filters["county"].queryset = counties
        self.filters["park"].queryset = self.filters["park"].queryset.filter(prefecture__in=codes)
        self.filters["ftz_area"].queryset = FtzArea.objects.filter(prefecture__in=codes)
        if len(codes) <= 1:
            del self.filters["prefecture"]

    def filter_search(self, queryset, name, value):
        return search(queryset, value)

    def filter_tag(self, queryset, name, value):
        return queryset.filter(**{f"is_{value}": True}) if value in Enterprise.TAGS else queryset

    @property
    def is_filtered(self):
        return any(v for k, v in self.form.cleaned_data.items()) if self.is_bound else False
