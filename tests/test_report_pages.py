"""The report pages as each role uses them: the list, a report, the build and its progress, the
narrative and the submission, the province's review and inbox, the dashboards and the work plan;
and the bad inputs each answered with a clear message and nothing written.

Reports are built through the services the Celery task runs (``request_build`` then
``run_build``); no worker runs here, so the tasks' ``delay`` is a no-op.
"""

import re
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tsprotect.reports import figures, periods, rendering, services, tasks
from tsprotect.reports.models import Report, ReportBuild, ReportEvent, WorkPlan, WorkPlanTarget

# The matrix before its rows module: that module imports it back, and needs it whole.
from . import permission_matrix  # noqa: F401
from .conftest import client_for
from .matrix_report_pages import make_report, quarter

pytestmark = pytest.mark.django_db

WORK_DONE = "开展商业秘密保护宣传培训三场，走访重点企业十二家"


@pytest.fixture(autouse=True)
def filed_in_the_quarter(personas):
    """The personas' enterprises, created today, count as filed in the quarter reported on."""
    from enterprises.models import Enterprise

    Enterprise.objects.update(created_at=filed_on(quarter()))


def filed_on(period):
    import datetime as dt

    from django.utils import timezone

    day = period.starts_on + dt.timedelta(days=20)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.fixture(autouse=True)
def no_worker(monkeypatch):
    """No Celery worker in these tests: what would be queued is not sent to the broker."""
    monkeypatch.setattr(tasks.build_report, "delay", lambda *args, **kwargs: None)
    monkeypatch.setattr(tasks.render_report_files, "delay", lambda *args, **kwargs: None)


def built(code="430100", period=None, user=None):
    """A report built as the task builds it."""
    build = services.request_build(user, period or quarter().code, code, enqueue=False)
    return services.run_build(build.pk)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# ---------------------------------------------------------------------------------------------
# The list


def test_an_officer_lists_its_own_reports_and_the_province_all_of_them(
    personas, changsha_officer, yueyang_officer, province
):
    changsha, yueyang, hunan = built("430100"), built("430600"), built(None)
    mine = client_for(changsha_officer).get(reverse("reports:list"))
    assert list(mine.context["report_list"]) == [changsha]
    assert "prefecture" not in mine.context["filter"].form.fields
    everyone = client_for(province).get(reverse("reports:list"))
    assert set(everyone.context["report_list"]) == {changsha, yueyang, hunan}
    only_hunan = client_for(province).get(reverse("reports:list"), {"prefecture": "430000"})
    assert list(only_hunan.context["report_list"]) == [hunan]
    # The 岳阳 filter in the officer's query string changes nothing: its scope is 长沙.
    filtered = client_for(changsha_officer).get(reverse("reports:list"), {"prefecture": "430600"})
    assert list(filtered.context["report_list"]) == [changsha]


def test_the_list_shows_the_late_badge_and_filters_by_status(personas, changsha_officer):
    late = built("430100")
    assert late.is_late()  # the last quarter's reports fell due before today
    html = page(client_for(changsha_officer), reverse("reports:list"))
    assert "status-expired" in html
    submitted = client_for(changsha_officer).get(reverse("reports:list"), {"status": "submitted"})
    assert list(submitted.context["report_list"]) == []
    late_only = client_for(changsha_officer).get(reverse("reports:list"), {"late": "true"})
    assert list(late_only.context["report_list"]) == [late]


def test_a_malformed_period_filter_is_named_and_lists_nothing(personas, changsha_officer):
    built("430100")
    response = client_for(changsha_officer).get(reverse("reports:list"), {"period": "2026-Q5"})
    assert list(response.context["report_list"]) == []
    html = response.content.decode()
    assert 'class="form-errors"' in html and "“2026-Q5”" in html


