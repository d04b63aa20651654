from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tsprotect.core.children import child_scope
from tsprotect.core.models import StoredDocument
from tsprotect.core.scoping import RestrictedQuerySet, Scope
from tsprotect.core.validators import normalise_uscc, uscc_division_code, validate_uscc

from .industries import DIVISION_CHOICES, DIVISIONS, SECTION_CHOICES

DIRECTORY_PERMISSIONS = {
    "view": "view_prefecture_records",
    "add": "manage_enterprises",
    "change": "manage_enterprises",
    "delete": "manage_enterprises",
}


class Enterprise(models.Model):
    """An enterprise of the directory (名录库, §11)."""

    scope = Scope(
        prefecture_field="prefecture",
        county_field="county",
        enterprise_field="pk",
        enterprise_actions=("view",),
        permissions=DIRECTORY_PERMISSIONS,
    )

    class SizeClass(models.TextChoices):
        LARGE = "large", _("Large")
        MEDIUM = "medium", _("Medium")
        SMALL = "small", _("Small")
        MICRO = "micro", _("Micro")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In the directory")
        REMOVED = "removed", _("Removed from the directory")

    # The tags of the policy (§6, §9), as flags so that lists filter on an index-friendly column.
    TAGS = {
        "industry_leader": _("Industry leader"),
        "time_honoured_brand": _("Time-honoured brand"),
        "high_tech": _("High-tech enterprise"),
        "sme": _("SME"),
    }

    # What officers edit, in the order of the form; the page, the API and the import agree.
    EDITABLE_FIELDS = [
        "uscc",
        "name",
        "legal_representative",
        "address",
        "prefecture",
        "county",
        "park",
        "ftz_area",
        "industry_division",
        "size_class",
        "is_industry_leader",
        "is_time_honoured_brand",
        "is_high_tech",
        "is_sme",
        "holds_technical_information",
        "holds_business_information",
        "staff_count",
        "rd_staff_count",
        "technical_departures_per_year",
        "protection_needs",
        "contact_person",
        "contact_phone",
        "liaison_officer",
        "liaison_phone",
        "status",
        "last_confirmed_on",
    ]

    # Unique by a constraint rather than unique=True, which would add a second, LIKE-pattern
    # index on PostgreSQL that no search uses and every import would have to fill.
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, validators=[validate_uscc]
    )
    name = models.CharField(_("enterprise name"), max_length=200)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # No index of their own: the composite indexes below lead with them (enterprises/0011).
    prefecture = models.ForeignKey(
        "regions.Prefecture",
        on_delete=models.PROTECT,
        related_name="enterprises",
        verbose_name=_("prefecture"),
        db_index=False,
    )
    county = models.ForeignKey(
        "regions.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("county"),
        db_index=False,
    )
    park = models.ForeignKey(
        "regions.HostOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("park"),
        limit_choices_to=Q(kind__in=["industrial_park", "etdz", "high_tech_zone"]),
    )
    ftz_area = models.ForeignKey(
        "regions.FtzArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("FTZ area"),
        # Indexed below without the LIKE-pattern twin a code key gets (enterprises/0011).
        db_index=False,
    )
    industry_section = models.CharField(
        _("industry section"), max_length=1, choices=SECTION_CHOICES, blank=True, editable=False
    )
    industry_division = models.CharField(
        _("industry"),
        max_length=2,
        choices=DIVISION_CHOICES,
        blank=True,
        help_text=_("GB/T 4754-2017 division"),
    )
    size_class = models.CharField(
        _("size class"), max_length=10, choices=SizeClass.choices, blank=True
    )
    is_industry_leader = models.BooleanField(TAGS["industry_leader"], default=False)
    is_time_honoured_brand = models.BooleanField(TAGS["time_honoured_brand"], default=False)
    is_high_tech = models.BooleanField(TAGS["high_tech"], default=False)
    is_sme = models.BooleanField(TAGS["sme"], default=False)
    holds_technical_information = models.BooleanField(
        _("holds technical information"), default=False
    )
    holds_business_information = models.BooleanField(_("holds business information"), default=False)
    staff_count = models.PositiveIntegerField(_("staff"), null=True, blank=True)
    rd_staff_count = models.PositiveIntegerField(_("R&D staff"), null=True, blank=True)
    technical_departures_per_year = models.PositiveIntegerField(
        _("technical staff departures per year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    protection_needs = models.TextField(_("protection needs"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    liaison_officer = models.CharField(_("liaison officer"), max_length=50, blank=True)
    liaison_phone = models.CharField(_("liaison officer's phone"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    last_confirmed_on = models.DateField(_("last confirmed on"), null=True, blank=True)
    # Set by the assessments' risk rule when an officer confirms a checklist (分级管理).
    risk_tier = models.CharField(
        _("risk tier"),
        max_length=10,
        blank=True,
        choices=[("high", _("High risk")), ("medium", _("Medium risk")), ("low", _("Low risk"))],
    )
    risk_assessed_on = models.DateField(_("risk assessed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    # The history is read by record, date, prefecture or county, never by these (enterprises/0011).
    history = HistoricalRecords(
        excluded_fields=["updated_at"], no_db_index=["park", "ftz_area", "created_by"]
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        permissions = [("act_for_enterprise", _("Act for the enterprise"))]
        indexes = [
            # The list's default order: lets a province-wide search walk names in order.
            models.Index(fields=["name", "id"], name="enterprise_name_id"),
            models.Index(fields=["prefecture", "name"], name="enterprise_pref_name"),
            models.Index(fields=["county", "name"], name="enterprise_county_name"),
            models.Index(fields=["industry_division"], name="enterprise_industry"),
            models.Index(fields=["prefecture", "risk_tier"], name="enterprise_pref_tier"),
            models.Index(fields=["ftz_area"], name="enterprise_ftz_area"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], name="enterprise_uscc_unique"),
            models.CheckConstraint(
                name="enterprise_rd_staff_within_staff",
                condition=Q(rd_staff_count__isnull=True)
                | Q(staff_count__isnull=True)
                | Q(rd_staff_count__lte=models.F("staff_count")),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.uscc = normalise_uscc(self.uscc)
        self.industry_section = self.section_of(self.industry_division)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("enterprises:detail", args=[self.pk])

    @staticmethod
    def section_of(division):
        return DIVISIONS[division][0] if division in DIVISIONS else ""

    def clean(self):
        super().clean()
        self.uscc = normalise_uscc(self.uscc)
        errors = {}
        if (
            self.county_id
            and self.prefecture_id
            and self.county.prefecture_id != self.prefecture_id
        ):
            errors["county"] = _("The county is not in the chosen prefecture.")
        if self.park_id and self.prefecture_id and self.park.prefecture_id != self.prefecture_id:
            errors["park"] = _("The park is not in the chosen prefecture.")
        if (
            self.ftz_area_id
            and self.prefecture_id
            and self.ftz_area.prefecture_id != self.prefecture_id
        ):
            errors["ftz_area"] = _("This FTZ area is in another prefecture.")
        if (
            self.rd_staff_count is not None
            and self.staff_count is not None
            and self.rd_staff_count > self.staff_count
        ):
            errors["rd_staff_count"] = _("R&D staff cannot exceed the total staff.")
        if errors:
            raise ValidationError(errors)

    def division_warning(self):
        """A note when the credit code's division digits point elsewhere than the record.

        Only a warning: an enterprise keeps its code when it moves to another county.
        """
        digits = uscc_division_code(self.uscc)
        if not digits or not self.prefecture_id or digits[:4] == self.prefecture_id[:4]:
            return ""
        return _(
            "The credit code was issued under division %(code)s, outside the chosen prefecture; "
            "please check that the prefecture is right."
        ) % {"code": digits}

    @property
    def tags(self):
        return [label for key, label in self.TAGS.items() if getattr(self, f"is_{key}")]

    @property
    def secret_kinds(self):
        kinds = []
        if self.holds_technical_information:
            kinds.append(_("technical information"))
        if self.holds_business_information:
            kinds.append(_("business information"))
        return kinds


# The dossier is the bureau's file on an enterprise: officers in scope only, not the enterprise.
DOSSIER_SCOPE = child_scope(Enterprise, "enterprise")


class EnterpriseDocument(StoredDocument):
    """A file of the enterprise's dossier (档案, §9), served only through a scoped view."""

    scope = DOSSIER_SCOPE

    class Kind(models.TextChoices):
        RULES = "rules", _("Confidentiality rules")
        AGREEMENT = "agreement", _("Agreement template")
        VISIT_RECORD = "visit_record", _("Visit record")
        CERTIFICATE = "certificate", _("Certificate or licence")
        OTHER = "other", _("Other")

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("enterprise"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(_("file"), upload_to="dossier/%Y/%m/")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("dossier document")
        verbose_name_plural = _("dossier documents")


class ServiceEvent(models.Model):
    """A service given to the enterprise (§12): a visit, a training, guidance."""

    scope = DOSSIER_SCOPE

    class Kind(models.TextChoices):
        VISIT = "visit", _("Guidance visit")
        TRAINING = "training", _("Training")
        CONTRACT_GUIDANCE = "contract_guidance", _("Guidance on confidentiality contracts")
        NON_COMPETE_GUIDANCE = "non_compete_guidance", _("Guidance on non-compete agreements")
        OTHER = "other", _("Other service")

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="service_events",
        verbose_name=_("enterprise"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    happened_on = models.DateField(_("date"))
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-happened_on", "-pk"]
        verbose_name = _("service event")
        verbose_name_plural = _("service events")

    def __str__(self):
        return f"{self.happened_on:%Y-%m-%d} {self.get_kind_display()}"


class DirectorySubmission(models.Model):
    """A prefecture's directory changes sent up to the province (§11 定期汇总、更新并上报).

    The changes are computed from the record history when it is sent and stored with it, so a
    submission never changes afterwards.
    """

    scope = Scope(
        prefecture_field="prefecture",
        county_field=None,
        permissions={"view": "view_prefecture_records", "add": "submit_reports"},
    )

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")

    prefecture = models.ForeignKey(
        "regions.Prefecture",
        on_delete=models.PROTECT,
        related_name="directory_submissions",
        verbose_name=_("prefecture"),
    )
    period_start = models.DateTimeField(_("changes since"), null=True, blank=True)
    period_end = models.DateTimeField(_("changes until"))
    note = models.TextField(_("note"), blank=True)
    added_count = models.PositiveIntegerField(_("added"), default=0)
    changed_count = models.PositiveIntegerField(_("changed"), default=0)
    removed_count = models.PositiveIntegerField(_("removed"), default=0)
    directory_size = models.PositiveIntegerField(_("enterprises in the directory"), default=0)
    changes = models.JSONField(_("changes"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledgement_note = models.TextField(_("acknowledgement note"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("directory submission")
        verbose_name_plural = _("directory submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "period_end"], name="directory_submission_once"
            )
        ]

    def __str__(self):
        return f"{self.prefecture} {self.submitted_at:%Y-%m-%d}"

    ACKNOWLEDGEMENT_FIELDS = {
        "status",
        "acknowledged_by",
        "acknowledged_at",
        "acknowledgement_note",
    }

    def save(self, *args, **kwargs):
        # Frozen once sent: later saves may only record the province's acknowledgement.
        update_fields = kwargs.get("update_fields")
        if self.pk and (update_fields is None or set(update_fields) - self.ACKNOWLEDGEMENT_FIELDS):
            raise ValueError("A directory submission is frozen once sent.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("enterprises:submission_detail", args=[self.pk])


class ImportBatch(models.Model):
    """An uploaded spreadsheet between its preview and its import.

    Its rows are validated once, at the preview, and kept as ``ImportRow``s for the import to
    write; the file is kept as the record of what was uploaded. A batch that can never be
    imported (its rows have errors) keeps its errors but neither rows nor file. A county
    officer's batch carries their county, which is what lets them reach it.
    """

    scope = Scope(
        prefecture_field="prefecture",
        county_field="county",
        permissions={"view": "manage_enterprises", "change": "manage_enterprises"},
    )

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        IMPORTED = "imported", _("Imported")

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
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PREVIEWED
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    create_count = models.PositiveIntegerField(_("new records"), default=0)
    update_count = models.PositiveIntegerField(_("updated records"), default=0)
    errors = models.JSONField(_("errors"), default=list)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    # The directory's columns the file holds (attnames): the others are left as they are.
    columns = models.JSONField(_("columns"), default=list)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self):
        return self.original_name


class ImportRow(models.Model):
    """A validated row of a previewed batch: the directory's values by column (attname).

    Written with ``COPY`` at the preview and read by the import's set-based SQL, which takes the
    types from the directory table itself (``jsonb_populate_record``); deleted once the batch is
    imported or can no longer be. Reached only through its batch.
    """

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="rows", verbose_name=_("import batch")
    )
    row = models.PositiveIntegerField(_("row"))
    values = models.JSONField(_("values"), encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")

    def __str__(self):
        return f"{self.batch_id}:{self.row}"
