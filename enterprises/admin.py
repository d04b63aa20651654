from django.contrib import admin

from tsprotect.core.admin import ScopedHistoryAdmin

from .models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedHistoryAdmin):
    """No object-permission pages: an account acts for an enterprise only once its claim is
    verified (``accounts.services.verify_claim``), never by a grant made by hand."""

    list_display = ["name", "uscc", "prefecture", "county", "created_at"]
    list_filter = ["prefecture"]
    search_fields = ["name", "=uscc"]
    list_select_related = ["prefecture", "county"]
    raw_id_fields = ["created_by"]
    autocomplete_fields = ["county"]

    def get_queryset(self, request):
        # The admin goes through the same scoping as the pages.
        return Enterprise.objects.restrict(request.user, "view").select_related(
            "prefecture", "county"
        )
