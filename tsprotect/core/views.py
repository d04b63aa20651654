"""Base views: every page that shows scoped rows is one of these, configured in a few lines."""

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from . import health, scoping
from .pagination_pages import window


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
    # A django-filter FilterSet built with the request: the same one the exports and the API
    # use, so a list, its export and its API call always agree.
    filterset_class = None
    ordering_fields = ()  # names allowed in `?sort=` (prefix `-` for descending)
    template_name_suffix = "_list"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scoping.can(request.user, self.model, self.action):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(
                self.request.GET or None, queryset, request=self.request
            )
            queryset = self.filterset.qs if self.filterset.is_bound else queryset
        sort = self.request.GET.get("sort", "")
        if sort.lstrip("-") in self.ordering_fields:
            queryset = queryset.order_by(sort, "pk")
        return queryset

    def paginate_queryset(self, queryset, page_size):
        page = window(queryset, self.request.GET.get("page"), page_size)
        return None, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context["query_string"] = params.urlencode()
        context["search_term"] = self.request.GET.get("q", "")
        context["sort"] = self.request.GET.get("sort", "")
        context["filter"] = self.filterset
        return context


class ScopedDetailView(ScopedMixin, DetailView):
    """A detail page: an id outside the user's scope answers 404, like one that does not exist."""


def healthz(request):
    """Liveness: the process answers. No database, no Redis, so an outage of either does not get
    a healthy gunicorn restarted."""
    return JsonResponse(health.liveness())


def healthz_ready(request):
    """Readiness: database, Redis and a Celery worker, each with its state; 503 when one is down.
    Public, like /healthz: it names services and their state, never data."""
    report = health.readiness()
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


class ScopedFormMixin(ScopedMixin):
    """Create and edit pages: the form gets the user, to offer only what is in scope."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


class ScopedCreateView(ScopedFormMixin, CreateView):
    action = "add"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scoping.can(request.user, self.model, "add"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedUpdateView(ScopedFormMixin, UpdateView):
    action = "change"


def history_entries(instance, limit=50):
    """The record's history, newest first, each with its field changes (old → new)."""
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    excluded = {
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "history_user",
        "updated_at",
    }
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, excluded_fields=excluded)
            for change in delta.changes:
                field = instance._meta.get_field(change.field)
                changes.append(
                    {
                        "field": field.verbose_name,
                        "old": _display(field, change.old),
                        "new": _display(field, change.new),
                    }
                )
        entries.append({"record": record, "changes": changes})
    return entries


def _display(field, value):
    if value in (None, ""):
        return "—"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else value
    return value


def show_errors(request, error):
    """A service's refusal (a ValidationError) as messages on the next page."""
    for message in error.messages:
        messages.error(request, message)


def add_attachment_from(request, form, add, owner):
    """A posted attachment form handed to its service, ``add(owner, uploaded, checked, *,
    title, user)``; the outcome, or what was refused, as messages on the next page."""
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return
    try:
        add(
            owner,
            form.cleaned_data["file"],
            form.checked,
            title=form.cleaned_data["title"],
            user=request.user,
        )
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("The attachment is added."))


# The internal nginx locations (deploy/nginx/tsprotect-locations.conf) of the two local roots.
X_ACCEL_LOCATIONS = (
    ("MEDIA_ROOT", "/_protected/media/"),
    ("EVIDENCE_ROOT", "/_protected/evidence/"),
)


def private_file(file, filename, content_type):
    """A stored file sent as a download, for a view that has already checked the scope.

    Behind nginx (``X_ACCEL_REDIRECT``) a file on the local disk is sent by nginx itself, from an
    ``internal`` location no URL reaches: a gunicorn worker is not held for the whole download.
    Any other storage is streamed by the portal."""
    location = _x_accel_location(file) if settings.X_ACCEL_REDIRECT else None
    if location is not None:
        response = HttpResponse(content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["X-Accel-Redirect"] = location
    else:
        response = FileResponse(
            file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _x_accel_location(file):
    """The internal URI of ``file`` if nginx can read it from MEDIA_ROOT or EVIDENCE_ROOT."""
    if not isinstance(file.storage, FileSystemStorage):
        return None
    path = Path(file.path).resolve()
    for setting, prefix in X_ACCEL_LOCATIONS:
        root = Path(getattr(settings, setting)).resolve()
        if path.is_relative_to(root):
            return prefix + quote(path.relative_to(root).as_posix())
    return None


def require_province(user):
    """Pages that only provincial staff use (checklist versions, public tips, surveys)."""
    if not (user.is_authenticated and user.is_province):
        raise PermissionDenied
