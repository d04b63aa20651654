"""Administrative divisions of Hunan, FTZ areas, host organisations and calendar overrides.

Prefectures and counties are keyed by their GB/T 2260 division code, which is how other systems
and the API name them (``430100``), so ``prefecture_id`` on any scoped row is that code.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Capabilities a prefecture bureau holds on its own Prefecture row (django-guardian object
# permissions); provincial staff hold them globally. The scoping entry point reads these.
PREFECTURE_PERMISSIONS = [
    ("view_prefecture_records", _("View the records of the prefecture")),
    ("manage_enterprises", _("File and update enterprise records")),
    ("handle_complaints", _("Handle complaints and reports")),
    ("recommend_demonstrations", _("Recommend demonstration candidates")),
    ("submit_reports", _("Submit periodic reports")),
]


class Prefecture(models.Model):
    code = models.CharField(_("division code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")
        permissions = PREFECTURE_PERMISSIONS

    def __str__(self):
        return self.name


class County(models.Model):
    code = models.CharField(_("division code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=40)
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        related_name="counties",
        verbose_name=_("prefecture"),
    )
    # Management and development zones with statistical codes ending in 7x: enterprises are
    # registered in them as in a county.
    is_functional_zone = models.BooleanField(_("functional zone"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "name"], name="county_name_unique")
        ]

    def __str__(self):
        return self.name


class FtzArea(models.Model):
    """An area of the China (Hunan) Pilot Free Trade Zone (§5)."""

    code = models.SlugField(_("code"), max_length=20, primary_key=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        related_name="ftz_areas",
        verbose_name=_("prefecture"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("FTZ area")
        verbose_name_plural = _("FTZ areas")

    def __str__(self):
        return self.name


class HostOrganisation(models.Model):
    """A park or an industry association that can host a demonstration site (§7)."""

    class Kind(models.TextChoices):
        INDUSTRIAL_PARK = "industrial_park", _("Industrial park")
        ETDZ = "etdz", _("Economic-technological development zone")
        HIGH_TECH_ZONE = "high_tech_zone", _("High-tech zone")
        INDUSTRY_ASSOCIATION = "industry_association", _("Industry association")

    PARK_KINDS = (Kind.INDUSTRIAL_PARK, Kind.ETDZ, Kind.HIGH_TECH_ZONE)

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.PROTECT,
        related_name="host_organisations",
        verbose_name=_("prefecture"),
    )
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("county"),
    )
    ftz_area = models.ForeignKey(
        FtzArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parks",
        verbose_name=_("FTZ area"),
    )
    division_code = models.CharField(
        _("statistical code"),
        max_length=6,
        blank=True,
        help_text=_("For functional zones listed in the statistical division codes."),
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["prefecture_id", "name"]
        verbose_name = _("host organisation")
        verbose_name_plural = _("host organisations")

    def __str__(self):
        return self.name

    @property
    def is_park(self):
        return self.kind in self.PARK_KINDS


class CalendarOverride(models.Model):
    """A day the official calendar treats differently from what the holiday library says.

    The State Council publishes next year's holidays and make-up workdays in November or
    December; until the library knows them, provincial staff enter them here.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (no work)")
        WORKDAY = "workday", _("Make-up workday")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"
