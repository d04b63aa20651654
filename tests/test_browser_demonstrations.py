"""A demonstration application from draft to the public list, in a real browser.

An enterprise of 长沙市 drafts and submits; the 长沙 officer recommends; the province assigns
three experts (one with a conflict of interest is refused); expert1 sees only this application
and scores it; the province approves and designates; the certificate opens with its Chinese text;
the unit appears on the public list.
"""

import datetime as dt
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from demonstrations import services
from demonstrations.models import Batch, DemonstrationApplication, ExpertAssignment
from tsprotect.accounts.models import ExpertProfile, Role

from .conftest import make_enterprise, make_user
from .test_browser_directory import PDF, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expert_with(username, employer, employer_uscc=""):
    user = make_user(username, Role.EXPERT, display_name=username)
    ExpertProfile.objects.create(
        user=user, employer=employer, employer_uscc=employer_uscc, fields=["law"]
    )
    return user


@pytest.fixture
def pipeline(regions, changsha_enterprise, enterprise_user, changsha_officer, province):
    today = timezone.localdate()
    for track in ("provincial_enterprise", "ftz_enterprise"):
        Batch.objects.create(
            track=track,
            year=today.year,
            name=f"{today.year}年第一批",
            opens_on=today - dt.timedelta(days=5),
            submission_deadline=today + dt.timedelta(days=20),
            recommendation_deadline=today + dt.timedelta(days=30),
        )
    experts = {
        "expert1": expert_with("expert1", "中南大学法学院"),
        "expert2": expert_with("expert2", "湖南省知识产权保护中心"),
        "expert3": expert_with("expert3", "湖南机械工业设计研究院"),
        "insider": expert_with("insider", changsha_enterprise.name, changsha_enterprise.uscc),
    }
    # Another prefecture's application under review, which expert1 must never see.
    yueyang = make_enterprise("430603", "MA4M1A2B3", "岳阳洞庭石化新材料有限公司")
    DemonstrationApplication.objects.create(
        track="provincial_enterprise",
        batch=Batch.objects.get(track="provincial_enterprise"),
        state="under_review",
        name=yueyang.name,
        enterprise=yueyang,
        prefecture_id="430600",
        rules_system="制度",
        organisation="机构",
        measures="措施",
        contact_person="李",
        contact_phone="0730-1",
        created_by=province,
    )
    return experts


def new_page(browser, base, username):
    page = browser.new_context().new_page()
    log_in(page, base, username)
    return page


def act(page, action, note=""):
    form = page.locator(f"form[action$='/act/{action}/']").first
    if note:
        form.locator("textarea").fill(note)
    form.locator("button[type=submit]").click()


