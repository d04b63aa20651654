from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "tsprotect.reports"
    label = "reports"
    verbose_name = _("Periodic reports")

    def ready(self):
        from . import contributions

        contributions.register()
