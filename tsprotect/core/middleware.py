from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class PortalLanguageMiddleware:
    """Simplified Chinese unless the user picked another language with the switch.

    Unlike Django's LocaleMiddleware the browser's Accept-Language is ignored: the portal is a
    Chinese government service and shows Chinese on an English-language browser too.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class PermissionsPolicyMiddleware:
    """Sends ``settings.PERMISSIONS_POLICY`` on every response (Django has no setting for it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
