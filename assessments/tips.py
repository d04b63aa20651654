"""General compliance tips published by the province on the information platform (§9).

The text is HTML written by provincial staff; it is sanitised when saved (nh3), so scripts,
event handlers and foreign embeds never reach a reader's browser.
"""

import nh3
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsprotect.core.pagination_pages import counted_page
from tsprotect.core.views import require_province

from .forms import ComplianceTipForm
from .models import ComplianceTip

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3", "h4", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "a",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


# target status -> the statuses it may be reached from
ALLOWED_FROM = {
    ComplianceTip.Status.PUBLISHED: (ComplianceTip.Status.DRAFT, ComplianceTip.Status.WITHDRAWN),
    ComplianceTip.Status.WITHDRAWN: (ComplianceTip.Status.PUBLISHED,),
}


@login_required
def manage_list(request):
    require_province(request.user)
    return render(
        request, "assessments/tip_manage_list.html", {"tips": ComplianceTip.objects.all()}
    )


@login_required
def edit(request, pk=None):
    require_province(request.user)
    tip = get_object_or_404(ComplianceTip, pk=pk) if pk else None
    form = ComplianceTipForm(request.POST or None, instance=tip)
    if request.method == "POST" and form.is_valid():
        tip = form.save(commit=False)
        tip.body = sanitise(tip.body)
        if not tip.pk:
            tip.created_by = request.user
        tip.save()
        messages.success(request, _("The tip is saved."))
        return redirect("assessments:tip_manage")
    return render(request, "assessments/tip_form.html", {"form": form, "object": tip})


@login_required
@require_POST
def change_status(request, pk, status):
    require_province(request.user)
    tip = get_object_or_404(ComplianceTip, pk=pk)
    allowed = {
        ComplianceTip.Status.PUBLISHED: (
            ComplianceTip.Status.DRAFT,
            ComplianceTip.Status.WITHDRAWN,
        ),
        ComplianceTip.Status.WITHDRAWN: (ComplianceTip.Status.PUBLISHED,),
    }
    if tip.status not in allowed.get(status, ()):
        messages.error(
            request,
            _("This tip is “%(status)s”; that is not possible now.")
            % {"status": tip.get_status_display()},
        )
        return redirect("assessments:tip_manage")
    tip.status = status
    if status == ComplianceTip.Status.PUBLISHED:
        tip.published_at = timezone.now()
    tip.save()
    messages.success(request, _("Done."))
    return redirect("assessments:tip_manage")


def public_list(request):
    tips = ComplianceTip.objects.filter(status=ComplianceTip.Status.PUBLISHED)
    return render(request, "assessments/tip_public_list.html", counted_page(request, tips, 20))


def public_detail(request, pk):
    tip = get_object_or_404(ComplianceTip, pk=pk, status=ComplianceTip.Status.PUBLISHED)
    return render(request, "assessments/tip_public_detail.html", {"tip": tip})
