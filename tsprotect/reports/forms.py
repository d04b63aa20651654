"""Forms of the report pages: the list's filters, a build request, the narrative, the review,
and the year's work plan (one form for the 14 prefectures' targets)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tsprotect.core import scoping
from tsprotect.core.widgets import FastSelect, YesNoSelect

from . import periods, services
from .models import Report, WorkPlan, WorkPlanTarget
from .periods import PeriodKind

# The value that names the provincial consolidation in a prefecture select (Hunan's own code).
CONSOLIDATION = "430000"


PERIOD_HELP = _("A month (2026-09), a quarter (2026-Q3) or a year (2026).")


def prefecture_code(value):
    """A posted prefecture value as the services take it: None for the consolidation."""
    return None if value in (CONSOLIDATION, "", None) else value


class PeriodField(forms.CharField):
    """A period code (2026-09, 2026-Q3, 2026), cleaned to a ``periods.Period``."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"placeholder": "2026-Q3", "autocomplete": "off", "maxlength": 7}
            ),
        )
        kwargs.setdefault("help_text", PERIOD_HELP)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return periods.parse(value) if value else None


class PeriodFilter(django_filters.Filter):
    field_class = PeriodField


class ReportFilter(django_filters.FilterSet):
    """The list's filters. The prefecture filter is the province's (an officer sees one)."""

    period_kind = django_filters.ChoiceFilter(
        widget=FastSelect, choices=PeriodKind.choices, label=_("Kind")
    )
    period = PeriodFilter(method="filter_period", label=_("Period"))
    status = django_filters.ChoiceFilter(
        widget=FastSelect, choices=Report.Status.choices, label=_("Status")
    )
    prefecture = django_filters.ChoiceFilter(
        widget=FastSelect, method="filter_prefecture", label=_("Prefecture")
    )
    late = django_filters.BooleanFilter(widget=YesNoSelect, method="filter_late", label=_("Late"))
    open = django_filters.BooleanFilter(
        widget=YesNoSelect, method="filter_open", label=_("Not yet submitted")
    )

    class Meta:
        model = Report
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, prefectures=()):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not scoping.is_province_wide(user):
            del self.filters["prefecture"]
        else:
            self.filters["prefecture"].extra["choices"] = [
                (CONSOLIDATION, _("Provincial consolidation")),
                *((p.pk, p.name) for p in prefectures),
            ]

    def filter_period(self, queryset, name, value):
        return queryset.filter(period=value.code) if value else queryset

    def filter_prefecture(self, queryset, name, value):
        if value == CONSOLIDATION:
            return queryset.filter(prefecture__isnull=True)
        return queryset.filter(prefecture_id=value)

    def filter_open(self, queryset, name, value):
        is_open = Q(status__in=Report.OPEN_STATUSES)
        return queryset.filter(is_open) if value else queryset.exclude(is_open)

    def filter_late(self, queryset, name, value):
        late = Q(
            status__in=Report.OPEN_STATUSES,
            prefecture__isnull=False,
            due_on__lt=timezone.localdate(),
        )
        return queryset.filter(late) if value else queryset.exclude(late)


class BuildForm(forms.Form):
    """Which report to build: the period, and for the province the prefecture (or the
    consolidation). An officer's is its own prefecture's report."""

    period = PeriodField(label=_("Period"))
    prefecture = forms.ChoiceField(
        label=_("Prefecture"),
        error_messages={"invalid_choice": _("You may not build the report of this prefecture.")},
    )

    def __init__(self, *args, user, prefectures=None, **kwargs):
        super().__init__(*args, **kwargs)
        if prefectures is None:
            prefectures = scoping.prefectures_for(user, Report, "change")
        choices = [(p.pk, p.name) for p in prefectures]
        if services.may_prepare(user, None):
            choices.insert(0, (CONSOLIDATION, _("Provincial consolidation")))
        field = self.fields["prefecture"]
        field.choices = choices
        if len(choices) == 1:  # an officer builds its own prefecture's report
            field.initial = choices[0][0]
            field.required = False
            field.widget = forms.HiddenInput()
        self.fields["period"].initial = periods.last_closed(PeriodKind.QUARTER).code
        self.fields["period"].widget.attrs["aria-describedby"] = "build-period-help"

    def clean_prefecture(self):
        field = self.fields["prefecture"]
        return self.cleaned_data["prefecture"] or field.initial

    def clean_period(self):
        period = self.cleaned_data["period"]
        try:
            return periods.parse_closed(period.code)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class NarrativeForm(forms.Form):
    """What the prefecture says beside its figures (§11, §15): saved, then submitted with them."""

    work_done = forms.CharField(
        label=_("Work done"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Required before submitting."),
    )
    problems = forms.CharField(
        label=_("Problems"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_steps = forms.CharField(
        label=pgettext_lazy("report", "Next steps"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to return the report: say what must be corrected."),
    )


class WorkPlanForm(forms.Form):
    """The year's targets of every prefecture in one form, saved in one transaction.

    Fields are named ``<code>-<metric>``; ``rows`` gives them back by prefecture for the table.
    """

    note = forms.CharField(
        label=_("Priorities of the year"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, year, prefectures, plan=None, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.prefectures = list(prefectures)
        targets = targets or {}
        if plan is not None:
            self.fields["note"].initial = plan.note
        self.metrics = WorkPlanTarget.METRICS
        for prefecture in self.prefectures:
            target = targets.get(prefecture.pk)
            for key, label, is_percent in self.metrics:
                self.fields[self.name_for(prefecture.pk, key)] = forms.IntegerField(
                    label=f"{prefecture.name} · {label}",
                    min_value=0,
                    max_value=100 if is_percent else 1_000_000,
                    initial=getattr(target, key) if target else 0,
                    widget=forms.NumberInput(attrs={"class": "target-input"}),
                )

    @staticmethod
    def name_for(code, key):
        return f"{code}-{key}"

    def rows(self):
        """Per prefecture: (prefecture, [bound field per metric])."""
        return [
            (prefecture, [self[self.name_for(prefecture.pk, key)] for key, *_rest in self.metrics])
            for prefecture in self.prefectures
        ]

    @transaction.atomic
    def save(self, user) -> WorkPlan:
        plan, _created = WorkPlan.objects.select_for_update().get_or_create(year=self.year)
        plan.note = self.cleaned_data["note"].strip()
        plan.updated_by = user
        plan.save()
        for prefecture in self.prefectures:
            WorkPlanTarget.objects.update_or_create(
                plan=plan,
                prefecture=prefecture,
                defaults={
                    key: self.cleaned_data[self.name_for(prefecture.pk, key)]
                    for key, *_rest in self.metrics
                },
            )
        return plan
