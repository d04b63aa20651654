"""Periodic reports: periods, figures from real rows, and the rules of building, submitting and
reviewing (``tsprotect/reports/services.py``), as the pages, the API and Celery all use them."""

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from complaints.models import Complaint, ComplaintClock, StatutoryLimit
from demonstrations.models import Batch, DemonstrationApplication
from enterprises.models import Enterprise
from tsprotect.accounts.models import User
from tsprotect.notifications.models import Notification
from tsprotect.reports import figures, periods, services, tasks
from tsprotect.reports.models import Report, ReportBuild, ReportEvent, WorkPlan, WorkPlanTarget

from .conftest import make_enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The services' messages are read in English here; the pages show them in Chinese."""
    with translation.override("en"):
        yield


Q3 = "2026-Q3"
TODAY = dt.date(2026, 11, 25)
NARRATIVE = {
    "work_done": "走访重点企业 12 家。",
    "problems": "制度不健全。",
    "next_steps": "扩大覆盖。",
}


def at(day: dt.date, hour=10):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def filed(enterprise, day, **fields):
    Enterprise.objects.filter(pk=enterprise.pk).update(created_at=at(day), **fields)
    enterprise.refresh_from_db()
    return enterprise


# -- periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind", "starts", "ends", "label", "english"),
    [
        (
            "2026-09",
            "month",
            dt.date(2026, 9, 1),
            dt.date(2026, 9, 30),
            "2026年9月",
            "September 2026",
        ),
        (
            "2026-Q3",
            "quarter",
            dt.date(2026, 7, 1),
            dt.date(2026, 9, 30),
            "2026年第三季度",
            "Q3 2026",
        ),
        (
            "2024-02",
            "month",
            dt.date(2024, 2, 1),
            dt.date(2024, 2, 29),
            "2024年2月",
            "February 2024",
        ),
        ("2025", "year", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "2025年度", "2025"),
    ],
)
def test_a_period_is_named_by_its_code(code, kind, starts, ends, label, english):
    period = periods.parse(code)
    assert (period.kind, period.starts_on, period.ends_on) == (kind, starts, ends)
    assert period.label == english
    with translation.override("zh-hans"):
        assert period.label == label


@pytest.mark.parametrize("code", ["2026-13", "2026-Q5", "26-Q3", "2026Q3", "2026-9", "", "Q3"])
def test_a_malformed_period_is_refused_with_the_forms_that_work(code):
    with pytest.raises(ValidationError, match="2026-Q3"):
        periods.parse(code)


def test_periods_before_the_policy_are_refused():
    with pytest.raises(ValidationError, match="2021"):
        periods.parse("2020-Q4")


def test_only_a_period_that_has_ended_is_reported_on():
    assert periods.parse_closed("2026-10", today=TODAY).code == "2026-10"
    with pytest.raises(ValidationError, match="not ended"):
        periods.parse_closed("2026-11", today=TODAY)
    with pytest.raises(ValidationError, match="future"):
        periods.parse_closed("2027-Q1", today=TODAY)


def test_reports_fall_due_in_working_days_after_the_period(regions):
    # The bureau's rules as seeded (``regions`` loads them again after a flush): 10 and 5 working
    # days. 30 Sept 2026 + 10 working days across the National Day holiday (1–7 Oct) and the
    # make-up Saturday of 10 Oct.
    assert periods.parse("2026-Q3").due_on == dt.date(2026, 10, 20)
    assert periods.parse("2026-09").due_on == dt.date(2026, 10, 13)


def test_the_last_closed_and_recent_periods():
    assert periods.last_closed("quarter", TODAY).code == "2026-Q3"
    assert periods.last_closed("month", TODAY).code == "2026-10"
    assert periods.last_closed("year", TODAY).code == "2025"
    assert [p.code for p in periods.recent("quarter", 3, TODAY)] == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
    ]
    assert [p.code for p in periods.recent("month", 5, dt.date(2021, 3, 5))] == [
        "2021-01",
        "2021-02",
    ]


# -- figures -----------------------------------------------------------------------------------


