from django.contrib import admin

from .models import StatutoryLimit


@admin.register(StatutoryLimit)
class StatutoryLimitAdmin(admin.ModelAdmin):
    list_display = ["label", "applies_to", "starts_at", "length", "unit", "extension", "active"]
    list_filter = ["applies_to", "unit", "active"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []  # other code finds a limit by its code
