"""What the accounts bring to the shared pages and commands (see core.contributions).

Imported by AccountsConfig.ready(), once every app's models are loaded."""

from django.utils.translation import gettext_lazy as _

from tsprotect.core import contributions, scoping

from . import demo
from .models import EnterpriseClaim, User
from .services import managed_enterprise_ids


def register():
    contributions.menu_entry("users", _("Accounts"), visible=_accounts, order=100)
    contributions.menu_entry("claims", _("Account verification"), visible=_claims, order=110)
    contributions.menu_entry("team", _("Our users"), visible=_team, order=120)
    contributions.workbench_card("accounts/_workbench_expert.html", expert_card, order=60)
    contributions.demo_step("users", demo.seed_users)


def _accounts(user):
    return scoping.can(user, User, "view")


def _claims(user):
    return scoping.can(user, EnterpriseClaim, "view")


def _team(user):
    return bool(scoping.enterprise_ids(user)) and bool(managed_enterprise_ids(user))


def expert_card(request):
    """The expert's own entry in the pool."""
    user = request.user
    if user.role != "expert":
        return None
    return {"expert_profile": getattr(user, "expert_profile", None)}
