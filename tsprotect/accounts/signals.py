from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import User
from .roles import sync_groups, sync_user_groups


@receiver(post_save, sender=User)
def keep_role_groups_in_step(sender, instance, raw=False, **kwargs):
    """Group membership follows the role and region fields, whoever edits them."""
    if not raw:
        sync_user_groups(instance)


def create_role_groups(sender, apps=None, using="default", **kwargs):
    """Every deployment has the role and bureau groups as soon as it is migrated.

    Permissions of apps migrated after this one do not exist yet when its post_migrate fires,
    so they are created first.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_groups()
