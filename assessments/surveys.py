"""The rules of surveys (问卷调查, §10); the pages, the API and the demo data call these.

The province drafts a questionnaire, chooses the prefectures and the enterprise tags it
addresses (none chosen: all), and opens it. Each enterprise addressed answers once. Officers
read the aggregate of the responses in their scope, the province all of it. Responses are
always obtained through ``SurveyResponse.objects.restrict(user, "view")``.
"""

import math
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Exists, FloatField, Max, Min, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from tsprotect.core import scoping

from .models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

Status = Survey.Status
Kind = SurveyQuestion.Kind
CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)
MAX_TEXT_ANSWER = 2000


def field_name(question) -> str:
    """The key under which a question's answer and its errors travel (form field name)."""
    return f"q{question.pk}"


# Who -----------------------------------------------------------------------------------------


def is_province(user) -> bool:
    return user.is_authenticated and user.is_province


def is_officer(user) -> bool:
    return user.is_authenticated and user.is_officer


def enterprise_of(user):
    """The enterprise an enterprise user answers for, or None."""
    ids = scoping.enterprise_ids(user)
    if not ids:
        return None
    pk = user.enterprise_id if user.enterprise_id in ids else min(ids)
    return Enterprise.objects.filter(pk=pk).select_related("prefecture").first()


def _addressing_prefecture(prefecture_id):
    """Surveys addressed to every prefecture or to ``prefecture_id`` among others."""
    through = Survey.prefectures.through
    chosen = Exists(through.objects.filter(survey_id=OuterRef("pk")))
    includes = Exists(through.objects.filter(survey_id=OuterRef("pk"), prefecture_id=prefecture_id))
    return ~chosen | includes


def visible_surveys(user):
    """Surveys whose page ``user`` may open: the province all, officers the surveys sent to their
    prefecture once opened; nobody else (enterprises reach theirs through ``answerable``)."""
    if is_province(user):
        return Survey.objects.all()
    if is_officer(user) and user.prefecture_id:
        return Survey.objects.exclude(status=Status.DRAFT).filter(
            _addressing_prefecture(user.prefecture_id)
        )
    return Survey.objects.none()


def may_answer(user, enterprise) -> bool:
    """The enterprise's own users, or an officer in scope entering a paper questionnaire."""
    if enterprise.pk in scoping.enterprise_ids(user):
        return True
    return (
        is_officer(user)
        and Enterprise.objects.restrict(user, "change").filter(pk=enterprise.pk).exists()
    )


def may_see_results(user) -> bool:
    return (is_province(user) or is_officer(user)) and scoping.can(user, SurveyResponse, "view")


# Targeting -----------------------------------------------------------------------------------


def _tags(survey):
    return [tag for tag in survey.tags or [] if tag in Enterprise.TAGS]


def targeted(survey):
    """The enterprises of the directory ``survey`` addresses: in one of its prefectures (all
    when none is chosen) and carrying at least one of its tags (all when none is chosen)."""
    queryset = Enterprise.objects.filter(status=Enterprise.Status.ACTIVE)
    prefecture_ids = list(survey.prefectures.values_list("pk", flat=True))
    if prefecture_ids:
        queryset = queryset.filter(prefecture_id__in=prefecture_ids)
    tags = _tags(survey)
    if tags:
        any_tag = Q()
        for tag in tags:
            any_tag |= Q(**{f"is_{tag}": True})
        queryset = queryset.filter(any_tag)
    return queryset


def addresses(survey, enterprise) -> bool:
    """Whether ``survey`` addresses ``enterprise``: the same rule as ``targeted``, on one row
    (``survey.prefectures`` prefetched keeps it free of queries)."""
    if enterprise.status != Enterprise.Status.ACTIVE:
        return False
    prefecture_ids = {p.pk for p in survey.prefectures.all()}
    if prefecture_ids and enterprise.prefecture_id not in prefecture_ids:
        return False
    tags = _tags(survey)
    return not tags or any(getattr(enterprise, f"is_{tag}") for tag in tags)


