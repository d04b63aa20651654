"""The provisions of law the portal cites, as data: law, version, dates in force, article.

A rule of the portal refers to a provision by a stable ``key`` ("aucl.trade_secret_penalty");
which article that is depends on the version of the law in force on the day concerned, since a
revision renumbers articles (the AUCL revised in 2025 did). This app is ground level: it knows
no business app, and the business apps ask it through ``services``.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

KEY_FORMAT = RegexValidator(
    r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$",
    _("Lower-case words joined by dots, starting with the law: aucl.trade_secret_penalty."),
)


class Provision(models.Model):
    """One article (or paragraph) of one version of a law, with the days it is in force."""

    law = models.SlugField(
        _("law"), max_length=30, help_text=_("Short code of the law, e.g. aucl.")
    )
    law_title = models.CharField(_("title of the law"), max_length=100)
    version = models.CharField(_("version"), max_length=30, help_text=_("E.g. 2019修正, 2025修订."))
    in_force_from = models.DateField(_("in force from"))
    in_force_until = models.DateField(
        _("in force until"),
        null=True,
        blank=True,
        help_text=_("The last day in force; empty while in force."),
    )
    key = models.CharField(
        _("key"),
        max_length=60,
        validators=[KEY_FORMAT],
        help_text=_(
            "Stable name of the rule, the same across versions (e.g. aucl.trade_secret_penalty)."
        ),
    )
    article = models.CharField(_("article"), max_length=40, help_text=_("E.g. 第二十一条."))
    title = models.CharField(_("short title"), max_length=100)
    excerpt = models.TextField(_("text excerpt"), blank=True)
    confirmed = models.BooleanField(
        _("checked against the official text"),
        default=False,
        help_text=_("Tick once the article number has been checked against the official text."),
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Where the text and the article number were checked."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["law", "key", "in_force_from"]
        verbose_name = _("legal provision")
        verbose_name_plural = _("legal provisions")
        constraints = [
            models.UniqueConstraint(
                fields=["law", "key", "in_force_from"], name="one_provision_per_version"
            ),
            models.CheckConstraint(
                condition=Q(in_force_until__isnull=True)
                | Q(in_force_until__gte=F("in_force_from")),
                name="provision_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["law", "key", "in_force_from"])]

    def __str__(self):
        return self.citation

    @property
    def citation(self) -> str:
        """As a decision or a guide cites it: 《…》（2019修正）第二十一条."""
        return f"《{self.law_title}》（{self.version}）{self.article}"

    def clean(self):
        if self.in_force_until and self.in_force_until < self.in_force_from:
            raise ValidationError(
                {"in_force_until": _("A provision cannot end before it comes into force.")}
            )
        overlapping = Provision.objects.filter(law=self.law, key=self.key).exclude(pk=self.pk)
        if self.in_force_until:
            overlapping = overlapping.filter(in_force_from__lte=self.in_force_until)
        overlapping = overlapping.filter(
            Q(in_force_until__isnull=True) | Q(in_force_until__gte=self.in_force_from)
        )
        if overlapping.exists():
            raise ValidationError(
                _(
                    "Another version of this provision is in force over some of these days: "
                    "end it first, so that one day has one version."
                )
            )
