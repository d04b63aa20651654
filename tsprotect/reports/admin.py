from django.contrib import admin

from .models import Report, ReportBuild, ReportEvent


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    fields = ("action", "actor", "at", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read only: reports change through the report pages (build, submit, review)."""

    list_display = ("period", "prefecture", "status", "built_at", "submitted_at", "reviewed_at")
    list_filter = ("period_kind", "status", "prefecture")
    search_fields = ("period",)
    exclude = ("figures", "files_digest")
    inlines = [ReportEventInline]

    def get_queryset(self, request):
        return Report.objects.restrict(request.user).select_related("prefecture")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportBuild)
class ReportBuildAdmin(admin.ModelAdmin):
    list_display = ("period", "prefecture", "status", "requested_by", "requested_at", "error")
    list_filter = ("status",)

    def get_queryset(self, request):
        return ReportBuild.objects.restrict(request.user).select_related("prefecture")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
