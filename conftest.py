def pytest_configure(config):
    """Collect static files once (in the controller under xdist): with DEBUG off the portal
    serves them from the manifest, as in production, so a missing asset fails the tests."""
    if hasattr(config, "workerinput"):
        return
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
