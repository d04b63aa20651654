"""The public platform and self-service registration, in a real browser.

A visitor with no account reads the designated units, checks a certificate by its QR address
(a valid one and a revoked one), reads a compliance tip and the complaint guide. A new
enterprise registers with its credit code; officer_430100 verifies it; the enterprise then
sees its own record and nothing else.
"""

import datetime as dt
import re

import pytest
from captcha.models import CaptchaStore
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import ComplianceTip
from demonstrations.models import DemonstrationApplication
from enterprises.models import Enterprise
from tsprotect.accounts.models import EnterpriseClaim

from .conftest import make_enterprise
from .test_browser_directory import log_in
from .test_demonstration_workflow import designated_directly

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Xiangjiang-Chip-2026!"


@pytest.fixture
def platform(regions, changsha_enterprise, changsha_officer, province):
    today = timezone.localdate()
    year = today.year
    valid = designated_directly(
        changsha_enterprise,
        province,
        certificate_number=f"HNSM-{year}-ENT-001",
        designated_on=today,
        valid_until=today + dt.timedelta(days=3 * 365),
    )
    yueyang = make_enterprise("430603", "MA4M1A2B3", "岳阳洞庭石化新材料有限公司")
    revoked = designated_directly(
        yueyang,
        province,
        certificate_number=f"HNSM-{year}-ENT-002",
        designated_on=today - dt.timedelta(days=400),
        valid_until=today + dt.timedelta(days=700),
    )
    DemonstrationApplication.objects.filter(pk=revoked.pk).update(state="revoked")
    tip = ComplianceTip.objects.create(
        title="员工离职时的保密提示",
        body="<p>离职前办理涉密载体交接，重申保密义务。</p>",
        status="published",
        published_at=timezone.now(),
        created_by=province,
    )
    return {"valid": valid, "revoked": revoked, "tip": tip}


def solve_captcha(page):
    key = page.locator("input[name=captcha_0]").input_value()
    return CaptchaStore.objects.get(hashkey=key).response


def test_a_visitor_reads_the_platform_and_a_new_enterprise_is_verified(
    page, browser, live_server, platform, changsha_enterprise
):
    base = live_server.url
    valid, revoked = platform["valid"], platform["revoked"]

    # A visitor: the designated units, the certificate check, a tip, the guide.
    page.goto(f"{base}/public/")
    page.click("main a[href='/public/designations/']")
    expect(page.locator("main")).to_contain_text(valid.name)
    page.goto(f"{base}/public/verify/{valid.certificate_number}/")
    expect(page.locator("main")).to_contain_text("有效")
    page.goto(f"{base}/public/verify/{revoked.certificate_number}/")
    expect(page.locator("main")).to_contain_text("已撤销")
    page.goto(f"{base}/public/tips/")
    page.click(f"a[href='/public/tips/{platform['tip'].pk}/']")
    expect(page.locator("main")).to_contain_text("涉密载体交接")
    page.goto(f"{base}/public/guide/")
    expect(page.locator("main")).to_contain_text("12315")
    expect(page.locator("main")).to_contain_text("劳动仲裁")

    # A new enterprise registers with its credit code.
    page.goto(f"{base}/accounts/register/")
    page.fill("#id_uscc", changsha_enterprise.uscc)
    page.fill("#id_enterprise_name", changsha_enterprise.name)
    page.fill("#id_contact_person", "周经理")
    page.fill("#id_phone", "13807310001")
    page.fill("#id_username", "luguchip")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.fill("input[name=captcha_1]", solve_captcha(page))
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("审核")
    claim = EnterpriseClaim.objects.get(user__username="luguchip")
    assert claim.enterprise == changsha_enterprise and claim.status == "pending"
    assert not Enterprise.objects.restrict(claim.user).exists()

    # officer_430100 verifies it.
    officer = browser.new_context().new_page()
    log_in(officer, base, "officer_430100")
    officer.click("nav.mainnav a[href='/accounts/claims/']")
    officer.click(f"a[href='/accounts/claims/{claim.pk}/']")
    officer.click(f"form[action='/accounts/claims/{claim.pk}/verify/'] button[type=submit]")
    expect(officer.locator(".message-success")).to_be_visible()

    # The enterprise logs in again and sees its record, and nothing of another enterprise.
    enterprise = browser.new_context().new_page()
    enterprise.goto(f"{base}/accounts/login/")
    enterprise.fill("#id_username", "luguchip")
    enterprise.fill("#id_password", NEW_PASSWORD)
    enterprise.click("main button[type=submit]")
    enterprise.click("nav.mainnav a[href='/enterprises/mine/']")
    expect(enterprise.locator("main")).to_contain_text(changsha_enterprise.name)
    other = DemonstrationApplication.objects.get(pk=revoked.pk).enterprise
    response = enterprise.goto(f"{base}/enterprises/{other.pk}/")
    assert response.status == 404
    assert re.search(r"岳阳洞庭", enterprise.content()) is None
