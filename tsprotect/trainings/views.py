"""Staff pages: events of the user's scope, their sign-ups and the export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from tsprotect.core import scoping
from tsprotect.core.filter_bar import FilterSelect
from tsprotect.core.spreadsheets import write_xlsx
from tsprotect.core.views import ScopedCreateView, ScopedListView, ScopedUpdateView, show_errors

from . import services
from .forms import TrainingEventForm
from .models import TrainingEvent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class EventListView(ScopedListView):
    model = TrainingEvent
    related = ("prefecture",)
    template_name = "trainings/event_list.html"

    def get_queryset(self):
        queryset = services.with_places(super().get_queryset()).order_by("-starts_at", "-pk")
        status = self.request.GET.get("status", "")
        if status in TrainingEvent.Status.values:
            queryset = queryset.filter(status=status)
        return queryset

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "filter_selects": [
                FilterSelect(
                    "status",
                    _("Status"),
                    TrainingEvent.Status.choices,
                    self.request.GET.get("status", ""),
                )
            ],
            "may_add": scoping.can(self.request.user, TrainingEvent, "add"),
        }


class EventCreateView(ScopedCreateView):
    model = TrainingEvent
    form_class = TrainingEventForm
    template_name = "trainings/event_form.html"

    def form_valid(self, form):
        form.instance.created_by = self.request.user
        messages.success(self.request, _("The event is saved as a draft."))
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("trainings:participants", args=[self.object.pk])


class EventUpdateView(ScopedUpdateView):
    model = TrainingEvent
    form_class = TrainingEventForm
    template_name = "trainings/event_form.html"

    def get_queryset(self):
        return super().get_queryset().exclude(status=TrainingEvent.Status.CANCELLED)

    def form_valid(self, form):
        messages.success(self.request, _("The event is saved."))
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("trainings:participants", args=[self.object.pk])


@login_required
@require_POST
def act(request, pk, action):
    event = get_object_or_404(TrainingEvent.objects.restrict(request.user, "change"), pk=pk)
    if action not in services.TRANSITIONS:
        raise Http404
    try:
        services.transition(event.pk, action, by=request.user)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, services.TRANSITIONS[action].done)
    return redirect("trainings:participants", pk=event.pk)


def _event_with_participants(request, pk):
    return get_object_or_404(
        TrainingEvent.objects.restrict(request.user, "participants").select_related(
            "prefecture", "ftz_area", "created_by"
        ),
        pk=pk,
    )


@login_required
def participants(request, pk):
    event = _event_with_participants(request, pk)
    registrations = list(event.registrations.select_related("enterprise"))
    may_change = TrainingEvent.objects.restrict(request.user, "change").filter(pk=pk).exists()
    return render(
        request,
        "trainings/participants.html",
        {
            "event": event,
            "registrations": registrations,
            "free_places": max(event.capacity - len(registrations), 0),
            "actions": services.actions_for(event) if may_change else [],
            "may_change": may_change and event.status != TrainingEvent.Status.CANCELLED,
        },
    )


@login_required
def export(request, pk):
    event = _event_with_participants(request, pk)
    headers = [
        _("No."),
        pgettext("person", "Name"),
        _("Organisation"),
        _("Phone"),
        _("E-mail"),
        _("Enterprise in the directory"),
        _("Consents to be contacted"),
        _("Signed up at"),
    ]
    rows = (
        [
            number,
            r.name,
            r.organisation,
            r.phone,
            r.email,
            r.enterprise.name if r.enterprise else "",
            _("yes") if r.consent_to_contact else _("no"),
            timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for number, r in enumerate(event.registrations.select_related("enterprise"), start=1)
    )
    content = write_xlsx(
        headers, rows, title=_("Participants"), widths=[6, 16, 30, 16, 24, 30, 10, 18],
        text_columns=[3],
    )  # fmt: skip
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="training-{event.pk}-participants.xlsx"'
    )
    return response
