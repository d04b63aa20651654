from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tsprotect.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals

        post_migrate.connect(signals.create_role_groups, sender=self)

        from tsprotect.core import relations

        from .choosers import nameable_users

        relations.register_chooser("accounts.User", nameable_users)

        from . import contributions

        contributions.register()
