from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Complaint, CreditPush, Recusal, StatutoryLimit


@admin.register(StatutoryLimit)
class StatutoryLimitAdmin(admin.ModelAdmin):
    list_display = [
        "label",
        "applies_to",
        "starts_at",
        "ends_at",
        "length",
        "unit",
        "extension",
        "further_extensions",
        "active",
    ]
    list_filter = ["applies_to", "unit", "active"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []  # other code finds a limit by its code


class ReadOnlyAdmin(admin.ModelAdmin):
    """Complaints change only through ``services`` (the portal's pages and API): the admin
    shows them, within the same scope, and never edits them."""

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, "view")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _DryRun(Exception):
    pass


class PoliceAcceptanceForm(forms.ModelForm):
    """The one step the admin takes on a complaint: the police's acceptance of its transfer,
    through the same service step as the page and the API (its rules, its history)."""

    accepted_on = forms.DateField(
        label=_("Accepted by the police on"), required=False, widget=AdminDateWidget
    )
    receipt_number = forms.CharField(label=_("Receipt number"), required=False, max_length=60)

    class Meta:
        model = Complaint
        fields = []

    user = None  # set by the admin for the request

    def acceptance(self):
        return {
            "on": self.cleaned_data.get("accepted_on"),
            "receipt_number": self.cleaned_data.get("receipt_number", ""),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("accepted_on"):
            # Tried and rolled back, so that a refusal shows on the form itself.
            try:
                with transaction.atomic():
                    services.transition(
                        self.instance, "police_acceptance", self.user, **self.acceptance()
                    )
                    raise _DryRun
            except _DryRun:
                pass
            except ValidationError as error:
                self.add_error(None, error.messages)
        return cleaned


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    form = PoliceAcceptanceForm
    list_display = ["reference", "kind", "channel", "state", "prefecture", "received_on"]
    list_filter = ["kind", "channel", "state", "prefecture"]
    search_fields = ["reference", "case_number"]
    list_select_related = ["prefecture"]
    # The reporter's identity stays with the bureau handling the complaint (art. 33).
    exclude = ["complainant_name", "complainant_contact"]

    def has_change_permission(self, request, obj=None):
        # The model permission lets the form open; the service decides who may record.
        return admin.ModelAdmin.has_change_permission(self, request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [
            field.name
            for field in Complaint._meta.get_fields()
            if field.concrete and field.name not in self.exclude and field.name != "id"
        ]

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": self.get_readonly_fields(request, obj)}),
            (_("The police's acceptance"), {"fields": ["accepted_on", "receipt_number"]}),
        ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("accepted_on"):
            services.transition(obj, "police_acceptance", request.user, **form.acceptance())


@admin.register(CreditPush)
class CreditPushAdmin(ReadOnlyAdmin):
    list_display = [
        "decision_number",
        "respondent_name",
        "party_kind",
        "decided_on",
        "basis",
        "published_on",
    ]
    list_filter = ["party_kind"]
    search_fields = ["decision_number", "respondent_name"]
    # A person's ID number is shown whole only on the decision itself.
    exclude = ["id_number"]
    readonly_fields = ["id_number_masked"]

    @admin.display(description=_("ID number"))
    def id_number_masked(self, obj):
        return obj.id_number_masked


@admin.register(Recusal)
class RecusalAdmin(ReadOnlyAdmin):
    """Experts' declared conflicts of interest; declared on the portal by the expert only."""

    list_display = ["declared_at", "complaint", "expert"]
    list_select_related = ["complaint", "expert"]
    search_fields = ["complaint__reference"]
