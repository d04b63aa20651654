from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class StatutoryLimit(models.Model):
    """One statutory time limit of complaint handling, as the law states it (DESIGN.md).

    Kept as a table so that a change of the rules is an edit by provincial staff, not a release:
    its start event, its length and unit, whether it ends rolled to a working day, by how much it
    can be extended once (with approval), and which pauses stop it.
    """

    class AppliesTo(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint by a rights holder")
        REPORT = "report", _("Report (tip-off)")
        ANY = "any", _("Either")

    class Start(models.TextChoices):
        RECEIVED = "received", _("Receipt")
        FILING_DECISION = "filing_decision", _("Decision on filing a case")
        CASE_FILED = "case_filed", _("Case filed")
        TRANSFER_PROPOSED = "transfer_proposed", _("Transfer to public security proposed")
        TRANSFER_APPROVED = "transfer_approved", _("Transfer approved")
        PENALTY_DECIDED = "penalty_decided", _("Administrative penalty decided")

    class Unit(models.TextChoices):
        WORKING_DAYS = "working_days", _("working days")
        CALENDAR_DAYS = "calendar_days", _("calendar days")
        HOURS = "hours", _("hours")

    class Pause(models.TextChoices):
        APPRAISAL = "appraisal", _("Expert appraisal or testing")
        IDENTIFICATION = "identification", _("The rights holder identifying its secret")
        HEARING = "hearing", _("Hearing")
        SUSPENSION = "suspension", _("Suspension of the case")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("name"), max_length=100)
    applies_to = models.CharField(_("applies to"), max_length=10, choices=AppliesTo.choices)
    starts_at = models.CharField(_("counted from"), max_length=20, choices=Start.choices)
    length = models.PositiveSmallIntegerField(_("length"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("unit"), max_length=15, choices=Unit.choices)
    roll_to_workday = models.BooleanField(
        _("ends on a working day"),
        default=False,
        help_text=_(
            "A limit in calendar days that ends on a holiday ends on the next working day."
        ),
    )
    extension = models.PositiveSmallIntegerField(
        _("extension"),
        default=0,
        help_text=_("How much longer, once, with approval (same unit); 0: none."),
    )
    pauses = models.JSONField(
        _("not counted"), default=list, blank=True, help_text=_("Periods that stop the clock.")
    )
    real_name_only = models.BooleanField(
        _("real-name reporters only"),
        default=False,
        help_text=_("Runs only when the reporter gave their name (a duty to inform them)."),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    active = models.BooleanField(_("in force"), default=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("statutory time limit")
        verbose_name_plural = _("statutory time limits")
        constraints = [
            models.CheckConstraint(
                condition=~Q(unit="hours") | Q(roll_to_workday=False),
                name="hour_limits_do_not_roll",
            )
        ]

    def __str__(self):
        return f"{self.label}（{self.length} {self.get_unit_display()}）"
