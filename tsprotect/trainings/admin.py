from django.contrib import admin

from tsprotect.core.admin import ScopedHistoryAdmin

from .models import Registration, TrainingEvent


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    fields = ["name", "organisation", "phone", "email", "enterprise", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TrainingEvent)
class TrainingEventAdmin(ScopedHistoryAdmin):
    list_display = ["title", "kind", "prefecture", "starts_at", "capacity", "status"]
    list_filter = ["status", "kind", "prefecture"]
    search_fields = ["title", "organiser"]
    list_select_related = ["prefecture"]
    raw_id_fields = ["created_by"]
    readonly_fields = ["status", "published_at", "cancelled_at"]
    inlines = [RegistrationInline]

    def get_queryset(self, request):
        # The admin goes through the same scoping as the pages.
        return TrainingEvent.objects.restrict(request.user, "view").select_related("prefecture")
