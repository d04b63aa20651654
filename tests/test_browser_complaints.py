"""A trade secret complaint from the enterprise's online form to its closing, in a real browser.

enterprise1 (an enterprise of 长沙市) files a complaint with an evidence PDF; the 长沙 officer
finds it in the queue with its deadline, accepts it, logs an investigation step, transfers it to
public security, records the feedback and closes it; the enterprise sees the status and the
feedback and no internal note; the 岳阳 officer cannot reach it by list, search, id or evidence URL.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint, EvidenceAccess

from .test_browser_directory import PDF, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INTERNAL_NOTE = "内部研判：涉案图纸与权利人图纸高度一致"
STEP_ACTIONS = "赴被投诉单位现场检查，调取研发服务器访问日志"
FEEDBACK = "经核查，案件已于今日移送长沙市公安局，请保持联系方式畅通。"


def new_page(browser, base, username):
    page = browser.new_context().new_page()
    log_in(page, base, username)
    return page


def act(page, action, fields=None, note=""):
    """Fill and send the form of one step of the lifecycle on the complaint page."""
    form = page.locator(f"form[action$='/act/{action}/']")
    for name, value in (fields or {}).items():
        control = form.locator(f"[name='{action}-{name}']")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    if note:
        form.locator(f"[name='{action}-note']").fill(note)
    form.locator("button[type=submit]").click()


def test_a_complaint_goes_from_the_online_form_to_its_closing(
    page,
    browser,
    live_server,
    tmp_path,
    changsha_enterprise,
    enterprise_user,
    changsha_officer,
    yueyang_officer,
):
    base = live_server.url

    # The enterprise files its complaint online, with an evidence PDF.
    log_in(page, base, "enterprise1")
    page.click("nav.mainnav a[href='/complaints/']")
    page.click("a[href='/complaints/file/']")
    page.fill("#id_complainant_contact", "周经理 0731-88886666")
    page.fill("#id_respondent_name", "长沙某芯科技有限公司")
    page.fill("#id_respondent_individuals", "王某，原研发部经理，2026年8月离职后入职被投诉单位")
    page.select_option("#id_secret_kind", "technical")
    page.check("input[name=conduct][value=job_hopping]")
    page.check("input[name=conduct][value=breach_of_confidence]")
    page.fill("#id_estimated_loss", "800000")
    page.fill(
        "#id_description", "原研发部经理离职时拷贝芯片版图设计文件，被投诉单位随后推出相同产品。"
    )
    evidence = tmp_path / "版图比对报告.pdf"
    evidence.write_bytes(PDF)
    page.set_input_files("input[type=file][name=evidence]", str(evidence))
    page.click("main form button[type=submit]")
    complaint = Complaint.objects.get()
    expect(page.locator("h1")).to_contain_text(complaint.reference)
    assert complaint.channel == "online" and complaint.prefecture_id == "430100"
    assert complaint.evidence.count() == 1
    detail = f"{base}/complaints/{complaint.pk}/"

    # The 长沙 officer sees it in the queue with its acceptance deadline and the loss flag.
    officer = new_page(browser, base, "officer_430100")
    officer.click("nav.mainnav a[href='/complaints/']")
    row = officer.locator("tbody tr", has_text=complaint.reference)
    expect(row).to_contain_text(complaint.accept_deadline.strftime("%Y-%m-%d"))
    row.locator(f"a[href='/complaints/{complaint.pk}/']").click()
    expect(officer.locator(".transfer-candidate")).to_be_visible()

    # Accepts it (with an internal note), and logs an investigation step.
    act(officer, "accept", note=INTERNAL_NOTE)
    expect(officer.locator(".badge.state-accepted")).to_be_visible()
    officer.locator("#investigation summary").click()
    officer.select_option("#investigation select[name=kind]", "inspection")
    officer.fill("#investigation textarea[name=actions]", STEP_ACTIONS)
    officer.fill(
        "#investigation textarea[name=findings]", "服务器日志显示离职前三日批量下载版图文件"
    )
    officer.locator("#investigation form button[type=submit]").click()
    expect(officer.locator("#investigation")).to_contain_text(STEP_ACTIONS)

    # The evidence opens for the officer, and the opening is logged on the page.
    file = complaint.evidence.get()
    with officer.expect_download() as download:
        officer.locator(f"a[href='/complaints/evidence/{file.pk}/']").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    officer.reload()
    expect(officer.locator("#evidence-log")).to_contain_text("officer_430100")
    assert EvidenceAccess.objects.filter(evidence=file, user=changsha_officer).count() == 1

    # Transfer to public security: proposed, approved, sent.
    act(
        officer,
        "propose_transfer",
        {"receiving_unit": "长沙市公安局经济犯罪侦查支队"},
        note="估计损失80万元，达到刑事立案追诉标准",
    )
    expect(officer.locator(".badge.state-transfer_proposed")).to_be_visible()
    act(officer, "approve_transfer", {"approved_by": "局长 李某"})
    expect(officer.locator(".badge.state-transfer_approved")).to_be_visible()
    act(officer, "send_transfer")
    expect(officer.locator(".badge.state-transferred")).to_be_visible()

    # Closing before the feedback is refused with a clear message; then feedback, then closed.
    act(officer, "close")
    expect(officer.locator(".message-error")).to_contain_text("反馈")
    expect(officer.locator(".badge.state-transferred")).to_be_visible()
    act(officer, "feedback", {"method": "phone"}, note=FEEDBACK)
    # Not closed while the police have not answered: their decision is recorded first, and
    # the transfer is listed with it.
    act(officer, "close")
    expect(officer.locator(".message-error")).to_contain_text("公安机关尚未答复")
    act(
        officer,
        "police_decision",
        {
            "police_decision": "filed",
            "on": dt.date.today().isoformat(),
            "document_number": "长公经立字〔2026〕9号",
        },
    )
    expect(officer.locator("#police-answer")).to_contain_text("公安机关已立案")
    officer.goto(f"{base}/complaints/transfers/")
    row = officer.locator("#transfers tbody tr", has_text=complaint.reference)
    expect(row).to_contain_text("长公经立字〔2026〕9号")
    expect(row).to_contain_text("按时")
    officer.goto(detail)
    act(officer, "close")
    expect(officer.locator(".badge.state-closed")).to_be_visible()
    complaint.refresh_from_db()
    assert complaint.state == "closed" and complaint.next_deadline is None

    # The enterprise sees the status and the feedback, and nothing internal.
    page.goto(detail)
    expect(page.locator("#status")).to_contain_text("已办结")
    expect(page.locator("#feedback")).to_contain_text(FEEDBACK)
    content = page.content()
    for internal in (INTERNAL_NOTE, STEP_ACTIONS, "局长 李某", "officer_430100"):
        assert internal not in content

    # The 岳阳 officer finds it by no list, search, id or evidence URL.
    other = new_page(browser, base, "officer_430600")
    other.goto(f"{base}/complaints/")
    expect(other.locator("main")).not_to_contain_text(complaint.reference)
    other.goto(f"{base}/complaints/?q={complaint.reference}")
    expect(other.locator("main")).not_to_contain_text(complaint.reference)
    for url in (detail, f"{base}/complaints/evidence/{file.pk}/"):
        response = other.goto(url)
        assert response.status == 404, url
    assert not EvidenceAccess.objects.filter(user=yueyang_officer).exists()
