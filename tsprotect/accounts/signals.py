from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import User
from .roles import sync_groups, sync_user_groups


@receiver(post_save, sender=User)
def keep_role_groups_in_step(sender, instance, raw=False, **kwargs):
    """Group membership follows the role and region fields, whoever edits them."""
    if not raw:
        sync_user_groups(instance)


def create_role_groups(sender, **kwargs):
    """Every deployment has the role and bureau groups as soon as it is migrated."""
    sync_groups()
