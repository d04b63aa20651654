from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemonstrationsConfig(AppConfig):
    name = "demonstrations"
    verbose_name = _("Demonstrations")

    def ready(self):
        from tsprotect.core import relations

        # The province's batches are open to every applicant; the services check the track
        # and the deadline.
        relations.register_reference("demonstrations.Batch")

        from . import contributions

        contributions.register()
