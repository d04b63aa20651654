"""Periodic reports sent up to the provincial bureau (§11, §15, §17) and the annual work plan (§4).

A ``Report`` is one prefecture's report on one period, or the provincial consolidation of that
period (``prefecture`` empty); the database keeps one of each. Its figures are computed by
``figures.py`` and stored with it, so a submitted report keeps the figures it was sent with.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsprotect.core.children import child_scope
from tsprotect.core.scoping import RestrictedQuerySet, Scope

from .periods import DUE_RULES, PeriodKind

REPORT_PERMISSIONS = {
    "view": "view_prefecture_records",
    "add": "submit_reports",
    "change": "submit_reports",
}


class WorkPlan(models.Model):
    """The year's targets per prefecture, set by provincial staff (§4). Progress is computed from
    the data (``figures.work_plan``), never typed in."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    note = models.TextField(_("priorities of the year"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual work plan")
        verbose_name_plural = _("annual work plans")

    def __str__(self):
        return str(self.year)

    def get_absolute_url(self):
        return reverse("reports:work-plan", args=[self.year])


class WorkPlanTarget(models.Model):
    scope = Scope(county_field=None, permissions={"view": "view_prefecture_records"})

    # Each target, the figure of the report that measures it, and whether it is a percentage.
    METRICS = (
        ("directory_size", _("Enterprises in the directory"), False),
        ("demonstration_enterprises", _("Demonstration enterprises"), False),
        ("demonstration_sites", _("Demonstration sites"), False),
        ("assessment_coverage", _("Assessment coverage (%)"), True),
        ("on_time_rate", _("Complaints answered on time (%)"), True),
        ("trainings", _("Trainings and publicity events held"), False),
    )

    plan = models.ForeignKey(
        WorkPlan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("work plan")
    )
    prefecture = models.ForeignKey(
        "regions.Prefecture",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prefecture"),
    )
    directory_size = models.PositiveIntegerField(METRICS[0][1], default=0)
    demonstration_enterprises = models.PositiveIntegerField(METRICS[1][1], default=0)
    demonstration_sites = models.PositiveIntegerField(METRICS[2][1], default=0)
    assessment_coverage = models.PositiveSmallIntegerField(
        METRICS[3][1], default=0, validators=[MaxValueValidator(100)]
    )
    on_time_rate = models.PositiveSmallIntegerField(
        METRICS[4][1], default=0, validators=[MaxValueValidator(100)]
    )
    trainings = models.PositiveIntegerField(METRICS[5][1], default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "prefecture"]
        verbose_name = _("work plan target")
        verbose_name_plural = _("work plan targets")
        constraints = [
            models.UniqueConstraint(fields=["plan", "prefecture"], name="workplan_target_unique"),
            models.CheckConstraint(
                condition=Q(assessment_coverage__lte=100) & Q(on_time_rate__lte=100),
                name="workplan_percentages",
            ),
        ]

    def __str__(self):
        return f"{self.plan.year} {self.prefecture}"


class Report(models.Model):
    scope = Scope(county_field=None, permissions=REPORT_PERMISSIONS)

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for correction")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")

    # A draft or a returned report may be rebuilt and edited; the others are frozen.
    OPEN_STATUSES = (Status.DRAFT, Status.RETURNED)

    period = models.CharField(_("period"), max_length=7)
    period_kind = models.CharField(_("kind"), max_length=10, choices=PeriodKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    due_on = models.DateField(_("due"))
    prefecture = models.ForeignKey(
        "regions.Prefecture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prefecture"),
        help_text=_("Empty for the provincial consolidation."),
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.DRAFT
    )
    figures = models.JSONField(_("figures"), default=dict)
    built_at = models.DateTimeField(_("figures as of"))
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("built by"),
    )
    work_done = models.TextField(_("work done"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    version = models.PositiveSmallIntegerField(_("submissions"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_comment = models.TextField(_("comments of the province"), blank=True)
    # Rendered files, and the digest of the figures and narrative they were rendered from.
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/", blank=True)
    xlsx = models.FileField(_("XLSX"), upload_to="reports/%Y/", blank=True)
    files_digest = models.CharField(max_length=64, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-ends_on", "period_kind", "prefecture_id"]
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")
        permissions = [("review_report", _("Acknowledge or return prefecture reports"))]
        constraints = [
            # One report per prefecture and period, and one consolidation per period: a build
            # run twice, or by two workers, replaces the draft instead of adding one.
            models.UniqueConstraint(
                fields=["period", "prefecture"],
                condition=Q(prefecture__isnull=False),
                name="report_one_per_prefecture_period",
            ),
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(prefecture__isnull=True),
                name="report_one_consolidation_per_period",
            ),
        ]
        indexes = [models.Index(fields=["status", "period"], name="report_status_period")]

    def __str__(self):
        return f"{self.period} {self.prefecture or _('Hunan Province')}"

    def get_absolute_url(self):
        return reverse("reports:detail", args=[self.pk])

    @property
    def is_consolidation(self) -> bool:
        return self.prefecture_id is None

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def due_rule(self) -> str:
        """The bureau's rule that set ``due_on``."""
        return DUE_RULES[self.period_kind]

    def is_late(self, today=None) -> bool:
        """Not yet submitted (or returned and not yet resubmitted) after its due day."""
        today = today or timezone.localdate()
        return self.is_open and not self.is_consolidation and self.due_on < today


class ReportEvent(models.Model):
    """The report's history: each build, submission (with what was sent), return and
    acknowledgement."""

    scope = child_scope(Report, "report")

    class Action(models.TextChoices):
        BUILT = "built", _("Figures built")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for correction")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="events", verbose_name=_("report")
    )
    action = models.CharField(_("action"), max_length=15, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    # What was sent up with a submission: the figures and the narrative, as they were.
    snapshot = models.JSONField(_("as submitted"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    def __str__(self):
        return f"{self.report} {self.get_action_display()}"


class ReportBuild(models.Model):
    """One request to build a report (from the page, the API, the schedule or the command).

    At most one build of a report is queued or running at a time (a database constraint), so a
    build started twice at once is refused with a message instead of racing.
    """

    scope = Scope(county_field=None, permissions=REPORT_PERMISSIONS)

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    period = models.CharField(_("period"), max_length=7)
    prefecture = models.ForeignKey(
        "regions.Prefecture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prefecture"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(_("step"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    report = models.ForeignKey(
        Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("report build")
        verbose_name_plural = _("report builds")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "prefecture"],
                condition=Q(status__in=["queued", "running"], prefecture__isnull=False),
                name="report_build_one_active",
            ),
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(status__in=["queued", "running"], prefecture__isnull=True),
                name="report_build_one_active_consolidation",
            ),
        ]

    def __str__(self):
        return f"{self.period} {self.prefecture or _('Hunan Province')} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.steps_total:
            return 0
        return min(99, round(100 * self.steps_done / self.steps_total))