def _is_open(survey, today=None) -> bool:
    today = today or timezone.localdate()
    return survey.status == Status.OPEN and (survey.closes_on is None or survey.closes_on >= today)


def open_surveys_for(user):
    """The open surveys the user's enterprise is addressed by and has not answered yet."""
    enterprise = enterprise_of(user)
    if enterprise is None:
        return []
    answered = SurveyResponse.objects.filter(survey=OuterRef("pk"), enterprise=enterprise)
    candidates = (
        Survey.objects.filter(status=Status.OPEN)
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=timezone.localdate()))
        .exclude(Exists(answered))
        .prefetch_related("prefectures")
        .order_by("closes_on", "-opened_at", "-pk")
    )
    # Open surveys are a handful at a time: the targeting rule is applied to each in Python.
    return [survey for survey in candidates if addresses(survey, enterprise)]


def answerable(user):
    """Surveys an enterprise user may open the answer page of: open ones addressed to its
    enterprise, and every one it has answered (read-only)."""
    enterprise = enterprise_of(user)
    if enterprise is None:
        return Survey.objects.none()
    answered = SurveyResponse.objects.filter(enterprise=enterprise).values("survey_id")
    ids = [s.pk for s in open_surveys_for(user)]
    return Survey.objects.filter(Q(pk__in=ids) | Q(pk__in=answered))


# The province's steps ------------------------------------------------------------------------


def _require_province(user):
    if not is_province(user):
        raise PermissionDenied


def _locked(survey):
    return Survey.objects.select_for_update().get(pk=survey.pk)


@transaction.atomic
def save_draft(form, formset, user):
    """Save a draft survey and its questions (the forms are valid); only drafts change, so the
    answers already given always match the questions they answered."""
    _require_province(user)
    survey = form.instance
    if survey.pk:
        if _locked(survey).status != Status.DRAFT:
            raise ValidationError(_("Only a draft survey can be changed."))
    else:
        survey.created_by = user
    survey = form.save()
    order = 0
    for subform in formset.forms:
        question = subform.instance
        if subform in formset.deleted_forms:
            if question.pk:
                question.delete()
            continue
        if not question.pk and not subform.has_changed():
            continue  # an extra form left empty
        question = subform.save(commit=False)
        question.survey = survey
        question.order = order
        order += 1
        question.save()
    return survey


@transaction.atomic
def open_survey(survey, user):
    """Draft → open: from now on the enterprises addressed see it and may answer."""
    _require_province(user)
    survey = _locked(survey)
    if survey.status != Status.DRAFT:
        raise ValidationError(_("Only a draft survey can be opened."))
    questions = list(survey.questions.all())
    if not questions:
        raise ValidationError(_("Add at least one question before opening the survey."))
    for question in questions:
        if question.kind in CHOICE_KINDS and len(question.choices or []) < 2:
            raise ValidationError(
                _("The question “%(question)s” needs at least two choices.")
                % {"question": question.text}
            )
    if survey.closes_on and survey.closes_on < timezone.localdate():
        raise ValidationError(_("The closing date has passed; change it before opening."))
    survey.status = Status.OPEN
    survey.opened_at = timezone.now()
    survey.save(update_fields=["status", "opened_at"])
    return survey


@transaction.atomic
def close_survey(survey, user):
    """Open → closed: no more answers; the results stay."""
    _require_province(user)
    survey = _locked(survey)
    if survey.status != Status.OPEN:
        raise ValidationError(_("Only an open survey can be closed."))
    survey.status = Status.CLOSED
    survey.save(update_fields=["status"])
    return survey


# Answering -----------------------------------------------------------------------------------


