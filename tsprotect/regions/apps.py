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

        from tsprotect.core import relations

        from . import choosers

        # The divisions are public; a park or association is named only by a bureau that may
        # see its prefecture's records (a county officer: every park of the prefecture).
        relations.register_reference("regions.Prefecture", "regions.County", "regions.FtzArea")
        relations.register_chooser("regions.HostOrganisation", choosers.writable_hosts)
