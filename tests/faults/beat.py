"""The Celery app of the fault tests' beat: the portal's own, plus a ping every second, so that
a test sees within seconds whether beat still sends and the worker still runs what it sends."""

from tsprotect.celery import app

app.conf.beat_schedule = {
    **app.conf.beat_schedule,
    "fault-tests-ping": {"task": "tsprotect.core.tasks.ping", "schedule": 1.0},
}
