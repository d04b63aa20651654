"""The rules of self-assessment; the pages, the API and the admin call these.

A submission row is locked (``select_for_update``) by every write, so a second tab submitting
the same draft finds it submitted and is told so.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise, ServiceEvent
from tsprotect.accounts.models import Role
from tsprotect.core import scoping
from tsprotect.core.uploads import storing_files

from . import risk
from .models import (
    ChecklistAnswer,
    ChecklistCategory,
    ChecklistItem,
    ChecklistSubmission,
    ChecklistTemplate,
    Tier,
)

Status = ChecklistSubmission.Status


def current_template():
    return ChecklistTemplate.objects.filter(status=ChecklistTemplate.Status.PUBLISHED).first()


# Templates -----------------------------------------------------------------------------------


def load_default_template():
    """Version 1 in use, as the data migration leaves it (for a database flushed by tests)."""
    import importlib

    from django.apps import apps

    importlib.import_module("assessments.migrations.0002_default_checklist").load(apps, None)
    return current_template()


@transaction.atomic
def new_version(template, user=None):
    """A draft copy of ``template`` to edit; the published one stays as it is."""
    latest = ChecklistTemplate.objects.select_for_update().order_by("-version").first()
    copy = ChecklistTemplate.objects.create(
        name=template.name, version=latest.version + 1, status=ChecklistTemplate.Status.DRAFT
    )
    for category in template.categories.prefetch_related("items"):
        new_category = ChecklistCategory.objects.create(
            template=copy, code=category.code, name=category.name, order=category.order
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                template=copy,
                category=new_category,
                code=item.code,
                text=item.text,
                weight=item.weight,
                critical=item.critical,
                guidance=item.guidance,
                evidence_expected=item.evidence_expected,
                legal_basis=item.legal_basis,
                order=item.order,
            )
            for item in category.items.all()
        )
    return copy


@transaction.atomic
def publish_template(template, user=None):
    """Put ``template`` in use and retire the one in use; submissions keep their version."""
    template = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    if template.status != ChecklistTemplate.Status.DRAFT:
        raise ValidationError(_("Only a draft version can be published."))
    if not template.items.exists():
        raise ValidationError(_("A checklist needs at least one item."))
    ChecklistTemplate.objects.filter(status=ChecklistTemplate.Status.PUBLISHED).update(
        status=ChecklistTemplate.Status.RETIRED
    )
    template.status = ChecklistTemplate.Status.PUBLISHED
    template.published_at = timezone.now()
    template.published_by = user
    template.save()
    return template


# Who fills in --------------------------------------------------------------------------------


def may_fill(user, enterprise) -> bool:
    """The enterprise's own users, or an officer in scope filling in during a visit."""
    if enterprise.pk in scoping.enterprise_ids(user):
        return True
    return (
        user.role in (Role.PREFECTURE_OFFICER, Role.COUNTY_OFFICER)
        and Enterprise.objects.restrict(user, "change").filter(pk=enterprise.pk).exists()
    )


def may_review(user, submission) -> bool:
    return (
        user.role in (Role.PREFECTURE_OFFICER, Role.COUNTY_OFFICER) or user.is_province
    ) and ChecklistSubmission.objects.restrict(user, "change").filter(pk=submission.pk).exists()


@transaction.atomic
def start(enterprise, user):
    """The enterprise's open checklist, or a new one on the version in use."""
    if not may_fill(user, enterprise):
        raise ValidationError(_("You may not fill in the checklist of this enterprise."))
    open_one = ChecklistSubmission.objects.filter(
        enterprise=enterprise, status__in=ChecklistSubmission.OPEN_STATUSES
    ).first()
    if open_one:
        return open_one
    template = current_template()
    if template is None:
        raise ValidationError(_("No checklist is in use yet; the provincial bureau publishes it."))
    try:
        with transaction.atomic():
            return ChecklistSubmission.objects.create(
                enterprise=enterprise,
                prefecture_id=enterprise.prefecture_id,
                county_id=enterprise.county_id,
                template=template,
                on_behalf=enterprise.pk not in scoping.enterprise_ids(user),
                started_by=user,
            )
    except IntegrityError:  # started at the same instant in another tab
        return ChecklistSubmission.objects.get(
            enterprise=enterprise, status__in=ChecklistSubmission.OPEN_STATUSES
        )


def _lock_open(submission, user):
    locked = ChecklistSubmission.objects.select_for_update().get(pk=submission.pk)
    if not locked.is_open:
        raise ValidationError(
            _("This checklist is “%(status)s”; it can no longer be changed.")
            % {"status": locked.get_status_display()}
        )
    if not may_fill(user, locked.enterprise):
        raise ValidationError(_("You may not fill in the checklist of this enterprise."))
    return locked


def _delete_on_commit(file):
    """Delete a stored evidence file once the answer no longer naming it is saved."""
    storage, name = file.storage, file.name
    transaction.on_commit(lambda: storage.delete(name))


@storing_files()
def save_answers(submission, user, answers):
    """Save a draft: ``answers`` maps item ids to ``(answer, note, evidence)`` (evidence is
    a ``(file, CheckedUpload)`` pair or None). Items of another version are refused."""
    locked = _lock_open(submission, user)
    item_ids = set(locked.template.items.values_list("pk", flat=True))
    foreign = [pk for pk in answers if pk not in item_ids]
    if foreign:
        raise ValidationError(
            _("Some answers are for items not in this checklist version; nothing was saved.")
        )
    existing = {a.item_id: a for a in locked.answers.all()}
    for item_id, (answer, note, evidence) in answers.items():
        if answer not in ChecklistAnswer.Answer.values:
            continue  # left unanswered: stays as it was
        row = existing.get(item_id) or ChecklistAnswer(submission=locked, item_id=item_id)
        row.answer, row.note = answer, note or ""
        if evidence:
            uploaded, checked = evidence
            if row.evidence:
                _delete_on_commit(row.evidence)  # the file it replaces
            row.evidence = uploaded
            row.evidence_name, row.evidence_type = checked.name, checked.content_type
        row.save()
    locked.save(update_fields=["updated_at"])
    return locked


