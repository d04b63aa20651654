"""Settings from the environment: safe defaults, production checks, a real SECRET_KEY."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL_KEY = "k3y-" + "x7Qp9LmZ2vR8sT4wY6uB1nC5dF0gH3jK" * 2


def run(code, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "HTTPS")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tsprotect.settings');"
    "from django.conf import settings as s;"
    "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'],"
    " s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
)


def test_the_portal_refuses_to_start_without_a_secret_key():
    result = run(SHOW, DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_portal_refuses_a_short_secret_key():
    result = run(SHOW, DEBUG="false", SECRET_KEY="changeme")
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_the_embedded_default_is_sqlite_under_var_with_eager_celery():
    result = run(SHOW, DEBUG="true")
    assert result.returncode == 0, result.stderr
    engine, name, eager, broker = result.stdout.split()
    assert engine == "django_prometheus.db.backends.sqlite3"  # measured (metrics)
    assert name.endswith("var/tsprotect.sqlite3")
    assert eager == "True" and broker == "memory://"


def test_postgresql_and_redis_when_configured():
    result = run(
        SHOW,
        DEBUG="true",
        DATABASE_URL="postgres://u@db.example:5432/tsprotect",
        REDIS_URL="redis://cache.example:6379/0",
    )
    engine, name, eager, broker = result.stdout.split()
    assert engine == "django_prometheus.db.backends.postgresql" and name == "tsprotect"
    assert eager == "False" and broker == "redis://cache.example:6379/0"


def test_check_deploy_reports_nothing_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE")
            },
            "DEBUG": "false",
            "SECRET_KEY": REAL_KEY,
            "ALLOWED_HOSTS": "tsprotect.example.gov.cn",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
