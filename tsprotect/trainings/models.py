"""Training and publicity events of the IP service sub-centers (§17), and their sign-ups.

An event belongs to one prefecture, which decides who manages it: the prefecture's bureau, the
service-centre staff of that prefecture, and provincial staff. The public sees published events
and their free places, never who signed up.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from tsprotect.core.scoping import RestrictedQuerySet, Scope

# action -> the capability on the Prefecture row (bureaus hold it on theirs, the province
# everywhere). County officers never reach events: an event carries no county.
EVENT_PERMISSIONS = {
    "view": "view_prefecture_records",
    "participants": "view_prefecture_records",
    "add": "manage_enterprises",
    "change": "manage_enterprises",
}
# action -> the model permission the service-centre role group holds (accounts/roles.py);
# such a user reaches the events of its own prefecture only.
SERVICE_CENTRE_PERMISSIONS = {
    "view": "trainings.view_trainingevent",
    "participants": "trainings.view_registration",
    "add": "trainings.add_trainingevent",
    "change": "trainings.change_trainingevent",
}


def service_centre_access(prefecture_field):
    """Extra rows for IP service sub-center staff: those of the prefecture they work in."""

    def access(user, action):
        from tsprotect.accounts.models import Role

        permission = SERVICE_CENTRE_PERMISSIONS.get(action)
        if (
            permission
            and user.role == Role.SERVICE_CENTRE
            and user.prefecture_id
            and user.has_perm(permission)
        ):
            return Q(**{prefecture_field: user.prefecture_id})
        return None

    return access


class TrainingEvent(models.Model):
    scope = Scope(
        prefecture_field="prefecture",
        county_field=None,
        permissions=EVENT_PERMISSIONS,
        extra_access=service_centre_access("prefecture"),
    )

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        PUBLICITY = "publicity", _("Publicity")
        SEMINAR = "seminar", _("Seminar")
        CONSULTATION = "consultation", _("Consultation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(pgettext_lazy("event", "title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TRAINING)
    organiser = models.CharField(
        _("organiser"),
        max_length=100,
        help_text=_("The IP service sub-center or bureau that holds the event."),
    )
    prefecture = models.ForeignKey(
        "regions.Prefecture",
        on_delete=models.PROTECT,
        related_name="training_events",
        verbose_name=_("prefecture"),
    )
    ftz_area = models.ForeignKey(
        "regions.FtzArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("FTZ area"),
    )
    venue = models.CharField(_("venue"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"))
    signup_deadline = models.DateTimeField(_("sign-up deadline"))
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("training event")
        verbose_name_plural = _("training events")
        indexes = [models.Index(fields=["status", "starts_at"], name="training_status_start")]
        constraints = [
            models.CheckConstraint(
                name="training_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            ),
            models.CheckConstraint(
                name="training_deadline_before_end", condition=Q(signup_deadline__lte=F("ends_at"))
            ),
            models.CheckConstraint(name="training_has_places", condition=Q(capacity__gte=1)),
        ]

    def __str__(self):
        return self.title


class Registration(models.Model):
    """One person signed up for an event; one per phone number and event."""

    scope = Scope(
        prefecture_field="event__prefecture",
        county_field=None,
        permissions={"view": "view_prefecture_records"},
        extra_access=service_centre_access("event__prefecture"),
    )

    event = models.ForeignKey(
        TrainingEvent,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("event"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=40)
    organisation = models.CharField(_("organisation"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20)
    email = models.EmailField(_("e-mail"), blank=True)
    consent_to_contact = models.BooleanField(_("consents to be contacted"), default=False)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_registrations",
        verbose_name=_("account"),
    )
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "phone"], name="registration_one_per_phone")
        ]

    def __str__(self):
        return f"{self.name} · {self.event}"
