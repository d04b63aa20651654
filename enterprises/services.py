"""Operations on the directory that the pages, the API, the admin and tasks share."""

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tsprotect.core import scoping
from tsprotect.core.uploads import storing_files

from .models import DirectorySubmission, Enterprise, EnterpriseDocument, ServiceEvent

# Fields whose change a submission reports (history bookkeeping fields are left out).
TRACKED_FIELDS = [
    f.name
    for f in Enterprise._meta.get_fields()
    if getattr(f, "concrete", False)
    and f.name not in {"id", "created_at", "updated_at", "created_by", "industry_section"}
]


@storing_files()
def add_document(enterprise, uploaded, checked, *, title, kind, user):
    return EnterpriseDocument.objects.create(
        enterprise=enterprise,
        title=title,
        kind=kind,
        file=uploaded,
        uploaded_by=user,
        **checked.stored_fields(),
    )


def record_service_event(enterprise, *, kind, happened_on, summary, user):
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("A service cannot be recorded in the future.")})
    return ServiceEvent.objects.create(
        enterprise=enterprise,
        kind=kind,
        happened_on=happened_on,
        summary=summary,
        recorded_by=user,
    )


def last_submission(prefecture):
    return DirectorySubmission.objects.filter(prefecture=prefecture).order_by("-period_end").first()


def pending_changes(prefecture, since=None, until=None):
    """The prefecture's directory changes after ``since`` (added / changed / removed).

    Read from the record history, so every path that writes records (pages, API, import) counts.
    One entry per enterprise, comparing its state before the period with its state at the end.
    """
    History = Enterprise.history.model
    records = History.objects.filter(prefecture_id=prefecture.pk)
    if since:
        records = records.filter(history_date__gt=since)
    if until:
        records = records.filter(history_date__lte=until)
    touched = list(records.values_list("id", flat=True).distinct())
    if not touched:
        return []
    # Last state of each touched enterprise before the period, and at its end.
    before = {}
    if since:
        before = _latest_states(History.objects.filter(id__in=touched, history_date__lte=since))
    after_qs = History.objects.filter(id__in=touched)
    if until:
        after_qs = after_qs.filter(history_date__lte=until)
    after = _latest_states(after_qs)
    changes = []
    for enterprise_id in sorted(after):
        now, then = after[enterprise_id], before.get(enterprise_id)
        removed_now = now.history_type == "-" or now.status == Enterprise.Status.REMOVED
        existed = (
            then is not None
            and then.history_type != "-"
            and (then.status != Enterprise.Status.REMOVED)
        )
        if now.prefecture_id != prefecture.pk:
            kind = "removed" if existed else None  # moved to another prefecture
        elif removed_now:
            kind = "removed" if existed else None
        elif not existed:
            kind = "added"
        else:
            kind = "changed"
        if kind is None:
            continue
        fields = []
        if kind == "changed":
            fields = [
                f for f in TRACKED_FIELDS if getattr(then, _attname(f)) != getattr(now, _attname(f))
            ]
            if not fields:
                continue
        changes.append(
            {
                "id": enterprise_id,
                "uscc": now.uscc,
                "name": now.name,
                "change": kind,
                "fields": fields,
                "county": now.county_id or "",
            }
        )
    return changes


def _attname(field_name):
    field = Enterprise._meta.get_field(field_name)
    return field.attname


def _latest_states(queryset):
    """The newest history row of each enterprise, by id."""
    ordered = queryset.order_by("id", "-history_date", "-history_id")
    if connection.features.can_distinct_on_fields:
        return {row.id: row for row in ordered.distinct("id")}
    latest = {}
    for row in ordered:
        latest.setdefault(row.id, row)
    return latest


@transaction.atomic
def submit_directory_changes(prefecture, *, user, note=""):
    """Freeze the prefecture's changes since its last submission and send them up."""
    if (
        not scoping.prefectures_for(user, DirectorySubmission, "add")
        .filter(pk=prefecture.pk)
        .exists()
    ):
        raise PermissionDenied(_("You may not submit for this prefecture."))
    # One submission at a time per prefecture: lock its previous one while computing.
    previous = (
        DirectorySubmission.objects.select_for_update()
        .filter(prefecture=prefecture)
        .order_by("-period_end")
        .first()
    )
    now = timezone.now()
    since = previous.period_end if previous else None
    changes = pending_changes(prefecture, since=since, until=now)
    counts = {
        kind: sum(1 for c in changes if c["change"] == kind)
        for kind in ("added", "changed", "removed")
    }
    try:
        with transaction.atomic():
            return DirectorySubmission.objects.create(
                prefecture=prefecture,
                period_start=since,
                period_end=now,
                note=note,
                added_count=counts["added"],
                changed_count=counts["changed"],
                removed_count=counts["removed"],
                directory_size=Enterprise.objects.filter(
                    prefecture=prefecture, status=Enterprise.Status.ACTIVE
                ).count(),
                changes=changes,
                submitted_by=user,
                submitted_at=now,
            )
    except IntegrityError:
        raise ValidationError(_("This period has just been submitted.")) from None


@transaction.atomic
def acknowledge_submission(submission, *, user, note=""):
    """The province confirms receipt; a submission is acknowledged once."""
    if not scoping.is_province_wide(user):
        raise PermissionDenied(_("Only provincial staff acknowledge submissions."))
    submission = DirectorySubmission.objects.select_for_update().get(pk=submission.pk)
    if submission.status == DirectorySubmission.Status.ACKNOWLEDGED:
        raise ValidationError(_("This submission has already been acknowledged."))
    submission.status = DirectorySubmission.Status.ACKNOWLEDGED
    submission.acknowledged_by = user
    submission.acknowledged_at = timezone.now()
    submission.acknowledgement_note = note
    submission.save(
        update_fields=["status", "acknowledged_by", "acknowledged_at", "acknowledgement_note"]
    )
    return submission


CHANGE_LABELS = {"added": _lazy("Added"), "changed": _lazy("Changed"), "removed": _lazy("Removed")}


def describe_changes(changes):
    """A frozen change list with labels in the reader's language."""
    described = []
    for change in changes:
        labels = []
        for name in change.get("fields", []):
            try:
                labels.append(Enterprise._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:  # a field removed since the submission
                labels.append(name)
        described.append(
            {**change, "label": CHANGE_LABELS.get(change["change"], ""), "field_labels": labels}
        )
    return described
