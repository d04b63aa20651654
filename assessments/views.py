import logging

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from enterprises.filters import CodeChoiceFilter, ProvincePrefectureFilterMixin
from enterprises.models import Enterprise
from tsprotect.accounts.models import Role
from tsprotect.core import scoping
from tsprotect.core.filter_bar import FilterSelect
from tsprotect.core.views import ScopedListView, private_file, require_province, show_errors
from tsprotect.core.widgets import FastSelect
from tsprotect.regions.models import Prefecture

from . import risk, services
from .forms import ChecklistForm, ReviewForm
from .models import ChecklistAnswer, ChecklistSubmission, ChecklistTemplate, Tier

logger = logging.getLogger(__name__)


class SubmissionFilter(ProvincePrefectureFilterMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="enterprise__name", lookup_expr="icontains", label=gettext_lazy("Enterprise")
    )
    status = django_filters.ChoiceFilter(
        widget=FastSelect, choices=ChecklistSubmission.Status.choices, label=gettext_lazy("Status")
    )
    tier = django_filters.ChoiceFilter(
        widget=FastSelect, choices=Tier.choices, label=gettext_lazy("Risk tier")
    )
    prefecture = CodeChoiceFilter(
        queryset=Prefecture.objects.all(), label=gettext_lazy("Prefecture")
    )
    # The periodic reports link their checklist figures here.
    submitted_after = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__gte", label=gettext_lazy("Submitted from")
    )
    submitted_before = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__lte", label=gettext_lazy("Submitted until")
    )

    class Meta:
        model = ChecklistSubmission
        fields = []


class SubmissionListView(ScopedListView):
    model = ChecklistSubmission
    related = ("enterprise", "prefecture", "template")
    filterset_class = SubmissionFilter
    ordering_fields = ("updated_at", "score", "submitted_at")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        own = scoping.enterprise_ids(user)
        context["own_enterprises"] = (
            Enterprise.objects.restrict(user).filter(pk__in=sorted(own)) if own else []
        )
        context["counts"] = self.model.objects.restrict(user).aggregate(
            submitted=Count("pk", filter=Q(status=ChecklistSubmission.Status.SUBMITTED)),
            **{tier.value: Count("pk", filter=Q(tier=tier, status="confirmed")) for tier in Tier},
        )
        context["is_officer"] = user.role in (Role.PREFECTURE_OFFICER, Role.COUNTY_OFFICER)
        return context


@login_required
@require_POST
def start(request, enterprise_pk):
    enterprise = get_object_or_404(Enterprise.objects.restrict(request.user), pk=enterprise_pk)
    try:
        submission = services.start(enterprise, request.user)
    except ValidationError as error:
        show_errors(request, error)
        return redirect("assessments:list")
    return redirect("assessments:fill", pk=submission.pk)


def _scoped(user, action="view"):
    return ChecklistSubmission.objects.restrict(user, action).select_related(
        "enterprise", "template", "prefecture"
    )


@login_required
def fill(request, pk):
    submission = get_object_or_404(_scoped(request.user), pk=pk)
    if not submission.is_open or not services.may_fill(request.user, submission.enterprise):
        return redirect(submission)
    form = ChecklistForm(request.POST or None, request.FILES or None, submission=submission)
    if request.method == "POST" and form.is_valid():
        answers = form.answers()
        # Answers posted for items of another version: the service refuses them all.
        for key in request.POST:
            if key.startswith("answer_") and key[7:].isdigit() and int(key[7:]) not in answers:
                answers[int(key[7:])] = (request.POST[key], "", None)
        try:
            services.save_answers(submission, request.user, answers)
            if request.POST.get("action") == "submit":
                services.submit(submission, request.user)
                messages.success(request, _("The checklist is submitted. Here is the result."))
                return redirect(submission)
        except ValidationError as error:
            show_errors(request, error)
            return redirect("assessments:fill", pk=submission.pk)
        messages.success(request, _("Your answers are saved; you can come back and go on later."))
        return redirect("assessments:fill", pk=submission.pk)
    answered, total = services.progress(submission)
    return render(
        request,
        "assessments/fill.html",
        {
            "object": submission,
            "form": form,
            "answered": answered,
            "total": total,
            "retired": submission.template.status == ChecklistTemplate.Status.RETIRED,
        },
    )


