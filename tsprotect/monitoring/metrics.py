"""The Prometheus endpoint, ``/metrics``, for the bureau's monitoring and no one else.

- Requests (latency histograms by view, statuses) and database time (a histogram of query
  durations) are django-prometheus' own, from its middleware and its database backends
  (settings: ``MIDDLEWARE``, ``DATABASES``).
- gunicorn runs several worker processes, each with its own counters: with
  ``PROMETHEUS_MULTIPROC_DIR`` set, every process writes them to files in that folder and this
  view adds them up (``tsprotect/monitoring/gunicorn.py`` clears the folder at start and drops a
  dead worker's gauges).
- The Celery queue length is read from the broker at each scrape. A Redis that does not answer
  within ``REDIS_TIMEOUT`` gives ``tsprotect_celery_broker_up 0``, not an error.
- Failed tasks are counted in Redis, not in the worker's memory: the workers are other processes,
  often on other machines than the web nodes, and a folder of counter files is only shared by the
  processes of one machine. Redis is the one store every worker and web node reach, so each web
  node reports the same total of every worker, and the count survives a worker's restart.

Without ``METRICS_TOKEN`` the endpoint does not exist (404); with it, a scrape must send
``Authorization: Bearer <token>`` and, when ``METRICS_ALLOWED_NETWORKS`` is set, come from one
of those networks (``tsprotect.core.network.client_ip``). Everyone else gets the same 404.
"""

import functools
import hmac
import ipaddress
import logging
import os

import redis
from django.conf import settings
from django.http import Http404, HttpResponse
from kombu.transport.redis import PRIORITY_STEPS, Channel
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from tsprotect.core.network import client_ip

logger = logging.getLogger(__name__)

FAILURES_KEY = "tsprotect:metrics:task_failures"  # a hash: task name -> failures
REDIS_TIMEOUT = 1  # seconds; a scrape must not hang on a Redis that is down


@functools.cache
def _redis(url):
    return redis.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
    )


def count_task_failure(task_name: str) -> None:
    """One more failure of ``task_name`` (Celery's task_failure signal, in the worker)."""
    if not settings.REDIS_URL:
        return  # make run: tasks run inside the request, whose error page tells already
    try:
        _redis(settings.REDIS_URL).hincrby(FAILURES_KEY, task_name, 1)
    except redis.RedisError:
        logger.warning("The failure of task %s could not be counted: Redis unavailable", task_name)


def _queue_keys(queue):
    """The Redis lists of ``queue``: kombu keeps one per priority step."""
    return [queue if step == 0 else f"{queue}{Channel.sep}{step}" for step in PRIORITY_STEPS]


class CeleryCollector:
    """The queue length and the failed tasks, read from Redis at each scrape."""

    def collect(self):
        if not settings.REDIS_URL:
            return  # make run: no broker, tasks run in-process
        from tsprotect.celery import app

        queues = sorted(
            {app.conf.task_default_queue, *(q.name for q in app.conf.task_queues or ())}
        )
        up = GaugeMetricFamily(
            "tsprotect_celery_broker_up", "1 if the Celery broker (Redis) answered this scrape."
        )
        try:
            pipe = _redis(settings.REDIS_URL).pipeline(transaction=False)
            for queue in queues:
                for key in _queue_keys(queue):
                    pipe.llen(key)
            pipe.hgetall(FAILURES_KEY)
            *lengths, failures = pipe.execute()
        except redis.RedisError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        waiting = GaugeMetricFamily(
            "tsprotect_celery_queue_length",
            "Tasks waiting in the broker's queue, not yet taken by a worker.",
            labels=["queue"],
        )
        steps = len(PRIORITY_STEPS)
        for index, queue in enumerate(queues):
            waiting.add_metric([queue], sum(lengths[index * steps : (index + 1) * steps]))
        yield waiting
        failed = CounterMetricFamily(
            "tsprotect_celery_task_failures",
            "Celery tasks that raised an error, by task, counted by every worker in Redis.",
            labels=["task"],
        )
        for name, count in sorted(failures.items()):
            failed.add_metric([name.decode()], int(count))
        yield failed


_celery_registry = CollectorRegistry(auto_describe=False)
_celery_registry.register(CeleryCollector())


def _allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return False
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        return False
    if settings.METRICS_ALLOWED_NETWORKS:
        try:
            address = ipaddress.ip_address(client_ip(request))
        except ValueError:
            return False
        return any(address in network for network in settings.METRICS_ALLOWED_NETWORKS)
    return True


def metrics(request):
    if not _allowed(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry) + generate_latest(_celery_registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
