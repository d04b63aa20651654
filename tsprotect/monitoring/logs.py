"""The portal's log records and their two formats.

Every record written while a request (or a Celery task it queued) is handled carries that
request's id, the user's id and the user's prefecture: ``RequestIdMiddleware`` and the Celery
hooks put them in a context variable, and ``LogContextFilter`` copies them onto each record.

In JSON, a record is one object per line with only the fields named in ``FIELDS`` (plus the
traceback): whatever else a library attaches to a record (Celery attaches a task's arguments,
Django the request) is left out, so that it cannot carry a complainant's identity or a file's
contents into the logs.

This module is read by the settings, so it imports nothing of Django.
"""

import contextvars
import logging
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter

# The request id, user id and prefecture code of the request (or task) being handled.
CONTEXT_FIELDS = ("request_id", "user_id", "prefecture", "task_id", "task_name")
FIELDS = ("time", "level", "logger", "message", *CONTEXT_FIELDS)

log_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "log_context", default=None
)


def current() -> dict:
    """The context of the request or task being handled ({} outside one)."""
    return log_context.get() or {}


def bind(**fields) -> contextvars.Token:
    """Add ``fields`` to the current context; ``log_context.reset(token)`` undoes it."""
    return log_context.set({**current(), **fields})


class LogContextFilter(logging.Filter):
    """Copies the current context onto each record, ``None`` where there is none, so that the
    text format may name them too."""

    def filter(self, record):
        context = current()
        for name in CONTEXT_FIELDS:
            if not hasattr(record, name):
                setattr(record, name, context.get(name))
        record.request_label = record.request_id or "-"  # the text format's
        return True


class PortalJsonFormatter(JsonFormatter):
    """One JSON object per record, with the fields of ``FIELDS`` only."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("json_ensure_ascii", False)  # the messages are Chinese
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data, record, message_dict):
        context = current()
        log_data["time"] = datetime.fromtimestamp(record.created, UTC).isoformat(
            timespec="milliseconds"
        )
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.message
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None) or context.get(name)
            if value is not None:
                log_data[name] = value
        for name in ("exc_info", "stack_info"):
            if message_dict.get(name):
                log_data[name] = message_dict[name]


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_label)s] %(message)s"


def logging_config(fmt: str, level: str) -> dict:
    """The ``LOGGING`` of the portal, its Celery worker and gunicorn (settings.LOG_FORMAT)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": LogContextFilter}},
        "formatters": {
            "json": {"()": PortalJsonFormatter},
            "text": {"format": TEXT_FORMAT},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": fmt,
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # gunicorn's own records (worker starts, timeouts) in the same format, once.
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # Not its access log, which a logging configuration turns on: it writes each URL with
            # its query, such as a search of the complaint queue by a complainant's name.
            "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "axes": {"level": "WARNING"},
            # weasyprint logs every rendering step at INFO.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},  # logs every glyph it subsets for a PDF
        },
    }
