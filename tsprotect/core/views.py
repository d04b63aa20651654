"""Base views: every page that shows scoped rows is one of these, configured in a few lines."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from . import scoping
from .health import health_report


class ScopedMixin(LoginRequiredMixin):
    """Rows come from ``Model.objects.restrict(user, action)`` and nowhere else."""

    model = None
    action = "view"
    related = ()  # select_related paths, so list pages run a constant number of queries

    def get_queryset(self):
        queryset = self.model.objects.restrict(self.request.user, self.action)
        if self.related:
            queryset = queryset.select_related(*self.related)
        return queryset


class ScopedListView(ScopedMixin, ListView):
    """A list page. Users who may see no row of the model at all get 403."""

    paginate_by = 25
    search_fields = ()  # `?q=` matches any of these (icontains), or an exact-match field below
    exact_search_fields = ()
    ordering_fields = ()  # names allowed in `?sort=` (prefix `-` for descending)
    filter_fields = {}  # GET parameter -> field, an exact match within the scoped rows
    template_name_suffix = "_list"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scoping.can(request.user, self.model, self.action):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        term = self.request.GET.get("q", "").strip()
        if term:
            q = Q()
            for name in self.search_fields:
                q |= Q(**{f"{name}__icontains": term})
            for name in self.exact_search_fields:
                q |= Q(**{name: term.upper()})
            queryset = queryset.filter(q)
        for param, field_name in self.filter_fields.items():
            value = self.request.GET.get(param, "").strip()
            if value:
                queryset = queryset.filter(**{field_name: value})
        sort = self.request.GET.get("sort", "")
        if sort.lstrip("-") in self.ordering_fields:
            queryset = queryset.order_by(sort, "pk")
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context["query_string"] = params.urlencode()
        context["search_term"] = self.request.GET.get("q", "")
        context["sort"] = self.request.GET.get("sort", "")
        return context


class ScopedDetailView(ScopedMixin, DetailView):
    """A detail page: an id outside the user's scope answers 404, like one that does not exist."""


def healthz(request):
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


def csrf_failure(request, reason=""):
    return render(
        request,
        "403_csrf.html",
        {
            "message": _(
                "Your form has expired or was not sent from this portal. Please go back, "
                "reload the page and try again."
            )
        },
        status=403,
    )
