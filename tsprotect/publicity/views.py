"""The information platform (§9): the provincial staff's notice pages and the public pages."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.models import ComplianceTip
from complaints.models import StatutoryLimit
from demonstrations.public import public_designations
from tsprotect.core.filter_bar import FilterSelect
from tsprotect.core.pagination_pages import counted_page
from tsprotect.core.views import add_attachment_from, private_file, require_province, show_errors
from tsprotect.legal.services import provision_in_force

from . import services
from .forms import AttachmentForm, NoticeForm, WithdrawForm
from .home import rendered_sections
from .models import Notice, NoticeAttachment

logger = logging.getLogger(__name__)

# Staff pages -----------------------------------------------------------------------------------


@login_required
def notice_list(request):
    require_province(request.user)
    notices = Notice.objects.select_related("author").order_by("-updated_at", "-pk")
    status = request.GET.get("status", "")
    if status in Notice.Status.values:
        notices = notices.filter(status=status)
    return render(
        request,
        "publicity/notice_list.html",
        {
            **counted_page(request, notices, 25),
            "filter_selects": [FilterSelect("status", _("Status"), Notice.Status.choices, status)],
        },
    )


@login_required
def notice_edit(request, pk=None):
    require_province(request.user)
    notice = get_object_or_404(Notice, pk=pk) if pk else None
    form = NoticeForm(request.POST or None, instance=notice)
    if request.method == "POST" and form.is_valid():
        try:
            if notice is not None:
                services.check_editable(Notice.objects.get(pk=notice.pk))
        except ValidationError as error:
            show_errors(request, error)
            return redirect("publicity:notice_update", pk=notice.pk)
        notice = form.save(commit=False)
        if not notice.pk:
            notice.author = request.user
        notice.save()
        messages.success(request, _("The notice is saved."))
        return redirect("publicity:notice_update", pk=notice.pk)
    return render(
        request,
        "publicity/notice_form.html",
        {
            "form": form,
            "object": notice,
            "editable": notice is None or notice.status in services.EDITABLE,
            "actions": services.available_actions(notice) if notice else [],
            "withdraw_form": WithdrawForm(),
            "attachment_form": AttachmentForm(),
            "attachments": notice.attachments.all() if notice else [],
        },
    )


@login_required
@require_POST
def notice_publish(request, pk):
    require_province(request.user)
    notice = get_object_or_404(Notice, pk=pk)
    try:
        services.publish(notice, request.user)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("The notice is published."))
    return redirect("publicity:notice_update", pk=notice.pk)


@login_required
@require_POST
def notice_withdraw(request, pk):
    require_province(request.user)
    notice = get_object_or_404(Notice, pk=pk)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.withdraw(notice, request.user, form.cleaned_data.get("reason", ""))
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("The notice is withdrawn from the public platform."))
    return redirect("publicity:notice_update", pk=notice.pk)


@login_required
@require_POST
def attachment_add(request, pk):
    require_province(request.user)
    notice = get_object_or_404(Notice, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    add_attachment_from(request, form, services.add_attachment, notice)
    return redirect("publicity:notice_update", pk=notice.pk)


@login_required
@require_POST
def attachment_remove(request, pk):
    require_province(request.user)
    attachment = get_object_or_404(NoticeAttachment.objects.select_related("notice"), pk=pk)
    try:
        services.remove_attachment(attachment, request.user)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("The attachment is removed."))
    return redirect("publicity:notice_update", pk=attachment.notice_id)


@login_required
def attachment_download(request, pk):
    """Staff read an attachment whatever the notice's status (e.g. to check a draft)."""
    require_province(request.user)
    attachment = get_object_or_404(NoticeAttachment, pk=pk)
    return private_file(attachment.file, attachment.original_name, attachment.content_type)


# Public pages (no login) -----------------------------------------------------------------------

HOME_NOTICES = 6
HOME_DESIGNATIONS = 8
HOME_TIPS = 5


def home(request):
    """The platform's home: notices, designated units, tips, then the sections other apps add
    (``tsprotect.publicity.home.SECTIONS``, e.g. the upcoming trainings)."""
    return render(
        request,
        "publicity/public_home.html",
        {
            "notices": services.published().only("title", "summary", "category", "published_at")[
                :HOME_NOTICES
            ],
            "designations": public_designations().order_by("-designated_on", "certificate_number")[
                :HOME_DESIGNATIONS
            ],
            "tips": ComplianceTip.objects.filter(status=ComplianceTip.Status.PUBLISHED).only(
                "title", "summary", "published_at"
            )[:HOME_TIPS],
            "sections": rendered_sections(request),
        },
    )


def public_notices(request):
    notices = services.published().only("title", "summary", "category", "published_at")
    category = request.GET.get("category", "")
    if category in Notice.Category.values:
        notices = notices.filter(category=category)
    return render(
        request,
        "publicity/public_notice_list.html",
        {
            **counted_page(request, notices, 20),
            "filter_selects": [
                FilterSelect("category", _("Category"), Notice.Category.choices, category)
            ],
        },
    )


def public_notice(request, pk):
    """A published notice; a draft or a withdrawn one answers 404, like one that never was."""
    notice = get_object_or_404(services.published(), pk=pk)
    return render(
        request,
        "publicity/public_notice_detail.html",
        {"notice": notice, "attachments": notice.attachments.all()},
    )


def public_attachment(request, pk):
    attachment = get_object_or_404(NoticeAttachment, pk=pk, notice__status=Notice.Status.PUBLISHED)
    return private_file(attachment.file, attachment.original_name, attachment.content_type)


def guide(request):
    """How to protect a trade secret and how to complain; the limits come from the table the
    complaint clocks use, and the definition's article from the table of provisions (the version
    in force today), so the guide never drifts from them."""
    limits = list(StatutoryLimit.objects.filter(active=True).order_by("pk"))
    pauses = dict(StatutoryLimit.Pause.choices)
    for limit in limits:
        limit.pause_labels = [str(pauses.get(code, code)) for code in limit.pauses or ()]
    definition = provision_in_force("aucl", "aucl.trade_secret_definition")
    return render(request, "publicity/guide.html", {"limits": limits, "definition": definition})
