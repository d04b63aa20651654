"""The quarter's report from the draft to its acknowledgement, in a real browser.

The 长沙 officer opens the quarter's draft from the menu, sees its charts drawn, rebuilds its
figures and watches the progress bar until the page shows them, downloads the PDF and the XLSX,
writes the narrative and submits it; the page then offers no form. The province opens its inbox,
finds the report submitted beside the late and missing ones, and acknowledges it. The pages
pass the automated WCAG 2.1 AA checks and fit a 390-px phone.

No Celery worker runs: the build the officer starts is run by the test (``run_build``, the
task's body) while the page polls its progress.
"""

import datetime as dt
import io
import zipfile

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from enterprises.models import Enterprise
from tsprotect.reports import periods, services, tasks
from tsprotect.reports.models import Report, ReportBuild

from .test_accessibility import BLOCKING, PHONE, audit
from .test_browser_directory import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORK_DONE = "本季度走访重点企业12家，开展商业秘密保护培训3场，受理投诉2件。"
PROBLEMS = "县级执法力量不足，电子证据固定能力较弱。"
NEXT_STEPS = "下季度组织电子数据取证专题培训。"


@pytest.fixture(autouse=True)
def no_worker(monkeypatch):
    """What the pages queue is not sent to a broker: the test runs the build itself."""
    monkeypatch.setattr(tasks.build_report, "delay", lambda *args, **kwargs: None)
    monkeypatch.setattr(tasks.render_report_files, "delay", lambda *args, **kwargs: None)


def build(period, code):
    queued = services.request_build(None, period.code, code, enqueue=False)
    return services.run_build(queued.pk)


def check_page(page, url, problems):
    """axe's serious and critical WCAG AA violations, and a page wider than a phone."""
    for violation in audit(page):
        if violation["impact"] in BLOCKING:
            problems.append(f"{url} {violation['id']}: {violation['help']} {violation['nodes']}")
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{url} is {width}px wide on a phone")
    page.set_viewport_size(size)


