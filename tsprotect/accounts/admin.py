from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import ExpertProfile, User


class ExpertProfileInline(admin.StackedInline):
    model = ExpertProfile
    extra = 0


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = [
        "username",
        "display_name",
        "role",
        "prefecture",
        "county",
        "enterprise",
        "is_active",
        "last_login",
    ]
    list_filter = ["role", "prefecture", "is_active", "is_staff"]
    search_fields = ["username", "display_name", "email"]
    list_select_related = ["prefecture", "county", "enterprise"]
    autocomplete_fields = ["county", "enterprise"]
    inlines = [ExpertProfileInline]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("Role in the portal"),
            {
                "fields": ("role", "display_name", "phone", "prefecture", "county", "enterprise"),
            },
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Role in the portal"), {"fields": ("role", "prefecture", "county", "enterprise")}),
    )