def test_the_list_runs_the_same_number_of_queries_for_3_or_42_reports(personas, province):
    client = client_for(province)
    first = quarter()
    for code in ("430100", "430600", None):
        make_report(code, period=first.code)
    client.get(reverse("reports:list"))  # warm the caches of the first request
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reports:list"))
    period = first
    for _round in range(3):
        period = period.previous()
        for code in ("430100", "430200", "430300", "430400", "430500", "430600", "430700"):
            make_report(code, period=period.code)
    for code in ("430200", "430300", "430400", "430500", "430700", "430800", "430900"):
        make_report(code, period=first.code)
    assert Report.objects.count() > 25
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("reports:list"))
    assert len(response.context["report_list"]) == 25
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# ---------------------------------------------------------------------------------------------
# Building: the form, its bad inputs and the progress


def test_an_officer_starts_a_build_and_follows_its_progress(personas, changsha_officer):
    client = client_for(changsha_officer)
    response = client.post(reverse("reports:build"), {"period": quarter().code})
    build = ReportBuild.objects.get()
    assert build.prefecture_id == "430100" and build.requested_by == changsha_officer
    assert response["Location"] == f"{reverse('reports:list')}?build={build.pk}"
    listing = page(client, response["Location"])
    assert f'data-status-url="{reverse("reports:build-status", args=[build.pk])}"' in listing
    status = client.get(reverse("reports:build-status", args=[build.pk])).json()
    assert set(status) == {"status", "status_label", "percent", "step", "error", "report_url"}
    assert status["status"] == "queued" and status["percent"] == 0
    assert status["report_url"] is None
    report = services.run_build(build.pk)
    status = client.get(reverse("reports:build-status", args=[build.pk])).json()
    assert status["status"] == "done" and status["percent"] == 100
    assert status["report_url"] == reverse("reports:detail", args=[report.pk])


def test_a_rebuild_goes_to_the_report_page_which_shows_the_bar(personas, changsha_officer):
    report = built("430100")
    client = client_for(changsha_officer)
    assert "rebuild-form" in page(client, report.get_absolute_url())
    response = client.post(
        reverse("reports:build"),
        {"period": report.period, "prefecture": "430100", "next": report.get_absolute_url()},
    )
    build = ReportBuild.objects.filter(status="queued").get()
    assert response["Location"] == f"{report.get_absolute_url()}?build={build.pk}"
    html = page(client, response["Location"])
    assert reverse("reports:build-status", args=[build.pk]) in html
    assert "rebuild-form" not in html  # one build at a time


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ("2026-13", "2026-13"),
        ("Q3-2026", "Q3-2026"),
        ("", ""),
        ("2099-Q1", "2099-Q1"),
        ("2019", "2021"),
    ],
)
def test_a_malformed_or_future_period_is_refused_with_a_message(
    personas, changsha_officer, period, says
):
    response = client_for(changsha_officer).post(reverse("reports:build"), {"period": period})
    assert response.status_code == 302
    errors = messages_of(response)
    assert errors and says in " ".join(errors)
    assert not ReportBuild.objects.exists() and not Report.objects.exists()


def test_the_running_period_is_refused_until_it_ends(personas, changsha_officer):
    from django.utils import timezone

    running = periods.containing(timezone.localdate(), "quarter")
    response = client_for(changsha_officer).post(reverse("reports:build"), {"period": running.code})
    assert running.code in " ".join(messages_of(response))
    assert not ReportBuild.objects.exists()


def test_an_officer_cannot_build_another_prefectures_report(personas, changsha_officer):
    client = client_for(changsha_officer)
    for prefecture in ("430600", "430000", "999999"):
        response = client.post(
            reverse("reports:build"), {"period": quarter().code, "prefecture": prefecture}
        )
        assert response.status_code == 302
        assert messages_of(response), prefecture
    assert not ReportBuild.objects.exists()


def test_a_build_started_twice_is_refused_and_leaves_one_build(personas, changsha_officer):
    client = client_for(changsha_officer)
    client.post(reverse("reports:build"), {"period": quarter().code})
    second = client.post(reverse("reports:build"), {"period": quarter().code})
    assert any("already" in m or "已" in m for m in messages_of(second)), messages_of(second)
    assert ReportBuild.objects.count() == 1
    services.run_build(ReportBuild.objects.get().pk)
    client.post(reverse("reports:build"), {"period": quarter().code})
    services.run_build(ReportBuild.objects.get(status="queued").pk)
    assert Report.objects.count() == 1  # built twice, still one report
    assert ReportEvent.objects.filter(action="built").count() == 2


