"""One private stack for the whole fault run (collected only by ``make test-faults``, i.e.
``pytest --faults tests/faults``): PostgreSQL and Redis of its own, the demo seeded, gunicorn, a
Celery worker and beat. Each test leaves the services running as it found them."""

import shutil
import tempfile
from pathlib import Path

import pytest

from .services import Portal, PrivatePostgres, PrivateRedis


@pytest.fixture(scope="session")
def stack():
    postgres = PrivatePostgres()
    directory = Path(tempfile.mkdtemp(prefix="tsprotect-faults-"))
    redis_server = PrivateRedis(directory)
    portal = Portal(postgres, redis_server, directory)
    try:
        postgres.start()
        postgres.create_database()
        redis_server.start()
        portal.prepare()
        portal.start()
        yield portal
    finally:
        portal.stop()
        redis_server.stop()
        postgres.destroy()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def running(stack):
    """The stack, checked to be whole before and after the test."""
    for process in stack.processes.values():
        assert process.alive(), f"{process.name} died:\n{process.output()[-3000:]}"
    yield stack
    for process in stack.processes.values():
        assert process.alive(), f"{process.name} died:\n{process.output()[-3000:]}"
