"""The rules of periodic reports: who may build, submit, acknowledge or return a report, and how
a build runs. The pages, the API, the admin, the Celery tasks and ``build_reports`` all call
these functions.

A build computes the figures outside any transaction (reading only), then replaces the draft in
one short transaction under a lock on the report's (period, prefecture), so a worker killed
mid-build leaves the previous draft or none — never half a report — and a build delivered again
simply runs again. Submitted and acknowledged reports are frozen: no build touches them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import zlib

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsprotect.accounts.models import Role
from tsprotect.core import scoping
from tsprotect.notifications.services import bureau_officers, notify, provincial_staff
from tsprotect.regions.models import Prefecture

from . import figures as figures_module
from . import periods
from .models import Report, ReportBuild, ReportEvent

logger = logging.getLogger(__name__)

# A build still queued or running this long after it was asked for lost its worker for good
# (the broker redelivers an unacknowledged task after CELERY_VISIBILITY_TIMEOUT, 30 minutes by
# default): a new build may replace it.
STALE_BUILD = dt.timedelta(hours=1)
NARRATIVE_FIELDS = ("work_done", "problems", "next_steps")


# ---------------------------------------------------------------------------------------------
# Sending work to the Celery workers
#
# The tasks import these services, never the reverse: tasks.py hands its tasks over through
# ``use_tasks`` when it is imported (ReportsConfig.ready() imports it, so in every process: web,
# worker, commands), and the services send them once the caller's transaction commits. Unlike a
# task sent by name, a process that never loaded the tasks fails at the first send, loudly.
_tasks: dict = {}


def use_tasks(*, build_report, render_report_files):
    """Called by tasks.py, once, with the Celery tasks the services queue."""
    _tasks.update(build_report=build_report, render_report_files=render_report_files)


def _send(task, *args):
    if task not in _tasks:
        raise ImproperlyConfigured("tsprotect.reports.tasks was not imported (ReportsConfig.ready)")
    _tasks[task].delay(*args)


# ---------------------------------------------------------------------------------------------
# Who may do what


def may_review(user) -> bool:
    """Provincial staff acknowledge or return prefecture reports and own the consolidation."""
    return user.is_authenticated and user.has_perm("reports.review_report")


def may_prepare(user, prefecture_code) -> bool:
    """Build and submit: the prefecture's own bureau (``submit_reports`` on its row); the
    consolidation: provincial staff."""
    if prefecture_code is None:
        return may_review(user)
    if not user.is_authenticated or user.role not in (Role.PREFECTURE_OFFICER, Role.PROVINCE):
        return False
    return scoping.prefectures_for(user, Report, "change").filter(pk=prefecture_code).exists()


def may_submit(user, report) -> bool:
    """A prefecture's report goes up from its own bureau; provincial staff issue the
    consolidation."""
    if report.is_consolidation:
        return may_review(user)
    return (
        user.is_authenticated
        and user.role == Role.PREFECTURE_OFFICER
        and user.prefecture_id == report.prefecture_id
        and may_prepare(user, report.prefecture_id)
    )


def _prefecture(code):
    if code in (None, ""):
        return None
    try:
        return Prefecture.objects.get(pk=code)
    except Prefecture.DoesNotExist:
        raise ValidationError(
            _("“%(code)s” is not a prefecture of Hunan.") % {"code": code}
        ) from None


# ---------------------------------------------------------------------------------------------
# Builds


def request_build(user, period_code, prefecture_code=None, today=None, enqueue=True) -> ReportBuild:
    """Queue a build of one report; the caller's transaction sends the task once it commits.

    ``user`` is None for the schedule and the command. Refused with a message for a malformed
    or unfinished period, a prefecture outside the user's scope, a frozen report, or a build of
    the same report already queued or running.
    """
    period = periods.parse_closed(period_code, today=today)
    prefecture = _prefecture(prefecture_code)
    code = prefecture.pk if prefecture else None
    if user is not None and not may_prepare(user, code):
        raise PermissionDenied(_("You may not build this report."))
    existing = Report.objects.filter(period=period.code, prefecture_id=code).first()
    if existing is not None and not existing.is_open:
        raise ValidationError(
            _(
                "The %(period)s report was submitted on %(day)s and is frozen; it can be rebuilt "
                "only if the province returns it."
            )
            % {"period": period.code, "day": timezone.localdate(existing.submitted_at)}
        )
    _abandon_stale(period.code, code)
    try:
        with transaction.atomic():
            build = ReportBuild.objects.create(
                period=period.code,
                prefecture=prefecture,
                requested_by=user,
                steps_total=len(figures_module.STEPS),
            )
    except IntegrityError:
        running = ReportBuild.objects.filter(
            period=period.code, prefecture_id=code, status__in=ReportBuild.ACTIVE
        ).first()
        raise ValidationError(
            _(
                "A build of this report is already under way (started %(at)s); its progress is "
                "shown on the page."
            )
            % {
                "at": timezone.localtime(running.requested_at).strftime("%Y-%m-%d %H:%M")
                if running
                else ""
            }
        ) from None
    if enqueue:
        transaction.on_commit(lambda: _enqueue(build))
    return build


def _enqueue(build):
    """Send the build to the workers; if the broker cannot take it, the build fails at once
    with the reason, rather than standing queued and blocking the report's next build."""
    try:
        _send("build_report", build.pk)
    except Exception as error:
        logger.exception("Report build %s could not be queued", build.pk)
        ReportBuild.objects.filter(pk=build.pk, status=ReportBuild.Status.QUEUED).update(
            status=ReportBuild.Status.FAILED,
            error=_("The job queue is unavailable (%(error)s); try again later.")
            % {"error": type(error).__name__},
            finished_at=timezone.now(),
        )


