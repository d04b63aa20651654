"""Which regions' rows a user may name in a writable relation (``core.relations``)."""

from tsprotect.core import scoping


def writable_hosts(user, queryset):
    """Parks and associations of the prefectures whose records the user sees.

    A county officer names any park of the prefecture: parks straddle counties.
    """
    codes = scoping.prefecture_codes(user, "view_prefecture_records")
    if codes is scoping.ALL:
        return queryset
    return queryset.filter(prefecture_id__in=sorted(codes))
