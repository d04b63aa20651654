"""Each user's permissions, kept in the shared cache between requests.

Every page asks what the user may do: the model permissions of the user and their groups (two
queries of Django's ModelBackend) and the object permissions on Prefecture, Enterprise,
application and complaint rows that scoping reads (one query, ``scoping._object_grants``). They
change only when a bureau's roles are synchronised, an account is verified or an expert
assigned, so they are kept in the shared cache, per user, under a version token, as the region
choices are (``tsprotect/regions/choices.py``):

- a change to any permission, group membership or object permission replaces the token once its
  transaction commits, so an entry written before it is never read again;
- while the current transaction holds such a change not yet committed, the database is read and
  the cache left alone;
- an entry is one user's own, keyed by the user's id and superuser flag (the one account field
  the backends read besides ``is_active``, which they check before any look-up); the database
  name is part of the keys, so test databases sharing a Redis never share an entry.

Changes that send no signal (``QuerySet.update()``, ``bulk_create`` of permission rows, SQL) must
call ``changed()``.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

TIMEOUT = 3600  # an entry outlives its token by at most an hour


def _prefix() -> str:
    return f"permissions:{connections[DEFAULT_DB_ALIAS].settings_dict['NAME']}"


def _new_version():
    cache.set(f"{_prefix()}:version", uuid.uuid4().hex, None)


def changed(*args, **kwargs):
    """Forget every cached permission once the current transaction commits (a signal receiver)."""
    transaction.on_commit(_new_version)


def _pending() -> bool:
    connection = connections[DEFAULT_DB_ALIAS]
    return connection.in_atomic_block and any(
        callback is _new_version for _sids, callback, *_ in connection.run_on_commit
    )


def _version(user) -> str:
    """The token, read once per request (the user object lives as long as its request)."""
    version = getattr(user, "_tsprotect_permission_version", None)
    if version is None:
        key = f"{_prefix()}:version"
        version = cache.get(key)
        if version is None:
            token = uuid.uuid4().hex
            version = token if cache.add(key, token, None) else cache.get(key, token)
        user._tsprotect_permission_version = version
    return version


PARTS = ("perms", "grants")


def _key(user, part: str) -> str:
    return f"{_prefix()}:{part}:{user.pk}:{int(user.is_superuser)}:{_version(user)}"


def cached(user, part: str, compute):
    """``compute()``, the ``part`` ("perms", "grants") of ``user``'s permissions, from the cache
    when it holds them."""
    if _pending():
        return compute()
    # Nearly every page needs both parts: the first asked reads both in one round trip.
    held = getattr(user, "_tsprotect_permission_parts", None)
    if held is None:
        found = cache.get_many([_key(user, name) for name in PARTS])
        held = user._tsprotect_permission_parts = {
            name: found.get(_key(user, name)) for name in PARTS
        }
    value = held.pop(part, None)
    if value is None:
        value = compute()
        cache.set(_key(user, part), value, TIMEOUT)
    return value


def connect_signals(sender_app):
    """Follow every change to what ``cached`` holds (called from CoreConfig.ready)."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
    from guardian.models import GroupObjectPermission, UserObjectPermission

    User = apps.get_model("accounts", "User")
    for model in (UserObjectPermission, GroupObjectPermission, Permission, Group):
        post_save.connect(changed, sender=model, dispatch_uid=f"permcache-{model}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"permcache-{model}")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(changed, sender=through, dispatch_uid=f"permcache-{through}")
    post_migrate.connect(changed, sender=sender_app, dispatch_uid="permcache-migrate")
