"""What the demonstrations bring to the shared pages and commands (see core.contributions).

Imported by DemonstrationsConfig.ready(), once every app's models are loaded."""

from django.utils.translation import gettext_lazy as _

from tsprotect.core import contributions, scoping

from . import demo, services
from .models import DemonstrationApplication


def register():
    contributions.menu_entry(
        "demonstrations:list", _("Demonstrations"), visible=_demonstrations, order=40
    )
    contributions.workbench_card("demonstrations/_workbench.html", workbench_card, order=10)
    contributions.record_panel("demonstrations/_record_panel.html", record_panel, order=10)
    contributions.demo_step("demonstrations", _seed_demo, after=("enterprises",))


def _demonstrations(user):
    return user.role == "expert" or scoping.can(user, DemonstrationApplication, "view")


def workbench_card(request):
    return {"demonstration_queue": services.work_queue(request.user)}


def record_panel(request, enterprise):
    """The enterprise's applications and certificates, as far as the user may see them."""
    return {
        "demonstrations": DemonstrationApplication.objects.restrict(request.user, "view")
        .filter(enterprise=enterprise)
        .select_related("batch")
    }


def _seed_demo():
    return f"{demo.seed() or 'existing'} demonstration applications"
