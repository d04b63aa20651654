"""The 长沙 officer's day in the directory, in a real browser; the province acknowledges."""

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from enterprises.columns import COLUMNS
from enterprises.models import DirectorySubmission, Enterprise

from .conftest import PASSWORD, make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("工作台")


def spreadsheet(path, rows):
    headers = [column.header for column in COLUMNS if column.parse is not None]
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header, "") for header in headers])
    book.save(path)
    return path


def test_an_officer_files_imports_exports_and_submits(
    page, live_server, tmp_path, regions, changsha_officer, province
):
    base = live_server.url
    log_in(page, base, "officer_430100")

    # File a record; the form rejects a wrong credit code, the officer fixes it.
    good = make_uscc("430104", "MA4L5B6C7")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    page.click("nav.mainnav a[href='/enterprises/']")
    page.click("a[href='/enterprises/new/']")
    page.fill("#id_uscc", wrong)
    page.fill("#id_name", "长沙三一重工配套有限公司")
    page.select_option("#id_county", "430104")
    page.select_option("#id_industry_division", "35")
    page.click("form.form-grid button[type=submit]")
    expect(page.locator(".field.has-error .error")).to_contain_text("校验")
    page.fill("#id_uscc", good)
    page.click("form.form-grid button[type=submit]")
    expect(page.locator("h1")).to_have_text("长沙三一重工配套有限公司")
    expect(page.locator(".message-success")).to_be_visible()

    # Upload a document to the dossier.
    pdf = tmp_path / "保密制度.pdf"
    pdf.write_bytes(PDF)
    page.fill("#dossier #id_title", "保密管理制度")
    page.set_input_files("#dossier input[type=file]", str(pdf))
    page.click("#dossier button[type=submit]")
    expect(page.locator("#dossier table")).to_contain_text("保密管理制度")

    # Import a spreadsheet with two bad rows: both are shown, nothing is written.
    rows = [
        {
            "统一社会信用代码": make_uscc("430102", "MA4L6D7E8"),
            "企业名称": "长沙湘绣传承有限公司",
            "县市区": "芙蓉区",
        },
        {
            "统一社会信用代码": "91430102MA4L6D7E80",
            "企业名称": "长沙错误代码有限公司",
            "县市区": "芙蓉区",
        },
        {
            "统一社会信用代码": make_uscc("430603", "MA4L6F7G8"),
            "企业名称": "长沙错县企业有限公司",
            "县市区": "岳阳楼区",
        },
    ]
    page.click("nav.mainnav a[href='/enterprises/']")
    page.click(".page-actions a[href='/enterprises/import/']")
    page.set_input_files("input[type=file]", str(spreadsheet(tmp_path / "bad.xlsx", rows)))
    page.click("main form button[type=submit]")
    errors = page.locator("table.import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("3")
    expect(errors.nth(1)).to_contain_text("4")
    assert not Enterprise.objects.filter(name="长沙湘绣传承有限公司").exists()

    rows[1]["统一社会信用代码"] = make_uscc("430102", "MA4L6H7J8")
    rows[2]["县市区"] = "天心区"
    page.click("main a.button.primary[href='/enterprises/import/']")
    page.set_input_files("input[type=file]", str(spreadsheet(tmp_path / "good.xlsx", rows)))
    page.click("main form button[type=submit]")
    page.click("form[action$='/confirm/'] button[type=submit]")
    expect(page.locator(".message-success")).to_contain_text("3")
    assert Enterprise.objects.filter(prefecture_id="430100").count() == 4

    # Export the filtered list.
    page.fill("#id_q", "长沙")
    page.press("#id_q", "Enter")
    with page.expect_download() as download:
        page.click("a[href^='/enterprises/export/xlsx/']")
    assert download.value.suggested_filename.endswith(".xlsx")

    # Submit the period's changes; the province acknowledges them.
    page.click("nav.mainnav a[href='/enterprises/submissions/']")
    expect(page.locator("main table").first).to_contain_text("长沙湘绣传承有限公司")
    page.fill("#id_note", "11月名录更新")
    page.click("form[action*='/submissions/submit/'] button[type=submit]")
    expect(page.locator(".message-success")).to_be_visible()
    submission = DirectorySubmission.objects.get()
    assert submission.added_count == 4

    page.click("header form.inline button")  # log out
    log_in(page, base, "province")
    page.click("nav.mainnav a[href='/enterprises/submissions/']")
    page.click("main table >> text=长沙市")
    page.click("form[action$='/acknowledge/'] button[type=submit]")
    expect(page.locator(".page-head .badge")).to_have_class("badge badge-ok")