def test_an_application_goes_from_draft_to_the_public_list(
    page, browser, live_server, tmp_path, pipeline
):
    base = live_server.url

    # The enterprise drafts its application, attaches its rules and submits.
    log_in(page, base, "enterprise1")
    page.click("nav.mainnav a[href='/demonstrations/']")
    page.click("a[href='/demonstrations/new/']")
    page.click("a[href='/demonstrations/new/provincial_enterprise/']")
    page.select_option("#id_enterprise", label="长沙麓谷芯片科技有限公司")
    page.fill("#id_rules_system", "《商业秘密管理办法》《涉密人员管理规定》")
    page.fill("#id_organisation", "总经理任组长的保密领导小组")
    page.fill("#id_measures", "分级授权、保密协议、竞业限制、门禁和离职交接")
    page.fill("#id_contact_person", "周经理")
    page.fill("#id_contact_phone", "0731-88886666")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("长沙麓谷芯片科技有限公司")
    pdf = tmp_path / "保密制度汇编.pdf"
    pdf.write_bytes(PDF)
    page.fill("#attachments #id_title", "商业秘密保护制度汇编")
    page.set_input_files("#attachments input[type=file]", str(pdf))
    page.click("#attachments button[type=submit]")
    expect(page.locator("#attachments table")).to_contain_text("商业秘密保护制度汇编")
    application = DemonstrationApplication.objects.get(enterprise__name="长沙麓谷芯片科技有限公司")
    detail = f"{base}/demonstrations/{application.pk}/"

    # Two tabs: the first submits, the second is told and changes nothing.
    second_tab = page.context.new_page()
    second_tab.goto(detail)
    act(page, "submit")
    expect(page.locator(".badge.state-submitted")).to_be_visible()
    act(second_tab, "submit")
    expect(second_tab.locator(".message-error")).to_contain_text("已")
    assert application.events.filter(action="submit").count() == 1

    # The 长沙 officer recommends it.
    officer = new_page(browser, base, "officer_430100")
    officer.goto(detail)
    act(officer, "recommend", "芯片设计企业，核心技术人员流动较大。")
    expect(officer.locator(".badge.state-recommended")).to_be_visible()

    # The province assigns experts: the one working for the applicant is refused.
    province = new_page(browser, base, "province")
    province.goto(detail)
    province.click(f"a[href='/demonstrations/{application.pk}/experts/']")
    for name in ("expert1", "expert2", "insider"):
        province.check(f"input[name=experts][value='{pipeline[name].pk}']")
    province.click("main form button[type=submit]")
    expect(province.locator(".has-error .error")).to_contain_text("insider")
    assert not ExpertAssignment.objects.filter(application=application).exists()
    province.uncheck(f"input[name=experts][value='{pipeline['insider'].pk}']")
    province.check(f"input[name=experts][value='{pipeline['expert3'].pk}']")
    province.click("main form button[type=submit]")
    expect(province.locator(".badge.state-under_review")).to_be_visible()

    # expert1 sees this application only, and scores it; a score over the rubric is refused.
    expert = new_page(browser, base, "expert1")
    expert.goto(f"{base}/demonstrations/")
    expect(expert.locator("table tbody tr")).to_have_count(1)
    expect(expert.locator("table tbody")).to_contain_text("长沙麓谷芯片科技有限公司")
    expert.click(f"a[href='/demonstrations/{application.pk}/review/']")
    for field, value in (("rules", "30"), ("organisation", "16"), ("measures", "25")):
        expert.fill(f"#id_{field}", value)
    expert.fill("#id_effect", "20")
    expert.fill("#id_comment", "制度完整，措施到位。")
    expert.click("main form button[type=submit]")
    expect(expert.locator(".field.has-error")).to_have_count(1)
    expert.fill("#id_rules", "22")
    expert.click("main form button[type=submit]")
    expect(expert.locator(".message-success")).to_be_visible()
    for name, points in (("expert2", "18"), ("expert3", "20")):
        assignment = ExpertAssignment.objects.get(application=application, expert=pipeline[name])
        scores = {"rules": points, "organisation": "15", "measures": "24", "effect": "20"}
        services.submit_review(assignment, pipeline[name], scores, "同意。")

    # The province decides beside the scores, approves and designates.
    province.goto(f"{detail}decision/")
    expect(province.locator("table")).to_contain_text("22")
    act(province, "approve", "专家评审通过。")
    expect(province.locator(".badge.state-approved")).to_be_visible()
    act(province, "designate")
    expect(province.locator(".badge.state-designated")).to_be_visible()
    application.refresh_from_db()
    assert application.certificate_number.startswith("HNSM-")

    # The certificate is a PDF whose text holds the Chinese name and title.
    response = province.request.get(f"{detail}certificate.pdf")
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "长沙麓谷芯片科技有限公司" in text
    assert "省级商业秘密保护示范企业" in text

    # Anyone finds the unit on the public list and checks the certificate number.
    public = browser.new_context().new_page()
    public.goto(f"{base}/public/designations/")
    expect(public.locator("table")).to_contain_text("长沙麓谷芯片科技有限公司")
    public.click(f"a[href='/public/verify/{application.certificate_number}/']")
    expect(public.locator(".badge.status-valid")).to_be_visible()


@pytest.fixture
def ftz_pilot(regions, changsha_enterprise, enterprise_user, changsha_officer, province):
    """The 长沙 enterprise's FTZ application, approved for its pilot by the province."""
    changsha_enterprise.ftz_area_id = "changsha"
    changsha_enterprise.save()
    today = timezone.localdate()
    batch = Batch.objects.create(
        track="ftz_enterprise",
        year=today.year,
        name=f"{today.year}年自贸试验区第一批",
        opens_on=today - dt.timedelta(days=60),
        submission_deadline=today + dt.timedelta(days=20),
        recommendation_deadline=today + dt.timedelta(days=30),
    )
    return DemonstrationApplication.objects.create(
        track="ftz_enterprise",
        batch=batch,
        state="pilot",
        name=changsha_enterprise.name,
        enterprise=changsha_enterprise,
        prefecture_id="430100",
        county_id=changsha_enterprise.county_id,
        ftz_area_id="changsha",
        ftz_selection="special_project",
        rules_system="《商业秘密管理办法》",
        organisation="保密领导小组",
        measures="分级授权、保密协议",
        contact_person="周经理",
        contact_phone="0731-88886666",
        created_by=enterprise_user,
        decided_at=timezone.now() - dt.timedelta(days=90),
    )