def progress(submission):
    answered = submission.answers.count()
    return answered, submission.template.items.count()


@transaction.atomic
def submit(submission, user):
    """Score, tier and reasons are computed now and kept with the submission."""
    locked = _lock_open(submission, user)
    if locked.template.status != ChecklistTemplate.Status.PUBLISHED:
        raise ValidationError(
            _(
                "This checklist version has been retired. Start again on the version in use: "
                "your answers to the items it keeps are carried over."
            )
        )
    answered, total = progress(locked)
    if answered < total:
        raise ValidationError(
            _("%(missing)s of %(total)s items are not answered yet.")
            % {"missing": total - answered, "total": total}
        )
    result = assess(locked)
    locked.score, locked.risk_points, locked.tier = result.score, result.risk_points, result.tier
    locked.explanation = [reason.as_json() for reason in result.reasons]
    locked.status = Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = user
    locked.save()
    return locked


def assess(submission):
    pairs = [(a.item, a.answer) for a in submission.answers.select_related("item")]
    return risk.assess(submission.enterprise, pairs)


@transaction.atomic
def restart_on_current(submission, user):
    """Move an open checklist on a retired version to the version in use, keeping the answers
    to items with the same code."""
    locked = _lock_open(submission, user)
    template = current_template()
    if template is None or template.pk == locked.template_id:
        return locked
    by_code = {i.code: i for i in template.items.all()}
    kept = []
    for answer in locked.answers.select_related("item"):
        item = by_code.get(answer.item.code)
        if item is not None:
            answer.item = item
            kept.append(answer)
    dropped = locked.answers.exclude(pk__in=[a.pk for a in kept])
    for answer in dropped.exclude(evidence=""):
        _delete_on_commit(answer.evidence)
    dropped.delete()
    for answer in kept:
        answer.save(update_fields=["item"])
    locked.template = template
    locked.save(update_fields=["template", "updated_at"])
    return locked


@transaction.atomic
def confirm(submission, user, note=""):
    """The officer confirms the result: the enterprise's tier follows it (分级管理)."""
    locked = ChecklistSubmission.objects.select_for_update().get(pk=submission.pk)
    if not may_review(user, locked):
        raise ValidationError(_("Checklists are confirmed by the officers of the prefecture."))
    if locked.status != Status.SUBMITTED:
        raise ValidationError(
            _("This checklist is “%(status)s”; only a submitted one can be confirmed.")
            % {"status": locked.get_status_display()}
        )
    locked.status = Status.CONFIRMED
    locked.reviewed_at, locked.reviewed_by, locked.review_note = timezone.now(), user, note
    locked.save()
    enterprise = locked.enterprise
    enterprise.risk_tier = locked.tier
    enterprise.risk_assessed_on = timezone.localdate()
    enterprise.save(update_fields=["risk_tier", "risk_assessed_on", "updated_at"])
    return locked


@transaction.atomic
def return_for_correction(submission, user, note):
    locked = ChecklistSubmission.objects.select_for_update().get(pk=submission.pk)
    if not may_review(user, locked):
        raise ValidationError(_("Checklists are confirmed by the officers of the prefecture."))
    if locked.status != Status.SUBMITTED:
        raise ValidationError(
            _("This checklist is “%(status)s”; only a submitted one can be returned.")
            % {"status": locked.get_status_display()}
        )
    if not (note or "").strip():
        raise ValidationError({"note": _("Please say what to correct.")})
    if ChecklistSubmission.objects.filter(
        enterprise=locked.enterprise, status__in=ChecklistSubmission.OPEN_STATUSES
    ).exists():
        raise ValidationError(_("The enterprise has already started another checklist."))
    locked.status = Status.RETURNED
    locked.reviewed_at, locked.reviewed_by, locked.review_note = timezone.now(), user, note
    locked.save()
    return locked


def tips(submission):
    """Compliance tips (合规提示): each failed or partly met item with its guidance."""
    return [
        answer
        for answer in submission.answers.select_related("item", "item__category")
        if answer.answer in (ChecklistAnswer.Answer.NO, ChecklistAnswer.Answer.PARTLY)
    ]


def due_visits(user, prefecture=None, today=None):
    """Enterprises with a tier whose last guidance visit is older than the tier's interval."""
    today = today or timezone.localdate()
    enterprises = Enterprise.objects.restrict(user, "view").exclude(risk_tier="")
    if prefecture:
        enterprises = enterprises.filter(prefecture_id=prefecture)
    enterprises = enterprises.annotate(
        last_visit=Max(
            "service_events__happened_on",
            filter=Q(service_events__kind=ServiceEvent.Kind.VISIT),
        )
    )
    due = Q()
    for tier, days, _code in risk.visit_intervals(today):
        cutoff = today - timedelta(days=days)
        due |= Q(risk_tier=tier) & (Q(last_visit__isnull=True) | Q(last_visit__lt=cutoff))
    urgency = Case(
        When(risk_tier=Tier.HIGH, then=0), When(risk_tier=Tier.MEDIUM, then=1), default=2
    )
    return (
        enterprises.filter(due)
        .select_related("prefecture", "county")
        .order_by(urgency, F("last_visit").asc(nulls_first=True), "name")
    )
