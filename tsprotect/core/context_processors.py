from django.conf import settings

from .navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    return {
        "portal_name": settings.PORTAL_NAME,
        "menu": menu_for(user) if user is not None and user.is_authenticated else [],
    }
