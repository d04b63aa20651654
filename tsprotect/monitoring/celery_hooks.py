"""The Celery side of the monitoring, connected by ``tsprotect/celery.py`` in the portal and in
the worker:

- the worker logs through the portal's ``LOGGING`` (JSON in production) instead of Celery's own
  format;
- a task queued during a request carries that request's id, user and prefecture in a message
  header, and every record the task writes names them, with the task's id and name;
- a task that fails adds one to the failed-task count in Redis, which ``/metrics`` reports
  (``metrics.task_failures``).
"""

import logging
import logging.config

from celery import signals

from . import logs

HEADER = "portal_log_context"
QUEUED_BY = ("request_id", "user_id", "prefecture")
logger = logging.getLogger(__name__)


@signals.setup_logging.connect
def use_portal_logging(**_kwargs):
    """Celery configures no logging of its own when this signal has a receiver."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.before_task_publish.connect
def attach_request_context(headers=None, **_kwargs):
    context = {k: v for k, v in logs.current().items() if k in QUEUED_BY}
    if context and headers is not None:
        headers[HEADER] = context


_task_tokens = {}


@signals.task_prerun.connect
def bind_task_context(task_id=None, task=None, **_kwargs):
    # A task run eagerly (make run) is still inside its request's context, and has no header.
    queued_by = getattr(task.request, HEADER, None) or {}
    _task_tokens[task_id] = logs.bind(
        **{k: v for k, v in queued_by.items() if k in QUEUED_BY},
        task_id=task_id,
        task_name=task.name,
    )


@signals.task_postrun.connect
def unbind_task_context(task_id=None, **_kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        logs.log_context.reset(token)


@signals.task_failure.connect
def count_failure(sender=None, **_kwargs):
    from . import metrics

    metrics.count_task_failure(sender.name)
