"""The client's network address: the one function every throttle, the login lockout and every log
that records an address use (``settings.TRUSTED_PROXY_COUNT``).

Behind the bureau's nginx every request comes from the proxy's own address, and the client's is
in ``X-Forwarded-For``. Each proxy appends the address it received the request from, so only the
right-most entries, one per trusted proxy, were written by a proxy we run; whatever stands to their
left was sent by the client and may be forged. With ``TRUSTED_PROXY_COUNT = N`` the client is the
N-th entry from the right; with 0 (the portal served directly) it is ``REMOTE_ADDR``.

django-ipware is not used: its lenient parser drops a token it cannot read, so a client that sends
an unclosed quote swallows the address nginx appends and picks its own (``'1.2.3.4, "'``).
Here the header is split on commas only, and an entry that is not an address falls back to the
proxy's address rather than to anything the client wrote.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The address of the client that sent ``request``, as text ("" if there is none)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count].strip()))
    except ValueError:
        return remote


# The unspecified address: the one bucket of every request whose client address is unknown.
UNKNOWN_CLIENT = "0.0.0.0"  # noqa: S104 -- a counting key, never an address to bind


def throttle_address(request) -> str:
    """The address the rate limits count a request under.

    A request with no address at all (gunicorn on a unix socket with a proxy that sends no
    X-Forwarded-For) is counted with every other such request rather than refused with a server
    error or let through unlimited; the lockout and the logs keep the empty address as it is.
    """
    return client_ip(request) or UNKNOWN_CLIENT
