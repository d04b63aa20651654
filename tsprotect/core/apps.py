from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tsprotect.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import navigation, permcache
        from .models import BureauRule

        permcache.connect_signals(self)
        navigation.register()
        post_save.connect(_forget_bureau_rules, sender=BureauRule, dispatch_uid="rule-saved")
        post_delete.connect(_forget_bureau_rules, sender=BureauRule, dispatch_uid="rule-deleted")


def _forget_bureau_rules(sender, **kwargs):
    from . import bureau_rules

    bureau_rules.forget()
