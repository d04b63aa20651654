"""The account list's filters."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tsprotect.regions.models import Prefecture

from .models import Role, User


class AccountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))
    prefecture = django_filters.ModelChoiceFilter(
        queryset=Prefecture.objects.all(), label=_("Prefecture")
    )
    active = django_filters.ChoiceFilter(
        choices=[("yes", _("Active")), ("no", _("Deactivated"))],
        method="filter_active",
        label=_("Status"),
    )

    class Meta:
        model = User
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value)
            | Q(display_name__icontains=value)
            | Q(email__icontains=value)
        )

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes")
