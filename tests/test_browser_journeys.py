"""What an officer does in a real browser (Playwright driving the system Chromium)."""

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(regions, changsha_enterprise, yueyang_enterprise, changsha_officer):
    return {"changsha": changsha_enterprise, "yueyang": yueyang_enterprise}


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


def test_a_changsha_officer_logs_in_and_sees_only_changsha(page, live_server, world):
    log_in(page, live_server.url, "officer_430100", "wrong-password")
    expect(page.locator(".form-errors")).to_contain_text("用户名或密码错误")

    log_in(page, live_server.url, "officer_430100", PASSWORD)
    expect(page.locator("h1")).to_have_text("工作台")
    expect(page.locator("a[href='/enterprises/'] .stat-value")).to_have_text("1")

    page.click("nav.mainnav >> text=企业名录库")
    expect(page.locator("table.table tbody tr")).to_have_count(1)
    expect(page.locator("table.table")).to_contain_text("长沙麓谷芯片科技有限公司")
    expect(page.locator("table.table")).not_to_contain_text("岳阳")

    page.fill("#id_q", "芯片")
    page.press("#id_q", "Enter")
    page.click("text=长沙麓谷芯片科技有限公司")
    expect(page.locator("h1")).to_have_text("长沙麓谷芯片科技有限公司")

    response = page.goto(f"{live_server.url}/enterprises/{world['yueyang'].pk}/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("页面不存在")


def test_the_language_switch(page, live_server, world):
    log_in(page, live_server.url, "officer_430100", PASSWORD)
    page.click("button[lang=en]")
    expect(page.locator("h1")).to_have_text("Workbench")
    page.click("button[lang=zh-hans]")
    expect(page.locator("h1")).to_have_text("工作台")
