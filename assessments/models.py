from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tsprotect.core.scoping import RestrictedQuerySet, Scope


class Tier(models.TextChoices):
    HIGH = "high", _("High risk")
    MEDIUM = "medium", _("Medium risk")
    LOW = "low", _("Low risk")


class ChecklistTemplate(models.Model):
    """A version of the self-protection checklist. Published versions never change: a new
    version is a copy, so submissions made on an old one keep their items and wording."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("In use")
        RETIRED = "retired", _("Retired")

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveSmallIntegerField(_("version"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    note = models.TextField(_("what changed"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="published"),
                name="one_checklist_in_use",
            )
        ]

    def __str__(self):
        return f"{self.name}（v{self.version}）"

    @property
    def is_editable(self):
        return self.status == self.Status.DRAFT


class ChecklistCategory(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.CASCADE,
        related_name="categories",
        verbose_name=_("template"),
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["template", "order", "pk"]
        verbose_name = _("checklist category")
        verbose_name_plural = _("checklist categories")
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="category_code_once")
        ]

    def __str__(self):
        return self.name


class ChecklistItem(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("template"),
    )
    category = models.ForeignKey(
        ChecklistCategory,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("category"),
    )
    code = models.SlugField(_("code"), max_length=30)
    text = models.TextField(_("item"))
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    critical = models.BooleanField(
        _("critical"),
        default=False,
        help_text=_("Failing it alone makes the protection measures unreasonable."),
    )
    guidance = models.TextField(_("guidance"))
    evidence_expected = models.BooleanField(_("evidence expected"), default=False)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["template", "category__order", "order", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="item_code_once"),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=5), name="item_weight_1_to_5"
            ),
        ]

    def __str__(self):
        return self.text[:60]


class ChecklistSubmission(models.Model):
    """An enterprise's self-assessment on one template version, with its score and tier."""

    scope = Scope(
        prefecture_field="prefecture",
        county_field="county",
        enterprise_field="enterprise",
        enterprise_actions=("view", "add", "change"),
        permissions={
            "view": "view_prefecture_records",
            "add": "manage_enterprises",
            "change": "manage_enterprises",
        },
    )

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted, awaiting confirmation")
        RETURNED = "returned", _("Returned for correction")
        CONFIRMED = "confirmed", _("Confirmed")

    OPEN_STATUSES = (Status.DRAFT, Status.RETURNED)

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="checklist_submissions",
        verbose_name=_("enterprise"),
    )
    prefecture = models.ForeignKey(
        "regions.Prefecture",
        on_delete=models.PROTECT,
        related_name="+",
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
    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("checklist version"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    on_behalf = models.BooleanField(
        _("filled by an officer"),
        default=False,
        help_text=_("Filled in by an officer on the enterprise's behalf, during a visit."),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("saved at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_note = models.TextField(_("review note"), blank=True)
    score = models.DecimalField(
        _("checklist score"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    risk_points = models.DecimalField(
        _("risk points"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    tier = models.CharField(_("risk tier"), max_length=10, choices=Tier.choices, blank=True)
    explanation = models.JSONField(_("reasons"), default=list, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("checklist submission")
        verbose_name_plural = _("checklist submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(status__in=["draft", "returned"]),
                name="one_open_checklist_per_enterprise",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="checklist_score_0_100",
            ),
        ]
        indexes = [models.Index(fields=["prefecture", "status"], name="checklist_pref_status")]

    def __str__(self):
        return f"{self.enterprise} · {self.template}"

    def get_absolute_url(self):
        return reverse("assessments:detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES


class ChecklistAnswer(models.Model):
    scope = Scope(
        prefecture_field="submission__prefecture",
        county_field="submission__county",
        enterprise_field="submission__enterprise",
        enterprise_actions=("view",),
        permissions={"view": "view_prefecture_records"},
    )

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")
        NOT_APPLICABLE = "na", _("Not applicable")

    submission = models.ForeignKey(
        ChecklistSubmission,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("submission"),
    )
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item")
    )
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices)
    note = models.TextField(_("note"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="checklists/%Y/%m/", blank=True)
    evidence_name = models.CharField(_("file name"), max_length=255, blank=True)
    evidence_type = models.CharField(_("content type"), max_length=100, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["item__category__order", "item__order", "pk"]
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        constraints = [
            models.UniqueConstraint(fields=["submission", "item"], name="answer_item_once")
        ]

    def __str__(self):
        return f"{self.item_id}: {self.answer}"


class ComplianceTip(models.Model):
    """A general compliance tip published by the province on the information platform (§9)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(_("headline"), max_length=150)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text"), help_text=_("Formatting is kept; scripts are removed."))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("compliance tip")
        verbose_name_plural = _("compliance tips")

    def __str__(self):
        return self.title


class Survey(models.Model):
    """A questionnaire of the province to enterprises of chosen prefectures or tags (§10)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("headline"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    prefectures = models.ManyToManyField(
        "regions.Prefecture",
        blank=True,
        related_name="+",
        verbose_name=_("prefectures"),
        help_text=_("None chosen: every prefecture."),
    )
    tags = models.JSONField(
        _("tags"), default=list, blank=True, help_text=_("None chosen: every enterprise.")
    )
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self):
        return self.title


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        NUMBER = "number", _("Number")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["survey", "order", "pk"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")

    def __str__(self):
        return self.text


class SurveyResponse(models.Model):
    """One enterprise's answers to a survey; an enterprise answers once."""

    scope = Scope(
        prefecture_field="prefecture",
        county_field="county",
        enterprise_field="enterprise",
        enterprise_actions=("view", "add"),
        permissions={"view": "view_prefecture_records", "add": "manage_enterprises"},
    )

    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("survey")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="survey_responses",
        verbose_name=_("enterprise"),
    )
    prefecture = models.ForeignKey(
        "regions.Prefecture",
        on_delete=models.PROTECT,
        related_name="+",
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
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(fields=["survey", "enterprise"], name="survey_answered_once")
        ]

    def __str__(self):
        return f"{self.survey} · {self.enterprise}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        SurveyQuestion, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    # A choice (str), several choices (list of str), a number, or text: as the question's kind.
    value = models.JSONField(_("answer"))

    class Meta:
        ordering = ["question__order", "pk"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_question_once")
        ]

    def __str__(self):
        return f"{self.question_id}: {self.value}"
