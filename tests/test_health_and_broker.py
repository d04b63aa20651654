"""/healthz (liveness), /healthz/ready (readiness) and a real round trip through the Redis
broker."""

import uuid

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.urls import reverse

from tsprotect.celery import app
from tsprotect.core.tasks import ping

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def no_worker(monkeypatch):
    """The portal's Celery app on the same broker, but under a key prefix of this test's own: the
    workers other tests of the suite start on the same Redis database do not hear its ping."""
    isolated = Celery(
        "tsprotect-no-worker",
        broker=settings.CELERY_BROKER_URL,
        broker_transport_options={"global_keyprefix": f"{uuid.uuid4().hex}:"},
    )
    monkeypatch.setattr("tsprotect.celery.app", isolated)


@pytest.fixture
def redis_down(settings, monkeypatch):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
        }
    }
    monkeypatch.setattr(app.conf, "broker_url", DEAD_REDIS)


def test_healthz_answers_from_the_process_alone(client, redis_down, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# Transactional: the in-thread worker closes the test's database connection as it starts, which
# inside the usual test transaction leaves it unusable.
@pytest.mark.django_db(transaction=True)
def test_ready_reports_database_redis_and_a_live_worker(client):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        response = client.get(reverse("healthz_ready"))
    assert response.status_code == 200, response.json()
    report = response.json()
    assert report["status"] == "ok"
    assert report["database"] == {"status": "ok", "vendor": "postgresql"}
    assert report["redis"] == {"status": "ok", "mode": "redis"}
    assert report["worker"]["status"] == "ok" and report["worker"]["workers"] >= 1


def test_ready_answers_503_when_no_worker_answers_the_ping(client, no_worker):
    response = client.get(reverse("healthz_ready"))
    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "error"
    assert report["worker"] == {"status": "error", "error": "no worker answered"}
    assert report["database"]["status"] == "ok" and report["redis"]["status"] == "ok"


def test_ready_answers_503_when_redis_is_down(client, redis_down):
    response = client.get(reverse("healthz_ready"))
    assert response.status_code == 503
    report = response.json()
    assert report["redis"] == {"status": "error", "error": "ConnectionError"}
    assert report["worker"]["status"] == "error"
    assert report["database"]["status"] == "ok"


def test_ready_counts_eager_tasks_and_the_local_cache_as_up(client, settings):
    """make run: no Redis, tasks run in the request."""
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    response = client.get(reverse("healthz_ready"))
    assert response.status_code == 200
    assert response.json()["worker"] == {"status": "ok", "mode": "eager"}
    assert response.json()["redis"] == {"status": "ok", "mode": "local"}


def test_a_task_goes_through_redis_to_a_worker():
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert ping.delay().get(timeout=20) == "pong"