def test_build_status_is_scoped(personas, changsha_officer, yueyang_officer, province):
    build = services.request_build(changsha_officer, quarter().code, "430100", enqueue=False)
    url = reverse("reports:build-status", args=[build.pk])
    assert client_for(province).get(url).status_code == 200
    assert client_for(yueyang_officer).get(url).status_code == 404
    ReportBuild.objects.filter(pk=build.pk).update(status="failed", error="数据库连接中断")
    assert client_for(changsha_officer).get(url).json()["error"] == "数据库连接中断"


# ---------------------------------------------------------------------------------------------
# A report: the page, the narrative, the submission


def test_the_report_page_shows_figures_charts_and_the_forms_of_the_bureau(
    personas, changsha_officer
):
    report = built("430100")
    response = client_for(changsha_officer).get(report.get_absolute_url())
    html = response.content.decode()
    doc = response.context["doc"]
    for section in doc["sections"]:
        assert section["title"] in html
    assert 'id="report-charts"' in html and "vendor/echarts/echarts.min." in html
    charted = [t for s in doc["sections"] for t in s["tables"] if t.get("chart_data")]
    for table in charted:
        assert f'data-chart="{table["chart_data"]["id"]}"' in html
    assert 'name="work_done"' in html
    assert reverse("reports:submit", args=[report.pk]) in html
    assert reverse("reports:pdf", args=[report.pk]) in html
    assert reverse("reports:xlsx", args=[report.pk]) in html
    assert "rebuild-form" in html
    assert 'action="/reports/' in html and "<script>" not in html  # no inline script


def test_each_figure_links_to_the_filtered_list_it_counts(
    personas, changsha_officer, changsha_enterprise, changsha_other_county_enterprise
):
    report = built("430100")
    response = client_for(changsha_officer).get(report.get_absolute_url())
    html = response.content.decode()
    links = [
        (cell["link"], cell["value"])
        for section in response.context["doc"]["sections"]
        for table in section["tables"]
        for row in table["rows"]
        for cell in row["cells"]
        if cell["link"]
    ]
    assert links
    client = client_for(changsha_officer)
    for link, _value in links:
        assert f'href="{link}"'.replace("&", "&amp;") in html, link
        assert client.get(link).status_code == 200, link
    # The directory's size counts the list it links to.
    summary = figures.find(report.figures, "directory", "summary")
    size, size_link = summary["rows"][0]["cells"][0], summary["rows"][0]["links"][0]
    assert size == 2
    listed = client.get(size_link).content.decode()
    for enterprise in (changsha_enterprise, changsha_other_county_enterprise):
        assert enterprise.name in listed


def test_the_officer_saves_the_narrative_then_submits_once(personas, changsha_officer, province):
    report = built("430100")
    client = client_for(changsha_officer)
    saved = client.post(
        reverse("reports:narrative", args=[report.pk]),
        {"work_done": WORK_DONE, "problems": "基层人手不足", "next_steps": ""},
    )
    assert saved.status_code == 302
    report.refresh_from_db()
    assert report.work_done == WORK_DONE and report.status == "draft"
    submitted = client.post(
        reverse("reports:submit", args=[report.pk]),
        {"work_done": WORK_DONE, "problems": "基层人手不足", "next_steps": "加强培训"},
    )
    assert submitted.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted" and report.version == 1
    assert report.next_steps == "加强培训"
    # A second submission is refused with a message, and nothing changes.
    again = client.post(reverse("reports:submit", args=[report.pk]), {"work_done": "改写后的内容"})
    assert again.status_code == 302 and messages_of(again)
    report.refresh_from_db()
    assert report.version == 1 and report.work_done == WORK_DONE
    assert report.events.filter(action="submitted").count() == 1
    # Frozen: the page offers no form any more.
    html = page(client, report.get_absolute_url())
    assert 'name="work_done"' not in html and "rebuild-form" not in html
    assert WORK_DONE in html
    # A second build of the frozen report is refused too.
    response = client.post(reverse("reports:build"), {"period": report.period})
    assert messages_of(response) and not ReportBuild.objects.filter(status="queued").exists()


