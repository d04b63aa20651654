from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from tsprotect.core.sessions import end_sessions

from .models import User
from .roles import sync_groups, sync_user_groups


@receiver(post_save, sender=User)
def keep_role_groups_in_step(sender, instance, raw=False, **kwargs):
    """Group membership follows the role and region fields, whoever edits them."""
    if not raw:
        sync_user_groups(instance)
    if getattr(instance, "_password_noted", False):
        del instance._password_noted, instance._change_reason


@receiver(pre_save, sender=User)
def note_password_change(sender, instance, raw=False, **kwargs):
    """The history keeps the hash out, so a new password is recorded as the row's reason,
    whoever sets it (the user, a reset link, a superuser in the admin, a service).

    ``set_password`` leaves the raw password in ``_password`` until the save; a hash upgraded
    at login is saved without it, and is no change of password.
    """
    from .services import PASSWORD_CHANGED

    if raw or instance.pk is None or instance._password is None:
        return
    if not getattr(instance, "_change_reason", None):
        instance._change_reason = PASSWORD_CHANGED
        instance._password_noted = True


@receiver(m2m_changed, sender=User.groups.through)
def record_group_change(sender, instance, action, reverse, pk_set, **kwargs):
    """Group membership confers permissions, so each change is a row of the account's history."""
    from .services import record_groups

    if action not in ("post_add", "post_remove", "post_clear"):
        return
    accounts = User.objects.filter(pk__in=pk_set or ()) if reverse else [instance]
    for account in accounts:
        record_groups(account)


@receiver(post_save, sender=User)
def log_out_everywhere_on_a_new_password(sender, instance, created=False, raw=False, **kwargs):
    """A new password (changed, reset, set in the admin or by an officer) ends every session of
    the account and revokes its API tokens: whoever held the old one is out, and so is any
    system given a token by whoever held it. The page that changed it keeps its own browser
    logged in through ``update_session_auth_hash``, which moves that session to a new key."""
    # set_password() leaves the raw password in _password until the save completes.
    if not raw and not created and instance._password is not None:
        end_sessions(instance)
        Token.objects.filter(user=instance).delete()


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
