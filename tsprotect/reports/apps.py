from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "tsprotect.reports"
    label = "reports"
    verbose_name = _("Periodic reports")

    def ready(self):
        # Hands the Celery tasks to the services, which queue them without importing tasks.py.
        from . import contributions, tasks  # noqa: F401

        contributions.register()
