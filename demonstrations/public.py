"""The public list of designated units (§9 information platform): no login, no private data."""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from tsprotect.core.filter_bar import FilterSelect
from tsprotect.core.pagination_pages import counted_page
from tsprotect.regions.models import Prefecture

from . import services
from .workflow import Track

# Everything a public page may show of a designation; nothing else is read from the database.
PUBLIC_FIELDS = (
    "track",
    "state",
    "name",
    "certificate_number",
    "designated_on",
    "valid_until",
    "national_candidate",
    "prefecture__name",
)


def public_designations():
    return services.designations().select_related("prefecture").only(*PUBLIC_FIELDS)


def designation_list(request):
    queryset = public_designations().order_by("-designated_on", "certificate_number")
    track = request.GET.get("track", "")
    prefecture = request.GET.get("prefecture", "")
    year = request.GET.get("year", "")
    if track in Track.values:
        queryset = queryset.filter(track=track)
    if prefecture.isdigit():
        queryset = queryset.filter(prefecture_id=prefecture)
    if year.isdigit():
        queryset = queryset.filter(designated_on__year=int(year))
    paged = counted_page(request, queryset, 50)
    years = services.designations().dates("designated_on", "year", order="DESC")
    return render(
        request,
        "demonstrations/public_list.html",
        {
            **paged,
            "filter_selects": [
                FilterSelect("track", _("Level"), Track.choices, track),
                FilterSelect(
                    "prefecture",
                    _("Prefecture"),
                    Prefecture.objects.values_list("code", "name"),
                    prefecture,
                ),
                FilterSelect("year", _("Year"), [(d.year, d.year) for d in years], year),
            ],
        },
    )


def verify(request, number):
    designation = get_object_or_404(public_designations(), certificate_number=number)
    return render(request, "demonstrations/public_verify.html", {"designation": designation})
