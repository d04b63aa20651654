"""Which accounts a user may name in a writable relation (``core.relations``)."""

from tsprotect.core import scoping

from .models import Role


def nameable_users(user, queryset):
    """The active experts of the pool, for staff who assign or consult them (§16).

    The pool serves the whole province; enterprises and experts name no account.
    """
    if not scoping.prefecture_codes(user, "view_prefecture_records"):
        return queryset.none()
    return queryset.filter(role=Role.EXPERT, is_active=True)
