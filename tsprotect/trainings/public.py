"""Public pages of the training events (§17): no login, and never who signed up.

The sign-up form is rate-limited by client address (django-ratelimit's "ip" key, which reads
``tsprotect.core.network.client_ip`` like every other throttle).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.core import is_ratelimited

from tsprotect.core import scoping
from tsprotect.core.filter_bar import FilterSelect
from tsprotect.core.pagination_pages import counted_page
from tsprotect.regions.models import Prefecture

from . import services
from .forms import RegistrationForm

SIGNUP_RATE = "10/h"
# Everything a public page may read of an event; organiser staff and sign-ups are not in it.
PUBLIC_FIELDS = (
    "title",
    "kind",
    "organiser",
    "prefecture__name",
    "ftz_area__name",
    "venue",
    "starts_at",
    "ends_at",
    "capacity",
    "signup_deadline",
    "description",
    "audience",
    "status",
)


def upcoming(limit=5):
    """The next published events with their free places, for the public home page."""
    events = list(services.upcoming_events().only(*PUBLIC_FIELDS)[:limit])
    for event in events:
        event.free_places = max(event.capacity - event.registered, 0)
    return {"trainings": events}


def upcoming_context(request):
    return upcoming()


def upcoming_section():
    """The public home's section: (label, template, context callable taking the request);
    the home renders the template with the callable's dict as ``data``."""
    return (gettext_lazy("Upcoming trainings"), "trainings/_upcoming.html", upcoming_context)


def event_list(request):
    queryset = services.upcoming_events().select_related("ftz_area").only(*PUBLIC_FIELDS)
    prefecture = request.GET.get("prefecture", "")
    if prefecture.isdigit():
        queryset = queryset.filter(prefecture_id=prefecture)
    paged = counted_page(request, queryset, 20)
    for event in paged["page_obj"].object_list:
        event.free_places = max(event.capacity - event.registered, 0)
    return render(
        request,
        "trainings/public_list.html",
        {
            **paged,
            "filter_selects": [
                FilterSelect(
                    "prefecture",
                    _("Prefecture"),
                    Prefecture.objects.values_list("code", "name"),
                    prefecture,
                )
            ],
        },
    )


def event_detail(request, pk):
    event = get_object_or_404(
        services.with_places(services.public_events())
        .select_related("prefecture", "ftz_area")
        .only(*PUBLIC_FIELDS),
        pk=pk,
    )
    closed = services.signup_closed_reason(event, registered=event.registered)
    status = 200
    if request.method == "POST" and not closed:
        form = RegistrationForm(request.POST)
        if is_ratelimited(
            request, group="trainings.signup", key="ip", rate=SIGNUP_RATE,
            method="POST", increment=True,
        ):  # fmt: skip
            form.is_valid()
            form.add_error(
                None,
                _("Too many sign-ups from your network in the last hour. Please try again later."),
            )
            status = 429
        elif form.is_valid():
            try:
                services.register(event.pk, **form.cleaned_data, user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("You are signed up for “%(title)s”. The organiser will contact you.")
                    % {"title": event.title},
                )
                return redirect("public:training", pk=event.pk)
    else:
        form = RegistrationForm(initial=_initial(request.user))
    return render(
        request,
        "trainings/public_detail.html",
        {
            "event": event,
            "free_places": max(event.capacity - event.registered, 0),
            "closed": closed,
            "form": form,
        },
        status=status,
    )


def _initial(user):
    """A signed-in enterprise user's form comes filled in with its enterprise."""
    if not user.is_authenticated:
        return {}
    initial = {"name": str(user), "phone": user.phone, "email": user.email}
    if scoping.enterprise_ids(user) and user.enterprise_id:
        initial["organisation"] = user.enterprise.name
    return initial