@pytest.fixture
def directory(regions):
    """长沙市: two filed in Q3 (one in 岳麓区, one in 长沙县), one before, one after, one removed;
    岳阳市: one filed in Q3."""
    return {
        "chip": filed(
            make_enterprise("430104", "MA4L0A1B2", "长沙麓谷芯片科技有限公司"),
            dt.date(2026, 8, 3),
            is_high_tech=True,
            industry_section="C",
            risk_tier="high",
        ),
        "heavy": filed(
            make_enterprise("430121", "MA4L0E5F6", "长沙星沙重工机械有限公司"),
            dt.date(2026, 9, 30),
            is_industry_leader=True,
            industry_section="C",
        ),
        "old": filed(
            make_enterprise("430102", "MA4L0G7H8", "长沙芙蓉老字号食品有限公司"),
            dt.date(2025, 5, 1),
            is_time_honoured_brand=True,
            industry_section="C",
        ),
        "late": filed(
            make_enterprise("430104", "MA4L0C3D4", "湖南岳麓山生物医药股份有限公司"),
            dt.date(2026, 10, 1),
        ),
        "removed": filed(
            make_enterprise("430103", "MA4L0J9K0", "长沙天心退出企业有限公司"),
            dt.date(2025, 1, 1),
            status=Enterprise.Status.REMOVED,
        ),
        "yueyang": filed(
            make_enterprise("430603", "MA4M1A2B3", "岳阳洞庭石化新材料有限公司"),
            dt.date(2026, 7, 15),
        ),
    }


def cells(data, section, table, key):
    found = figures.find(data, section, table)
    row = next(r for r in found["rows"] if r["key"] == key)
    return dict(zip(found["columns"], row["cells"], strict=True))


def test_directory_figures_count_what_was_in_the_directory_at_the_periods_end(directory):
    changsha = figures.compute(periods.parse(Q3), directory["chip"].prefecture, today=TODAY)
    summary = cells(changsha, "directory", "summary", "430100")
    assert summary["size"] == 3  # chip, heavy, old — not the one filed in October, not removed
    assert summary["added"] == 2
    assert cells(changsha, "directory", "by_county", "430104")["size"] == 1
    assert cells(changsha, "directory", "by_tag", "high_tech") == {"count": 1, "share": 33.3}
    assert cells(changsha, "assessments", "tiers", "high")["count"] == 1
    assert cells(changsha, "assessments", "tiers", "unassessed")["count"] == 2
    province = figures.compute(periods.parse(Q3), None, today=TODAY)
    assert cells(province, "directory", "summary", "430600")["size"] == 1
    assert figures.find(province, "directory", "summary")["total"][:2] == [4, 3]
    assert len(figures.find(province, "directory", "summary")["rows"]) == 14


def test_each_figure_links_to_the_list_it_counts(directory):
    data = figures.compute(periods.parse(Q3), directory["chip"].prefecture, today=TODAY)
    row = figures.find(data, "directory", "summary")["rows"][0]
    assert row["links"][0] == "/enterprises/?prefecture=430100"
    assert row["links"][1] == (
        "/enterprises/?prefecture=430100&filed_after=2026-07-01&filed_before=2026-09-30"
    )


def test_the_added_link_lists_exactly_the_enterprises_it_counts(directory, client_as, province):
    data = figures.compute(periods.parse(Q3), directory["chip"].prefecture, today=TODAY)
    link = figures.find(data, "directory", "summary")["rows"][0]["links"][1]
    page = client_as(province).get(link)
    assert page.status_code == 200
    listed = {e.pk for e in page.context["object_list"]}
    assert listed == {directory["chip"].pk, directory["heavy"].pk}


def _complaint(enterprise, received_on, channel="12315", kind="complaint", **fields):
    return Complaint.objects.create(
        registered_by=User.objects.get(username="officer_430100"),
        kind=kind,
        reference=f"长市监商秘〔2026〕{Complaint.objects.count() + 1}号",
        channel=channel,
        prefecture_id="430100",
        county_id="430104",
        received_on=received_on,
        complainant_enterprise=enterprise if kind == "complaint" else None,
        complainant_name="" if kind == "complaint" else "举报人",
        respondent_name="长沙某某科技有限公司",
        secret_kind="technical",
        description="前技术总监离职后带走图纸。",
        **fields,
    )


