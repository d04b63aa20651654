from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tsprotect.core.scoping import RestrictedQuerySet, Scope
from tsprotect.core.validators import normalise_uscc, validate_uscc


class Enterprise(models.Model):
    """An enterprise of the directory (名录库, §11)."""

    scope = Scope(
        prefecture_field="prefecture",
        county_field="county",
        enterprise_field="pk",
        enterprise_actions=("view",),
        permissions={
            "view": "view_prefecture_records",
            "add": "manage_enterprises",
            "change": "manage_enterprises",
            "delete": "manage_enterprises",
        },
    )

    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    name = models.CharField(_("name"), max_length=200)
    prefecture = models.ForeignKey(
        "regions.Prefecture",
        on_delete=models.PROTECT,
        related_name="enterprises",
        verbose_name=_("prefecture"),
    )
    county = models.ForeignKey(
        "regions.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("county"),
    )
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
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        permissions = [("act_for_enterprise", _("Act for the enterprise"))]
        indexes = [models.Index(fields=["prefecture", "name"], name="enterprise_pref_name")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.uscc = normalise_uscc(self.uscc)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("enterprises:detail", args=[self.pk])

    def clean(self):
        super().clean()
        self.uscc = normalise_uscc(self.uscc)
        if (
            self.county_id
            and self.prefecture_id
            and self.county.prefecture_id != self.prefecture_id
        ):
            raise ValidationError({"county": _("The county is not in the chosen prefecture.")})