def test_submitting_without_the_work_done_keeps_what_was_typed(personas, changsha_officer):
    report = built("430100")
    response = client_for(changsha_officer).post(
        reverse("reports:submit", args=[report.pk]),
        {"work_done": "  ", "problems": "经费紧张，需省局支持"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "经费紧张，需省局支持" in html  # still in the form
    assert response.context["narrative_form"].errors["work_done"]
    report.refresh_from_db()
    assert report.status == "draft" and report.problems == ""  # nothing saved


def test_the_province_does_not_submit_a_prefectures_report(personas, province, changsha_officer):
    report = built("430100")
    response = client_for(province).post(
        reverse("reports:submit", args=[report.pk]), {"work_done": WORK_DONE}
    )
    assert response.status_code == 302 and messages_of(response)
    report.refresh_from_db()
    assert report.status == "draft" and report.work_done == ""
    assert 'name="work_done"' not in page(client_for(province), report.get_absolute_url())


def test_another_prefectures_officer_gets_404_everywhere(personas, yueyang_officer):
    report = built("430100")
    client = client_for(yueyang_officer)
    for name in ("detail", "pdf", "xlsx"):
        assert client.get(reverse(f"reports:{name}", args=[report.pk])).status_code == 404
    for name in ("narrative", "submit", "acknowledge", "return"):
        url = reverse(f"reports:{name}", args=[report.pk])
        assert client.post(url, {"work_done": "x", "comment": "x"}).status_code == 404
    report.refresh_from_db()
    assert report.status == "draft" and report.work_done == ""


def test_the_pdf_and_xlsx_download_with_a_chinese_filename(personas, changsha_officer):
    report = built("430100")
    client = client_for(changsha_officer)
    pdf = client.get(reverse("reports:pdf", args=[report.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    disposition = unescape(pdf["Content-Disposition"])
    assert disposition.startswith("attachment;")
    assert f"{report.period}-430100-" in disposition and "%E9%95%BF%E6%B2%99" in disposition
    xlsx = client.get(reverse("reports:xlsx", args=[report.pk]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(xlsx.streaming_content).startswith(b"PK")


# ---------------------------------------------------------------------------------------------
# The province's review and inbox


def submit(report, officer):
    return services.submit(report, officer, work_done=WORK_DONE)


def test_the_province_returns_a_report_the_bureau_corrects_and_resubmits(
    personas, changsha_officer, province
):
    report = submit(built("430100"), changsha_officer)
    reviewer = client_for(province)
    assert 'id="review"' in page(reviewer, report.get_absolute_url())
    # Returning without a comment is refused.
    refused = reviewer.post(reverse("reports:return", args=[report.pk]), {"comment": ""})
    assert refused.status_code == 302 and messages_of(refused)
    report.refresh_from_db()
    assert report.status == "submitted"
    reviewer.post(reverse("reports:return", args=[report.pk]), {"comment": "请补充案件办理情况"})
    report.refresh_from_db()
    assert report.status == "returned"
    # The bureau sees the comment, corrects and resubmits; the history keeps both submissions.
    officer = client_for(changsha_officer)
    html = page(officer, report.get_absolute_url())
    assert "请补充案件办理情况" in html and 'name="work_done"' in html
    officer.post(
        reverse("reports:submit", args=[report.pk]), {"work_done": WORK_DONE + "；立案两件"}
    )
    report.refresh_from_db()
    assert report.status == "submitted" and report.version == 2
    snapshots = [e.snapshot["work_done"] for e in report.events.filter(action="submitted")]
    assert snapshots == [WORK_DONE, WORK_DONE + "；立案两件"]
    html = page(reviewer, report.get_absolute_url())
    assert html.count("<details>") >= 2
    # The officer cannot acknowledge its own report; the province can, once.
    mine = officer.post(reverse("reports:acknowledge", args=[report.pk]))
    assert messages_of(mine)
    report.refresh_from_db()
    assert report.status == "submitted"
    reviewer.post(reverse("reports:acknowledge", args=[report.pk]), {"comment": "已阅"})
    report.refresh_from_db()
    assert report.status == "acknowledged" and report.reviewed_by == province
    twice = reviewer.post(reverse("reports:acknowledge", args=[report.pk]))
    assert messages_of(twice)
    assert report.events.filter(action="acknowledged").count() == 1
    assert 'id="review"' not in page(reviewer, report.get_absolute_url())


def test_the_inbox_shows_the_14_prefectures_and_where_each_stands(
    personas, changsha_officer, yueyang_officer, province
):
    submit(built("430100"), changsha_officer)
    services.acknowledge(submit(built("430600"), yueyang_officer), province)
    built("431000")
    response = client_for(province).get(reverse("reports:inbox"))
    rows = response.context["rows"]
    assert len(rows) == 14
    states = {row["prefecture"].pk: row["state"] for row in rows}
    assert states["430100"] == "submitted" and states["430600"] == "acknowledged"
    assert states["431000"] == "late"  # built, not submitted, past its due day
    assert states["430200"] in ("late", "missing")
    html = response.content.decode()
    assert reverse("reports:acknowledge", args=[Report.objects.get(prefecture="430100").pk]) in html
    assert "湘西土家族苗族自治州" in html
    # The consolidation is not built yet: the province may build it from here.
    assert 'value="430000"' in html


def test_the_inbox_acknowledges_and_comes_back(personas, changsha_officer, province):
    report = submit(built("430100"), changsha_officer)
    inbox = reverse("reports:inbox") + f"?period={report.period}"
    response = client_for(province).post(
        reverse("reports:acknowledge", args=[report.pk]), {"next": inbox}
    )
    assert response["Location"] == inbox
    report.refresh_from_db()
    assert report.status == "acknowledged"


def test_the_inbox_names_a_bad_period_and_shows_the_last_quarter(personas, province):
    for bad in ("2026-Q7", "2099-Q1"):
        response = client_for(province).get(reverse("reports:inbox"), {"period": bad})
        assert response.status_code == 200
        assert bad in " ".join(messages_of(response))
        assert response.context["period"] == quarter()


def test_the_inbox_is_the_provinces(personas, changsha_officer):
    assert client_for(changsha_officer).get(reverse("reports:inbox")).status_code == 403


# ---------------------------------------------------------------------------------------------
# Dashboards


def test_the_province_dashboard_puts_the_14_side_by_side_from_the_consolidation(
    personas, province, changsha_enterprise
):
    hunan = built(None)
    response = client_for(province).get(reverse("reports:dashboard"))
    assert response.context["report"] == hunan
    side = response.context["side"]
    assert len(side["rows"]) == 14
    # The table and the charts agree with the consolidation's own figures.
    summary = figures.find(hunan.figures, "directory", "summary")
    by_code = {row["key"]: row["cells"][0] for row in summary["rows"]}
    first_chart = response.context["side_charts"][0]
    assert first_chart["series"][0]["data"] == list(by_code.values())
    changsha = next(r for r in side["rows"] if r["name"] == "长沙市")
    assert changsha["cells"][0]["value"] == by_code["430100"] == 2
    assert changsha["cells"][0]["link"] == summary["rows"][0]["links"][0]
    trend = response.context["trend_rows"]
    assert trend[0]["cells"][-1]["text"] == str(summary["total"][0])
    html = response.content.decode()
    assert 'id="report-charts"' in html and 'data-chart="side-0"' in html


def test_a_period_without_a_report_says_so_with_a_build_button(
    personas, province, changsha_officer
):
    response = client_for(province).get(reverse("reports:dashboard"))
    assert response.context["report"] is None
    html = response.content.decode()
    assert "missing-report" in html and reverse("reports:build") in html
    officer = client_for(changsha_officer).get(reverse("reports:dashboard"))
    assert officer.context["prefecture"].pk == "430100"
    assert 'value="430100"' in officer.content.decode()


def test_an_officer_sees_its_trend_and_the_charts_of_the_chosen_report(
    personas, changsha_officer, changsha_enterprise
):
    previous = quarter().previous()
    built("430100", period=previous.code)
    latest = built("430100")
    built("430600")
    response = client_for(changsha_officer).get(
        reverse("reports:dashboard"), {"prefecture": "430600"}
    )
    assert response.context["prefecture"].pk == "430100"  # its own, whatever it asks
    assert response.context["report"] == latest
    cells = response.context["trend_rows"][0]["cells"]
    assert [c["report"] for c in cells][-2:] == [
        Report.objects.get(period=previous.code, prefecture="430100"),
        latest,
    ]
    assert response.context["doc"]["title"] == rendering.document(latest)["title"]


# ---------------------------------------------------------------------------------------------
# The annual work plan


def targets_data(value=10, **cells):
    from tsprotect.regions.models import Prefecture

    data = {"note": "聚焦名录库扩容、示范创建"}
    for code in Prefecture.objects.values_list("code", flat=True):
        for key, *_rest in WorkPlanTarget.METRICS:
            data[f"{code}-{key}"] = value
    data.update(cells)
    return data


def test_the_province_sets_the_14_prefectures_targets_in_one_form(personas, province):
    from django.utils import timezone

    year = timezone.localdate().year
    url = reverse("reports:work-plan", args=[year])
    client = client_for(province)
    html = page(client, url)
    assert html.count('class="target-input"') == 14 * len(WorkPlanTarget.METRICS)
    response = client.post(url, targets_data(**{"430100-directory_size": 600}))
    assert response.status_code == 302
    plan = WorkPlan.objects.get(year=year)
    assert plan.targets.count() == 14 and plan.updated_by == province
    assert plan.targets.get(prefecture="430100").directory_size == 600
    # A bad cell is named where it is, and nothing is saved.
    bad = client.post(
        url,
        targets_data(value=20, **{"430600-assessment_coverage": 150, "431000-trainings": "很多"}),
    )
    assert bad.status_code == 200 and messages_of(bad)
    html = bad.content.decode()
    assert html.count('aria-invalid="true"') == 2
    assert plan.targets.get(prefecture="430100").directory_size == 600
    assert plan.targets.get(prefecture="430200").trainings == 10


def test_an_officer_reads_its_own_targets_and_the_progress_measured(
    personas, province, changsha_officer, changsha_enterprise
):
    from django.utils import timezone

    year = quarter().year
    client_for(province).post(
        reverse("reports:work-plan", args=[year]),
        targets_data(**{"430100-directory_size": 4}),
    )
    report = built("430100")
    client = client_for(changsha_officer)
    response = client.get(reverse("reports:work-plan", args=[year]))
    rows = response.context["rows"]
    assert [row["prefecture"].pk for row in rows] == ["430100"]
    assert rows[0]["report"] == report
    size = rows[0]["cells"][0]
    assert size["target"] == 4 and size["field"] is None
    measured = figures.find(report.figures, "work_plan", "progress")["rows"][0]["cells"]
    assert size["measured"]["actual"] == measured[1] == 2
    assert size["measured"]["progress_text"] == "50.0%"
    html = response.content.decode()
    assert 'class="target-input"' not in html
    assert client.post(reverse("reports:work-plan", args=[year]), targets_data()).status_code == 403
    assert WorkPlanTarget.objects.get(prefecture="430100").trainings == 10
    assert timezone.localdate().year >= year


def test_a_work_plan_year_out_of_range_is_not_found(personas, province):
    client = client_for(province)
    assert client.get(reverse("reports:work-plan", args=[2020])).status_code == 404
    assert client.get(reverse("reports:work-plan", args=[2999])).status_code == 404
    current = client.get(reverse("reports:work-plan-current"))
    assert re.search(r"/reports/plan/\d{4}/$", current["Location"])


# ---------------------------------------------------------------------------------------------
# The menu


def test_the_menu_offers_reports_to_those_who_see_some(personas):
    def menu(persona):
        response = client_for(personas[persona]).get(reverse("home"))
        return [item["name"] for item in response.context["menu"]]

    for persona in ("same_officer", "other_officer", "province"):
        assert "reports:list" in menu(persona), persona
    for persona in ("county_officer", "expert", "enterprise"):
        assert "reports:list" not in menu(persona), persona
