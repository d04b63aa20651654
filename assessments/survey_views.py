"""Survey pages (§10): the province drafts, opens and closes; enterprises answer once; officers
and the province read the results of the responses in their scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises.models import Enterprise
from tsprotect.core import scoping
from tsprotect.core.views import require_province, show_errors
from tsprotect.regions.models import Prefecture

from . import surveys
from .models import Survey, SurveyAnswer, SurveyResponse
from .survey_forms import AnswerForm, QuestionFormSet, SurveyForm


@login_required
def survey_list(request):
    user = request.user
    enterprise = surveys.enterprise_of(user)
    if not (surveys.may_see_results(user) or enterprise is not None):
        raise PermissionDenied
    context = {"is_province": surveys.is_province(user), "enterprise": enterprise}
    if surveys.may_see_results(user):
        responses = (
            SurveyResponse.objects.restrict(user, "view")
            .filter(survey=OuterRef("pk"))
            .order_by()
            .values("survey")
            .annotate(n=Count("pk"))
            .values("n")
        )
        context["surveys"] = (
            surveys.visible_surveys(user)
            .annotate(
                response_count=Coalesce(Subquery(responses, output_field=IntegerField()), 0),
                question_count=Count("questions"),
            )
            .order_by("-created_at", "-pk")
        )
    if enterprise is not None:
        context["open_surveys"] = surveys.open_surveys_for(user)
        context["answered"] = (
            SurveyResponse.objects.restrict(user, "view")
            .filter(enterprise=enterprise)
            .select_related("survey")
        )
    return render(request, "assessments/survey_list.html", context)


@login_required
def survey_edit(request, pk=None):
    """Create a draft survey, or change one while it is a draft, with its questions."""
    require_province(request.user)
    survey = get_object_or_404(Survey, pk=pk) if pk else Survey()
    if survey.pk and survey.status != Survey.Status.DRAFT:
        messages.error(request, _("Only a draft survey can be changed."))
        return redirect("assessments:survey_results", pk=survey.pk)
    data = request.POST if request.method == "POST" else None
    form = SurveyForm(data, instance=survey, user=request.user)
    formset = QuestionFormSet(data, instance=survey, prefix="questions")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            survey = surveys.save_draft(form, formset, request.user)
        except ValidationError as error:
            show_errors(request, error)
        else:
            messages.success(request, _("The draft survey is saved."))
            return redirect("assessments:survey_results", pk=survey.pk)
    return render(
        request,
        "assessments/survey_form.html",
        {"form": form, "formset": formset, "object": survey if survey.pk else None},
    )


@login_required
@require_POST
def survey_open(request, pk):
    require_province(request.user)
    survey = get_object_or_404(Survey, pk=pk)
    try:
        surveys.open_survey(survey, request.user)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("The survey is open: the enterprises addressed can answer."))
    return redirect("assessments:survey_results", pk=pk)


@login_required
@require_POST
def survey_close(request, pk):
    require_province(request.user)
    survey = get_object_or_404(Survey, pk=pk)
    try:
        surveys.close_survey(survey, request.user)
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, _("The survey is closed."))
    return redirect("assessments:survey_results", pk=pk)


@login_required
def survey_answer(request, pk):
    """An enterprise answers an open survey once; afterwards the page shows its answers."""
    user = request.user
    enterprise = surveys.enterprise_of(user)
    if enterprise is None:
        raise PermissionDenied
    survey = get_object_or_404(surveys.answerable(user), pk=pk)
    response = (
        SurveyResponse.objects.restrict(user, "view")
        .filter(survey=survey, enterprise=enterprise)
        .select_related("submitted_by")
        .first()
    )
    if response is not None:
        if request.method == "POST":
            messages.error(
                request, _("Your enterprise has already answered this survey. Thank you.")
            )
        answers = SurveyAnswer.objects.filter(response=response).select_related("question")
        return render(
            request,
            "assessments/survey_answer.html",
            {"survey": survey, "enterprise": enterprise, "response": response, "answers": answers},
        )
    questions = list(survey.questions.all())
    form = AnswerForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.answer(survey, enterprise, user, form.values())
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, field_messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_messages)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Thank you: your answers are recorded."))
            return redirect("assessments:survey_answer", pk=survey.pk)
    return render(
        request,
        "assessments/survey_answer.html",
        {"survey": survey, "enterprise": enterprise, "form": form},
    )


@login_required
def survey_results(request, pk):
    """The survey and the aggregate of the responses in the user's scope, as tables and charts."""
    user = request.user
    if not surveys.may_see_results(user):
        raise PermissionDenied
    survey = get_object_or_404(surveys.visible_surveys(user).select_related("created_by"), pk=pk)
    is_province = surveys.is_province(user)
    prefecture = None
    prefectures = []
    if is_province:
        prefectures = list(Prefecture.objects.order_by("pk"))
        code = request.GET.get("prefecture", "")
        prefecture = next((p for p in prefectures if p.pk == code), None)
    results = surveys.aggregate(survey, user, prefecture=prefecture.pk if prefecture else None)
    return render(
        request,
        "assessments/survey_results.html",
        {
            "survey": survey,
            "results": results,
            "chart_data": surveys.chart_data(results),
            "chart_labels": {
                "answers": _("Answers"),
                "responses": _("Responses"),
                "targeted": _("Enterprises addressed"),
            },
            "is_province": is_province,
            "prefectures": prefectures,
            "prefecture": prefecture,
            "scope_label": _scope_label(user, prefecture),
            "survey_prefectures": list(survey.prefectures.all()),
            "tag_labels": [label for key, label in Enterprise.TAGS.items() if key in survey.tags],
        },
    )


def _scope_label(user, prefecture):
    if prefecture is not None:
        return str(prefecture)
    if surveys.is_province(user):
        return _("the whole province")
    limit = scoping.county_limit(user)
    if limit:
        return str(user.county)
    return str(user.prefecture)