def _missing(value) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _clean_value(question, value):
    """The value to store for ``question``, or ValidationError with the reason."""
    if question.kind == Kind.SINGLE:
        if not isinstance(value, str) or value not in question.choices:
            raise ValidationError(_("Choose one of the choices offered."))
        return value
    if question.kind == Kind.MULTIPLE:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValidationError(_("Choose among the choices offered."))
        unknown = [v for v in value if v not in question.choices]
        if unknown:
            raise ValidationError(
                _("“%(choice)s” is not one of the choices offered.") % {"choice": unknown[0]}
            )
        chosen = set(value)
        return [choice for choice in question.choices if choice in chosen]  # canonical order
    if question.kind == Kind.NUMBER:
        if isinstance(value, bool):
            raise ValidationError(_("Enter a number."))
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise ValidationError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."))
        if number < 0:
            raise ValidationError(_("Enter a number of zero or more."))
        if number == number.to_integral_value():
            return int(number)
        as_float = float(number)
        if not math.isfinite(as_float):
            raise ValidationError(_("Enter a number."))
        return as_float
    text = str(value).strip()
    if len(text) > MAX_TEXT_ANSWER:
        raise ValidationError(
            _("Keep the answer under %(limit)d characters.") % {"limit": MAX_TEXT_ANSWER}
        )
    return text


def clean_answers(questions, values):
    """``{question: stored value}`` for the questions answered; ValidationError keyed by
    ``field_name(question)`` listing every problem at once."""
    cleaned, errors = {}, {}
    for question in questions:
        raw = values.get(question.pk, values.get(field_name(question)))
        if isinstance(raw, str):
            raw = raw.strip()
        if _missing(raw):
            if question.required:
                errors[field_name(question)] = [_("This question needs an answer.")]
            continue
        try:
            value = _clean_value(question, raw)
        except ValidationError as error:
            errors[field_name(question)] = error.messages
            continue
        if _missing(value):
            if question.required:
                errors[field_name(question)] = [_("This question needs an answer.")]
            continue
        cleaned[question] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def answer(survey, enterprise, user, values):
    """Record ``enterprise``'s answers to ``survey``, all or nothing.

    ``values`` maps a question (its pk, or its field name) to a choice, a list of choices, a
    number or a text. The survey row is locked, so two tabs answering at once are served one
    after the other and the second is told the survey is answered; the unique constraint is the
    last line should anything else write.
    """
    if not may_answer(user, enterprise):
        raise PermissionDenied
    already = _("Your enterprise has already answered this survey. Thank you.")
    try:
        with transaction.atomic():
            survey = _locked(survey)
            if not _is_open(survey):
                raise ValidationError(_("This survey is closed."))
            if SurveyResponse.objects.filter(survey=survey, enterprise=enterprise).exists():
                raise ValidationError(already)
            if not addresses(survey, enterprise):
                raise ValidationError(_("This survey is not addressed to your enterprise."))
            cleaned = clean_answers(list(survey.questions.all()), values)
            response = SurveyResponse.objects.create(
                survey=survey,
                enterprise=enterprise,
                prefecture_id=enterprise.prefecture_id,
                county_id=enterprise.county_id,
                submitted_by=user,
            )
            SurveyAnswer.objects.bulk_create(
                SurveyAnswer(response=response, question=question, value=value)
                for question, value in cleaned.items()
            )
    except IntegrityError:
        raise ValidationError(already) from None
    return response


