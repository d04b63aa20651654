from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "channel", "state", "prefecture", "received_on"]
    list_filter = ["kind", "channel", "state", "prefecture"]
    search_fields = ["reference", "case_number"]
    list_select_related = ["prefecture"]
    # The reporter's identity stays with the bureau handling the complaint (art. 33).
    exclude = ["complainant_name", "complainant_contact"]


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
