"""The life of a notice: draft → published → withdrawn, declared once and checked here.

Views, the admin and any future API go through these functions; each locks the row so two
browser tabs cannot both act on the same notice.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsprotect.core.uploads import storing_files

from .models import Notice, NoticeAttachment

Status = Notice.Status


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    source: tuple
    target: str


TRANSITIONS = {
    "publish": Transition("publish", gettext_lazy("Publish"), (Status.DRAFT,), Status.PUBLISHED),
    "withdraw": Transition(
        "withdraw", gettext_lazy("Withdraw"), (Status.PUBLISHED,), Status.WITHDRAWN
    ),
}
# A withdrawn notice stays withdrawn (its public URL answers 404); publish a new one instead.
EDITABLE = (Status.DRAFT, Status.PUBLISHED)


def available_actions(notice):
    return [t for t in TRANSITIONS.values() if notice.status in t.source]


def _lock(notice):
    return Notice.objects.select_for_update().get(pk=notice.pk)


def _check(notice, action):
    transition = TRANSITIONS[action]
    if notice.status not in transition.source:
        raise ValidationError(
            _("This notice is “%(status)s”; it cannot be %(action)s now.")
            % {"status": notice.get_status_display(), "action": _action_past(action)},
            code="illegal_transition",
        )
    return transition


def _action_past(action):
    return {"publish": _("published"), "withdraw": _("withdrawn")}[action]


@transaction.atomic
def publish(notice, user):
    """Put a draft on the public platform, dated now."""
    locked = _lock(notice)
    _check(locked, "publish")
    if not (locked.body or "").strip():
        raise ValidationError(_("A notice needs a text before it is published."), code="empty")
    locked.status = Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at", "updated_at"])
    return locked


@transaction.atomic
def withdraw(notice, user, reason):
    """Take a published notice off the platform; the reason is kept for the record."""
    reason = (reason or "").strip()
    locked = _lock(notice)
    _check(locked, "withdraw")
    if not reason:
        raise ValidationError(_("Give the reason for withdrawing the notice."), code="reason")
    locked.status = Status.WITHDRAWN
    locked.withdrawn_at = timezone.now()
    locked.withdrawal_reason = reason
    locked.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"])
    return locked


def check_editable(notice):
    if notice.pk and notice.status not in EDITABLE:
        raise ValidationError(_("A withdrawn notice can no longer be changed."), code="withdrawn")


@storing_files()
def add_attachment(notice, uploaded, checked, *, title, user):
    """Attach a file already checked by content (``core.uploads.check_upload``)."""
    locked = _lock(notice)
    check_editable(locked)
    return NoticeAttachment.objects.create(
        notice=locked,
        title=title or checked.name,
        file=uploaded,
        uploaded_by=user,
        **checked.stored_fields(),
    )


@transaction.atomic
def remove_attachment(attachment, user):
    locked = _lock(attachment.notice)
    check_editable(locked)
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    # The file goes once the row is gone for good, not while it could still be rolled back.
    transaction.on_commit(lambda: storage.delete(name))


def published():
    """The notices the public may read, newest first."""
    return Notice.objects.filter(status=Status.PUBLISHED).order_by("-published_at", "-pk")
