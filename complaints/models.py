from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from tsprotect.core import scoping
from tsprotect.core.children import child_scope
from tsprotect.core.models import RecusalRecord, StoredDocument, own_recusal
from tsprotect.core.scoping import RestrictedQuerySet, Scope
from tsprotect.core.validators import mask_ric, validate_ric, validate_uscc
from tsprotect.legal.services import provision_in_force

from . import storage
from .workflow import (
    COMPLAINANT_STATUS,
    CRIMINAL_LOSS_THRESHOLD,
    EVENT_LABELS,
    OPEN_STATES,
    Channel,
    Conduct,
    ExtensionKind,
    FeedbackMethod,
    Kind,
    PartyKind,
    PoliceDecision,
    Remedy,
    SecretKind,
    State,
    StepKind,
    TransferState,
)


def evidence_storage():
    return storage.evidence_storage


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
        TRANSFER_SENT = "transfer_sent", _("Transfer sent to public security")
        POLICE_ACCEPTED = (
            "police_accepted",
            _("Transfer accepted by public security (until its receipt: sent)"),
        )
        RECONSIDERATION_REQUESTED = (
            "reconsider_asked",
            _("Reconsideration requested from the police"),
        )
        PENALTY_DECIDED = "penalty_decided", _("Administrative penalty decided")

    class End(models.TextChoices):
        ACCEPT_DECISION = "accept_decision", _("Decision to accept or not")
        FILING_DECISION = "filing_decision", _("Decision on filing a case")
        REPORTER_NOTIFIED = "reporter_notified", _("Reporter told of the decision")
        CASE_CONCLUDED = "case_concluded", _("Case decided or transferred")
        TRANSFER_APPROVED = "transfer_approved", _("Transfer approved")
        TRANSFER_SENT = "transfer_sent", _("Transfer sent")
        POLICE_DECISION = "police_decision", _("The police's decision on filing")
        RECONSIDERATION_DECISION = (
            "reconsider_decided",
            _("The police's reconsideration decision"),
        )
        PENALTY_PUBLISHED = "penalty_published", _("Penalty published")

    class Unit(models.TextChoices):
        WORKING_DAYS = "working_days", _("working days")
        CALENDAR_DAYS = "calendar_days", _("calendar days")
        HOURS = "hours", _("hours")

    class Pause(models.TextChoices):
        # The periods 行政处罚程序规定 arts. 18 and 64 do not count; each limit lists its own.
        APPRAISAL = "appraisal", _("Testing, inspection, quarantine or appraisal")
        IDENTIFICATION = "identification", _("The rights holder identifying its secret")
        HEARING = "hearing", _("Hearing")
        ANNOUNCEMENT = "announcement", _("Public announcement")
        SUSPENSION = "suspension", _("Suspension of the case")
        REFUND = "refund", _("Order to refund overcharged prices")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("name"), max_length=100)
    applies_to = models.CharField(_("applies to"), max_length=10, choices=AppliesTo.choices)
    starts_at = models.CharField(_("counted from"), max_length=20, choices=Start.choices)
    ends_at = models.CharField(_("met by"), max_length=20, choices=End.choices)
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
        help_text=_("How much longer, once, with the head's approval (same unit); 0: none."),
    )
    further_extensions = models.BooleanField(
        _("further extensions by collective decision"),
        default=False,
        help_text=_(
            "Once extended, the heads of the bureau may extend it again by collective decision, "
            "each time stating the period."
        ),
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
    basis_note = models.TextField(
        _("how the rule is applied"),
        blank=True,
        help_text=_("What the article says and why the clock starts and stops where it does."),
    )
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


COMPLAINT_LABEL = "complaints.complaint"
CONSULT_PERMISSION = "consult_complaint"
COMPLAINT_PERMISSIONS = {
    "view": "handle_complaints",
    "add": "handle_complaints",
    "change": "handle_complaints",
}


def _consulted_ids(user):
    return scoping.granted_ids(user, COMPLAINT_LABEL, CONSULT_PERMISSION)


def _complaint_access(user, action):
    """Who reaches a complaint besides its prefecture: the experts consulted on it, and — read
    only — a prefecture that handed it on to another (its trace of the transfer)."""
    if action != "view":
        return None
    parts = []
    ids = _consulted_ids(user)
    if ids:
        parts.append(Q(pk__in=sorted(ids)))
    codes = scoping.prefecture_codes(user, "handle_complaints") if user.is_authenticated else ()
    if codes and codes is not scoping.ALL:
        handed_on = JurisdictionTransfer.objects.filter(from_prefecture__in=sorted(codes))
        county = scoping.county_limit(user)
        if county:
            # A county officer keeps the traces of its own county's hand-overs only; one with
            # no county recorded (before it was) stays with the prefecture's officers.
            handed_on = handed_on.filter(from_county=county)
        parts.append(Q(pk__in=handed_on.values("complaint_id")))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


class ComplaintQuerySet(RestrictedQuerySet):
    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(state__in=OPEN_STATES, next_deadline__lt=today)

    def transfer_candidates(self):
        return self.filter(estimated_loss__gte=CRIMINAL_LOSS_THRESHOLD)


class Complaint(models.Model):
    """A complaint by a rights holder or a report (tip-off) by anyone, from intake to closing."""

    scope = Scope(
        prefecture_field="prefecture",
        county_field="county",
        enterprise_field="complainant_enterprise",
        enterprise_actions=("view", "add"),
        permissions=COMPLAINT_PERMISSIONS,
        extra_access=_complaint_access,
    )

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reference = models.CharField(_("reference number"), max_length=40, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    state = models.CharField(
        _("status"), max_length=20, choices=State.choices, default=State.RECEIVED, db_index=True
    )
    prefecture = models.ForeignKey(
        "regions.Prefecture",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("prefecture"),
    )
    county = models.ForeignKey(
        "regions.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("county"),
    )
    received_on = models.DateField(_("received on"))
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints_handled",
        verbose_name=_("officer in charge"),
    )

    # The complainant: an enterprise of the directory, or a named party; a report may be anonymous.
    complainant_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_filed",
        verbose_name=_("complainant (directory enterprise)"),
    )
    complainant_name = models.CharField(_("complainant"), max_length=200, blank=True)
    complainant_contact = models.CharField(_("complainant's contact"), max_length=200, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)

    respondent_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_against",
        verbose_name=_("respondent (directory enterprise)"),
    )
    respondent_name = models.CharField(_("respondent company"), max_length=200, blank=True)
    respondent_credit_code = models.CharField(
        _("respondent's credit code"), max_length=18, blank=True, validators=[validate_uscc]
    )
    respondent_individuals = models.TextField(
        _("individuals concerned"),
        blank=True,
        help_text=_("E.g. former employees: name, former position, where they went."),
    )
    secret_kind = models.CharField(_("secret concerned"), max_length=20, choices=SecretKind.choices)
    conduct = models.JSONField(_("alleged conduct"), default=list, blank=True)
    estimated_loss = models.DecimalField(
        _("estimated loss (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    description = models.TextField(_("description"))

    # Milestones: the start and end events of the statutory clocks.
    accept_decided_at = models.DateTimeField(_("acceptance decided at"), null=True, blank=True)
    filing_decided_at = models.DateTimeField(
        _("decision on filing a case taken at"), null=True, blank=True
    )
    case_number = models.CharField(_("case number"), max_length=60, blank=True)
    case_filed_on = models.DateField(_("case filed on"), null=True, blank=True)
    transfer_unit = models.CharField(
        _("receiving public security unit"), max_length=200, blank=True
    )
    transfer_proposed_at = models.DateTimeField(_("transfer proposed at"), null=True, blank=True)
    transfer_approved_at = models.DateTimeField(_("transfer approved at"), null=True, blank=True)
    transfer_approved_by = models.CharField(_("transfer approved by"), max_length=100, blank=True)
    transfer_sent_at = models.DateTimeField(_("transfer sent at"), null=True, blank=True)
    # What comes back from the police (行政执法机关移送涉嫌犯罪案件的规定 arts. 8–9).
    transfer_state = models.CharField(
        _("police's answer"),
        max_length=25,
        choices=TransferState.choices,
        blank=True,
        db_index=True,
    )
    police_accepted_on = models.DateField(_("accepted by the police on"), null=True, blank=True)
    police_receipt_number = models.CharField(
        _("number of the police's receipt"), max_length=60, blank=True
    )
    police_decision = models.CharField(
        _("police's decision on filing"), max_length=10, choices=PoliceDecision.choices, blank=True
    )
    police_decided_on = models.DateField(_("police decided on"), null=True, blank=True)
    police_document_number = models.CharField(
        _("number of the police's notice"), max_length=60, blank=True
    )
    reconsideration_requested_on = models.DateField(
        _("reconsideration requested on"), null=True, blank=True
    )
    reconsideration_request_number = models.CharField(
        _("number of the request for reconsideration"), max_length=60, blank=True
    )
    reconsideration_decision = models.CharField(
        _("police's reconsideration decision"),
        max_length=10,
        choices=PoliceDecision.choices,
        blank=True,
    )
    reconsideration_decided_on = models.DateField(
        _("reconsideration decided on"), null=True, blank=True
    )
    reconsideration_document_number = models.CharField(
        _("number of the reconsideration decision"), max_length=60, blank=True
    )
    supervision_requested_on = models.DateField(
        _("procuratorate supervision requested on"), null=True, blank=True
    )
    procuratorate = models.CharField(_("people's procuratorate"), max_length=200, blank=True)
    supervision_document_number = models.CharField(
        _("number of the request for supervision"), max_length=60, blank=True
    )
    remedy = models.CharField(_("remedy"), max_length=30, choices=Remedy.choices, blank=True)
    case_decided_on = models.DateField(_("case decided on"), null=True, blank=True)
    penalty = models.BooleanField(_("administrative penalty"), default=False)
    decision_number = models.CharField(_("penalty decision number"), max_length=60, blank=True)
    confiscated = models.DecimalField(
        _("illegal gains confiscated (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    fine = models.DecimalField(
        _("fine (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    case_concluded_at = models.DateTimeField(_("case concluded at"), null=True, blank=True)
    penalty_published_at = models.DateTimeField(_("penalty published at"), null=True, blank=True)
    outcome_at = models.DateTimeField(_("outcome reached at"), null=True, blank=True)
    reporter_notified_at = models.DateTimeField(_("reporter told at"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("feedback given at"), null=True, blank=True)
    feedback_method = models.CharField(
        _("feedback by"), max_length=15, choices=FeedbackMethod.choices, blank=True
    )
    feedback = models.TextField(_("feedback to the complainant"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # The running clock that falls due first (kept by services.refresh_clocks).
    next_deadline = models.DateField(_("next deadline"), null=True, blank=True)
    next_limit = models.ForeignKey(
        StatutoryLimit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current clock"),
    )
    accept_deadline = models.DateField(_("first decision due"), null=True, blank=True)
    paused = models.BooleanField(_("clock paused"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("complaint or report")
        verbose_name_plural = _("complaints and reports")
        permissions = [(CONSULT_PERMISSION, _("Consult on the complaint as an expert"))]
        indexes = [
            models.Index(fields=["prefecture", "state", "next_deadline"]),
            models.Index(fields=["prefecture", "received_on"]),
            # The open queue by deadline (?open=true&sort=next_deadline): read in order, the
            # scope's prefecture filtered on the way, instead of sorting every open complaint.
            models.Index(
                fields=["next_deadline", "id"],
                condition=~Q(state="closed"),
                name="complaint_open_deadline",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(kind="report"),
                name="only_reports_are_anonymous",
            ),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("complaints:detail", args=[self.pk])

    @property
    def is_transfer_candidate(self) -> bool:
        return self.estimated_loss is not None and self.estimated_loss >= CRIMINAL_LOSS_THRESHOLD

    @property
    def is_open(self) -> bool:
        return self.state != State.CLOSED

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.next_deadline is not None and self.next_deadline < today

    @property
    def real_name(self) -> bool:
        """A reporter who gave their name is owed the news of the decision (art. 31)."""
        return not self.anonymous and bool(self.complainant_name or self.complainant_enterprise_id)

    @property
    def complainant_display(self):
        if self.anonymous:
            return _("Anonymous")
        if self.complainant_enterprise_id:
            return self.complainant_enterprise.name
        return self.complainant_name

    @property
    def respondent_company(self):
        if self.respondent_enterprise_id:
            return self.respondent_enterprise.name
        return self.respondent_name

    @property
    def respondent_display(self):
        """The company, else the individuals named: for those handling the complaint."""
        return self.respondent_company or self.respondent_individuals[:60]

    def get_conduct_display(self):
        labels = dict(Conduct.choices)
        return [labels.get(code, code) for code in self.conduct]

    def get_complainant_status_display(self):
        return COMPLAINANT_STATUS.get(self.state, self.get_state_display())


def _consulted_access(user, action):
    """The experts consulted on a complaint read its investigation and evidence; a bureau that
    handed it on reads none of what hangs off it."""
    if action != "view":
        return None
    ids = _consulted_ids(user)
    return Q(complaint__in=sorted(ids)) if ids else None


class ReferenceCounter(models.Model):
    """The last reference number given per prefecture and year (locked while numbering)."""

    prefecture = models.ForeignKey("regions.Prefecture", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "year"], name="one_counter_per_year")
        ]

    def __str__(self):
        return f"{self.prefecture_id} {self.year}: {self.last}"


class ComplaintEvent(models.Model):
    """Who did what to a complaint, when and why: every step leaves one."""

    scope = child_scope(Complaint, "complaint")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="events", verbose_name=_("complaint")
    )
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    # Shown to the complainant (the note only when ``public_note``): never an internal step.
    public = models.BooleanField(default=False)
    public_note = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self):
        return f"{self.complaint_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def get_action_display(self):
        return EVENT_LABELS.get(self.action, self.action)


class JurisdictionTransfer(models.Model):
    """A complaint handed to another prefecture: the sender keeps a read-only trace of it."""

    scope = child_scope(Complaint, "complaint")

    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.CASCADE,
        related_name="jurisdiction_transfers",
        verbose_name=_("complaint"),
    )
    from_prefecture = models.ForeignKey(
        "regions.Prefecture", on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    # The county the complaint was handled in when handed on: its county officers keep the trace.
    from_county = models.ForeignKey(
        "regions.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from county"),
    )
    to_prefecture = models.ForeignKey(
        "regions.Prefecture", on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["from_prefecture", "complaint"])]
        verbose_name = _("jurisdiction transfer")
        verbose_name_plural = _("jurisdiction transfers")

    def __str__(self):
        return f"{self.complaint_id}: {self.from_prefecture_id} → {self.to_prefecture_id}"


class InvestigationStep(models.Model):
    """One entry of the investigation log: internal, never shown to the complainant."""

    scope = child_scope(Complaint, "complaint", extra_access=_consulted_access)

    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.CASCADE,
        related_name="investigation_steps",
        verbose_name=_("complaint"),
    )
    kind = models.CharField(_("kind of step"), max_length=15, choices=StepKind.choices)
    happened_on = models.DateField(_("date"))
    actions = models.TextField(_("actions taken"))
    findings = models.TextField(_("findings"), blank=True)
    experts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="consultations",
        verbose_name=_("experts consulted"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["happened_on", "pk"]
        verbose_name = _("investigation step")
        verbose_name_plural = _("investigation steps")

    def __str__(self):
        return f"{self.complaint_id} {self.get_kind_display()} {self.happened_on}"


class Recusal(RecusalRecord):
    """An expert consulted on a complaint who declared a conflict of interest (回避) and left
    the consultation: for the bureau handling it, provincial staff and the expert."""

    scope = child_scope(Complaint, "complaint", extra_access=own_recusal)

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="recusals", verbose_name=_("complaint")
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="consultation_recusals",
        verbose_name=_("expert"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta(RecusalRecord.Meta):
        pass

    def __str__(self):
        return f"{self.expert} ↚ {self.complaint_id}"


class ClockPause(models.Model):
    """A period the statutory clocks listing its reason do not count (appraisal, hearing …)."""

    scope = child_scope(Complaint, "complaint")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("complaint")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=StatutoryLimit.Pause.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["started_on", "pk"]
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="pause_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()} {self.started_on}–{self.ended_on or ''}"


class ComplaintClock(models.Model):
    """One statutory limit running (or met) on one complaint: when it started, when it falls due
    and when it was met; its extensions are ``ClockExtension`` rows."""

    scope = child_scope(Complaint, "complaint")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="clocks", verbose_name=_("complaint")
    )
    limit = models.ForeignKey(
        StatutoryLimit, on_delete=models.PROTECT, related_name="+", verbose_name=_("time limit")
    )
    started_at = models.DateTimeField(_("started"))
    due_on = models.DateField(_("due"), null=True, blank=True)  # None while paused
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)  # limits in hours
    met_at = models.DateTimeField(_("met"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["started_at", "pk"]
        verbose_name = _("statutory clock")
        verbose_name_plural = _("statutory clocks")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "limit"], name="one_clock_per_limit")
        ]
        indexes = [models.Index(fields=["met_at", "due_on"])]

    def __str__(self):
        return f"{self.complaint_id} {self.limit_id} {self.due_on}"

    @property
    def extended(self) -> bool:
        return bool(self.extensions.all())  # prefetched by ``services.current_clocks``

    @property
    def approved_extension(self):
        """The one extension the head may approve, if taken (the law allows it once)."""
        return next(
            (e for e in self.extensions.all() if e.kind == ClockExtension.Kind.APPROVAL), None
        )

    @property
    def provisional(self) -> bool:
        """Counted from the sending only until the police's receipt dates their acceptance, from
        which art. 8 counts: the due day may still move later."""
        return (
            self.limit.starts_at == StatutoryLimit.Start.POLICE_ACCEPTED
            and self.complaint.police_accepted_on is None
        )

    @property
    def running(self) -> bool:
        """Counting towards its due day: not met, and its limit still in force."""
        return self.met_at is None and self.limit.active

    @property
    def met_late(self) -> bool:
        if self.met_at is None or self.due_on is None:
            return False
        if self.due_at is not None:
            return self.met_at > self.due_at
        return timezone.localdate(self.met_at) > self.due_on

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        if not self.running or self.due_on is None:
            return False
        if self.due_at is not None:
            return now > self.due_at
        return timezone.localdate(now) > self.due_on


class ClockExtension(models.Model):
    """One extension of a statutory clock: the head's approval, or — past it, where the rule
    allows — a collective decision of the bureau's heads with the period it states
    (行政处罚程序规定 art. 64). Who decided, when, the document (its number and/or the
    uploaded decision, kept with the evidence), why, and who recorded it."""

    Kind = ExtensionKind

    scope = child_scope(Complaint, "complaint")

    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.CASCADE,
        related_name="clock_extensions",
        verbose_name=_("complaint"),
    )
    clock = models.ForeignKey(
        ComplaintClock,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("statutory clock"),
    )
    kind = models.CharField(_("kind of extension"), max_length=12, choices=Kind.choices)
    period = models.PositiveSmallIntegerField(
        _("extended by"), validators=[MinValueValidator(1)], help_text=_("In the limit's unit.")
    )
    approved_by = models.CharField(_("approved or decided by"), max_length=200)
    decided_on = models.DateField(_("decided on"))
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    document = models.ForeignKey(
        "EvidenceFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document"),
    )
    reason = models.TextField(_("reason for the extension"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["decided_on", "pk"]
        verbose_name = _("extension of a time limit")
        verbose_name_plural = _("extensions of time limits")
        constraints = [
            # The head approves once; the further extensions are collective decisions.
            models.UniqueConstraint(
                fields=["clock"], condition=Q(kind="approval"), name="one_approved_extension"
            ),
        ]

    def __str__(self):
        return f"{self.clock_id} +{self.period} {self.decided_on}"


class EvidenceFile(StoredDocument):
    """Evidence is itself a trade secret: kept in its own storage, opened only through the
    permission-checked view, every opening logged."""

    scope = child_scope(
        Complaint, "complaint", enterprise_actions=("add",), extra_access=_consulted_access
    )

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("complaint")
    )
    file = models.FileField(
        _("file"), upload_to="complaints/%Y/%m/", storage=evidence_storage, max_length=200
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")


class EvidenceAccess(models.Model):
    """Who opened which evidence file, and when."""

    scope = child_scope(Complaint, "evidence__complaint")

    evidence = models.ForeignKey(
        EvidenceFile, on_delete=models.CASCADE, related_name="accesses", verbose_name=_("file")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("evidence access")
        verbose_name_plural = _("evidence accesses")

    def __str__(self):
        return f"{self.evidence_id} {self.user_id} {self.at:%Y-%m-%d %H:%M}"


class CreditPush(models.Model):
    """The administrative penalty decision, as recorded for the social credit platform
    (信用信息公示): the party penalised, the facts, the provision applied in force on the day of
    the decision, the penalty and its amounts, each in its own field.

    A natural person's ID number is kept whole for the decision itself; everywhere else —
    pages, API, admin, the platform's CSV — it is shown masked (``id_number_masked``).
    """

    scope = child_scope(Complaint, "complaint")

    complaint = models.OneToOneField(
        Complaint, on_delete=models.PROTECT, related_name="credit_push", verbose_name=_("case")
    )
    party_kind = models.CharField(
        _("kind of party"),
        max_length=20,
        choices=PartyKind.choices,
        default=PartyKind.ORGANISATION,
    )
    respondent_name = models.CharField(_("party penalised"), max_length=200)
    respondent_credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True
    )
    id_number = models.CharField(
        _("ID number"), max_length=18, blank=True, validators=[validate_ric]
    )
    decision_number = models.CharField(_("penalty decision number"), max_length=60)
    decided_on = models.DateField(_("decided on"))
    facts = models.TextField(_("facts of the violation"), blank=True)
    provision = models.ForeignKey(
        "legal.Provision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provision applied"),
    )
    basis = models.CharField(_("legal basis of the penalty"), max_length=300, blank=True)
    confiscated = models.DecimalField(
        _("illegal gains confiscated (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    fine = models.DecimalField(
        _("fine (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    content = models.TextField(_("penalty"))
    authority = models.CharField(_("penalising authority"), max_length=100)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_on = models.DateField(_("published on"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("credit platform push")
        verbose_name_plural = _("credit platform pushes")
        constraints = [
            models.CheckConstraint(
                condition=Q(party_kind="natural_person", respondent_credit_code="")
                | (~Q(party_kind="natural_person") & Q(id_number="")),
                name="person_by_id_number_organisation_by_credit_code",
            )
        ]

    def __str__(self):
        return self.decision_number

    @property
    def id_number_masked(self) -> str:
        return mask_ric(self.id_number) if self.id_number else ""

    @property
    def is_person(self) -> bool:
        return self.party_kind == PartyKind.NATURAL_PERSON

    @cached_property
    def infringed_provision(self):
        """The trade-secret paragraph the party infringed, in the version in force on the day of
        the decision (2019 第九条, 2025 第十条): a natural person is one of the "other natural
        persons" of para. 2, any other party a business operator of para. 1 (the kinds of party
        do not tell an organisation that is no business operator apart)."""
        key = "aucl.other_infringers" if self.is_person else "aucl.trade_secret_acts"
        return provision_in_force("aucl", key, on=self.decided_on)
