from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "tsprotect.regions"
    label = "regions"
    verbose_name = _("Regions and calendar")

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from . import choices
        from .models import County, FtzArea, HostOrganisation, Prefecture

        # The filter bars' cached region choices (choices.py) follow every change.
        for model in (Prefecture, County, HostOrganisation, FtzArea):
            post_save.connect(choices.changed, sender=model, dispatch_uid=f"choices-{model}")
            post_delete.connect(choices.changed, sender=model, dispatch_uid=f"choices-{model}")
        post_migrate.connect(choices.changed, sender=self, dispatch_uid="choices-migrate")
