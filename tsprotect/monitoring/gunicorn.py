"""gunicorn settings of the monitoring: its error log in the portal's format, and the metrics of
its workers added up (``PROMETHEUS_MULTIPROC_DIR``).

Use it as the configuration (``gunicorn -c python:tsprotect.monitoring.gunicorn``) or import its
names into a gunicorn.conf.py: ``from tsprotect.monitoring.gunicorn import *``.
"""

import os
import shutil
from pathlib import Path

from django.conf import settings
from prometheus_client import multiprocess

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsprotect.settings")

__all__ = ["child_exit", "logconfig_dict", "on_starting"]

logconfig_dict = settings.LOGGING


def on_starting(server):
    """Counter files left by a previous run would be added to this one's: start from none."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    """A worker that ended keeps its counts, but its live gauges must no longer be reported."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
