"""What every admin with history shares."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from .models import BureauRule


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """simple_history's admin held to the admin's own rules.

    Its history and version pages fetch the row from the history table, not through
    ``get_queryset`` (the scoping), and its version page saves a revert with a view permission
    alone. Here a row out of reach answers as missing, and a revert needs the change
    permission on the row.
    """

    def _reachable(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def history_view(self, request, object_id, extra_context=None):
        # Superusers may still read the history of a deleted row.
        if not request.user.is_superuser:
            self._reachable(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self._reachable(request, object_id)
        if request.method == "POST" and not self.has_change_permission(request, obj):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(BureauRule)
class BureauRuleAdmin(ScopedHistoryAdmin):
    """The bureau's own rules: provincial staff change a value, its explanation and its date in
    force; the code and the unit are what the portal reads, so they stay as they are."""

    list_display = ["label", "value", "unit", "in_force_from", "updated_at"]
    readonly_fields = ["code", "unit", "updated_at"]
    fields = ["code", "label", "value", "unit", "explanation", "in_force_from", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
