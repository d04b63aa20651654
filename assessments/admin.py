from django.contrib import admin

from .models import ChecklistCategory, ChecklistItem, ChecklistSubmission, ChecklistTemplate


class DraftOnlyMixin:
    """A published or retired version is read-only: submissions were made on its wording."""

    def _editable(self, obj):
        template = getattr(obj, "template", obj)
        return obj is None or template is None or template.is_editable

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(obj)


class CategoryInline(DraftOnlyMixin, admin.TabularInline):
    model = ChecklistCategory
    extra = 0
    fields = ["order", "code", "name"]

    def has_add_permission(self, request, obj=None):
        return self._editable(obj)


class ItemInline(DraftOnlyMixin, admin.StackedInline):
    model = ChecklistItem
    extra = 0
    fields = [
        ("order", "code", "category"),
        "text",
        ("weight", "critical", "evidence_expected"),
        "guidance",
        "legal_basis",
    ]

    def has_add_permission(self, request, obj=None):
        return self._editable(obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            template_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = ChecklistCategory.objects.filter(template_id=template_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["version", "name", "status", "published_at"]
    readonly_fields = ["version", "status", "published_at", "published_by"]
    fields = ["name", "note", *readonly_fields]
    inlines = [CategoryInline, ItemInline]

    def has_add_permission(self, request):
        return False  # a new version is a copy of one in use: "Start a new version" on the portal


@admin.register(ChecklistSubmission)
class ChecklistSubmissionAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "prefecture", "template", "status", "score", "tier"]
    list_filter = ["status", "tier", "prefecture"]
    list_select_related = ["enterprise", "prefecture", "template"]
    search_fields = ["enterprise__name", "=enterprise__uscc"]
    readonly_fields = [f.name for f in ChecklistSubmission._meta.fields]

    def get_queryset(self, request):
        return ChecklistSubmission.objects.restrict(request.user, "view")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # filled, submitted and confirmed on the portal pages, by their rules

    def has_delete_permission(self, request, obj=None):
        return False
