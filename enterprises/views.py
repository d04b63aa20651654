from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect

from tsprotect.core import scoping
from tsprotect.core.views import ScopedDetailView, ScopedListView

from .models import Enterprise


class EnterpriseListView(ScopedListView):
    model = Enterprise
    related = ("prefecture", "county")
    search_fields = ("name",)
    exact_search_fields = ("uscc",)
    ordering_fields = ("name", "uscc", "prefecture", "created_at")
    filter_fields = {"prefecture": "prefecture_id", "county": "county_id"}


class EnterpriseDetailView(ScopedDetailView):
    model = Enterprise
    related = ("prefecture", "county", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = self.object.history.select_related("history_user").order_by(
            "-history_date"
        )[:50]
        return context


@login_required
def my_enterprise(request):
    """An enterprise user's own record; several enterprises are listed in the directory."""
    ids = scoping.enterprise_ids(request.user)
    if len(ids) == 1:
        return redirect("enterprises:detail", pk=next(iter(ids)))
    if ids:
        return redirect("enterprises:list")
    raise Http404
