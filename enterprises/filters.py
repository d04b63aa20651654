"""The directory's filters, shared by the list page, its exports and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from tsprotect.core import scoping
from tsprotect.core.widgets import FastSelect
from tsprotect.regions.choices import region_rows
from tsprotect.regions.models import County, FtzArea, HostOrganisation, Prefecture

from .industries import DIVISION_CHOICES, SECTION_CHOICES
from .models import Enterprise
from .search import search


class Constant(tuple):
    """Choices that are the same for every request. A FilterSet deep-copies its filters, and its
    form its fields, on every request: these ~120 pairs are shared rather than copied."""

    def __deepcopy__(self, memo):
        return self


TAG_CHOICES = Constant(Enterprise.TAGS.items())


@extend_schema_field(OpenApiTypes.STR)
class CodeChoiceFilter(django_filters.ModelChoiceFilter):
    """A region given by its code (division code ``430100``, FTZ area ``changsha``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)


class ProvincePrefectureFilterMixin:
    """The prefecture filter is for provincial staff; an officer's rows are one prefecture's."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not scoping.is_province_wide(user):
            del self.filters["prefecture"]


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
        widget=FastSelect, choices=Constant(SECTION_CHOICES), label=_("Industry")
    )
    industry_division = django_filters.ChoiceFilter(
        widget=FastSelect, choices=Constant(DIVISION_CHOICES), label=_("Industry division")
    )
    tag = django_filters.ChoiceFilter(
        widget=FastSelect, choices=TAG_CHOICES, method="filter_tag", label=_("Tag")
    )
    risk_tier = django_filters.ChoiceFilter(
        widget=FastSelect,
        choices=Enterprise._meta.get_field("risk_tier").choices,
        label=_("Risk tier"),
    )
    status = django_filters.ChoiceFilter(
        widget=FastSelect, choices=Constant(Enterprise.Status.choices), label=_("Status")
    )
    # The periodic reports link their "added" figures here.
    filed_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Filed from")
    )
    filed_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Filed until")
    )

    class Meta:
        model = Enterprise
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.region_options = {}
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        # Choices never list regions outside the user's scope. The querysets validate what is
        # submitted; the options shown come from the cached region rows, filtered alike.
        prefectures = scoping.prefectures_for(user, Enterprise, "view")
        codename = Enterprise.scope.permissions.get("view")
        granted = scoping.prefecture_codes(user, codename) if codename else frozenset()
        rows = region_rows()
        codes = [
            code
            for code, _label, _p in rows["prefecture"]
            if granted is scoping.ALL or code in granted
        ]
        in_scope = set(codes)
        limit = scoping.county_limit(user)
        self.filters["prefecture"].queryset = prefectures
        counties = County.objects.filter(prefecture__in=codes)
        if limit:
            counties = counties.filter(pk=limit)
        self.filters["county"].queryset = counties
        self.filters["park"].queryset = self.filters["park"].queryset.filter(prefecture__in=codes)
        self.filters["ftz_area"].queryset = FtzArea.objects.filter(prefecture__in=codes)
        self.region_options = {
            name: [
                (pk, label)
                for pk, label, prefecture in rows[name]
                if prefecture in in_scope and (name != "county" or not limit or pk == limit)
            ]
            for name in ("prefecture", "county", "park", "ftz_area")
        }
        if len(codes) <= 1:
            del self.filters["prefecture"]

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for name, options in self.region_options.items():
                if name in form.fields:
                    field = form.fields[name]
                    head = [("", field.empty_label)] if field.empty_label is not None else []
                    if getattr(field, "null_label", None) is not None:
                        head.append((field.null_value, field.null_label))
                    field.widget.choices = head + options
        return self._form

    def filter_search(self, queryset, name, value):
        return search(queryset, value)

    def filter_tag(self, queryset, name, value):
        return queryset.filter(**{f"is_{value}": True}) if value in Enterprise.TAGS else queryset

    @property
    def is_filtered(self):
        return any(v for k, v in self.form.cleaned_data.items()) if self.is_bound else False
