"""Base classes of the JSON API: the same scoping entry point as the pages."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions, permissions, serializers, viewsets

from . import scoping

ACTION_FOR_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class HasScope(permissions.BasePermission):
    """Listing or creating needs some scope on the model; objects are found only in scope."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        action = ACTION_FOR_METHOD.get(request.method)
        if action is None:
            # TRACE, QUERY or a made-up method: no handler answers it, and it needs no scope.
            raise exceptions.MethodNotAllowed(request.method)
        if view.detail:
            return True  # the scoped queryset answers 404 outside the scope
        return scoping.can(request.user, view.queryset.model, action)


class ScopedViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, HasScope]
    related = ()

    def initial(self, request, *args, **kwargs):
        # A method without a handler answers 405 before authentication and permissions, as
        # Django's own views do; the permission classes only know the methods they map.
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            self.format_kwarg = self.get_format_suffix(**kwargs)
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        action = ACTION_FOR_METHOD.get(self.request.method, "view")
        queryset = self.queryset.model.objects.restrict(self.request.user, action)
        if self.related:
            queryset = queryset.select_related(*self.related)
        return queryset


def drf_error(error):
    """A service's ValidationError as the API's 400: field errors by field, others as detail."""
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"detail": error.messages})


@contextmanager
def service_refusals():
    """A service's refusal (its ValidationError) inside the block answers as the API's 400."""
    try:
        yield
    except DjangoValidationError as error:
        raise drf_error(error) from None


def not_found(request, exception):
    """A URL under the API that matches no endpoint (an id that is no number, a misspelt
    action) answers as the API does, in JSON; the pages keep their 404 page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
