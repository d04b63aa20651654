"""Notices of the information platform (§9): written and published by provincial staff.

The body is HTML; it is sanitised with the compliance tips' nh3 sanitiser when saved and again
when rendered, so a script, an event handler or a ``javascript:`` link never reaches a reader,
even if a row was written around ``save()`` (a bulk update, a fixture).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessments.tips import sanitise
from tsprotect.core.models import StoredDocument


class Notice(models.Model):
    class Category(models.TextChoices):
        NOTICE = "notice", _("Announcement")
        POLICY = "policy", _("Policies and regulations")
        NEWS = "news", _("Work news")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(pgettext_lazy("notice", "title"), max_length=150)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text"), help_text=_("Formatting is kept; scripts are removed."))
    category = models.CharField(
        _("category"), max_length=10, choices=Category.choices, default=Category.NOTICE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["status", "-published_at"], name="notice_public_idx")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = sanitise(self.body or "")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("public:notice", args=[self.pk])

    @property
    def body_html(self):
        return mark_safe(sanitise(self.body or ""))  # noqa: S308 — sanitised just now

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED


class NoticeAttachment(StoredDocument):
    """A file attached to a notice; the public reaches it only while the notice is published."""

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("notice")
    )
    file = models.FileField(_("file"), upload_to="publicity/%Y/%m/")

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("notice attachment")
        verbose_name_plural = _("notice attachments")

    def get_absolute_url(self):
        return reverse("public:notice_attachment", args=[self.pk])
