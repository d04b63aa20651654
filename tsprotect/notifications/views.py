from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tsprotect.core.views import ScopedListView

from . import services
from .models import Notification


class NotificationListView(ScopedListView):
    """The user's own notifications, newest first (the unread count is the header's)."""

    model = Notification


@login_required
@require_http_methods(["GET", "POST"])
def open_notification(request, pk):
    """Mark the notification read and go where it points (the list when it points nowhere)."""
    notification = get_object_or_404(Notification.objects.restrict(request.user), pk=pk)
    if not notification.is_read:
        services.mark_read(request.user, [notification.pk])
    if notification.url and services.is_internal(notification.url):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def read_all(request):
    if services.mark_read(request.user):
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")
