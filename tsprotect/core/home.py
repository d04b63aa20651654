"""The workbench: what each role works on, on the first page after login.

The cards are the apps' own (core.contributions); this page only lays them out in order."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .contributions import registry


@login_required
def home(request):
    user = request.user
    context = {
        "role_label": user.get_role_display() if user.role else "",
        "cards": registry.workbench_cards(request),
    }
    return render(request, "home.html", context)