def test_complaint_figures_and_the_on_time_rate_against_the_statutory_limits(
    directory, changsha_officer
):
    chip = directory["chip"]
    on_time = _complaint(chip, dt.date(2026, 9, 1), accept_decided_at=at(dt.date(2026, 9, 3)))
    late = _complaint(chip, dt.date(2026, 9, 2), state="not_accepted")
    _complaint(chip, dt.date(2026, 8, 20), channel="online", kind="report")
    _complaint(chip, dt.date(2026, 10, 2))  # next quarter
    limit = StatutoryLimit.objects.get(code="complaint_acceptance")
    ComplaintClock.objects.create(
        complaint=on_time,
        limit=limit,
        started_at=at(dt.date(2026, 9, 1)),
        due_on=dt.date(2026, 9, 10),
        met_at=at(dt.date(2026, 9, 3)),
    )
    ComplaintClock.objects.create(
        complaint=late,
        limit=limit,
        started_at=at(dt.date(2026, 9, 2)),
        due_on=dt.date(2026, 9, 11),
        met_at=at(dt.date(2026, 9, 14)),
    )
    data = figures.compute(periods.parse(Q3), chip.prefecture, today=TODAY)
    summary = cells(data, "complaints", "summary", "430100")
    assert summary["received"] == 3
    assert (summary["complaints"], summary["reports"]) == (2, 1)
    assert (summary["accepted"], summary["not_accepted"]) == (1, 1)
    assert summary["on_time_rate"] == 50.0
    assert cells(data, "complaints", "on_time", "complaint_acceptance") == {
        "due": 2,
        "on_time": 1,
        "late": 1,
        "running": 0,
        "on_time_rate": 50.0,
    }
    assert cells(data, "complaints", "by_channel", "online") == {"complaints": 0, "reports": 1}


def test_designations_in_force_at_the_periods_end(directory, changsha_officer):
    batch = Batch.objects.create(
        track="provincial_enterprise",
        year=2026,
        name="2026年省级示范企业",
        opens_on=dt.date(2026, 3, 1),
        submission_deadline=dt.date(2026, 4, 30),
        recommendation_deadline=dt.date(2026, 5, 31),
    )
    DemonstrationApplication.objects.create(
        batch=batch,
        track="provincial_enterprise",
        state="designated",
        name=directory["chip"].name,
        enterprise=directory["chip"],
        prefecture_id="430100",
        county_id="430104",
        rules_system="制度",
        organisation="组织",
        measures="措施",
        contact_person="王女士",
        contact_phone="0731-88880000",
        created_by=changsha_officer,
        certificate_number="湘商秘示范〔2026〕1号",
        designated_on=dt.date(2026, 8, 1),
        valid_until=dt.date(2029, 7, 31),
    )
    data = figures.compute(periods.parse(Q3), directory["chip"].prefecture, today=TODAY)
    assert cells(data, "demonstrations", "summary", "provincial_enterprise") == {
        "valid": 1,
        "new": 1,
        "revoked": 0,
    }
    assert figures.compute(periods.parse("2026-Q2"), directory["chip"].prefecture)["sections"][1][
        "tables"
    ][0]["total"] == [0, 0, 0]


def test_progress_against_the_work_plan_is_computed_not_typed(directory):
    plan = WorkPlan.objects.create(year=2026)
    WorkPlanTarget.objects.create(plan=plan, prefecture_id="430100", directory_size=6)
    data = figures.compute(periods.parse(Q3), directory["chip"].prefecture, today=TODAY)
    assert cells(data, "work_plan", "progress", "directory_size") == {
        "target": 6,
        "actual": 3,
        "progress": 50.0,
    }


def test_the_provincial_figures_take_a_handful_of_queries_whatever_the_rows(
    directory, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        figures.compute(periods.parse(Q3), None, today=TODAY)


# -- building ----------------------------------------------------------------------------------


def test_building_again_replaces_the_draft_and_never_adds_a_report(directory):
    first = services.build_now(Q3, "430100", files="later")
    make_enterprise("430104", "MA4L0X1Y2", "长沙新近企业有限公司")
    Enterprise.objects.filter(name="长沙新近企业有限公司").update(
        created_at=at(dt.date(2026, 9, 1))
    )
    second = services.build_now(Q3, "430100", files="later")
    assert first.status == second.status == ReportBuild.Status.DONE
    assert Report.objects.filter(period=Q3, prefecture_id="430100").count() == 1
    report = Report.objects.get(period=Q3, prefecture_id="430100")
    assert cells(report.figures, "directory", "summary", "430100")["size"] == 4
    assert report.events.filter(action=ReportEvent.Action.BUILT).count() == 2


def test_a_build_started_twice_at_once_is_refused_with_a_message(regions, changsha_officer):
    services.request_build(changsha_officer, Q3, "430100", enqueue=False)
    with pytest.raises(ValidationError, match="already under way"):
        services.request_build(changsha_officer, Q3, "430100", enqueue=False)
    assert ReportBuild.objects.count() == 1


def test_a_build_abandoned_by_a_dead_worker_does_not_block_the_report_for_ever(
    regions, changsha_officer
):
    stuck = services.request_build(changsha_officer, Q3, "430100", enqueue=False)
    ReportBuild.objects.filter(pk=stuck.pk).update(
        status="running", requested_at=timezone.now() - dt.timedelta(hours=6)
    )
    services.request_build(changsha_officer, Q3, "430100", enqueue=False)
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error) == ("failed", "abandoned")


