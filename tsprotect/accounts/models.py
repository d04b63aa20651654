from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    PROVINCE = "province", _("Provincial staff")
    PREFECTURE_OFFICER = "prefecture_officer", _("Prefecture officer")
    COUNTY_OFFICER = "county_officer", _("County officer")
    SERVICE_CENTRE = "service_centre", _("IP service sub-center staff")
    EXPERT = "expert", _("Expert")
    ENTERPRISE = "enterprise", _("Enterprise user")


OFFICER_ROLES = (Role.PREFECTURE_OFFICER, Role.COUNTY_OFFICER)


class User(AbstractUser):
    """A portal account. Its role decides its groups; its prefecture, county or enterprise
    decides which rows the scoping entry point lets it reach."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    prefecture = models.ForeignKey(
        "regions.Prefecture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("prefecture"),
    )
    county = models.ForeignKey(
        "regions.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("county"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("enterprise"),
    )

    # Who changed whose role or region, and when: an account's scope is security-relevant.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="officer_has_prefecture",
                condition=~Q(role__in=[r.value for r in OFFICER_ROLES])
                | Q(prefecture__isnull=False),
            ),
            models.CheckConstraint(
                name="county_officer_has_county",
                condition=~Q(role=Role.COUNTY_OFFICER) | Q(county__isnull=False),
            ),
        ]

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    def clean(self):
        super().clean()
        errors = {}
        if self.role in OFFICER_ROLES and not self.prefecture_id:
            errors["prefecture"] = _("An officer must belong to a prefecture.")
        if self.role == Role.COUNTY_OFFICER and not self.county_id:
            errors["county"] = _("A county officer must belong to a county.")
        if (
            self.county_id
            and self.prefecture_id
            and self.county.prefecture_id != self.prefecture_id
        ):
            errors["county"] = _("The county is not in the chosen prefecture.")
        if self.role == Role.ENTERPRISE and not self.enterprise_id:
            errors["enterprise"] = _("An enterprise user must name its enterprise.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_officer(self):
        return self.role in OFFICER_ROLES

    @property
    def is_province(self):
        return self.role == Role.PROVINCE or self.is_superuser


class ExpertProfile(models.Model):
    """A member of the expert pool (§16); the demonstration and complaint apps assign them."""

    class Field(models.TextChoices):
        MEDICINE = "medicine", _("Medicine")
        MACHINERY = "machinery", _("Machinery")
        COMPUTING = "computing", _("Computing")
        DESIGN = "design", _("Design")
        BIOTECHNOLOGY = "biotechnology", _("Biotechnology")
        CHEMICALS = "chemicals", _("Chemicals and materials")
        LAW = "law", _("Law")
        MANAGEMENT = "management", _("Enterprise management")

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="expert_profile", verbose_name=_("user")
    )
    fields = models.JSONField(_("fields"), default=list, blank=True)
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    employer_uscc = models.CharField(_("employer's credit code"), max_length=18, blank=True)
    title = models.CharField(_("professional title"), max_length=60, blank=True)
    prefecture = models.ForeignKey(
        "regions.Prefecture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )

    class Meta:
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")

    def __str__(self):
        return str(self.user)

    def get_fields_display(self):
        labels = dict(self.Field.choices)
        return "、".join(str(labels.get(f, f)) for f in self.fields)
