"""An officer's daily work by keyboard alone: log in, skip to the content, open the queue, open
a complaint and accept it — no mouse, only Tab, Shift+Tab and Enter."""

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint

from .conftest import PASSWORD
from .matrix_complaints import make_complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 80


def tab_to(page, selector, *, backwards=False):
    """Press Tab until the element matching ``selector`` has the focus (as a keyboard user)."""
    target = page.locator(selector).first
    for _press in range(MAX_TABS):
        if target.evaluate("e => e === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_an_officer_accepts_a_complaint_by_keyboard(page, live_server, personas):
    complaint = make_complaint(personas["objects"])
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    tab_to(page, "#id_username")
    page.keyboard.type("officer_430100")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("工作台")

    # The first Tab reaches the skip link; the menu follows.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    tab_to(page, "nav.mainnav a[href='/complaints/']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("投诉举报")

    tab_to(page, f"main a[href='/complaints/{complaint.pk}/']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(complaint.reference)

    accept = "form[action$='/act/accept/']"
    tab_to(page, f"{accept} textarea")
    page.keyboard.type("材料齐全，予以受理。")
    page.keyboard.press("Tab")
    expect(page.locator(f"{accept} button[type=submit]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".badge.state-accepted")).to_be_visible()
    assert Complaint.objects.get(pk=complaint.pk).state == "accepted"
