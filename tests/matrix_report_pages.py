"""Permission matrix rows of the periodic report pages.

The report of the rows is 长沙市's on the last closed quarter. Its bureau (``same_officer``) and
provincial staff reach it; the 岳阳 officer reaches its own reports but gets 404 on this one;
county officers, experts and enterprise users see no report at all (403 on the list pages, 404
on a report or a build). Only provincial staff reach the inbox, the consolidation and the
review; only the bureau submits its report; the province edits the work plan.

The helpers make reports straight from ``figures.compute`` (no Celery task, no rendering), and
``rendered`` stores files whose digest matches, so a download serves them without rendering.
"""

from .permission_matrix import Row, logged_in

READERS = {"same_officer": 200, "other_officer": 200, "province": 200}
# Only the report's bureau and the province reach the 长沙 report; everyone else gets 404.
IN_SCOPE = logged_in(404, same_officer=200, province=200)


def quarter():
    from tsprotect.reports import periods

    return periods.last_closed("quarter")


def make_report(prefecture="430100", status="draft", period=None, **fields):
    """A report built from the records as they stand (``prefecture`` None: the consolidation)."""
    from django.utils import timezone

    from tsprotect.regions.models import Prefecture
    from tsprotect.reports import figures, periods
    from tsprotect.reports.models import Report

    period = periods.parse(period) if period else quarter()
    place = Prefecture.objects.get(pk=prefecture) if prefecture else None
    if status in ("submitted", "acknowledged", "returned"):
        fields.setdefault("submitted_at", timezone.now())
        fields.setdefault("version", 1)
        fields.setdefault("work_done", "开展商业秘密保护宣传培训三场")
    return Report.objects.create(
        period=period.code,
        period_kind=period.kind,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        due_on=period.due_on,
        prefecture=place,
        status=status,
        figures=figures.compute(period, place),
        built_at=timezone.now(),
        **fields,
    )


def rendered(report):
    """Give the report stored files matching its current state (no weasyprint in the matrix)."""
    from django.core.files.base import ContentFile

    from tsprotect.reports import services

    report.pdf.save("matrix.pdf", ContentFile(b"%PDF-1.4 matrix"), save=False)
    report.xlsx.save("matrix.xlsx", ContentFile(b"PK\x03\x04 matrix"), save=False)
    report.files_digest = services.files_digest(report)
    report.save()
    return report


def make_build(prefecture="430100"):
    from tsprotect.reports.models import ReportBuild

    return ReportBuild.objects.create(period=quarter().code, prefecture_id=prefecture)


def changsha_report(objects):
    return {"pk": make_report().pk}


def changsha_rendered(objects):
    return {"pk": rendered(make_report()).pk}


def submitted_report(objects):
    return {"pk": make_report(status="submitted").pk}


def consolidation(objects):
    return {"pk": make_report(prefecture=None).pk}


def changsha_build(objects):
    return {"pk": make_build().pk}


def consolidation_build(objects):
    return {"pk": make_build(prefecture=None).pk}


def this_year(objects):
    from django.utils import timezone

    return {"year": timezone.localdate().year}


def all_targets(objects):
    from tsprotect.regions.models import Prefecture
    from tsprotect.reports.models import WorkPlanTarget

    data = {"note": "聚焦名录库扩容"}
    for code in Prefecture.objects.values_list("code", flat=True):
        for key, *_rest in WorkPlanTarget.METRICS:
            data[f"{code}-{key}"] = 10
    return data


def build_request(objects):
    return {"period": quarter().code, "prefecture": "430100"}


POST_ONLY = ("narrative", "submit", "acknowledge", "return")

ROWS = [
    Row("reports:list", logged_in(403, **READERS)),
    Row("reports:inbox", logged_in(403, province=200)),
    Row("reports:dashboard", logged_in(403, **READERS)),
    Row(
        "reports:work-plan-current",
        logged_in(403, same_officer=302, other_officer=302, province=302),
    ),
    Row("reports:work-plan", logged_in(403, **READERS), kwargs=this_year),
    Row(
        "reports:work-plan",
        logged_in(403, province=302),
        kwargs=this_year,
        method="post",
        data=all_targets,
    ),
    Row("reports:detail", IN_SCOPE, kwargs=changsha_report),
    Row("reports:detail", logged_in(404, province=200), kwargs=consolidation),
    Row("reports:pdf", IN_SCOPE, kwargs=changsha_rendered),
    Row("reports:xlsx", IN_SCOPE, kwargs=changsha_rendered),
    # The bureau saves and submits; the province is refused with a message (302); others 404.
    Row(
        "reports:narrative",
        logged_in(404, same_officer=302, province=302),
        kwargs=changsha_report,
        method="post",
        data={"work_done": "开展宣传培训"},
    ),
    Row(
        "reports:submit",
        logged_in(404, same_officer=302, province=302),
        kwargs=changsha_report,
        method="post",
        data={"work_done": "开展宣传培训"},
    ),
    # The province reviews; the bureau is refused with a message (302); others 404.
    Row(
        "reports:acknowledge",
        logged_in(404, same_officer=302, province=302),
        kwargs=submitted_report,
        method="post",
    ),
    Row(
        "reports:return",
        logged_in(404, same_officer=302, province=302),
        kwargs=submitted_report,
        method="post",
        data={"comment": "请补充案件办理情况"},
    ),
    *(Row(f"reports:{name}", logged_in(405), kwargs=changsha_report) for name in POST_ONLY),
    # Builds: those who prepare no report get 403; the 岳阳 officer is refused the 长沙 report
    # with a message (302), like the bureau and the province who have theirs queued.
    Row(
        "reports:build",
        logged_in(403, same_officer=302, other_officer=302, province=302),
        method="post",
        data=build_request,
    ),
    Row("reports:build", logged_in(405)),
    Row("reports:build-status", IN_SCOPE, kwargs=changsha_build),
    Row("reports:build-status", logged_in(404, province=200), kwargs=consolidation_build),
]
