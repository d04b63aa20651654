from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class StoredDocument(models.Model):
    """What the portal keeps of an uploaded document besides the file itself (checked by
    ``uploads.check_upload``; served only through a scoped view). Each concrete model adds its
    ``file`` field, with its own storage folder, and what the document belongs to."""

    title = models.CharField(_("title"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.title


class AccessGrant(models.Model):
    """One period during which a user held an object permission given for a piece of work — an
    expert consulted on a complaint, a reviewer of a demonstration application: granted when, by
    whom, withdrawn when, by whom and why. django-guardian holds the permission itself while it
    lasts; this row is the record that stays (``tsprotect.core.grants`` writes both)."""

    class Ending(models.TextChoices):
        ENDED = "ended", _("Ended by the officer in charge")
        CLOSED = "closed", _("The complaint was closed")
        REVIEW_ENDED = "review_ended", _("The review ended")
        WITHDRAWN = "withdrawn", _("Assignment withdrawn")
        RECUSED = "recused", _("The expert recused themselves")

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    # As guardian stores it: the object's primary key as text.
    object_pk = models.CharField(max_length=64)
    permission = models.CharField(_("permission"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="access_grants",
        verbose_name=_("who"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    revoke_reason = models.CharField(
        _("why withdrawn"), max_length=20, choices=Ending.choices, blank=True
    )

    class Meta:
        ordering = ["granted_at", "pk"]
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        indexes = [models.Index(fields=["content_type", "object_pk"])]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_pk", "permission", "user"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_open_grant_per_user",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True)
                | models.Q(revoked_at__gte=models.F("granted_at")),
                name="grant_withdrawn_after_granted",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.permission} {self.content_type_id}:{self.object_pk}"

    @property
    def is_open(self) -> bool:
        return self.revoked_at is None


class BureauRule(models.Model):
    """A value the provincial bureau sets for its own programme — how long a designation
    stands, how often a tier is visited, a pass mark, when reports are due. Neither the policy
    (湘市监价监〔2021〕122号) nor a regulation fixes these, so they are kept apart from the
    statutory limits, shown as the bureau's rule and never with a legal citation. Provincial
    staff change them in the admin; each change is in the history, and a value applies from
    its date in force (``tsprotect.core.bureau_rules`` reads them)."""

    class Unit(models.TextChoices):
        CALENDAR_DAYS = "calendar_days", _("calendar days")
        WORKING_DAYS = "working_days", _("working days")
        YEARS = "years", _("years")
        POINTS = "points", _("points out of 100")
        ENTERPRISES = "enterprises", _("enterprises")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("name"), max_length=100)
    value = models.PositiveIntegerField(_("value"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("unit"), max_length=15, choices=Unit.choices)
    explanation = models.TextField(
        _("explanation"),
        help_text=_("What the value governs and why it is the bureau's own rule."),
    )
    in_force_from = models.DateField(
        _("in force from"),
        help_text=_("The value applies from this day; until then the previous value does."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("bureau rule")
        verbose_name_plural = _("bureau rules")

    def __str__(self):
        return self.label

    def clean(self):
        if self.unit == self.Unit.POINTS and self.value and self.value > 100:
            raise ValidationError({"value": _("A mark is out of 100.")})


def own_recusal(user, action):
    """Extra scope of a recusal: the expert who declared it reads it (Scope ``extra_access``)."""
    if action != "view" or not user.is_authenticated:
        return None
    return models.Q(expert_id=user.pk)


class RecusalRecord(models.Model):
    """An expert's declared conflict of interest (回避) and its reason; each app adds the matter
    and the expert (their reverse names differ)."""

    reason = models.TextField(_("reason"))
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["declared_at", "pk"]
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
