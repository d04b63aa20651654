from django.conf import settings
from django.db import connection


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        return {"status": "error", "error": exc.__class__.__name__}


def _broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "ok", "mode": "eager"}
    from tsprotect.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"status": "ok", "mode": "redis"}
    except Exception as exc:  # noqa: BLE001
        return {"status": "error", "mode": "redis", "error": exc.__class__.__name__}


def health_report() -> dict:
    checks = {"database": _database(), "broker": _broker()}
    status = "ok" if all(c["status"] == "ok" for c in checks.values()) else "error"
    return {"status": status, **checks}
