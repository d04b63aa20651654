from functools import cache

from .services import unread_count


def notifications(request):
    """The header bell's unread count, looked up only if the page shows it (a template calls a
    callable when it reads the variable), and at most once per page."""

    @cache
    def unread_notifications():
        user = getattr(request, "user", None)
        return unread_count(user) if user is not None and user.is_authenticated else 0

    return {"unread_notifications": unread_notifications}
