"""What the directory brings to the shared pages and commands (see core.contributions).

Imported by EnterprisesConfig.ready(), once every app's models are loaded."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from tsprotect.core import contributions, scoping
from tsprotect.regions.models import Prefecture

from . import demo, scale
from .models import DirectorySubmission, Enterprise


def register():
    contributions.menu_entry(
        "enterprises:list", _("Enterprise directory"), visible=_directory, order=10
    )
    contributions.menu_entry(
        "enterprises:submissions", _("Directory submissions"), visible=_submissions, order=20
    )
    contributions.menu_entry(
        "enterprises:mine", _("My enterprise"), visible=_own_enterprise, order=30
    )
    contributions.workbench_card("enterprises/_workbench_directory.html", directory_card, order=40)
    contributions.workbench_card("enterprises/_workbench_own.html", own_card, order=50)
    contributions.demo_step("enterprises", demo.seed_enterprises, after=("users",))
    contributions.demo_step("claims", demo.seed_claims, after=("users", "enterprises"))
    contributions.demo_step("submissions", demo.seed_submissions, after=("users", "enterprises"))
    contributions.scale_step(
        "enterprises", scale.load, arguments=scale.arguments, check=scale.check, reset=scale.reset
    )


def _directory(user):
    return scoping.can(user, Enterprise, "view") and (
        user.is_superuser or user.role != "enterprise"
    )


def _submissions(user):
    return scoping.can(user, DirectorySubmission, "view")


def _own_enterprise(user):
    return bool(scoping.enterprise_ids(user))


def directory_card(request):
    """The size of the directory in the user's scope, by prefecture for the province, and the
    latest records; not for an enterprise's own users."""
    user = request.user
    if not scoping.can(user, Enterprise, "view") or user.role == "enterprise":
        return None
    enterprises = Enterprise.objects.restrict(user, "view")
    context = {
        "enterprise_count": enterprises.count(),
        "recent_enterprises": enterprises.select_related("prefecture", "county").order_by(
            "-created_at"
        )[:5],
    }
    if scoping.prefecture_codes(user, "view_prefecture_records") is scoping.ALL:
        counts = dict(enterprises.order_by().values_list("prefecture").annotate(total=Count("pk")))
        context["by_prefecture"] = [
            {"prefecture": prefecture, "total": counts.get(prefecture.code, 0)}
            for prefecture in Prefecture.objects.all()
        ]
    return context


def own_card(request):
    """An enterprise user's own records, or why there are none yet."""
    user = request.user
    own = scoping.enterprise_ids(user)
    if own:
        return {"own_enterprises": Enterprise.objects.restrict(user, "view").filter(pk__in=own)}
    return {} if user.role == "enterprise" else None
