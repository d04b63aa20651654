"""The probes of ``/healthz`` (liveness) and ``/healthz/ready`` (readiness).

Liveness answers from the process alone, so that a load balancer or systemd does not restart a
healthy gunicorn because PostgreSQL or Redis is down. Readiness checks what a request and a
report build need: the database, Redis (the cache, which also carries the rate limits) and a live
Celery worker.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import connection

# A probe must answer quickly even when a service hangs: the load balancer's own timeout is a few
# seconds, and one probe checks three services.
WORKER_PING_TIMEOUT = 1.0
BROKER_CONNECT_TIMEOUT = 1.0


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        return {"status": "error", "error": exc.__class__.__name__}


def _redis():
    if not settings.REDIS_URL:
        return {"status": "ok", "mode": "local"}  # make run: the in-process cache
    try:
        cache.set("healthz:ready", "1", timeout=10)
        if cache.get("healthz:ready") != "1":
            return {"status": "error", "error": "round trip"}
        return {"status": "ok", "mode": "redis"}
    except Exception as exc:  # noqa: BLE001
        return {"status": "error", "error": exc.__class__.__name__}


def _worker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "ok", "mode": "eager"}  # make run: tasks run in the request
    from tsprotect.celery import app

    try:
        # A connection of its own, made anew: the pooled one may be stale after Redis restarted.
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_CONNECT_TIMEOUT)
            replies = app.control.ping(timeout=WORKER_PING_TIMEOUT, limit=1, connection=conn)
    except Exception as exc:  # noqa: BLE001
        return {"status": "error", "error": exc.__class__.__name__}
    if not replies:
        return {"status": "error", "error": "no worker answered"}
    return {"status": "ok", "workers": len(replies)}


def liveness() -> dict:
    return {"status": "ok"}


def readiness() -> dict:
    checks = {"database": _database(), "redis": _redis(), "worker": _worker()}
    status = "ok" if all(c["status"] == "ok" for c in checks.values()) else "error"
    return {"status": status, **checks}
