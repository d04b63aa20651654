from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from tsprotect.core.scoping import RestrictedQuerySet, Scope


class Role(models.TextChoices):
    PROVINCE = "province", _("Provincial staff")
    PREFECTURE_OFFICER = "prefecture_officer", _("Prefecture officer")
    COUNTY_OFFICER = "county_officer", _("County officer")
    SERVICE_CENTRE = "service_centre", _("IP service sub-center staff")
    EXPERT = "expert", _("Expert")
    ENTERPRISE = "enterprise", _("Enterprise user")


OFFICER_ROLES = (Role.PREFECTURE_OFFICER, Role.COUNTY_OFFICER)
# Roles whose accounts are managed by superusers only: they see the whole province, so whoever
# could create or edit one could raise their own peers' (or a puppet's) reach.
SUPERUSER_MANAGED_ROLES = (Role.PROVINCE,)


def account_access(user, action):
    """Which accounts ``user`` reaches on the account pages (and the admin).

    Superusers reach every account. Holders of ``manage_accounts`` (provincial staff) see every
    account but a superuser's, and change only those that carry no privilege of their own: not
    a staff (admin) account, not provincial staff, not their own.
    """
    if user.is_superuser:
        return Q()
    if not user.has_perm("accounts.manage_accounts"):
        return None
    visible = Q(is_superuser=False)
    if action == "view":
        return visible
    return (
        visible
        & Q(is_staff=False)
        & ~Q(role__in=[r.value for r in SUPERUSER_MANAGED_ROLES])
        & ~Q(pk=user.pk)
    )


class UserManager(DjangoUserManager.from_queryset(RestrictedQuerySet)):
    pass


class User(AbstractUser):
    """A portal account. Its role decides its groups; its prefecture, county or enterprise
    decides which rows the scoping entry point lets it reach."""

    # Accounts are not a prefecture's records: who reaches which is ``account_access``.
    scope = Scope(prefecture_field="prefecture", extra_access=account_access)

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

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("manage_accounts", _("Can manage the portal's accounts by role"))]
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

    @property
    def county_limit(self):
        """The one county whose rows a county officer is confined to, else None.

        Read by the scoping entry point (core.scoping), which knows nothing of the roles.
        """
        return self.county_id if self.role == Role.COUNTY_OFFICER else None


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


class EnterpriseClaim(models.Model):
    """A self-registered account's claim to act for an enterprise, until an officer decides.

    The claim is for the directory record with the same credit code, or proposes a new record to
    the prefecture the code's division digits point to. The account sees nothing of any
    enterprise until the claim is verified (``services.verify_claim``); the first verified user
    of an enterprise becomes its manager, who may then decide the colleagues' claims.
    """

    scope = Scope(
        prefecture_field="prefecture",
        county_field="county",
        # A manager reaches the claims of the enterprises they act for (``restrict(user, "team")``).
        enterprise_field="enterprise",
        enterprise_actions=("team",),
        permissions={"view": "manage_enterprises", "change": "manage_enterprises"},
    )

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        DEACTIVATED = "deactivated", _("Deactivated")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="claims", verbose_name=_("user")
    )
    uscc = models.CharField(_("unified social credit code"), max_length=18, db_index=True)
    enterprise_name = models.CharField(_("enterprise name"), max_length=200)
    contact_person = models.CharField(_("contact person"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="claims",
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
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    is_manager = models.BooleanField(_("manages the enterprise's users"), default=False)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("enterprise account claim")
        verbose_name_plural = _("enterprise account claims")
        indexes = [models.Index(fields=["prefecture", "status"], name="claim_pref_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(is_manager=True),
                name="claim_one_manager_per_enterprise",
            ),
        ]

    def __str__(self):
        return f"{self.enterprise_name} ({self.uscc})"

    def get_absolute_url(self):
        return reverse("claim_detail", args=[self.pk])

    @property
    def is_new_record(self):
        return self.enterprise_id is None


class ClaimEvent(models.Model):
    """What happened to a claim and its account, and who did it: the claim's history."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("claim", "Registered")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        DEACTIVATED = "deactivated", _("Account deactivated")
        TEMPORARY_PASSWORD = "temporary_password", _("Temporary password set")

    claim = models.ForeignKey(
        EnterpriseClaim, on_delete=models.CASCADE, related_name="events", verbose_name=_("claim")
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(pgettext_lazy("claim", "note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")

    def __str__(self):
        return self.get_action_display()
