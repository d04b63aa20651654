"""The navigation menu by role: an entry shows only when its page would let the user in."""

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from . import scoping


def _directory(user):
    from enterprises.models import Enterprise

    return scoping.can(user, Enterprise, "view") and (
        user.is_superuser or user.role != "enterprise"
    )


def _submissions(user):
    from enterprises.models import DirectorySubmission

    return scoping.can(user, DirectorySubmission, "view")


def _own_enterprise(user):
    return bool(scoping.enterprise_ids(user))


def _demonstrations(user):
    from demonstrations.models import DemonstrationApplication

    return user.role == "expert" or scoping.can(user, DemonstrationApplication, "view")


def _assessments(user):
    from assessments.models import ChecklistSubmission

    return scoping.can(user, ChecklistSubmission, "view")


def _complaints(user):
    from complaints.models import Complaint

    return scoping.can(user, Complaint, "view")


def _trainings(user):
    from tsprotect.trainings.models import TrainingEvent

    return scoping.can(user, TrainingEvent, "view")


def _reports(user):
    from tsprotect.reports.models import Report

    return scoping.can(user, Report, "view")


def _claims(user):
    from tsprotect.accounts.models import EnterpriseClaim

    return scoping.can(user, EnterpriseClaim, "view")


def _accounts(user):
    from tsprotect.accounts.models import User

    return scoping.can(user, User, "view")


def _team(user):
    from tsprotect.accounts.services import managed_enterprise_ids

    return bool(scoping.enterprise_ids(user)) and bool(managed_enterprise_ids(user))


def _staff(user):
    return user.is_staff


MENU = [
    ("home", _("Workbench"), lambda user: True),
    ("enterprises:list", _("Enterprise directory"), _directory),
    ("enterprises:submissions", _("Directory submissions"), _submissions),
    ("enterprises:mine", _("My enterprise"), _own_enterprise),
    ("demonstrations:list", _("Demonstrations"), _demonstrations),
    ("assessments:list", _("Self-protection"), _assessments),
    ("complaints:list", _("Complaints"), _complaints),
    ("trainings:list", _("Trainings"), _trainings),
    ("reports:list", _("Reports"), _reports),
    ("publicity:notice_list", _("Notices"), lambda user: user.is_province),
    ("users", _("Accounts"), _accounts),
    ("claims", _("Account verification"), _claims),
    ("team", _("Our users"), _team),
    ("api-docs", _("API"), lambda user: user.is_superuser or user.role in ("province",)),
    ("admin:index", _("Administration"), _staff),
]


_urls: dict[tuple[str, str], str] = {}


def _url(name: str) -> str:
    """The entry's address: reversed once per process, not on every page."""
    key = (name, get_script_prefix())
    if key not in _urls:
        _urls[key] = reverse(name)
    return _urls[key]


def menu_for(user):
    return [
        {"url": _url(name), "name": name, "label": label}
        for name, label, visible in MENU
        if visible(user)
    ]
