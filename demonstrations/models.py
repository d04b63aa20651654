from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsprotect.core import scoping
from tsprotect.core.children import child_scope
from tsprotect.core.models import RecusalRecord, StoredDocument, own_recusal
from tsprotect.core.scoping import RestrictedQuerySet, Scope

from .workflow import (
    EDITABLE_STATES,
    FTZ_DEFAULT_QUOTA,
    AcceptanceParty,
    AcceptanceResult,
    FindingLevel,
    FtzSelection,
    PilotEntryKind,
    State,
    Track,
)

APPLICATION_LABEL = "demonstrations.demonstrationapplication"
REVIEW_PERMISSION = "review_application"


def _assigned_ids(user):
    return scoping.granted_ids(user, APPLICATION_LABEL, REVIEW_PERMISSION)


def _involved_access(path):
    """Who reaches an application besides its own bureau and applicant, to view it: the experts
    assigned to review it (a guardian object permission), and the bureaus of the prefectures
    whose sites a base cites (§8), recorded as concerned on the base."""

    def access(user, action):
        if action != "view":
            return None
        parts = []
        ids = _assigned_ids(user)
        if ids:
            parts.append(Q(**{f"{path}__in": sorted(ids)}))
        codes = scoping.prefecture_codes(user, "view_prefecture_records")
        if codes and codes is not scoping.ALL and not scoping.county_limit(user):
            # A subquery, not a join: a base concerning several prefectures stays one row.
            concerned = DemonstrationApplication.concerned_prefectures.through.objects.filter(
                prefecture_id__in=sorted(codes)
            ).values("demonstrationapplication_id")
            parts.append(Q(**{f"{path}__in": concerned}))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else parts[0] | parts[1]

    return access


LIVE_APPLICATION_MESSAGE = _(
    "This enterprise already has an application on this track that is still open or designated."
)

DEMONSTRATION_PERMISSIONS = {
    "view": "view_prefecture_records",
    "add": "recommend_demonstrations",
    "change": "recommend_demonstrations",
}


class Batch(models.Model):
    """A yearly call for applications on one track, with its deadlines and quota."""

    track = models.CharField(_("track"), max_length=30, choices=Track.choices)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2021)])
    name = models.CharField(_("name"), max_length=100)
    opens_on = models.DateField(_("opens on"))
    submission_deadline = models.DateField(_("submission deadline"))
    recommendation_deadline = models.DateField(_("recommendation deadline"))
    quota = models.PositiveSmallIntegerField(
        _("quota"),
        null=True,
        blank=True,
        help_text=_(
            "FTZ track: applications per FTZ area; provincial track and sites: per prefecture; "
            "bases: province-wide. Empty means no limit."
        ),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-year", "track", "-opens_on"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        constraints = [
            models.UniqueConstraint(fields=["track", "year", "name"], name="batch_name_once"),
            models.CheckConstraint(
                condition=Q(submission_deadline__gte=models.F("opens_on"))
                & Q(recommendation_deadline__gte=models.F("submission_deadline")),
                name="batch_deadlines_in_order",
            ),
        ]

    def __str__(self):
        return self.name if str(self.year) in self.name else f"{self.year} {self.name}"

    def save(self, *args, **kwargs):
        if self.quota is None and self.track == Track.FTZ_ENTERPRISE and not self.pk:
            self.quota = FTZ_DEFAULT_QUOTA
        super().save(*args, **kwargs)

    def is_open(self, on=None):
        on = on or timezone.localdate()
        return self.opens_on <= on <= self.submission_deadline


