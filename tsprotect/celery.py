import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsprotect.settings")

app = Celery("tsprotect")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The worker's logs, the request context of the tasks and the failed-task count.
from tsprotect.monitoring import celery_hooks  # noqa: E402, F401
