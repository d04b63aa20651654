"""The request id: taken from the proxy or made here, returned to the client, and carried by every
log record of the request and by the Celery tasks it queues (``logs.log_context``)."""

import re
import uuid

from . import logs

HEADER = "X-Request-ID"
# nginx's $request_id is 32 hexadecimal digits; a UUID with its dashes is accepted too. Anything
# else (too long, spaces, quotes, line breaks that would forge a log line) is replaced.
VALID = re.compile(r"[0-9A-Za-z-]{16,64}")


def request_id_of(request) -> str:
    incoming = request.headers.get(HEADER, "")
    return incoming if VALID.fullmatch(incoming) else uuid.uuid4().hex


class RequestIdMiddleware:
    """First in the chain (after Prometheus' timer), so that the id is set before anything logs
    and reaches the response of a request that a later middleware answers itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_of(request)
        token = logs.bind(request_id=request.request_id)
        try:
            response = self.get_response(request)
        finally:
            logs.log_context.reset(token)
        response[HEADER] = request.request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Called once every middleware has run, so the user is known: the view's records and
        whatever the response path logs (Django's 4xx/5xx warnings) name them."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            logs.bind(user_id=user.pk, prefecture=user.prefecture_id)
