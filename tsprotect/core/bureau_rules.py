"""The bureau's own rules (``BureauRule``), as every page, API, admin action and task reads them.

The values are few and read on many pages (a visit interval per tier on the directory, a pass
mark on each decision), so they are read once into the cache as a whole, with each rule's past
values, and dropped from it whenever a rule is saved. The history is what lets a value be
changed ahead of its date in force: on a given day the rule is the most recently saved value
already in force that day.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

CACHE_KEY = "bureau-rules:v1"
# A change reaches every process at once through the dropped key; the timeout only bounds a
# value kept across a Redis outage, when the key could not be dropped.
CACHE_SECONDS = 600


@dataclass(frozen=True)
class RuleValue:
    code: str
    label: str
    value: int
    unit: str
    unit_label: str
    explanation: str
    in_force_from: dt.date


def _load():
    from .models import BureauRule

    rules = {}
    for row in BureauRule.objects.all():
        # The row itself first: data migrations write rows without a history entry.
        rules[row.code] = {
            "label": row.label,
            "unit": row.unit,
            "explanation": row.explanation,
            "versions": [(row.in_force_from, row.value)],
        }
    history = (
        BureauRule.history.exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .values_list("code", "in_force_from", "value")
    )
    for code, in_force_from, value in history:
        if code in rules:
            rules[code]["versions"].append((in_force_from, value))
    return rules


def _rules():
    rules = cache.get(CACHE_KEY)
    if rules is None:
        rules = _load()
        cache.set(CACHE_KEY, rules, CACHE_SECONDS)
    return rules


def forget():
    """Drop the cached rules now and once the change commits (a read in between, inside the
    transaction, would cache the uncommitted value)."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def rule(code: str, on: dt.date | None = None) -> RuleValue:
    """The rule ``code`` as it stands on ``on`` (today by default)."""
    from .models import BureauRule

    try:
        entry = _rules()[code]
    except KeyError:
        raise LookupError(f"No bureau rule {code!r}: run the migrations.") from None
    on = on or timezone.localdate()
    in_force = [version for version in entry["versions"] if version[0] <= on]
    # Before the first date in force the earliest value is the only one there is.
    start, value = in_force[0] if in_force else min(entry["versions"])
    return RuleValue(
        code=code,
        label=entry["label"],
        value=value,
        unit=entry["unit"],
        unit_label=str(BureauRule.Unit(entry["unit"]).label),
        explanation=entry["explanation"],
        in_force_from=start,
    )


def bureau_rule(code: str, on: dt.date | None = None) -> int:
    """The value of the bureau's rule ``code`` on ``on`` (today by default)."""
    return rule(code, on).value
