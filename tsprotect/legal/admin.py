from django.contrib import admin

from tsprotect.core.admin import ScopedHistoryAdmin

from .models import Provision


@admin.register(Provision)
class ProvisionAdmin(ScopedHistoryAdmin):
    list_display = [
        "law",
        "key",
        "version",
        "article",
        "title",
        "in_force_from",
        "in_force_until",
        "confirmed",
    ]
    list_filter = ["law", "version", "confirmed"]
    search_fields = ["key", "article", "title"]
    date_hierarchy = "in_force_from"
