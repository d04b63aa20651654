def pytest_configure(config):
    """Collect static files once (in the controller under xdist): with DEBUG off the portal
    serves them from the manifest, as in production, so a missing asset fails the tests."""
    if hasattr(config, "workerinput"):
        return
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def pytest_addoption(parser):
    parser.addoption(
        "--faults",
        action="store_true",
        help="also collect tests/faults (make test-faults): stops and restarts private services",
    )


def pytest_ignore_collect(collection_path, config):
    """The fault tests run only when asked for: they take minutes, mount file systems (root)
    and start their own PostgreSQL, Redis, gunicorn and Celery."""
    if collection_path.name == "faults" and collection_path.parent.name == "tests":
        return None if config.getoption("--faults") else True
    return None
