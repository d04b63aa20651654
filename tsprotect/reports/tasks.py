from celery import shared_task

from . import services


# Late acknowledgement: a worker killed mid-build leaves the message unacknowledged and the
# broker delivers it again; ``run_build`` is idempotent (one report per prefecture and period,
# replaced in one transaction), so running it twice is harmless.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_report(build_id):
    report = services.run_build(build_id)
    return report.pk if report else None


@shared_task(acks_late=True)
def build_due_reports(kinds=None):
    """Daily: each prefecture's draft once a period closes, the consolidation after the
    prefectures' due day (``kinds``: some of "month", "quarter", "year"; all by default)."""
    builds = services.build_due(kinds=kinds) if kinds else services.build_due()
    return [build.pk for build in builds]


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_report_files(report_id):
    from .models import Report

    report = Report.objects.filter(pk=report_id).first()
    if report is not None:
        services.report_file(report, "pdf")


# The services queue these tasks without importing this module (services.py, "Sending work").
services.use_tasks(build_report=build_report, render_report_files=render_report_files)
