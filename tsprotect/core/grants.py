"""Object permissions given for a piece of work, and taken back when it ends.

An expert consulted on a complaint or assigned to review an application holds a guardian object
permission on that one row while the work lasts. These helpers are the only way such a
permission is given or withdrawn, so each period leaves an ``AccessGrant`` row: who, from when,
granted by whom, until when, withdrawn by whom and why. Callers run them inside their own
transaction (the step that grants or ends the work).
"""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm

from . import scoping
from .models import AccessGrant


def _where(obj, perm):
    _app_label, codename = perm.split(".", 1)
    content_type = ContentType.objects.get_for_model(obj)
    return content_type, str(obj.pk), codename


def grant(user, perm, obj, *, by):
    """Give ``user`` the permission ``perm`` ("app.codename") on ``obj`` and open its record
    (the open one is kept if the user already holds it)."""
    content_type, object_pk, codename = _where(obj, perm)
    assign_perm(perm, user, obj)
    scoping.forget(user)
    record, _created = AccessGrant.objects.get_or_create(
        content_type=content_type,
        object_pk=object_pk,
        permission=codename,
        user=user,
        revoked_at=None,
        defaults={"granted_by": by},
    )
    return record


def revoke(perm, obj, *, reason, by=None, users=None) -> list:
    """Withdraw ``perm`` on ``obj`` from ``users`` (everyone holding it when None) and close
    their records with ``reason``. A permission given before the records were kept is withdrawn
    as well. Returns the ids of the users who lost it."""
    content_type, object_pk, codename = _where(obj, perm)
    held = UserObjectPermission.objects.filter(
        content_type=content_type, object_pk=object_pk, permission__codename=codename
    )
    records = AccessGrant.objects.filter(
        content_type=content_type, object_pk=object_pk, permission=codename, revoked_at=None
    )
    if users is not None:
        ids = [getattr(u, "pk", u) for u in users]
        held = held.filter(user_id__in=ids)
        records = records.filter(user_id__in=ids)
    lost = set(held.values_list("user_id", flat=True)) | set(
        records.values_list("user_id", flat=True)
    )
    held.delete()
    records.update(revoked_at=timezone.now(), revoked_by=by, revoke_reason=reason)
    for user in users or ():
        if not isinstance(user, int):
            scoping.forget(user)
    return sorted(lost)


def holders(perm, obj):
    """The ids of the users holding ``perm`` on ``obj`` now."""
    content_type, object_pk, codename = _where(obj, perm)
    return set(
        UserObjectPermission.objects.filter(
            content_type=content_type, object_pk=object_pk, permission__codename=codename
        ).values_list("user_id", flat=True)
    )


def history(obj, perm):
    """Every period of ``perm`` on ``obj``, oldest first, for those who handle ``obj``."""
    content_type, object_pk, codename = _where(obj, perm)
    return AccessGrant.objects.filter(
        content_type=content_type, object_pk=object_pk, permission=codename
    ).select_related("user", "granted_by", "revoked_by")