def test_an_officer_submits_the_quarters_report_and_the_province_acknowledges_it(
    browser,
    live_server,
    tmp_path,
    changsha_enterprise,
    changsha_other_county_enterprise,
    yueyang_enterprise,
    changsha_officer,
    province,
):
    base = live_server.url
    quarter = periods.last_closed("quarter")
    # The enterprises (created today) count as filed in the middle of the quarter.
    filed = dt.datetime.combine(quarter.starts_on + dt.timedelta(days=20), dt.time(10))
    Enterprise.objects.update(created_at=timezone.make_aware(filed))
    draft = build(quarter, "430100")
    build(quarter, "430600")  # built, never submitted: late
    problems = []

    # The officer finds the quarter's draft from the menu and sees its charts drawn.
    officer = browser.new_context(accept_downloads=True).new_page()
    log_in(officer, base, "officer_430100")
    officer.click("nav.mainnav a[href='/reports/']")
    row = officer.locator("tbody tr", has_text=quarter.code)
    expect(row.locator(".status-expired")).to_be_visible()  # past its due day
    row.locator(f"a[href='/reports/{draft.pk}/']").click()
    expect(officer.locator("h1")).to_contain_text("长沙市")
    charts = officer.locator(".report-chart")
    assert charts.count() >= 2
    expect(officer.locator(".report-chart svg")).to_have_count(charts.count())
    expect(charts.first.locator("svg")).to_be_visible()
    check_page(officer, "report page", problems)

    # Rebuild the figures: the bar shows the build queued, then the page reloads with them.
    built_before = draft.built_at
    officer.click(".rebuild-form button[type=submit]")
    bar = officer.locator(".build-progress")
    expect(bar).to_be_visible()
    expect(bar.locator(".build-bar")).to_have_attribute("value", "0")
    queued = ReportBuild.objects.get(status="queued")
    services.run_build(queued.pk)
    expect(officer.locator(".build-progress")).to_have_count(0, timeout=10_000)
    expect(officer.locator(".rebuild-form")).to_be_visible()
    draft.refresh_from_db()
    assert draft.built_at > built_before

    # Download the PDF and the XLSX.
    with officer.expect_download(timeout=60_000) as pdf:
        officer.click(f"a[href='/reports/{draft.pk}/pdf/']")
    pdf_path = tmp_path / pdf.value.suggested_filename
    pdf.value.save_as(pdf_path)
    assert pdf_path.suffix == ".pdf" and "长沙市" in pdf_path.name
    assert pdf_path.read_bytes().startswith(b"%PDF")
    with officer.expect_download(timeout=60_000) as xlsx:
        officer.click(f"a[href='/reports/{draft.pk}/xlsx/']")
    xlsx_path = tmp_path / xlsx.value.suggested_filename
    xlsx.value.save_as(xlsx_path)
    assert xlsx_path.suffix == ".xlsx"
    content = xlsx_path.read_bytes()
    assert zipfile.is_zipfile(io.BytesIO(content))
    assert len(load_workbook(io.BytesIO(content)).sheetnames) > 1

    # Submitting without the work done is refused, and what was typed stays.
    officer.fill("#id_problems", PROBLEMS)
    officer.click(f"button[formaction='/reports/{draft.pk}/submit/']")
    expect(officer.locator(".message-error")).to_be_visible()
    expect(officer.locator("#id_problems")).to_have_value(PROBLEMS)
    # Writes the narrative and submits.
    officer.fill("#id_work_done", WORK_DONE)
    officer.fill("#id_next_steps", NEXT_STEPS)
    officer.click(f"button[formaction='/reports/{draft.pk}/submit/']")
    expect(officer.locator("#report-status.report-submitted")).to_be_visible()
    expect(officer.locator(".message-success")).to_be_visible()
    expect(officer.locator("#id_work_done")).to_have_count(0)
    expect(officer.locator(".rebuild-form")).to_have_count(0)
    expect(officer.locator("#narrative")).to_contain_text(WORK_DONE)
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.version == 1
    assert draft.problems == PROBLEMS and draft.next_steps == NEXT_STEPS

    # The province's inbox: the report submitted, beside the late and missing ones.
    reviewer = browser.new_context().new_page()
    log_in(reviewer, base, "province")
    reviewer.click("nav.mainnav a[href='/reports/']")
    reviewer.click(".subnav a[href='/reports/inbox/']")
    expect(reviewer.locator("h1")).to_contain_text(quarter.label)
    expect(reviewer.locator("tr.inbox-row")).to_have_count(14)
    expect(reviewer.locator("tr.inbox-submitted[data-prefecture='430100']")).to_be_visible()
    expect(reviewer.locator("tr.inbox-late[data-prefecture='430600']")).to_be_visible()
    expect(reviewer.locator("tr[data-prefecture='431000'] .not-built")).to_be_visible()
    assert reviewer.locator("tr.inbox-late").count() == 13
    check_page(reviewer, "inbox", problems)

    # Opens the report, reads the narrative, acknowledges it.
    reviewer.locator("tr[data-prefecture='430100'] a", has_text="长沙市").click()
    expect(reviewer.locator("#narrative")).to_contain_text(WORK_DONE)
    reviewer.fill("#review textarea[name=comment]", "已阅，请继续做好电子取证培训。")
    reviewer.click("#review button.primary")
    expect(reviewer.locator("#report-status.report-acknowledged")).to_be_visible()
    expect(reviewer.locator("#review")).to_have_count(0)
    draft.refresh_from_db()
    assert draft.status == Report.Status.ACKNOWLEDGED and draft.reviewed_by == province
    reviewer.click(".subnav a[href='/reports/inbox/']")
    expect(reviewer.locator("tr.inbox-acknowledged[data-prefecture='430100']")).to_be_visible()

    # The dashboards draw their charts from the stored reports.
    build(quarter, None)
    reviewer.click(".subnav a[href='/reports/dashboard/']")
    expect(reviewer.locator("#side-by-side .report-chart svg").first).to_be_visible()
    check_page(reviewer, "province dashboard", problems)
    officer.click(".subnav a[href='/reports/dashboard/']")
    expect(officer.locator("#trend .report-chart svg").first).to_be_visible()
    check_page(officer, "officer dashboard", problems)

    assert not problems, "\n".join(problems)
