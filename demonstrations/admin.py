from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    AcceptanceEvaluation,
    ApplicationEvent,
    Batch,
    DemonstrationApplication,
    ExpertAssignment,
    PilotEntry,
    Recusal,
)
from .workflow import TRANSITIONS


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["name", "track", "year", "opens_on", "submission_deadline", "quota"]
    list_filter = ["track", "year"]


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class AssignmentInline(admin.TabularInline):
    model = ExpertAssignment
    fk_name = "application"
    extra = 0
    can_delete = False
    fields = ["expert", "assigned_at", "total", "scored_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class _ReadOnlyInline(admin.TabularInline):
    """A record the pages and the API write through the services; the admin shows it."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class RecusalInline(_ReadOnlyInline):
    """Experts who declared a conflict of interest and left the panel; declared on the portal
    by the expert only (``services.declare_recusal``)."""

    model = Recusal
    fields = ["declared_at", "expert", "reason"]
    readonly_fields = fields


class PilotEntryInline(_ReadOnlyInline):
    model = PilotEntry
    fields = ["happened_on", "kind", "summary", "recorded_by"]
    readonly_fields = fields


class AcceptanceInline(_ReadOnlyInline):
    model = AcceptanceEvaluation
    fields = ["evaluated_on", "result", "conclusion", "rectification", "recorded_by"]
    readonly_fields = fields


class ApplicationAdminForm(forms.ModelForm):
    """The admin moves an application only through the workflow, like the pages and the API."""

    take_action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", "---------")] + [(t.action, t.label) for t in TRANSITIONS],
    )
    action_note = forms.CharField(
        label=_("Reason or note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = DemonstrationApplication
        fields = ["take_action", "action_note"]

    user = None  # set by the admin for the request

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("take_action")
        if action:
            # Try the transition and roll it back, so a refusal shows on the form itself.
            try:
                with transaction.atomic():
                    services.transition(self.instance, action, self.user, cleaned["action_note"])
                    raise _DryRun
            except _DryRun:
                pass
            except ValidationError as error:
                self.add_error(None, error.messages)
        return cleaned


class _DryRun(Exception):
    pass


@admin.register(DemonstrationApplication)
class DemonstrationApplicationAdmin(admin.ModelAdmin):
    form = ApplicationAdminForm
    list_display = ["name", "track", "state", "prefecture", "batch", "certificate_number"]
    list_filter = ["track", "state", "prefecture"]
    search_fields = ["name", "=certificate_number"]
    list_select_related = ["prefecture", "batch"]
    readonly_fields = [
        "track",
        "batch",
        "state",
        "name",
        "enterprise",
        "host_organisation",
        "prefecture",
        "county",
        "ftz_area",
        "certificate_number",
        "designated_on",
        "valid_until",
        "national_candidate",
        "concerned_prefectures",
        "ftz_selection",
        "ftz_selection_reason",
        "submitted_at",
        "decided_at",
    ]
    fieldsets = [
        (None, {"fields": readonly_fields}),
        (_("Workflow"), {"fields": ["take_action", "action_note"]}),
    ]
    inlines = [AssignmentInline, RecusalInline, PilotEntryInline, AcceptanceInline, EventInline]

    def get_queryset(self, request):
        return DemonstrationApplication.objects.restrict(request.user, "view").select_related(
            "prefecture", "batch"
        )

    def has_add_permission(self, request):
        return False  # applications start on the portal pages, where the applicant files them

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        action = form.cleaned_data.get("take_action")
        if action:
            services.transition(obj, action, request.user, form.cleaned_data["action_note"])