# Results -------------------------------------------------------------------------------------


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def aggregate(survey, user, prefecture=None):
    """The results of ``survey`` over the responses ``user`` may see (``prefecture``: a filter
    for the province), in a constant number of queries whatever the number of responses or
    questions.

    Per question: for choices, the count and share of each choice among those who answered it;
    for numbers, count, mean, min and max; for texts, how many answered. Also the responses
    against the enterprises addressed in the same scope (response rate), and for the province
    the same by prefecture.
    """
    responses = SurveyResponse.objects.restrict(user, "view").filter(survey=survey)
    enterprises = targeted(survey).restrict(user, "view")
    if prefecture:
        responses = responses.filter(prefecture_id=prefecture)
        enterprises = enterprises.filter(prefecture_id=prefecture)
    response_count = responses.count()
    targeted_count = enterprises.count()
    questions = list(survey.questions.all())
    answers = SurveyAnswer.objects.filter(response__in=responses.values("pk"))

    # Choices: one query grouping by (question, value). A multiple-choice value is the list of
    # the choices ticked, kept in the question's order, so the groups are the distinct
    # combinations — bounded by the choices offered, not by the number of responses.
    choice_counts: dict = {}
    grouped = (
        answers.filter(question__kind__in=CHOICE_KINDS)
        .values("question_id", "value")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for group in grouped:
        values = group["value"] if isinstance(group["value"], list) else [group["value"]]
        counts = choice_counts.setdefault(group["question_id"], {})
        for value in values:
            counts[value] = counts.get(value, 0) + group["n"]

    # Numbers and texts: one query for the counts, one for the numeric statistics.
    answered = dict(
        answers.values("question_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("question_id", "n")
    )
    numeric = Cast("value", FloatField())
    stats = {
        row["question_id"]: row
        for row in answers.filter(question__kind=Kind.NUMBER)
        .values("question_id")
        .annotate(mean=Avg(numeric), low=Min(numeric), high=Max(numeric))
        .order_by()
    }

    results = []
    for question in questions:
        count = answered.get(question.pk, 0)
        entry = {
            "id": question.pk,
            "order": question.order,
            "text": question.text,
            "kind": question.kind,
            "kind_label": question.get_kind_display(),
            "required": question.required,
            "answered": count,
        }
        if question.kind in CHOICE_KINDS:
            counts = choice_counts.get(question.pk, {})
            entry["choices"] = [
                {
                    "label": choice,
                    "count": counts.get(choice, 0),
                    "share": _rate(counts.get(choice, 0), count),
                }
                for choice in question.choices
            ]
        elif question.kind == Kind.NUMBER:
            row = stats.get(question.pk, {})
            mean = row.get("mean")
            entry.update(
                count=count,
                mean=round(mean, 2) if mean is not None else None,
                min=_plain(row.get("low")),
                max=_plain(row.get("high")),
            )
        results.append(entry)

    by_prefecture = []
    if is_province(user) and not prefecture:
        responded = dict(
            responses.values("prefecture_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("prefecture_id", "n")
        )
        for row in (
            enterprises.values("prefecture_id", "prefecture__name")
            .annotate(n=Count("pk"))
            .order_by("prefecture_id")
        ):
            got = responded.get(row["prefecture_id"], 0)
            by_prefecture.append(
                {
                    "code": row["prefecture_id"],
                    "name": row["prefecture__name"],
                    "targeted": row["n"],
                    "responses": got,
                    "rate": _rate(got, row["n"]),
                }
            )

    return {
        "responses": response_count,
        "targeted": targeted_count,
        "rate": _rate(response_count, targeted_count),
        "questions": results,
        "by_prefecture": by_prefecture,
    }


def _plain(number):
    """A float statistic shown as an integer when it is one."""
    if number is None:
        return None
    return int(number) if float(number).is_integer() else round(number, 2)


def chart_data(results):
    """What the charts draw, for ``json_script``: plain labels and numbers only."""
    return {
        "questions": [
            {
                "id": q["id"],
                "kind": q["kind"],
                "labels": [c["label"] for c in q["choices"]],
                "counts": [c["count"] for c in q["choices"]],
            }
            for q in results["questions"]
            if "choices" in q
        ],
        "prefectures": {
            "labels": [row["name"] for row in results["by_prefecture"]],
            "responses": [row["responses"] for row in results["by_prefecture"]],
            "targeted": [row["targeted"] for row in results["by_prefecture"]],
        },
    }
