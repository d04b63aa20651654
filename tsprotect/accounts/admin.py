from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from tsprotect.core.admin import ScopedHistoryAdmin

from . import services
from .models import ExpertProfile, User


class ExpertProfileInline(admin.StackedInline):
    model = ExpertProfile
    extra = 0


# What only a superuser may set: each one confers privileges, or decides which rows the
# scoping lets the account reach. Roles and regions are managed on the account pages, where
# the role sets the groups.
SUPERUSER_FIELDS = {"password", "is_superuser", "is_staff", "groups", "user_permissions"}
ACCOUNT_PAGE_FIELDS = ("username", "role", "prefecture", "county", "enterprise", "is_active")


@admin.register(User)
class UserAdmin(ScopedHistoryAdmin, BaseUserAdmin):
    """Superusers manage every field. Other staff see the accounts the scoping lets them see
    and correct names and contacts of those they may change; nothing that grants access."""

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

    def get_queryset(self, request):
        # Superuser accounts are out of a non-superuser's reach: they answer as missing.
        return User.objects.restrict(request.user, "view").select_related(*self.list_select_related)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": kept})
            for name, options in fieldsets
            if (kept := [f for f in options["fields"] if f not in SUPERUSER_FIELDS])
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return [*readonly, *ACCOUNT_PAGE_FIELDS, "last_login", "date_joined"]

    def _may_change(self, request, obj):
        if request.user.is_superuser or obj is None:
            return True
        return User.objects.restrict(request.user, "change").filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        # Accounts are created on the account pages, by role, with a temporary password.
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_change(request, obj)

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A version lacks the password (kept out of the history), so reverting would wipe it,
        # and would bring back whatever privileges the account once had.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        services.save_account(obj, by=request.user)

    def user_change_password(self, request, id, form_url=""):
        # Setting another account's password is taking it over.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)
