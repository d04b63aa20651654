"""Account operations shared by the admin, seed data and (later) self-service registration."""

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from tsprotect.core import scoping

from .models import Role


@transaction.atomic
def grant_enterprise_access(user, enterprise):
    """Let an enterprise user act for ``enterprise`` (see and keep its own record)."""
    user.role = Role.ENTERPRISE
    user.enterprise = enterprise
    user.save(update_fields=["role", "enterprise"])
    assign_perm("enterprises.act_for_enterprise", user, enterprise)
    scoping.forget(user)


@transaction.atomic
def revoke_enterprise_access(user, enterprise):
    remove_perm("enterprises.act_for_enterprise", user, enterprise)
    if user.enterprise_id == enterprise.pk:
        user.enterprise = None
        user.save(update_fields=["enterprise"])
    scoping.forget(user)
