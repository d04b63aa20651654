"""Rate limits of the public account forms (registration, password reset, login), per address.

django-ratelimit counts in the shared cache. The rates are named in ``settings.RATELIMITS`` and
read at each request; the address is ``tsprotect.core.network.client_ip`` (through
``RATELIMIT_IP_META_KEY``), the one the login lockout sees too. Counters are kept per database —
its name and, on PostgreSQL, its oid — so that a test database created anew, or another portal
sharing the Redis, starts from zero.
"""

from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

_namespaces: dict = {}


def _namespace() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    name = str(connection.settings_dict["NAME"])
    if name not in _namespaces:
        suffix = ""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
                suffix = str(cursor.fetchone()[0])
        _namespaces[name] = f"{name}:{suffix}"
    return _namespaces[name]


def throttled(request, name: str, *, increment: bool = True) -> bool:
    """Whether the client's address is over the rate ``name``.

    With ``increment`` this request counts, and is refused when it goes over the rate. Without,
    nothing is counted: the answer is whether the address has already used up its rate (a
    check before the outcome is known, as for a login that counts only when it fails).
    """
    usage = get_usage(
        request,
        group=f"{_namespace()}:{name}",
        key="ip",
        rate=settings.RATELIMITS[name],
        increment=increment,
    )
    if usage is None:
        return False
    if increment:
        return usage["should_limit"]
    return usage["count"] >= usage["limit"]


def too_many_requests(request):
    """The clear answer to a throttled request: a 429 page telling what to do."""
    return render(
        request,
        "registration/throttled.html",
        {
            "message": _(
                "Too many attempts from your network address. For security, please wait an hour "
                "and try again; if you need help now, call the market regulation bureau of your "
                "prefecture."
            )
        },
        status=429,
    )


def limit_posts(name: str):
    """A view decorator: every POST counts against the rate ``name``; over it, the 429 page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST" and throttled(request, name):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
