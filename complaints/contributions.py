"""What the complaints bring to the shared pages and commands (see core.contributions).

Imported by ComplaintsConfig.ready(), once every app's models are loaded."""

import time

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy as _

from tsprotect.core import contributions, scoping

from . import demo, lists
from .management.commands import _seed_complaints
from .models import Complaint

COMPLAINTS_SHOWN = 20


def register():
    contributions.menu_entry("complaints:list", _("Complaints"), visible=_complaints, order=60)
    contributions.workbench_card("complaints/_workbench.html", workbench_card, order=20)
    contributions.record_panel("complaints/_record_panel.html", complaints_involving, order=20)
    contributions.demo_step("complaints", _seed_demo, after=("enterprises",))
    contributions.scale_step(
        "complaints",
        _scale_load,
        after=("enterprises",),
        arguments=_scale_arguments,
        check=_scale_check,
        reset=_scale_reset,
    )


def _complaints(user):
    return scoping.can(user, Complaint, "view")


def workbench_card(request):
    user = request.user
    return {
        "complaint_queue": lists.workbench(user),
        "may_file_complaint": lists.follows_as_complainant(user),
    }


def complaints_involving(request, enterprise):
    """The latest complaints where the enterprise is complainant or respondent, for those who
    handle complaints. An enterprise's own users never see them here: the respondent's side must
    not learn of a complaint, and a complainant follows its own in the complaints menu. Who
    complained is shown only on complaints the user handles (the reporter's identity is
    confidential, even to a bureau that handed the complaint on)."""
    user = request.user
    if not scoping.can(user, Complaint, "change"):
        return None
    involving = (
        Complaint.objects.restrict(user, "view").filter(respondent_enterprise=enterprise)
        | Complaint.objects.restrict(user, "change").filter(complainant_enterprise=enterprise)
    ).order_by("-received_on", "-pk")
    latest = [
        (c, "complainant" if c.complainant_enterprise_id == enterprise.pk else "respondent")
        for c in involving[:COMPLAINTS_SHOWN]
    ]
    count = involving.count() if len(latest) == COMPLAINTS_SHOWN else len(latest)
    return {"complaints": latest, "complaint_count": count}


def _seed_demo():
    return f"{demo.seed() or 'existing'} complaints"


# seed_scale: synthetic complaints filed by the synthetic enterprises.


def _scale_arguments(parser):
    parser.add_argument(
        "--complaints",
        type=int,
        default=100_000,
        help="synthetic complaints to load (0: none), filed by synthetic enterprises",
    )


def _scale_check(options, user):
    if options["complaints"] < 0:
        raise CommandError("--complaints cannot be negative.")
    filed = Complaint.objects.filter(registered_by=user).count()
    if filed and options["complaints"] and not options["reset"]:
        raise CommandError(
            f"{filed:,} synthetic complaints (registered by {user.username}) already exist; "
            "run again with --reset to replace them."
        )


def _scale_reset(command, options, user):
    if filed := Complaint.objects.filter(registered_by=user).count():
        started = time.perf_counter()
        _seed_complaints.delete_synthetic(user)
        elapsed = time.perf_counter() - started
        command.stdout.write(f"Deleted {filed:,} earlier synthetic complaints in {elapsed:.1f} s.")


def _scale_load(command, options, user):
    if count := options["complaints"]:
        _seed_complaints.seed(count, user=user, seed=options["seed"], stdout=command.stdout)