def record_acceptance(page, result, measures, conclusion, rectification=""):
    page.click("a[href$='/acceptance/']")
    expect(page.locator("#id_party_0_organisation")).to_have_value("湖南省市场监督管理局价监竞争局")
    page.fill("#id_party_0_names", "王科长")
    page.fill("#id_party_2_organisation", "湖南省知识产权保护中心")
    page.fill("#id_party_2_names", "钱研究员")
    page.fill("#id_party_3_organisation", "中国（湖南）自由贸易试验区长沙片区管理委员会")
    page.fill("#id_party_4_organisation", "湖南大学法学院")
    page.fill("#id_party_4_names", "李教授")
    for key in ("rules", "organisation", "effect"):
        page.select_option(f"#id_finding_{key}", "met")
    page.select_option("#id_finding_measures", measures)
    page.check(f"input[name=result][value={result}]")
    page.fill("#id_conclusion", conclusion)
    if rectification:
        page.fill("#id_rectification", rectification)
    page.click("main form button[type=submit]")


def test_an_ftz_pilot_is_rectified_passes_its_acceptance_and_is_designated(
    page, browser, live_server, tmp_path, ftz_pilot
):
    base = live_server.url
    detail = f"{base}/demonstrations/{ftz_pilot.pk}/"

    # The 长沙 officer records the guidance given during the pilot.
    officer = new_page(browser, base, "officer_430100")
    officer.goto(detail)
    officer.select_option("#pilot #id_kind", "guidance")
    officer.fill("#pilot #id_summary", "指导企业建立涉密图纸分级标识制度。")
    officer.click("#pilot button[type=submit]")
    expect(officer.locator("#pilot .timeline")).to_contain_text(
        "指导企业建立涉密图纸分级标识制度。"
    )

    # The province starts the evaluation: no designation is offered before a passing one.
    log_in(page, base, "province")
    page.goto(detail)
    act(page, "start_acceptance", "试点期满，组织多方评估验收。")
    expect(page.locator(".badge.state-acceptance")).to_be_visible()
    expect(page.locator("form[action$='/act/designate/']")).to_have_count(0)

    # First evaluation: rectify, with the minutes attached.
    record_acceptance(
        page,
        "rectify",
        "partly",
        "制度体系基本建立，研发图纸分级管理尚未落实。",
        "一个月内完成研发图纸密级标识，整改后复验。",
    )
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator(".badge.state-pilot")).to_be_visible()
    expect(page.locator("#acceptance")).to_contain_text("一个月内完成研发图纸密级标识")
    minutes = tmp_path / "验收意见.pdf"
    minutes.write_bytes(PDF)
    first = ftz_pilot.acceptance_evaluations.get()
    page.fill(f"#id_evaluation-{first.pk}-title", "第一次验收意见书")
    page.set_input_files(f"#id_evaluation-{first.pk}-file", str(minutes))
    page.click(f"#evaluation-{first.pk} form[enctype] button[type=submit]")
    expect(page.locator("#acceptance")).to_contain_text("第一次验收意见书")
    expect(page.locator("form[action$='/act/designate/']")).to_have_count(0)

    # The enterprise reads what to rectify; the officer records its progress.
    enterprise = new_page(browser, base, "enterprise1")
    enterprise.goto(detail)
    expect(enterprise.locator("#acceptance")).to_contain_text("整改后复验")
    officer.goto(detail)
    officer.select_option("#pilot #id_kind", "progress")
    officer.fill("#pilot #id_summary", "研发图纸已全部标注密级，借阅审批上线。")
    officer.click("#pilot button[type=submit]")
    expect(officer.locator("#pilot .timeline li")).to_have_count(2)

    # Second evaluation: pass; then the designation.
    page.goto(detail)
    act(page, "start_acceptance", "整改完成，组织复验。")
    record_acceptance(page, "pass", "met", "整改到位，同意通过验收。")
    expect(page.locator(".badge.state-acceptance")).to_be_visible()
    expect(page.locator("#acceptance article")).to_have_count(2)
    act(page, "designate", "多方评估验收合格。")
    expect(page.locator(".badge.state-designated")).to_be_visible()
    ftz_pilot.refresh_from_db()
    assert ftz_pilot.certificate_number.startswith("HNSM-") and "-FTZ-" in (
        ftz_pilot.certificate_number
    )
    assert list(
        ftz_pilot.acceptance_evaluations.values_list("result", flat=True).order_by("pk")
    ) == ["rectify", "pass"]
