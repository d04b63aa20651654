"""The rules of training events: their lifecycle, sign-up and reminders.

Views, the admin and the Celery task all go through these functions.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsprotect.core import scoping
from tsprotect.notifications.services import notify
from tsprotect.regions.models import Prefecture

from .models import Registration, TrainingEvent

Status = TrainingEvent.Status


@dataclass(frozen=True)
class Transition:
    target: str
    sources: tuple
    label: str
    done: str


# The lifecycle, declared once: the buttons offered and the checks are read from it.
TRANSITIONS = {
    "publish": Transition(
        Status.PUBLISHED,
        (Status.DRAFT,),
        gettext_lazy("Publish"),
        gettext_lazy("The event is published; the public can sign up."),
    ),
    "cancel": Transition(
        Status.CANCELLED,
        (Status.DRAFT, Status.PUBLISHED),
        gettext_lazy("Cancel the event"),
        gettext_lazy("The event is cancelled."),
    ),
}


def actions_for(event):
    """The transitions ``event`` allows now, as (action, label) pairs."""
    return [(name, t.label) for name, t in TRANSITIONS.items() if event.status in t.sources]


@transaction.atomic
def transition(event_id, action, *, by):
    """Publish or cancel an event the user may change; the row is locked so two tabs cannot
    both act. Cancelling tells the signed-up enterprise users."""
    step = TRANSITIONS.get(action)
    if step is None:
        raise ValidationError(_("Unknown action."))
    event = TrainingEvent.objects.restrict(by, "change").select_for_update().get(pk=event_id)
    if event.status not in step.sources:
        raise ValidationError(
            _("This cannot be done while the event is %(status)s.")
            % {"status": event.get_status_display()}
        )
    now = timezone.now()
    if step.target == Status.PUBLISHED and event.ends_at <= now:
        raise ValidationError(_("An event that is already over cannot be published."))
    event.status = step.target
    fields = ["status", "updated_at"]
    if step.target == Status.PUBLISHED:
        event.published_at = now
        fields.append("published_at")
    if step.target == Status.CANCELLED:
        event.cancelled_at = now
        fields.append("cancelled_at")
    event._change_reason = action
    event.save(update_fields=fields)
    if step.target == Status.CANCELLED:
        notify(
            _registered_users(event),
            kind="training_cancelled",
            title=_("Cancelled: %(title)s") % {"title": event.title},
            body=_("The event of %(date)s at %(venue)s will not take place.")
            % {
                "date": _when(event),
                "venue": event.venue,
            },
            url=reverse("public:training", args=[event.pk]),
            key=f"training-cancelled:{event.pk}",
        )
    return event


def prefectures_for(user, action):
    """The prefectures in which ``user`` may ``action`` events (form choices)."""
    prefectures = scoping.prefectures_for(user, TrainingEvent, action)
    if TrainingEvent.scope.extra_access(user, action) is not None:
        prefectures = prefectures | Prefecture.objects.filter(pk=user.prefecture_id)
    return prefectures


def with_places(queryset):
    """Events annotated with ``registered``, the number of sign-ups."""
    return queryset.annotate(registered=Count("registrations"))


def public_events():
    """What the public may see: published or cancelled events (never drafts)."""
    return TrainingEvent.objects.filter(status__in=[Status.PUBLISHED, Status.CANCELLED])


def upcoming_events():
    """Published events not yet over, soonest first, with their sign-up counts."""
    return (
        with_places(
            TrainingEvent.objects.filter(status=Status.PUBLISHED, ends_at__gt=timezone.now())
        )
        .select_related("prefecture", "ftz_area")
        .order_by("starts_at", "pk")
    )


def signup_closed_reason(event, registered=None, now=None):
    """Why no one can sign up now, or ``None`` when the sign-up is open."""
    now = now or timezone.now()
    if event.status == Status.CANCELLED:
        return _("The event is cancelled.")
    if event.status != Status.PUBLISHED:
        return _("The event is not open for sign-up.")
    if now > event.signup_deadline or now >= event.ends_at:
        return _("The sign-up deadline has passed.")
    if registered is None:
        registered = event.registrations.count()
    if registered >= event.capacity:
        return _("The event is full: all %(capacity)d places are taken.") % {
            "capacity": event.capacity
        }
    return None


_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}")


def normalise_phone(value: str) -> str:
    """A Chinese mobile or landline number without spaces, dashes or +86, so that one phone
    written two ways is still one phone. Raises ValidationError for anything else."""
    phone = _PHONE_SEPARATORS.sub("", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    if not (_MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone)):
        raise ValidationError(
            _("Enter a mobile number (11 digits) or a landline with its area code."),
            code="phone",
        )
    return phone


def register(event_id, *, name, organisation, phone, email="", consent, user=None):
    """Sign one person up for an event.

    The event row is locked while places are counted, so two sign-ups for the last place cannot
    both succeed. Refused (ValidationError) when the sign-up is closed, the event is full or the
    phone is already signed up. A verified enterprise user signs up for its enterprise.
    """
    phone = normalise_phone(phone)
    if not consent:
        raise ValidationError(_("Please agree to be contacted about the event."))
    enterprise_id = None
    if user is not None and user.is_authenticated:
        ids = scoping.enterprise_ids(user)
        if ids:
            enterprise_id = user.enterprise_id if user.enterprise_id in ids else min(ids)
    else:
        user = None
    with transaction.atomic():
        event = TrainingEvent.objects.select_for_update().get(pk=event_id)
        reason = signup_closed_reason(event)
        if reason:
            raise ValidationError(reason, code="closed")
        if event.registrations.filter(phone=phone).exists():
            raise ValidationError(_duplicate(), code="duplicate")
        try:
            with transaction.atomic():
                return Registration.objects.create(
                    event=event,
                    name=name.strip(),
                    organisation=organisation.strip(),
                    phone=phone,
                    email=email,
                    consent_to_contact=True,
                    enterprise_id=enterprise_id,
                    user=user,
                )
        except IntegrityError:
            raise ValidationError(_duplicate(), code="duplicate") from None


def _when(event):
    return timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")


def _duplicate():
    return _("This phone number is already signed up for the event.")


def _registered_users(event):
    return [r.user for r in event.registrations.select_related("user") if r.user is not None]


def send_reminders(today=None):
    """Remind the enterprise users signed up for tomorrow's events; returns how many were told.

    Only users with an account are told (in the portal, and by e-mail when configured); people
    who signed up without an account are contacted by the organiser. Running it again tells
    no one twice (one notification per event and user).
    """
    today = today or timezone.localdate()
    tomorrow = today + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(tomorrow, time.min))
    events = TrainingEvent.objects.filter(
        status=Status.PUBLISHED, starts_at__gte=start, starts_at__lt=start + timedelta(days=1)
    )
    told = 0
    for event in events:
        users = _registered_users(event)
        if not users:
            continue
        told += notify(
            users,
            kind="training_reminder",
            title=_("Tomorrow: %(title)s") % {"title": event.title},
            body=_("%(time)s at %(venue)s.")
            % {
                "time": _when(event),
                "venue": event.venue,
            },
            url=reverse("public:training", args=[event.pk]),
            key=f"training-reminder:{event.pk}",
        )
    return told
