"""The answer to a request that the database could not serve: 503, at once, in plain words.

Installed as the portal's ``handler500``: Django calls it for any uncaught exception, with the
exception still being handled. A database that is down, restarting or not answering within
``DB_CONNECT_TIMEOUT`` (OperationalError, InterfaceError) gets the 503 page, or a JSON body under
``/api/``, with ``Retry-After``; every other error gets the usual 500 page. The page is rendered
without the request's context processors, which would query the database again.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import defaults

RETRY_AFTER = "30"  # seconds: a restart of PostgreSQL takes a few


def server_error(request, *args, **kwargs):
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return defaults.server_error(request)
    message = _(
        "The portal cannot reach its database at the moment. Nothing you sent was saved; "
        "please try again in a minute."
    )
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        html = loader.get_template("503.html").render(
            {"message": message, "LANGUAGE_CODE": get_language()}
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = RETRY_AFTER
    return response