@login_required
def detail(request, pk):
    user = request.user
    submission = get_object_or_404(_scoped(user), pk=pk)
    if submission.is_open and services.may_fill(user, submission.enterprise):
        return redirect("assessments:fill", pk=submission.pk)
    answers = submission.answers.select_related("item", "item__category")
    return render(
        request,
        "assessments/detail.html",
        {
            "object": submission,
            "answers": answers,
            "tips": services.tips(submission),
            "may_review": submission.status == ChecklistSubmission.Status.SUBMITTED
            and services.may_review(user, submission),
            "review_form": ReviewForm(),
            "visit_days": risk.visit_interval_days(submission.tier),
            "visit_rule": risk.VISIT_INTERVAL_RULES.get(submission.tier),
            # critical items and factors come first in the reasons; then the ten costliest items
            "top_reasons": sum(1 for r in submission.explanation if r["kind"] != "item") + 10,
        },
    )


@login_required
def tips_pdf(request, pk):
    from weasyprint import HTML  # heavy import, only for the processes that render

    submission = get_object_or_404(_scoped(request.user), pk=pk)
    if submission.is_open:
        raise PermissionDenied
    html = render_to_string(
        "assessments/tips_pdf.html",
        {"object": submission, "tips": services.tips(submission), "today": timezone.localdate()},
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="compliance-tips-{submission.pk}.pdf"'
    return response


@login_required
@require_POST
def review(request, pk, action):
    submission = get_object_or_404(_scoped(request.user), pk=pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    try:
        if action == "confirm":
            services.confirm(submission, request.user, note)
            messages.success(request, _("Confirmed; the enterprise's risk tier is updated."))
        elif action == "return":
            services.return_for_correction(submission, request.user, note)
            messages.success(request, _("Returned to the enterprise for correction."))
        else:
            raise PermissionDenied
    except ValidationError as error:
        show_errors(request, error)
    return redirect(submission)


@login_required
@require_POST
def restart(request, pk):
    submission = get_object_or_404(_scoped(request.user), pk=pk)
    try:
        services.restart_on_current(submission, request.user)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("Moved to the version in use; your matching answers are kept."))
    return redirect("assessments:fill", pk=submission.pk)


@login_required
def evidence(request, pk):
    answer = get_object_or_404(
        ChecklistAnswer.objects.restrict(request.user).exclude(evidence=""), pk=pk
    )
    logger.info("checklist evidence %s downloaded by %s", answer.pk, request.user)
    return private_file(answer.evidence, answer.evidence_name, answer.evidence_type)


@login_required
def due_visits(request):
    """Tiered management (分级管理): the enterprises due a guidance visit."""
    user = request.user
    if user.role not in (Role.PREFECTURE_OFFICER, Role.COUNTY_OFFICER) and not user.is_province:
        raise PermissionDenied
    prefecture = request.GET.get("prefecture") if scoping.is_province_wide(user) else None
    enterprises = services.due_visits(user, prefecture=prefecture)[:200]
    selects = []
    if scoping.is_province_wide(user):  # an officer's list is their own prefecture's
        choices = Prefecture.objects.values_list("code", "name")
        selects = [FilterSelect("prefecture", _("Prefecture"), choices, prefecture or "")]
    return render(
        request,
        "assessments/due_visits.html",
        {
            "enterprises": enterprises,
            "intervals": risk.visit_intervals(),
            "filter_selects": selects,
        },
    )


# Checklist versions: the provincial bureau ---------------------------------------------------


@login_required
def template_list(request):
    require_province(request.user)
    templates = ChecklistTemplate.objects.annotate(
        item_count=Count("items", distinct=True),
        submission_count=Count("submissions", distinct=True),
    )
    return render(request, "assessments/template_list.html", {"templates": templates})


@login_required
def template_detail(request, pk):
    require_province(request.user)
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    categories = template.categories.prefetch_related("items")
    return render(
        request,
        "assessments/template_detail.html",
        {"object": template, "categories": categories},
    )


@login_required
@require_POST
def template_action(request, pk, action):
    require_province(request.user)
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    try:
        if action == "copy":
            template = services.new_version(template, request.user)
            messages.success(
                request,
                _("Version %(version)s is a draft: edit its items in the administration.")
                % {"version": template.version},
            )
        elif action == "publish":
            services.publish_template(template, request.user)
            messages.success(request, _("This version is now in use; the previous one is retired."))
        else:
            raise PermissionDenied
    except ValidationError as error:
        show_errors(request, error)
    return redirect("assessments:template_detail", pk=template.pk)