class DemonstrationApplication(models.Model):
    """An application on one of the four tracks, from draft to designation (§5–8)."""

    scope = Scope(
        prefecture_field="prefecture",
        county_field="county",
        enterprise_field="enterprise",
        enterprise_actions=("view", "add", "change"),
        permissions=DEMONSTRATION_PERMISSIONS,
        extra_access=_involved_access("pk"),
    )

    track = models.CharField(_("track"), max_length=30, choices=Track.choices)
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="applications", verbose_name=_("batch")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    name = models.CharField(_("name of the unit"), max_length=200)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demonstration_applications",
        verbose_name=_("enterprise"),
    )
    host_organisation = models.ForeignKey(
        "regions.HostOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demonstration_applications",
        verbose_name=_("park or industry association"),
    )
    member_enterprises = models.ManyToManyField(
        "enterprises.Enterprise",
        blank=True,
        related_name="demonstration_sites",
        verbose_name=_("member enterprises"),
    )
    sites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="bases",
        verbose_name=_("sites the base is built on"),
    )
    partner_organisations = models.TextField(
        _("partner organisations"),
        blank=True,
        help_text=_("e.g. the IP service sub-center, industry authorities, associations"),
    )
    prefecture = models.ForeignKey(
        "regions.Prefecture",
        on_delete=models.PROTECT,
        related_name="demonstration_applications",
        verbose_name=_("prefecture"),
    )
    county = models.ForeignKey(
        "regions.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("county"),
    )
    ftz_area = models.ForeignKey(
        "regions.FtzArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demonstration_applications",
        verbose_name=_("FTZ area"),
    )
    # The structured self-description of the applicant.
    rules_system = models.TextField(_("system of confidentiality rules"))
    organisation = models.TextField(_("organisation and responsibilities"))
    measures = models.TextField(_("protection measures taken"))
    achievements = models.TextField(_("results and demonstration plan"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=30)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    certificate_number = models.CharField(
        _("certificate number"), max_length=30, null=True, blank=True, unique=True
    )
    designated_on = models.DateField(_("designated on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    national_candidate = models.BooleanField(_("national base candidate"), default=False)
    concerned_prefectures = models.ManyToManyField(
        "regions.Prefecture",
        blank=True,
        related_name="concerned_bases",
        verbose_name=_("prefectures concerned"),
        help_text=_("The prefectures whose designated sites the base cites; they can see it."),
    )
    ftz_selection = models.CharField(
        _("selection basis"), max_length=30, choices=FtzSelection.choices, blank=True
    )
    ftz_selection_reason = models.TextField(_("reason for the selection"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("demonstration application")
        verbose_name_plural = _("demonstration applications")
        permissions = [
            (REVIEW_PERMISSION, _("Review the application as an assigned expert")),
            ("decide_application", _("Decide demonstration applications")),
        ]
        constraints = [
            # One live application per enterprise and track; the services say it first, clearly.
            models.UniqueConstraint(
                fields=["enterprise", "track"],
                condition=~Q(state__in=[State.REJECTED, State.REVOKED]),
                name="one_live_application_per_enterprise_and_track",
                violation_error_message=LIVE_APPLICATION_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(track__in=[Track.SITE, Track.BASE]) | Q(enterprise__isnull=False),
                name="enterprise_tracks_name_an_enterprise",
            ),
            models.CheckConstraint(
                condition=~Q(track=Track.SITE) | Q(host_organisation__isnull=False),
                name="site_names_its_host",
            ),
        ]
        indexes = [models.Index(fields=["prefecture", "state"], name="application_pref_state")]

    def __str__(self):
        return f"{self.name} · {self.get_track_display()}"

    def get_absolute_url(self):
        return reverse("demonstrations:detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.state in EDITABLE_STATES

    def public_status(self, today=None):
        """valid / expired / revoked, for the public list and the certificate check."""
        if self.state == State.REVOKED:
            return "revoked"
        today = today or timezone.localdate()
        if self.valid_until and self.valid_until < today:
            return "expired"
        return "valid"

    def get_public_status_display(self):
        return PUBLIC_STATUS_LABELS[self.public_status()]

    @property
    def is_enterprise_track(self):
        return self.track in (Track.FTZ_ENTERPRISE, Track.PROVINCIAL_ENTERPRISE)


PUBLIC_STATUS_LABELS = {
    "valid": _("Valid"),
    "expired": _("Expired"),
    "revoked": _("Revoked"),
}


def _application_file_scope(*, enterprise_actions=("view",), path="application"):
    """A row of the application's file: its applicant reads it, and whoever else reads the
    application (the experts assigned, the bureaus concerned)."""
    return child_scope(
        DemonstrationApplication,
        path,
        enterprise_actions=enterprise_actions,
        extra_access=_involved_access(path),
    )


class ApplicationAttachment(StoredDocument):
    """A file of the application materials, served only through a scoped view."""

    scope = _application_file_scope(enterprise_actions=("view", "add"))

    application = models.ForeignKey(
        DemonstrationApplication,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("application"),
    )
    file = models.FileField(_("file"), upload_to="demonstrations/%Y/%m/")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("application attachment")
        verbose_name_plural = _("application attachments")


class ApplicationEvent(models.Model):
    """Who did what to an application, when and why: every transition leaves one."""

    scope = _application_file_scope()

    application = models.ForeignKey(
        DemonstrationApplication,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("application"),
    )
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("reason or note"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self):
        return f"{self.application_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def get_action_display(self):
        from .workflow import EVENT_LABELS

        return EVENT_LABELS.get(self.action, self.action)


def _own_review(user, action):
    ids = _assigned_ids(user)
    if action != "view" or not ids:
        return None
    return Q(expert_id=user.pk, application__in=sorted(ids))


class ExpertAssignment(models.Model):
    """An expert assigned to review one application, and the review once given.

    Reviews are for the bureaus: the applicant never sees them, an expert only their own.
    """

    scope = child_scope(DemonstrationApplication, "application", extra_access=_own_review)

    application = models.ForeignKey(
        DemonstrationApplication,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("application"),
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_assignments",
        verbose_name=_("expert"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=1, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["assigned_at", "pk"]
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"], name="assign_expert_once"),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__gte=0, total__lte=100),
                name="review_total_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.expert} → {self.application}"

    @property
    def is_scored(self):
        return self.scored_at is not None


class Recusal(RecusalRecord):
    """An expert's declared conflict of interest (回避) on an application they were assigned:
    they left the panel before scoring. For the bureaus and the expert; the applicant never
    learns who reviews."""

    scope = child_scope(DemonstrationApplication, "application", extra_access=own_recusal)

    application = models.ForeignKey(
        DemonstrationApplication,
        on_delete=models.CASCADE,
        related_name="recusals",
        verbose_name=_("application"),
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_recusals",
        verbose_name=_("expert"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta(RecusalRecord.Meta):
        pass

    def __str__(self):
        return f"{self.expert} ↚ {self.application}"


class _DatedEntry(models.Model):
    """A dated entry a bureau keeps on an application: what happened, when, and who recorded it."""

    scope = _application_file_scope()

    happened_on = models.DateField(_("date"))
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-happened_on", "-pk"]

    def __str__(self):
        return f"{self.happened_on:%Y-%m-%d} {self.get_kind_display()}"


class FollowUpRecord(_DatedEntry):
    """A yearly follow-up service given to a designated unit (跟踪服务)."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Follow-up visit")
        TRAINING = "training", _("Training")
        GUIDANCE = "guidance", _("Guidance on the protection system")
        EVALUATION = "evaluation", _("Yearly evaluation")

    application = models.ForeignKey(
        DemonstrationApplication,
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta(_DatedEntry.Meta):
        verbose_name = _("follow-up service")
        verbose_name_plural = _("follow-up services")


class FundingRecord(models.Model):
    """Special funding granted to a designated unit in a year (§14)."""

    scope = _application_file_scope()

    application = models.ForeignKey(
        DemonstrationApplication,
        on_delete=models.PROTECT,
        related_name="funding",
        verbose_name=_("application"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2021)])
    amount = models.DecimalField(
        _("amount (10,000 yuan)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0.01)],
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    granted_on = models.DateField(_("granted on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-granted_on", "-pk"]
        verbose_name = _("special funding")
        verbose_name_plural = _("special funding")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_amount_positive")
        ]

    def __str__(self):
        return f"{self.year} {self.amount}"


# The FTZ track: the pilot and its acceptance evaluation (§5) ---------------------------------


class PilotEntry(_DatedEntry):
    """A dated entry of the pilot record: the bureau's guidance, or the enterprise's progress."""

    application = models.ForeignKey(
        DemonstrationApplication,
        on_delete=models.CASCADE,
        related_name="pilot_entries",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PilotEntryKind.choices)

    class Meta(_DatedEntry.Meta):
        verbose_name = _("pilot record entry")
        verbose_name_plural = _("pilot record")


class AcceptanceEvaluation(models.Model):
    """One multi-party acceptance evaluation of an FTZ enterprise's pilot, with its result."""

    scope = _application_file_scope()

    application = models.ForeignKey(
        DemonstrationApplication,
        on_delete=models.PROTECT,
        related_name="acceptance_evaluations",
        verbose_name=_("application"),
    )
    evaluated_on = models.DateField(_("date of the evaluation"))
    result = models.CharField(_("result"), max_length=10, choices=AcceptanceResult.choices)
    conclusion = models.TextField(_("conclusion"))
    rectification = models.TextField(
        _("what to rectify before the re-evaluation"),
        blank=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["evaluated_on", "pk"]
        verbose_name = _("acceptance evaluation")
        verbose_name_plural = _("acceptance evaluations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(result=AcceptanceResult.RECTIFY) | ~Q(rectification=""),
                name="acceptance_rectify_says_what",
            ),
        ]

    def __str__(self):
        return f"{self.evaluated_on:%Y-%m-%d} {self.get_result_display()}"


class AcceptancePartyMember(models.Model):
    """A party taking part in an acceptance evaluation: which body, its organisation, who."""

    evaluation = models.ForeignKey(
        AcceptanceEvaluation,
        on_delete=models.CASCADE,
        related_name="parties",
        verbose_name=_("acceptance evaluation"),
    )
    kind = models.CharField(_("party"), max_length=30, choices=AcceptanceParty.choices)
    organisation = models.CharField(_("organisation"), max_length=200)
    names = models.CharField(_("names"), max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("party to the acceptance")
        verbose_name_plural = _("parties to the acceptance")

    def __str__(self):
        return f"{self.get_kind_display()} {self.organisation}"


class AcceptanceFinding(models.Model):
    """The finding of an acceptance evaluation on one criterion of the track."""

    evaluation = models.ForeignKey(
        AcceptanceEvaluation,
        on_delete=models.CASCADE,
        related_name="findings",
        verbose_name=_("acceptance evaluation"),
    )
    criterion = models.CharField(_("criterion"), max_length=30)
    level = models.CharField(_("finding"), max_length=10, choices=FindingLevel.choices)
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("acceptance finding")
        verbose_name_plural = _("acceptance findings")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"], name="one_finding_per_criterion"
            )
        ]

    def __str__(self):
        return f"{self.get_criterion_display()}: {self.get_level_display()}"

    def get_criterion_display(self):
        from .workflow import RUBRIC

        return next((c.label for c in RUBRIC if c.key == self.criterion), self.criterion)


class AcceptanceDocument(StoredDocument):
    """A document of an acceptance evaluation (minutes, report, opinions), served only through
    a scoped view."""

    scope = _application_file_scope(path="evaluation__application")

    evaluation = models.ForeignKey(
        AcceptanceEvaluation,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("acceptance evaluation"),
    )
    file = models.FileField(_("file"), upload_to="demonstrations/acceptance/%Y/%m/")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("acceptance document")
        verbose_name_plural = _("acceptance documents")
