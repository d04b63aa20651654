"""What the periodic reports bring to the shared pages and commands (see core.contributions).

Imported by ReportsConfig.ready(), once every app's models are loaded."""

from django.utils.translation import gettext_lazy as _

from tsprotect.core import contributions, scoping

from . import demo, services
from .models import Report


def register():
    contributions.menu_entry("reports:list", _("Reports"), visible=_reports, order=80)
    contributions.workbench_card("reports/_workbench.html", workbench_card, order=30)
    # The reports count what the other demo steps made.
    contributions.demo_step(
        "reports",
        _seed_demo,
        after=("enterprises", "demonstrations", "complaints", "checklists", "trainings"),
    )


def _reports(user):
    return scoping.can(user, Report, "view")


def workbench_card(request):
    return {"report_cards": services.workbench(request.user)}


def _seed_demo():
    return f"{demo.seed() or 'existing'} periodic reports"
