"""The main pages work under the Content-Security-Policy: nothing is blocked, the charts draw,
the admin and the API docs run."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from enterprises.models import Enterprise
from tsprotect.reports import periods, services

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def watched(browser):
    """A page that records every CSP violation, from the console and from the DOM event."""
    page = browser.new_context().new_page()
    page.add_init_script(LISTEN)
    page.console_problems = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and page.console_problems.append(message.text)
        ),
    )
    return page


def visit(page, url, problems):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    problems.extend(f"{url}: {v}" for v in page.evaluate("window.__csp"))
    problems.extend(f"{url}: {m}" for m in page.console_problems)
    page.console_problems.clear()


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("工作台")


def test_the_main_pages_run_without_a_csp_violation(
    browser, live_server, changsha_enterprise, changsha_officer, province
):
    base = live_server.url
    quarter = periods.last_closed("quarter")
    filed = dt.datetime.combine(quarter.starts_on + dt.timedelta(days=20), dt.time(10))
    Enterprise.objects.update(created_at=timezone.make_aware(filed))
    report = services.run_build(
        services.request_build(None, quarter.code, "430100", enqueue=False).pk
    )
    problems = []

    visitor = watched(browser)
    for url in ["/", "/accounts/login/", "/public/report/", "/accounts/register/"]:
        visit(visitor, f"{base}{url}", problems)

    officer = watched(browser)
    log_in(officer, base, "officer_430100")
    for url in ["/", "/enterprises/", "/complaints/", "/assessments/", "/reports/"]:
        visit(officer, f"{base}{url}", problems)
    visit(officer, f"{base}/reports/{report.pk}/", problems)
    charts = officer.locator(".report-chart")
    assert charts.count() >= 2
    expect(officer.locator(".report-chart svg")).to_have_count(charts.count())

    staff = watched(browser)
    log_in(staff, base, "province")
    visit(staff, f"{base}/reports/dashboard/", problems)
    expect(staff.locator(".report-chart svg").first).to_be_visible()
    visit(staff, f"{base}/admin/", problems)
    expect(staff.locator("#site-name")).to_be_visible()
    visit(staff, f"{base}/admin/accounts/user/{changsha_officer.pk}/change/", problems)
    visit(staff, f"{base}/api/docs/", problems)
    expect(staff.locator(".swagger-ui .info .title")).to_be_visible(timeout=15_000)
    expect(staff.locator(".swagger-ui .opblock").first).to_be_visible()

    assert problems == []
