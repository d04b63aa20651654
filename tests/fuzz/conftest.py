"""The API fuzzing run (``make fuzz``): the portal's demo data in the test database.

The demo is seeded once for the session into the test database that pytest-django creates
(``test_`` + the name in ``DATABASE_URL``) and drops at the end, with its files in a temporary
folder; each generated request then runs in a savepoint that is rolled back
(``test_api_contract.py``), so no case sees what an earlier one wrote, and nothing is ever
committed.
"""

import pytest
from django.core.management import call_command
from django.test import override_settings

from tsprotect.celery import app as celery_app


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    return {"MEDIA_ROOT": root / "media", "EVIDENCE_ROOT": root / "evidence"}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, demo_files):
    # seed_demo refuses to run without DEBUG: it creates accounts with a known password, which
    # is what a test database wants. The few report files it has rendered are rendered here,
    # so that no job reaches the broker (a worker of another run could take it).
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with django_db_blocker.unblock(), override_settings(DEBUG=True, **demo_files):
            call_command("seed_demo", verbosity=0)
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, demo_files):
    """The demo's files (evidence, application attachments) stay where they were seeded."""
    for name, path in demo_files.items():
        setattr(settings, name, path)
