from django.db.models.signals import post_save
from django.dispatch import receiver

from tsprotect.core.sessions import end_sessions

from .models import User
from .roles import sync_groups, sync_user_groups


@receiver(post_save, sender=User)
def keep_role_groups_in_step(sender, instance, raw=False, **kwargs):
    """Group membership follows the role and region fields, whoever edits them."""
    if not raw:
        sync_user_groups(instance)


@receiver(post_save, sender=User)
def log_out_everywhere_on_a_new_password(sender, instance, created=False, raw=False, **kwargs):
    """A new password (changed, reset, set in the admin or by an officer) ends every session of
    the account: whoever held the old one is out. The page that changed it keeps its own browser
    logged in through ``update_session_auth_hash``, which moves that session to a new key."""
    # set_password() leaves the raw password in _password until the save completes.
    if not raw and not created and instance._password is not None:
        end_sessions(instance)


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
