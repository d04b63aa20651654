"""The workbench: what each role works on, on the first page after login."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from enterprises.models import Enterprise
from tsprotect.regions.models import Prefecture

from . import scoping


@login_required
def home(request):
    user = request.user
    context = {"role_label": user.get_role_display() if user.role else ""}
    if scoping.can(user, Enterprise, "view") and user.role != "enterprise":
        enterprises = Enterprise.objects.restrict(user, "view")
        context["enterprise_count"] = enterprises.count()
        context["recent_enterprises"] = enterprises.select_related("prefecture", "county").order_by(
            "-created_at"
        )[:5]
        if scoping.prefecture_codes(user, "view_prefecture_records") is scoping.ALL:
            counts = dict(
                enterprises.order_by().values_list("prefecture").annotate(total=Count("pk"))
            )
            context["by_prefecture"] = [
                {"prefecture": prefecture, "total": counts.get(prefecture.code, 0)}
                for prefecture in Prefecture.objects.all()
            ]
    own = scoping.enterprise_ids(user)
    if own:
        context["own_enterprises"] = Enterprise.objects.restrict(user, "view").filter(pk__in=own)
    if user.role == "expert":
        context["expert_profile"] = getattr(user, "expert_profile", None)
    from complaints.lists import follows_as_complainant, workbench
    from demonstrations.services import work_queue
    from tsprotect.reports.services import workbench as report_cards

    context["demonstration_queue"] = work_queue(user)
    context["complaint_queue"] = workbench(user)
    context["may_file_complaint"] = follows_as_complainant(user)
    context["report_cards"] = report_cards(user)
    return render(request, "home.html", context)
