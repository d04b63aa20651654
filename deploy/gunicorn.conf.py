"""gunicorn's configuration for the portal, the same for `make stack` and for production
(deploy/bin/web); the environment (deploy/tsprotect.env.example) sets what differs."""

import multiprocessing
import os

# The error log in the portal's JSON format, and the workers' metrics added up in
# PROMETHEUS_MULTIPROC_DIR (tsprotect/monitoring/gunicorn.py).
from tsprotect.monitoring.gunicorn import *  # noqa: F403

# A unix socket (make stack: unix:var/stack/run/gunicorn.sock) or a loopback address behind the
# local nginx; several app nodes bind a private address the proxy reaches.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# A request is CPU-bound (templates, password hashing), so one sync worker a core: more workers
# only queue on the same cores and take memory (2 on the 2-core server of the load test).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
# A 100,000-row directory import is checked and written within its request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "180"))
graceful_timeout = 30
# Restart a worker now and then, so a slow leak in a library never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# nginx keeps its upstream connections open (keepalive in the site file).
keepalive = 75
# nginx logs every request (without its query string, which may hold a complainant's name);
# gunicorn logs its own events to stderr, which supervisord or the journal keeps. A logging
# configuration would switch gunicorn's access log on, with query strings: it stays off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Each worker loads the application itself, so that after an upgrade a HUP (systemctl reload)
# starts workers on the new code while the old ones finish their requests: no downtime.
preload_app = False