@pytest.mark.parametrize(
    ("period", "message"),
    [("2026-Q5", "not a period"), ("2099-01", "future"), ("2026-Q4", "not ended")],
)
def test_bad_periods_are_refused_before_anything_is_queued(
    regions, changsha_officer, period, message
):
    with pytest.raises(ValidationError, match=message):
        services.request_build(changsha_officer, period, "430100", enqueue=False)
    assert not ReportBuild.objects.exists()


def test_an_officer_may_not_build_another_prefectures_report_nor_the_provinces(
    regions, changsha_officer, yuelu_officer
):
    with pytest.raises(PermissionDenied):
        services.request_build(changsha_officer, Q3, "430600", enqueue=False)
    with pytest.raises(PermissionDenied):
        services.request_build(changsha_officer, Q3, None, enqueue=False)
    with pytest.raises(PermissionDenied):
        services.request_build(yuelu_officer, Q3, "430100", enqueue=False)
    with pytest.raises(ValidationError, match="not a prefecture"):
        services.request_build(changsha_officer, Q3, "439900", enqueue=False)
    assert not ReportBuild.objects.exists()


def test_the_schedule_builds_every_prefecture_and_the_consolidation_once(regions):
    builds = services.build_due(today=TODAY, kinds=["quarter"])
    assert len(builds) == 15  # the 14 and, their due day past, the consolidation
    for build in builds:
        services.run_build(build.pk, files="later")
    assert Report.objects.filter(period=Q3).count() == 15
    assert services.build_due(today=TODAY, kinds=["quarter"]) == []
    # Before the prefectures' due day the consolidation waits.
    assert len(services.build_due(today=dt.date(2026, 11, 3), kinds=["month"])) == 14


def test_a_build_delivered_again_after_it_finished_does_nothing(regions):
    build = services.build_now(Q3, "430100", files="later")
    services.run_build(build.pk)
    assert Report.objects.get(period=Q3, prefecture_id="430100").events.count() == 1


