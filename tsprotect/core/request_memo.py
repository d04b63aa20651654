"""Values read at most once per request: the cache version tokens that a page reads many times.

A directory page names the region of each of its rows (``region_of``), and each name used to
read the region choices' version token from Redis: a round trip per row. Inside a request, a
token is read once and kept until the request ends; outside one (a Celery task, a shell) nothing
is kept, so a long-lived process never reads a stale token.
"""

import threading

from django.core.signals import request_finished, request_started

_local = threading.local()


def get(key, read):
    """``read()``, or what it gave earlier in the same request."""
    memo = getattr(_local, "memo", None)
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def forget(key):
    """Read ``key`` again next time (its value changed during the request)."""
    memo = getattr(_local, "memo", None)
    if memo is not None:
        memo.pop(key, None)


def _start(**_kwargs):
    _local.memo = {}


def _finish(**_kwargs):
    _local.memo = None


request_started.connect(_start, dispatch_uid="request-memo-start")
request_finished.connect(_finish, dispatch_uid="request-memo-finish")
