from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsprotect.core.scoping import RestrictedQuerySet, Scope


def _own(user, action):
    return Q(recipient_id=user.pk)


class Notification(models.Model):
    """Something that happened which one user should know about, shown under the header bell.

    Written only by ``services.notify``, which every app calls; a user sees their own and nobody
    else's.
    """

    scope = Scope(county_field=None, extra_access=_own)

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        # The (recipient, read_at) index below serves every lookup by recipient.
        db_index=False,
    )
    kind = models.SlugField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # Set by jobs that may run again (deadline reminders): a user gets one notification per key.
    key = models.CharField(_("deduplication key"), max_length=200, blank=True)
    # Not auto_now_add: notify() stamps every row of one call with the same instant.
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notify_once_per_key"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None
