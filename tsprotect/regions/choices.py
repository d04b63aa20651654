"""The regions offered by filter bars (prefectures, counties, parks, FTZ areas), from the cache.

Every list page's filter bar offers the regions in the user's scope. Reading the four tables and
building ~160 model instances on each request cost the directory page more than its own query,
so the rows are kept in the shared cache (Redis in production, so every gunicorn process reads
the same entry), as ``{field: [(pk, label, prefecture code), …]}``, under a version token:

- saving or deleting a Prefecture, County, HostOrganisation or FtzArea replaces the token once its
  transaction commits (a random token, so an entry written before the change is never read
  again; a page rendered between the commit and the new token shows the rows of a moment ago);
- so do ``migrate`` and ``flush`` (the divisions are loaded by a data migration, which sends no
  signal to these models);
- while the current transaction holds an uncommitted change to them, the database is read and
  the cache left alone: the cache only ever holds committed rows;
- the database name is part of the keys, so databases sharing a Redis (parallel test databases)
  never share an entry;
- each process keeps the rows of the last token it read, and reads the token once per request
  (``tsprotect/core/request_memo.py``; on every call outside a request): the entry itself is
  fetched and unpickled only when the token has changed.

Changes that send no signal (``QuerySet.update()``, ``bulk_create``, SQL) must call ``changed()``.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from tsprotect.core import request_memo

TIMEOUT = 24 * 3600  # an entry outlives its token by at most a day
_last: dict = {}  # key of the entry -> its rows, the last one this process read


def _prefix() -> str:
    return f"regions:choices:{connections[DEFAULT_DB_ALIAS].settings_dict['NAME']}"


def _new_version():
    cache.set(f"{_prefix()}:version", uuid.uuid4().hex, None)
    request_memo.forget(f"{_prefix()}:version")


def changed(*args, **kwargs):
    """Forget the cached rows once the current transaction commits (a signal receiver too)."""
    transaction.on_commit(_new_version)


def _pending() -> bool:
    """Whether the current transaction has changed regions it has not committed yet."""
    connection = connections[DEFAULT_DB_ALIAS]
    return connection.in_atomic_block and any(
        callback is _new_version for _sids, callback, *_ in connection.run_on_commit
    )


def _load() -> dict[str, list[tuple]]:
    from .models import County, FtzArea, HostOrganisation, Prefecture

    def rows(queryset, prefecture=lambda row: row.prefecture_id):
        # str(row) is what a ModelChoiceField shows; the models' own ordering is kept.
        return [(row.pk, str(row), prefecture(row)) for row in queryset]

    return {
        "prefecture": rows(Prefecture.objects.all(), prefecture=lambda row: row.pk),
        "county": rows(County.objects.all()),
        "park": rows(HostOrganisation.objects.filter(kind__in=HostOrganisation.PARK_KINDS)),
        "ftz_area": rows(FtzArea.objects.all()),
    }


def _read_version(version_key) -> str:
    version = cache.get(version_key)
    if version is None:
        token = uuid.uuid4().hex
        version = token if cache.add(version_key, token, None) else cache.get(version_key, token)
    return version


def region_rows() -> dict[str, list[tuple]]:
    """``{"prefecture" | "county" | "park" | "ftz_area": [(pk, label, prefecture code), …]}``."""
    if _pending():
        return _load()
    prefix = _prefix()
    version_key = f"{prefix}:version"
    version = request_memo.get(version_key, lambda: _read_version(version_key))
    key = f"{prefix}:{version}"
    rows = _last.get(key)
    if rows is None:
        rows = cache.get(key)
        if rows is None:
            rows = _load()
            cache.set(key, rows, TIMEOUT)
        _last.clear()
        _last[key] = rows
    return rows


def region_name(kind: str, pk) -> str | None:
    """The label of one region (``kind`` as in ``region_rows()``), None if it is unknown."""
    return next((label for key, label, _p in region_rows()[kind] if key == pk), None)