def _abandon_stale(period_code, code):
    ReportBuild.objects.filter(
        period=period_code,
        prefecture_id=code,
        status__in=ReportBuild.ACTIVE,
        requested_at__lt=timezone.now() - STALE_BUILD,
    ).update(status=ReportBuild.Status.FAILED, error="abandoned", finished_at=timezone.now())


def _lock_report(period_code, code):
    """Serialise the writers of one report (two workers, or a worker and a submission): a
    transaction-scoped advisory lock, as the row may not exist yet."""
    if connection.vendor != "postgresql":
        return  # SQLite (``make run``) serialises every write anyway
    key = zlib.crc32(f"report:{period_code}:{code or 'province'}".encode()) - 2**31
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def run_build(build_id, files="queue") -> Report | None:
    """The body of the ``build_report`` task (and of ``build_reports``): safe to run again.

    The PDF and XLSX are then rendered by their own task (``files="queue"``), here
    (``"now"``), or when first downloaded (``"later"``), so the figures are on the page as soon
    as they are computed.
    """
    build = ReportBuild.objects.select_related("prefecture").filter(pk=build_id).first()
    if build is None or build.status in (ReportBuild.Status.DONE, ReportBuild.Status.FAILED):
        return build.report if build else None
    ReportBuild.objects.filter(pk=build.pk).update(
        status=ReportBuild.Status.RUNNING,
        started_at=timezone.now(),
        attempts=build.attempts + 1,
        steps_done=0,
    )

    def progress(index, key):
        ReportBuild.objects.filter(pk=build.pk).update(
            steps_done=index, step=str(figures_module.section_title(key))
        )

    try:
        period = periods.parse(build.period)
        # The figures are the bureau's document: built in its language whoever started it.
        with (
            timezone.override(timezone.get_default_timezone()),
            translation.override(settings.LANGUAGE_CODE),
        ):
            data = figures_module.compute(period, build.prefecture, progress=progress)
        with transaction.atomic():
            _lock_report(period.code, build.prefecture_id)
            report = (
                Report.objects.select_for_update()
                .filter(period=period.code, prefecture_id=build.prefecture_id)
                .first()
            )
            if report is not None and not report.is_open:
                raise ValidationError(_("The report was submitted meanwhile; it is frozen."))
            if report is None:
                report = Report(period=period.code, prefecture=build.prefecture)
            report.period_kind = period.kind
            report.starts_on, report.ends_on, report.due_on = (
                period.starts_on,
                period.ends_on,
                period.due_on,
            )
            report.figures = data
            report.built_at = timezone.now()
            report.built_by = build.requested_by
            report.save()
            ReportEvent.objects.create(
                report=report, action=ReportEvent.Action.BUILT, actor=build.requested_by
            )
    except Exception as error:
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        if not isinstance(error, ValidationError):
            logger.exception("Report build %s failed", build.pk)
        ReportBuild.objects.filter(pk=build.pk).update(
            status=ReportBuild.Status.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        return None
    ReportBuild.objects.filter(pk=build.pk).update(
        status=ReportBuild.Status.DONE,
        report=report,
        steps_done=len(figures_module.STEPS),
        step="",
        finished_at=timezone.now(),
    )
    if files == "now":
        report_file(report, "pdf")
    elif files == "queue":
        _send("render_report_files", report.pk)
    return report


def build_now(period_code, prefecture_code=None, user=None, today=None, files="now") -> ReportBuild:
    """Build one report in the calling process (``build_reports``), through the same code as
    the task; returns the finished build."""
    build = request_build(user, period_code, prefecture_code, today=today, enqueue=False)
    run_build(build.pk, files=files)
    build.refresh_from_db()
    return build


def build_due(today=None, kinds=tuple(periods.PeriodKind)) -> list[ReportBuild]:
    """The schedule: after each period closes, every prefecture's draft; after the
    prefectures' due day, the consolidation. Builds only what is missing (a draft rebuilt by
    hand is not replaced by the schedule), so the job may run as often as wanted."""
    today = today or timezone.localdate()
    builds = []
    codes = list(Prefecture.objects.values_list("code", flat=True))
    for kind in kinds:
        period = periods.last_closed(kind, today)
        if period.starts_on < dt.date(periods.FIRST_YEAR, 1, 1):
            continue
        present = set(
            Report.objects.filter(period=period.code).values_list("prefecture_id", flat=True)
        ) | set(
            ReportBuild.objects.filter(
                period=period.code, status__in=ReportBuild.ACTIVE
            ).values_list("prefecture_id", flat=True)
        )
        wanted = [c for c in codes if c not in present]
        if period.due_on < today and None not in present:
            wanted.append(None)
        for code in wanted:
            try:
                builds.append(request_build(None, period.code, code, today=today))
            except ValidationError as refused:  # built meanwhile by someone else
                logger.info("Scheduled build of %s %s skipped: %s", period, code, refused)
    return builds


# ---------------------------------------------------------------------------------------------
# Narrative, submission, review


def _lock(report):
    return Report.objects.select_for_update().get(pk=report.pk)


def _frozen_message(report):
    if report.status == Report.Status.ACKNOWLEDGED:
        return _("This report has been acknowledged by the province; it can no longer change.")
    return _(
        "This report was already submitted on %(day)s; it can change only if the province "
        "returns it."
    ) % {"day": timezone.localdate(report.submitted_at)}


@transaction.atomic
def save_narrative(report, user, **narrative) -> Report:
    locked = _lock(report)
    if not may_submit(user, locked):
        raise PermissionDenied(_("You may not edit this report."))
    if not locked.is_open:
        raise ValidationError(_frozen_message(locked))
    for field in NARRATIVE_FIELDS:
        if field in narrative:
            setattr(locked, field, (narrative[field] or "").strip())
    locked.save(update_fields=[*NARRATIVE_FIELDS])
    return locked


@transaction.atomic
def submit(report, user, **narrative) -> Report:
    """Send the report up as it stands: figures and narrative are frozen with it."""
    locked = _lock(report)
    if not may_submit(user, locked):
        raise PermissionDenied(_("You may not submit this report."))
    if not locked.is_open:
        raise ValidationError(_frozen_message(locked))
    if ReportBuild.objects.filter(
        period=locked.period, prefecture_id=locked.prefecture_id, status__in=ReportBuild.ACTIVE
    ).exists():
        raise ValidationError(_("Its figures are being rebuilt: submit once the build is done."))
    for field in NARRATIVE_FIELDS:
        if field in narrative:
            setattr(locked, field, (narrative[field] or "").strip())
    if not locked.work_done:
        raise ValidationError({"work_done": _("Describe the work done before submitting.")})
    resubmission = locked.status == Report.Status.RETURNED
    now = timezone.now()
    locked.status = Report.Status.SUBMITTED
    locked.version += 1
    locked.submitted_at, locked.submitted_by = now, user
    locked.save()
    ReportEvent.objects.create(
        report=locked,
        action=ReportEvent.Action.SUBMITTED,
        actor=user,
        at=now,
        note=_("Resubmitted after correction") if resubmission else "",
        snapshot={
            "version": locked.version,
            "figures": locked.figures,
            **{field: getattr(locked, field) for field in NARRATIVE_FIELDS},
        },
    )
    if not locked.is_consolidation:
        notify(
            list(provincial_staff()),
            kind="report_submitted",
            title=_("%(prefecture)s submitted its %(period)s report")
            % {"prefecture": locked.prefecture.name, "period": locked.period},
            url=locked.get_absolute_url(),
        )
    transaction.on_commit(lambda: _send("render_report_files", locked.pk))
    return locked


def _review(report, user, action, comment):
    locked = _lock(report)
    if not may_review(user) or locked.is_consolidation:
        raise PermissionDenied(_("You may not review this report."))
    if locked.status != Report.Status.SUBMITTED:
        if locked.status == Report.Status.ACKNOWLEDGED:
            raise ValidationError(_("This report has already been acknowledged."))
        raise ValidationError(_("Only a submitted report can be acknowledged or returned."))
    now = timezone.now()
    locked.status = (
        Report.Status.ACKNOWLEDGED
        if action == ReportEvent.Action.ACKNOWLEDGED
        else Report.Status.RETURNED
    )
    locked.reviewed_at, locked.reviewed_by, locked.review_comment = now, user, comment
    locked.save()
    ReportEvent.objects.create(report=locked, action=action, actor=user, at=now, note=comment)
    return locked


@transaction.atomic
def acknowledge(report, user, comment="") -> Report:
    locked = _review(report, user, ReportEvent.Action.ACKNOWLEDGED, (comment or "").strip())
    notify(
        list(bureau_officers(locked.prefecture_id)),
        kind="report_acknowledged",
        title=_("The province acknowledged your %(period)s report") % {"period": locked.period},
        url=locked.get_absolute_url(),
    )
    return locked


@transaction.atomic
def return_report(report, user, comment) -> Report:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what must be corrected.")})
    locked = _review(report, user, ReportEvent.Action.RETURNED, comment)
    notify(
        list(bureau_officers(locked.prefecture_id)),
        kind="report_returned",
        title=_("Your %(period)s report was returned for correction") % {"period": locked.period},
        body=comment,
        url=locked.get_absolute_url(),
    )
    return locked


# ---------------------------------------------------------------------------------------------
# Inbox and files


INBOX_STATES = {
    "acknowledged": gettext_lazy("Acknowledged"),
    "submitted": gettext_lazy("Submitted, to be acknowledged"),
    "returned": gettext_lazy("Returned for correction"),
    "late": gettext_lazy("Late"),
    "missing": gettext_lazy("Not yet submitted"),
}


def inbox_state(report, period, today) -> str:
    if report is not None and report.status in (
        Report.Status.SUBMITTED,
        Report.Status.ACKNOWLEDGED,
    ):
        return report.status
    if period.due_on < today:
        return "late"
    if report is not None and report.status == Report.Status.RETURNED:
        return "returned"
    return "missing"


def inbox(user, period, today=None) -> list[dict]:
    """Each prefecture in the user's scope with its report on ``period`` (or none) and where it
    stands: acknowledged, submitted, returned, late or not yet submitted."""
    today = today or timezone.localdate()
    prefectures = scoping.prefectures_for(user, Report, "view")
    reports = {
        r.prefecture_id: r
        for r in Report.objects.restrict(user)
        .filter(period=period.code, prefecture__isnull=False)
        .select_related("submitted_by")
    }
    rows = []
    for prefecture in prefectures:
        report = reports.get(prefecture.pk)
        state = inbox_state(report, period, today)
        rows.append(
            {
                "prefecture": prefecture,
                "report": report,
                "state": state,
                "state_label": INBOX_STATES[state],
            }
        )
    return rows


def files_digest(report) -> str:
    payload = json.dumps(
        [
            report.figures,
            [getattr(report, f) for f in NARRATIVE_FIELDS],
            report.status,
            report.version,
        ],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def report_file(report, kind):
    """The report's PDF or XLSX, rendered again (both) when its figures, narrative or status
    changed since the stored files were made."""
    from . import rendering

    digest = files_digest(report)
    stored = [getattr(report, name) for name in ("pdf", "xlsx")]
    if report.files_digest == digest and all(f and f.storage.exists(f.name) for f in stored):
        return getattr(report, kind)
    stem = f"{report.period}-{report.prefecture_id or '430000'}-v{report.version}"
    contents = {"pdf": rendering.render_pdf(report), "xlsx": rendering.render_xlsx(report)}
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if files_digest(locked) != digest:
            return getattr(report, kind)  # changed meanwhile: the next call renders it
        old = [f.name for f in (locked.pdf, locked.xlsx) if f]
        for name, content in contents.items():
            getattr(locked, name).save(f"{stem}.{name}", ContentFile(content), save=False)
        locked.files_digest = digest
        locked.save(update_fields=["pdf", "xlsx", "files_digest"])
        storage = locked.pdf.storage
        transaction.on_commit(lambda: [storage.delete(name) for name in old])
    report.pdf, report.xlsx, report.files_digest = locked.pdf, locked.xlsx, digest
    return getattr(report, kind)


def workbench(user, today=None) -> list[tuple]:
    """The report cards of the workbench: (label, count, URL, tone), in one query."""
    if not scoping.can(user, Report, "view") or user.role not in (
        Role.PROVINCE,
        Role.PREFECTURE_OFFICER,
    ):
        return []
    today = today or timezone.localdate()
    counts = (
        Report.objects.restrict(user)
        .filter(prefecture__isnull=False)
        .aggregate(
            open=Count("pk", filter=Q(status__in=Report.OPEN_STATUSES)),
            late=Count("pk", filter=Q(status__in=Report.OPEN_STATUSES, due_on__lt=today)),
            submitted=Count("pk", filter=Q(status=Report.Status.SUBMITTED)),
        )
    )
    base = reverse("reports:list")
    late = (
        _("Late reports"),
        counts["late"],
        f"{base}?late=true",
        "tier-high" if counts["late"] else "tier-low",
    )
    if may_review(user):
        return [
            (_("Reports to acknowledge"), counts["submitted"], f"{base}?status=submitted", ""),
            late,
        ]
    return [(_("Reports to submit"), counts["open"], f"{base}?open=true", ""), late]
