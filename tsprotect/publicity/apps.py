from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicityConfig(AppConfig):
    name = "tsprotect.publicity"
    label = "publicity"
    verbose_name = _("Information platform")

    def ready(self):
        from . import contributions

        contributions.register()
