"""What the trainings bring to the shared pages and commands (see core.contributions).

Imported by TrainingsConfig.ready(), once every app's models are loaded."""

from django.utils.translation import gettext_lazy as _

from tsprotect.core import contributions, scoping

from . import demo
from .models import TrainingEvent


def register():
    contributions.menu_entry("trainings:list", _("Trainings"), visible=_trainings, order=70)
    # After the notices only to keep the demo's order and its ids (the notifications).
    contributions.demo_step("trainings", _seed_demo, after=("claims", "notices"))


def _trainings(user):
    return scoping.can(user, TrainingEvent, "view")


def _seed_demo():
    demo.seed()
