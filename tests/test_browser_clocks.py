"""The case clock on the complaint page, in a real browser and in Chinese: the 长沙 officer sees
a case paused for the rights holder's identification and extended with the head's approval,
records the heads' collective decision with its period and the uploaded minutes, and reads the
new due day and both extensions — who, when, which document — on the page and in its log."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from complaints import services
from complaints.models import ClockExtension, Complaint

from .test_browser_directory import PDF, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = dt.date


def test_an_officer_records_the_heads_collective_decision_on_the_page(
    page, live_server, tmp_path, changsha_officer, evidence_in_tmp
):
    complaint = services.create_complaint(
        Complaint(
            kind="complaint",
            channel="walk_in",
            prefecture_id="430100",
            county_id="430104",
            received_on=D(2026, 4, 27),
            complainant_name="长沙湘江新材料有限公司",
            respondent_name="长沙某某科技有限公司",
            secret_kind="formula",
            description="前工艺工程师离职后将配方带至被投诉公司。",
        ),
        changsha_officer,
    )
    complaint = services.transition(complaint, "accept", changsha_officer)
    case = services.transition(
        complaint,
        "file_case",
        changsha_officer,
        case_number="长市监立〔2026〕21号",
        on=D(2026, 5, 6),
    )
    pause = services.start_pause(
        case, changsha_officer, reason="identification", started_on=D(2026, 6, 1)
    )
    services.end_pause(pause, changsha_officer, ended_on=D(2026, 6, 20))
    services.extend(
        case,
        changsha_officer,
        limit_code="case_decision",
        approved_by="局长 王某",
        decided_on=D(2026, 8, 20),
        document_number="长市监延〔2026〕5号",
        reason="配方比对鉴定尚未完成。",
    )
    minutes = tmp_path / "局长办公会纪要.pdf"
    minutes.write_bytes(PDF)

    log_in(page, live_server.url, changsha_officer.username)
    page.goto(f"{live_server.url}/complaints/{case.pk}/")
    clocks = page.locator("#clocks")
    expect(clocks).to_contain_text("权利人辨认或者鉴别")
    expect(clocks).to_contain_text("2026-09-23")  # 6 May + 90 + 20 paused + 30 days
    clocks.locator("summary", has_text="延长时限").click()
    form = clocks.locator("form[action$='/extend/']")
    form.locator("[name=limit]").select_option("case_decision")
    form.locator("[name=kind]").select_option("collective")
    form.locator("[name=period]").fill("10")
    form.locator("[name=approved_by]").fill("局长办公会（王某、张某、刘某）")
    form.locator("[name=decided_on]").fill("2026-09-18")
    form.locator("[name=document]").set_input_files(str(minutes))
    form.locator("[name=reason]").fill("案情特别复杂，涉案人员在外地。")
    form.locator("button[type=submit]").click()

    # 23 September + 10 days is Saturday 3 October, in the National Day holiday: 8 October.
    expect(page.locator("#deadline")).to_contain_text("2026-10-08")
    rows = page.locator("#extensions tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("负责人批准")
    expect(rows.nth(0)).to_contain_text("长市监延〔2026〕5号")
    expect(rows.nth(1)).to_contain_text("负责人集体讨论决定")
    expect(rows.nth(1)).to_contain_text("+10")
    expect(rows.nth(1)).to_contain_text("局长办公会（王某、张某、刘某）")
    expect(rows.nth(1)).to_contain_text("2026-09-18")
    expect(rows.nth(1).locator("a")).to_have_text("局长办公会纪要.pdf")
    expect(page.locator("body")).to_contain_text("经负责人集体讨论决定延期")  # the log
    collective = ClockExtension.objects.get(complaint=case, kind="collective")
    assert collective.document.original_name == "局长办公会纪要.pdf"
