"""The one scoping entry point: ``Model.objects.restrict(user, action)``.

Every list, detail, export, count, chart, report and API view obtains its rows here. A scoped
model declares a ``scope = Scope(...)`` saying which field holds its prefecture (and county, and
enterprise), and which Prefecture capability each action needs. The filter is
``prefecture_id IN (…)`` over the few Prefecture rows on which the user's groups hold that
capability (django-guardian object permissions), never a per-row permission lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import Q

from . import permcache

ALL = object()  # the user may act on every prefecture

# The models on which object permissions are granted: a bureau's Prefecture row, the Enterprise an
# enterprise user acts for, the demonstration application an expert is assigned to review, the
# complaint an expert is consulted on.
GRANT_MODELS = (
    "regions.Prefecture",
    "enterprises.Enterprise",
    "demonstrations.DemonstrationApplication",
    "complaints.Complaint",
)


@dataclass(frozen=True)
class Scope:
    prefecture_field: str = "prefecture"
    county_field: str | None = "county"
    # Path to the enterprise id, for enterprise users acting on their own rows.
    enterprise_field: str | None = None
    enterprise_actions: tuple[str, ...] = ()
    # action -> capability codename on the Prefecture row ("view_prefecture_records", …).
    permissions: dict[str, str] = field(default_factory=dict)
    # Extra rows a user reaches by other object permissions (an expert's assignments).
    extra_access: Callable[[object, str], Q | None] | None = None


def _cache(user) -> dict:
    cache = getattr(user, "_tsprotect_scope_cache", None)
    if cache is None:
        cache = user._tsprotect_scope_cache = {}
    return cache


def _object_grants(user) -> dict:
    """Every object permission the user holds on the ``GRANT_MODELS`` rows, in one query.

    ``{(model, codename): {pk, …}}``; read once per request (kept on the user object), from the
    shared cache while no permission has changed (permcache.py). Reading guardian's tables
    directly keeps this to a few indexed rows: its ``get_objects_for_user`` joins on the object
    table with a cast, which scans a million-row directory.
    """
    cache = _cache(user)
    if "grants" not in cache:
        cache["grants"] = permcache.cached(user, "grants", lambda: _read_grants(user))
    return cache["grants"]


def _read_grants(user) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission, UserObjectPermission

    types = ContentType.objects.get_for_models(*(apps.get_model(m) for m in GRANT_MODELS))
    labels = {ct.pk: model._meta.label_lower for model, ct in types.items()}
    fields = ("content_type_id", "permission__codename", "object_pk")
    by_user = UserObjectPermission.objects.filter(
        user_id=user.pk, content_type_id__in=labels
    ).values_list(*fields)
    by_group = GroupObjectPermission.objects.filter(
        group__user=user.pk, content_type_id__in=labels
    ).values_list(*fields)
    grants: dict = {}
    for content_type_id, codename, object_pk in by_user.union(by_group, all=True):
        grants.setdefault((labels[content_type_id], codename), set()).add(object_pk)
    return grants


def prefecture_codes(user, codename: str):
    """``ALL``, or the codes of the prefectures on which the user holds ``codename``."""
    key = ("prefectures", codename)
    cache = _cache(user)
    if key not in cache:
        if not user.is_active:
            cache[key] = frozenset()
        elif user.is_superuser or user.has_perm(f"regions.{codename}"):
            cache[key] = ALL
        else:
            cache[key] = frozenset(_object_grants(user).get(("regions.prefecture", codename), ()))
    return cache[key]


def enterprise_ids(user) -> frozenset:
    """Enterprises the user acts for (guardian object permission granted on verification)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    grants = _object_grants(user).get(("enterprises.enterprise", "act_for_enterprise"), ())
    return frozenset(int(pk) for pk in grants)


def granted_ids(user, model_label: str, codename: str) -> frozenset:
    """Primary keys of ``model_label`` rows on which the user holds ``codename``."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(int(pk) for pk in _object_grants(user).get((model_label, codename), ()))


def forget(user):
    """Drop what was looked up for ``user`` (after its permissions change)."""
    for attribute in ("_tsprotect_scope_cache", "_tsprotect_permission_version", "_perm_cache"):
        if hasattr(user, attribute):
            delattr(user, attribute)


def scope_q(model, user, action: str) -> Q | None:
    """The filter for ``user`` doing ``action`` on ``model``; ``None`` means no rows at all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    scope: Scope = model.scope
    parts: list[Q] = []
    codename = scope.permissions.get(action)
    if codename:
        codes = prefecture_codes(user, codename)
        county = user.county_limit
        if codes is ALL and not county:
            return Q()  # every row: nothing to filter
        if codes is ALL or codes:
            q = Q() if codes is ALL else Q(**{f"{scope.prefecture_field}__in": sorted(codes)})
            if not county:
                parts.append(q)
            elif scope.county_field:
                parts.append(q & Q(**{scope.county_field: county}))
            # else: a county officer never sees rows that carry no county.
    if scope.enterprise_field and action in scope.enterprise_actions:
        ids = enterprise_ids(user)
        if ids:
            parts.append(Q(**{f"{scope.enterprise_field}__in": sorted(ids)}))
    if scope.extra_access:
        extra = scope.extra_access(user, action)
        if extra is not None:
            parts.append(extra)
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def restrict(queryset: models.QuerySet, user, action: str = "view") -> models.QuerySet:
    q = scope_q(queryset.model, user, action)
    if q is None:
        return queryset.none()
    return queryset.filter(q) if q else queryset


def can(user, model, action: str = "view") -> bool:
    """Whether the user may ``action`` some rows of ``model`` (for pages listing or creating)."""
    return scope_q(model, user, action) is not None


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        return restrict(self, user, action)


def prefectures_for(user, model, action: str):
    """The prefectures in which ``user`` may ``action`` rows of ``model`` (form choices)."""
    Prefecture = apps.get_model("regions", "Prefecture")
    codename = model.scope.permissions.get(action)
    codes = prefecture_codes(user, codename) if codename and user.is_authenticated else frozenset()
    if codes is ALL:
        return Prefecture.objects.all()
    return Prefecture.objects.filter(pk__in=sorted(codes))


def county_limit(user):
    """The one county a county officer is confined to, else None.

    The user model says which (``User.county_limit``), so scoping needs nothing of its roles.
    """
    return user.county_limit if user.is_authenticated else None


def check_placement(user, model, action: str, prefecture_id, county_id=None) -> None:
    """Refuse to place a row where the user may not ``action`` (creating or moving a record).

    Raises ValidationError keyed by field, so forms and serializers show it on the field.
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if not prefectures_for(user, model, action).filter(pk=prefecture_id).exists():
        raise ValidationError({"prefecture": _("You may not file records in this prefecture.")})
    limit = county_limit(user)
    if limit and county_id != limit:
        raise ValidationError({"county": _("You may only file records of your own county.")})


def is_province_wide(user) -> bool:
    """Provincial staff: the prefecture capabilities held for the whole province."""
    return user.is_authenticated and prefecture_codes(user, "view_prefecture_records") is ALL
