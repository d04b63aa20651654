"""An enterprise's self-protection checklist in a real browser, from half-filled to confirmed.

enterprise1 fills half the checklist, leaves, comes back, finishes and submits; sees its score,
its tier with the reasons and the tips, downloads the tips PDF; officer_430100 confirms; the
directory shows the tier.
"""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from assessments import services
from assessments.models import ChecklistSubmission

from .test_browser_directory import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def template(regions):
    return services.current_template() or services.load_default_template()


def test_an_enterprise_fills_submits_and_the_officer_confirms(
    page, browser, live_server, template, enterprise_user, changsha_officer
):
    base = live_server.url
    items = list(template.items.order_by("category__order", "order"))
    critical = next(item for item in items if item.critical)

    log_in(page, base, "enterprise1")
    page.click("nav.mainnav a[href='/assessments/']")
    page.click("main form[action^='/assessments/start/'] button")
    for item in items[: len(items) // 2]:
        page.check(f"input[name=answer_{item.pk}][value=yes]")
    page.click("button[name=action][value=save]")
    expect(page.locator(".message-success")).to_be_visible()

    # Leave, come back: the answers are there; finish with the critical item not met.
    page.goto(f"{base}/")
    page.click("nav.mainnav a[href='/assessments/']")
    page.click("main form[action^='/assessments/start/'] button")
    expect(page.locator(f"input[name=answer_{items[0].pk}][value=yes]")).to_be_checked()
    for item in items[len(items) // 2 :]:
        page.check(f"input[name=answer_{item.pk}][value=yes]")
    page.check(f"input[name=answer_{critical.pk}][value=no]")
    page.fill(f"input[name=note_{critical.pk}]", "制度正在起草")
    page.click("button[name=action][value=submit]")

    expect(page.locator(".tier-card")).to_contain_text("高风险")
    expect(page.locator("table").first).to_contain_text(critical.text)
    expect(page.locator("#tips")).to_contain_text(critical.guidance[:20])
    submission = ChecklistSubmission.objects.get()
    with page.expect_download() as download:
        page.click(f"a[href='/assessments/{submission.pk}/tips.pdf']")
    pdf = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    text = "".join(p.extract_text() for p in pdf.pages).replace("\n", "")
    assert "合规提示" in text and critical.guidance[:12] in text

    # The 长沙 officer confirms; the directory filters the enterprise by its tier.
    officer = browser.new_context().new_page()
    log_in(officer, base, "officer_430100")
    officer.goto(f"{base}/assessments/?status=submitted")
    officer.click(f"a[href='/assessments/{submission.pk}/']")
    officer.click(f"form[action='/assessments/{submission.pk}/review/confirm/'] button")
    expect(officer.locator(".message-success")).to_be_visible()
    officer.goto(f"{base}/enterprises/?risk_tier=high")
    expect(officer.locator("table")).to_contain_text("长沙麓谷芯片科技有限公司")
    expect(officer.locator("table .badge.tier-high")).to_be_visible()