def test_a_build_goes_to_the_workers_once_asked_and_its_files_after_it(
    regions, changsha_officer, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(tasks.build_report, "delay", lambda pk: sent.append(("build", pk)))
    monkeypatch.setattr(tasks.render_report_files, "delay", lambda pk: sent.append(("files", pk)))
    with django_capture_on_commit_callbacks(execute=True):
        build = services.request_build(changsha_officer, Q3, "430100")
        assert sent == []  # not before the request's transaction commits
    assert sent == [("build", build.pk)]
    report = services.run_build(build.pk)  # the worker's part
    assert sent == [("build", build.pk), ("files", report.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(report, changsha_officer, **NARRATIVE)
    assert sent[-1] == ("files", report.pk)


def test_every_process_hands_the_tasks_to_the_services():
    """The services never import tasks.py: ReportsConfig.ready() does, so a web process or a
    command that never touches the tasks still queues builds."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from tsprotect.reports import services; "
            "print(sorted(services._tasks))",
        ],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tsprotect.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "['build_report', 'render_report_files']"


def test_build_reports_command_builds_and_says_what(regions, tmp_path):
    out = StringIO()
    call_command("build_reports", "--period", Q3, "--prefecture", "430100", stdout=out)
    report = Report.objects.get(period=Q3, prefecture_id="430100")
    assert f"report {report.pk} built" in out.getvalue()
    assert report.pdf.name.endswith(".pdf") and report.xlsx.name.endswith(".xlsx")
    with pytest.raises(CommandError, match="not a period"):
        call_command("build_reports", "--period", "2026-Q9")


# -- submitting and reviewing ------------------------------------------------------------------


@pytest.fixture
def draft(directory):
    services.build_now(Q3, "430100", files="later")
    return Report.objects.get(period=Q3, prefecture_id="430100")


def test_submission_freezes_the_figures_the_bureau_reviewed(draft, changsha_officer):
    report = services.submit(draft, changsha_officer, **NARRATIVE)
    assert (report.status, report.version) == ("submitted", 1)
    sent = report.events.get(action="submitted").snapshot
    assert sent["figures"] == report.figures and sent["work_done"] == NARRATIVE["work_done"]
    make_enterprise("430104", "MA4L0X1Y2", "长沙新近企业有限公司")
    Enterprise.objects.filter(name="长沙新近企业有限公司").update(
        created_at=at(dt.date(2026, 9, 1))
    )
    with pytest.raises(ValidationError, match="frozen"):
        services.request_build(changsha_officer, Q3, "430100", enqueue=False)
    report.refresh_from_db()
    assert cells(report.figures, "directory", "summary", "430100")["size"] == 3


def test_a_second_submission_is_refused_and_changes_nothing(draft, changsha_officer):
    services.submit(draft, changsha_officer, **NARRATIVE)
    with pytest.raises(ValidationError, match="already submitted"):
        services.submit(draft, changsha_officer, work_done="另一个版本")
    report = Report.objects.get(pk=draft.pk)
    assert (report.version, report.work_done) == (1, NARRATIVE["work_done"])
    assert report.events.filter(action="submitted").count() == 1


def test_a_report_needs_its_narrative_and_its_own_bureau(draft, changsha_officer, province):
    with pytest.raises(ValidationError):
        services.submit(draft, changsha_officer, work_done="  ")
    with pytest.raises(PermissionDenied):
        services.submit(draft, province, **NARRATIVE)
    assert Report.objects.get(pk=draft.pk).status == "draft"


def test_returned_then_corrected_and_resubmitted_keeps_its_history(
    draft, changsha_officer, province
):
    services.submit(draft, changsha_officer, **NARRATIVE)
    with pytest.raises(ValidationError):
        services.return_report(draft, province, "  ")
    returned = services.return_report(draft, province, "请补充投诉办理情况。")
    assert returned.status == "returned"
    told = Notification.objects.get(recipient=changsha_officer, kind="report_returned")
    assert told.body == "请补充投诉办理情况。"
    services.build_now(Q3, "430100", files="later")  # a returned report may be rebuilt
    again = services.submit(draft, changsha_officer, work_done="补充：受理投诉 3 件。")
    assert (again.status, again.version) == ("submitted", 2)
    services.acknowledge(again, province, "已收悉。")
    actions = list(again.events.values_list("action", flat=True))
    assert actions == ["built", "submitted", "returned", "built", "submitted", "acknowledged"]
    versions = [e.snapshot["work_done"] for e in again.events.filter(action="submitted")]
    assert versions == [NARRATIVE["work_done"], "补充：受理投诉 3 件。"]
    with pytest.raises(ValidationError, match="already been acknowledged"):
        services.acknowledge(again, province)


def test_only_the_province_reviews_and_only_what_was_submitted(draft, changsha_officer, province):
    with pytest.raises(ValidationError, match="Only a submitted"):
        services.acknowledge(draft, province)
    services.submit(draft, changsha_officer, **NARRATIVE)
    with pytest.raises(PermissionDenied):
        services.acknowledge(draft, changsha_officer)
    assert Report.objects.get(pk=draft.pk).status == "submitted"


def test_the_inbox_shows_submitted_late_and_missing(draft, changsha_officer, province):
    services.submit(draft, changsha_officer, **NARRATIVE)
    period = periods.parse(Q3)
    rows = {r["prefecture"].pk: r["state"] for r in services.inbox(province, period, TODAY)}
    assert len(rows) == 14
    assert rows["430100"] == "submitted"
    assert rows["430600"] == "late"  # due 20 Oct, nothing sent
    early = {
        r["prefecture"].pk: r["state"] for r in services.inbox(province, period, period.ends_on)
    }
    assert early["430600"] == "missing"
    assert [r["prefecture"].pk for r in services.inbox(changsha_officer, period, TODAY)] == [
        "430100"
    ]


def test_the_report_files_follow_the_report(draft, changsha_officer):
    pdf = services.report_file(draft, "pdf")
    first = pdf.name
    assert services.report_file(draft, "pdf").name == first  # unchanged: not rendered again
    services.submit(draft, changsha_officer, **NARRATIVE)
    draft.refresh_from_db()
    assert services.report_file(draft, "pdf").name != first
    assert draft.xlsx.name.endswith(".xlsx")
    assert Decimal(draft.pdf.size) > 0


def test_the_workbench_shows_what_waits_on_reports(draft, changsha_officer, province, client_as):
    officer_cards = services.workbench(changsha_officer, today=TODAY)
    assert [(count, url) for _label, count, url, _tone in officer_cards] == [
        (1, "/reports/?open=true"),
        (1, "/reports/?late=true"),
    ]
    services.submit(draft, changsha_officer, **NARRATIVE)
    province_cards = services.workbench(province, today=TODAY)
    assert [count for _label, count, _url, _tone in province_cards] == [1, 0]
    listed = client_as(changsha_officer).get("/reports/?open=true").context["object_list"]
    assert list(listed) == []
    home = client_as(province).get("/")
    assert "/reports/?status=submitted" in home.content.decode()
