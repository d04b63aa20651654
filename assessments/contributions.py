"""What the self-protection checklists bring to the shared pages and commands (see
core.contributions). Imported by AssessmentsConfig.ready(), once every app's models are loaded."""

from django.utils.translation import gettext_lazy as _

from tsprotect.core import contributions, scoping

from . import demo, services, survey_demo
from .models import ChecklistSubmission


def register():
    contributions.menu_entry(
        "assessments:list", _("Self-protection"), visible=_assessments, order=50
    )
    contributions.record_panel(
        "assessments/_record_action.html", record_action, order=10, region="risk_actions"
    )
    # After the complaints only to keep the demo's order, its ids and its summary line.
    contributions.demo_step("checklists", _seed_checklists, after=("claims", "complaints"))
    contributions.demo_step("survey", _seed_survey, after=("enterprises", "checklists"))


def _assessments(user):
    return scoping.can(user, ChecklistSubmission, "view")


def record_action(request, enterprise):
    """An officer in scope may fill in the checklist during a visit (the enterprise's own users
    start theirs from the self-protection menu)."""
    user = request.user
    if user.role != "enterprise" and services.may_fill(user, enterprise):
        return {}
    return None


def _seed_checklists():
    return f"{demo.seed() or 'existing'} checklists"


def _seed_survey():
    survey_demo.seed()
