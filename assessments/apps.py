from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Self-protection and risk assessment")

    def ready(self):
        from tsprotect.core import relations

        # The checklist in use is published to every enterprise.
        relations.register_reference("assessments.ChecklistItem")

        from . import contributions

        contributions.register()
