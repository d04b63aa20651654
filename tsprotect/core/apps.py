from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tsprotect.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import permcache

        permcache.connect_signals(self)
