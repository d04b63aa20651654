from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredDocument(models.Model):
    """What the portal keeps of an uploaded document besides the file itself (checked by
    ``uploads.check_upload``; served only through a scoped view). Each concrete model adds its
    ``file`` field, with its own storage folder, and what the document belongs to."""

    title = models.CharField(_("title"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.title
