from django.contrib import admin

from .models import Notice, NoticeAttachment


class AttachmentInline(admin.TabularInline):
    model = NoticeAttachment
    extra = 0
    fields = ["title", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # uploads go through the notice page, where the content is checked


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Text corrections; publishing and withdrawing go through the notice pages (services)."""

    list_display = ["title", "category", "status", "published_at", "author"]
    list_filter = ["status", "category"]
    search_fields = ["title"]
    fields = [
        "title",
        "category",
        "summary",
        "body",
        "status",
        "published_at",
        "withdrawn_at",
        "withdrawal_reason",
        "author",
    ]
    readonly_fields = ["status", "published_at", "withdrawn_at", "withdrawal_reason", "author"]
    inlines = [AttachmentInline]

    def has_add_permission(self, request):
        return False  # a notice needs an author: it is written on the notice pages

    def has_delete_permission(self, request, obj=None):
        return False  # withdraw instead, so the record stays
