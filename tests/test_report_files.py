"""The report's files as the bureau receives them: the PDF (A4, the bureau's header, Chinese fonts
embedded, tables, charts, page numbers, the draft mark) and the XLSX (a cover sheet and one
sheet per section, figures as numbers, no cell Excel would evaluate).

Reports are built from real rows through ``services.build_now``, which renders both files. The
PDF is read back with a PDF text extractor, as a reader's search would find it. Titles and labels
are compared with their Chinese translation whatever the catalogue holds, as the files are always
rendered in Chinese.
"""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from assessments import services as assessment_services
from assessments.models import ChecklistAnswer, ChecklistSubmission
from complaints import services as complaint_services
from complaints.models import Complaint
from enterprises.models import Enterprise
from tsprotect.reports import charts, figures, rendering, services
from tsprotect.reports.models import Report

from .conftest import make_enterprise

pytestmark = pytest.mark.django_db

Q3 = "2026-Q3"
CHANGSHA = "430100"
# A checklist item that Excel would run as a formula if written as it is.
FORMULA_ITEM = '=HYPERLINK("http://evil.example/","点击查看")'
A4 = (595, 842)  # points, portrait


def at(day: dt.date, hour=10):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def filed(county, organisation, name, day):
    enterprise = make_enterprise(county, organisation, name)
    Enterprise.objects.filter(pk=enterprise.pk).update(created_at=at(day))
    return enterprise


@pytest.fixture
def quarter(regions, changsha_officer):
    """长沙市 at the end of 2026-Q3: 7 enterprises in the directory, 5 of them filed in the
    quarter; 2 complaints and 1 report received in it; a checklist submitted in it that failed
    the formula-looking item. 岳阳市: 1 enterprise, filed in the quarter."""
    changsha = [
        filed("430104", "MA4L0A1B2", "长沙麓谷芯片科技有限公司", dt.date(2026, 3, 2)),
        filed("430121", "MA4L0E5F6", "长沙星沙重工机械有限公司", dt.date(2026, 5, 20)),
        filed("430104", "MA4L0C3D4", "长沙岳麓新材料有限公司", dt.date(2026, 7, 1)),
        filed("430102", "MA4L0G7H8", "长沙芙蓉生物医药有限公司", dt.date(2026, 7, 28)),
        filed("430105", "MA4L0J9K1", "长沙开福智能装备有限公司", dt.date(2026, 8, 16)),
        filed("430111", "MA4L0L2M3", "长沙雨花软件有限公司", dt.date(2026, 9, 9)),
        filed("430104", "MA4L0N4P5", "长沙岳麓山数据服务有限公司", dt.date(2026, 9, 30)),
    ]
    filed("430603", "MA4M1A2B3", "岳阳洞庭石化新材料有限公司", dt.date(2026, 8, 3))
    filed("430111", "MA4L0Q6R7", "长沙十月新设企业有限公司", dt.date(2026, 10, 2))  # after Q3

    for kind, day in [
        ("complaint", dt.date(2026, 7, 9)),
        ("complaint", dt.date(2026, 8, 21)),
        ("report", dt.date(2026, 9, 12)),
    ]:
        complaint_services.create_complaint(
            Complaint(
                kind=kind,
                channel="12315",
                prefecture_id=CHANGSHA,
                county_id="430104",
                received_on=day,
                respondent_name="长沙某某科技有限公司",
                secret_kind="technical",
                description="前技术总监离职后带走图纸。",
                anonymous=kind == "report",
                complainant_enterprise=changsha[0] if kind == "complaint" else None,
            ),
            changsha_officer,
        )

    template = assessment_services.current_template() or (
        assessment_services.load_default_template()
    )
    item = template.items.first()
    type(item).objects.filter(pk=item.pk).update(text=FORMULA_ITEM)
    submission = ChecklistSubmission.objects.create(
        enterprise=changsha[2],
        prefecture_id=CHANGSHA,
        county_id="430104",
        template=template,
        status="submitted",
        on_behalf=True,
        started_by=changsha_officer,
        submitted_at=at(dt.date(2026, 8, 20)),
        score=60,
        risk_points=40,
        tier="medium",
    )
    ChecklistAnswer.objects.create(submission=submission, item=item, answer="no")


def build(code) -> Report:
    build = services.build_now(Q3, code)
    assert build.status == "done", build.error
    return Report.objects.get(pk=build.report_id)


def pdf_of(report) -> PdfReader:
    with report.pdf.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def text_of(pdf: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in pdf.pages)


def squeezed(text: str) -> str:
    """The text without white space: where a line wrapped or letters were spaced is no
    matter."""
    return re.sub(r"\s+", "", text)


def chinese(message) -> str:
    with translation.override("zh-hans"):
        return str(message)


def chinese_gettext(msgid) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def chinese_pgettext(context, msgid) -> str:
    with translation.override("zh-hans"):
        return translation.pgettext(context, msgid)


def row_in(text: str, label: str, numbers) -> bool:
    """Whether ``label`` stands in the text followed, on its line, by exactly ``numbers``: a
    row of a table as the extractor gives it."""
    pattern = re.escape(label) + r"\s+" + r"\s+".join(re.escape(f"{n:,}") for n in numbers)
    return re.search(pattern + r"(?:\s|$)", text) is not None


def column_figure_in(text: str, column_label: str, number) -> bool:
    """A one-row table is laid out down the page: the column's name, then its figure."""
    return re.search(re.escape(column_label) + r"\s*" + re.escape(f"{number:,}") + r"\b", text)


# -- the PDF -----------------------------------------------------------------------------------


def test_it_renders_the_prefectures_report_with_its_place_sections_and_figures(quarter):
    report = build(CHANGSHA)
    pdf = pdf_of(report)
    text = text_of(pdf)
    flat = squeezed(text)

    assert "长沙市" in text
    assert "2026年第三季度" in text
    for section in report.figures["sections"]:
        assert squeezed(chinese(figures.section_title(section["key"]))) in flat
    # The directory at the quarter's end: 7, of which 5 filed in it (not the one of October).
    assert row_in(text, "长沙市", [7, 5, 0, 0])
    assert squeezed(chinese(figures.TABLES[("directory", "summary")])) in flat
    # The complaints summary of one prefecture, down the page: received 3, complaints 2.
    assert column_figure_in(text, chinese(figures.COLUMNS["received"]), 3)
    assert column_figure_in(text, chinese(figures.COLUMNS["complaints"]), 2)
    assert column_figure_in(text, chinese(figures.COLUMNS["reports"]), 1)
    # The county table, with its total row.
    assert row_in(text, "岳麓区", [3, 2])
    assert row_in(text, chinese_pgettext("report table", "Total"), [7, 5])


def test_each_page_is_a4_with_the_bureaus_header_and_its_number(quarter):
    pdf = pdf_of(build(CHANGSHA))
    pages = len(pdf.pages)

    assert pages > 1
    for number, page in enumerate(pdf.pages, start=1):
        box = page.mediabox
        assert sorted((round(box.width), round(box.height))) == sorted(A4)
        flat = squeezed(page.extract_text())
        assert "湖南省市场监督管理局" in flat
        assert f"第{number}页共{pages}页" in flat


def test_the_chinese_fonts_are_embedded(quarter):
    pdf = pdf_of(build(CHANGSHA))
    embedded = set()
    for page in pdf.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor and any(
                    key in descriptor.get_object()
                    for key in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    embedded.add(str(descendant.get_object()["/BaseFont"]))
    assert any("CJK" in name or "WenQuanYi" in name for name in embedded), embedded


def test_the_narrative_is_printed_as_typed_line_breaks_and_markup_included(
    quarter, changsha_officer
):
    report = build(CHANGSHA)
    services.save_narrative(
        report,
        changsha_officer,
        work_done="走访重点企业 12 家。\n举办培训 3 场。",
        problems="<b>部分企业</b>制度不健全 & 档案缺失。",
        next_steps="",
    )
    report.refresh_from_db()
    services.report_file(report, "pdf")
    text = text_of(pdf_of(report))

    lines = [line.strip() for line in text.splitlines()]
    assert "走访重点企业 12 家。" in lines
    assert "举办培训 3 场。" in lines
    assert "<b>部分企业</b>制度不健全 & 档案缺失。" in text


def test_a_draft_carries_the_draft_mark_and_the_submitted_report_does_not(
    quarter, changsha_officer
):
    mark = squeezed(chinese_gettext("Draft"))
    report = build(CHANGSHA)
    assert mark in squeezed(text_of(pdf_of(report)))

    report = services.submit(report, changsha_officer, work_done="走访重点企业 12 家。")
    services.report_file(report, "pdf")
    text = squeezed(text_of(pdf_of(report)))

    assert mark not in text
    assert squeezed(chinese(Report.Status.SUBMITTED.label)) in text


def test_the_consolidation_sets_the_fourteen_prefectures_side_by_side(quarter):
    report = build(None)
    pdf = pdf_of(report)
    text = text_of(pdf)
    flat = squeezed(text)

    assert "湖南省" in text
    assert len(pdf.pages) > 2
    for name in ("长沙市", "岳阳市", "湘西土家族苗族自治州"):
        assert name in text
    # Directory: 长沙市 7 (5 filed in Q3), 岳阳市 1 (1), and the province's total.
    assert row_in(text, "长沙市", [7, 5, 0, 0])
    assert row_in(text, "岳阳市", [1, 1, 0, 0])
    assert row_in(text, chinese_pgettext("report table", "Total"), [8, 6, 0, 0])
    # The complaints table of 14 rows by 12 columns gets a landscape page, and all its rows fit.
    title = squeezed(chinese(figures.TABLES[("complaints", "summary")]))
    landscape = [
        squeezed(page.extract_text())
        for page in pdf.pages
        if page.mediabox.width > page.mediabox.height
    ]
    assert [page for page in landscape if title in page and "湘西土家族苗族自治州" in page]
    assert squeezed(chinese(figures.section_title("complaints"))) in flat


# -- the charts --------------------------------------------------------------------------------


def document_table(report, section, table):
    with translation.override("zh-hans"):
        doc = rendering.document(report)
    for s in doc["sections"]:
        if s["key"] == section:
            return next(t for t in s["tables"] if t["key"] == table)
    raise AssertionError(f"no {section}/{table}")


def test_charts_are_svg_with_the_rows_labels_in_chinese(quarter):
    report = build(None)
    table = document_table(report, "directory", "summary")
    assert table["chart"] == "bar"

    markup = charts.svg(table)

    assert markup.lstrip().startswith("<?xml") and "<svg" in markup
    assert "长沙市" in markup and "岳阳市" in markup
    assert "Noto Sans CJK SC" in markup or "WenQuanYi" in markup


def test_a_pie_shows_the_rows_that_have_any_and_nothing_is_drawn_for_all_zeros(quarter):
    report = build(CHANGSHA)
    tiers = document_table(report, "assessments", "tiers")

    markup = charts.svg(tiers, width_mm=80)
    shown = [row["label"] for row in tiers["rows"] if row["cells"][0]["value"]]
    hidden = [row["label"] for row in tiers["rows"] if not row["cells"][0]["value"]]
    assert shown and all(charts._short(label) in markup for label in shown)
    assert all(charts._short(label) not in markup for label in hidden)

    empty = {
        **tiers,
        "rows": [{**row, "cells": [{"value": 0}, {"value": None}]} for row in tiers["rows"]],
    }
    assert charts.svg(empty) == ""


# -- the XLSX ----------------------------------------------------------------------------------


def workbook_of(report):
    with report.xlsx.open("rb") as handle:
        return load_workbook(io.BytesIO(handle.read()))


def rows_of(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_workbook_has_a_cover_and_one_sheet_per_section_with_numbers(quarter):
    report = build(CHANGSHA)
    book = workbook_of(report)

    titles = [chinese(figures.section_title(s["key"]))[:31] for s in report.figures["sections"]]
    assert book.sheetnames[1:] == titles
    cover = rows_of(book.worksheets[0])
    assert any("长沙市" in str(row[0]) for row in cover)
    assert ["长沙市", 7, 5, 0, 0] in [row[:5] for row in rows_of(book[titles[0]])]
    assert ["岳麓区", 3, 2] in [row[:3] for row in rows_of(book[titles[0]])]
    total = chinese_pgettext("report table", "Total")
    assert [total, 7, 5] in [row[:3] for row in rows_of(book[titles[0]])]

    directory = book[titles[0]]
    header = next(
        row for row in directory.iter_rows() if row[1].value == chinese(figures.COLUMNS["size"])
    )
    assert all(cell.font.bold for cell in header[1:] if cell.value)
    assert directory.column_dimensions["A"].width >= 10
    numbers = [c for row in directory.iter_rows() for c in row if isinstance(c.value, int)]
    assert numbers and all(c.number_format != "General" for c in numbers)


def test_no_text_cell_of_the_workbook_is_read_as_a_formula(quarter, changsha_officer):
    report = build(CHANGSHA)
    services.save_narrative(report, changsha_officer, work_done="=1+1 和 @SUM(A1)", problems="")
    report.refresh_from_db()
    services.report_file(report, "xlsx")
    book = workbook_of(report)

    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert "'" + FORMULA_ITEM[:80] in texts  # the failed checklist item, as a label
    assert "'=1+1 和 @SUM(A1)" in texts
    assert not [t for t in texts if t.startswith(("=", "@", "+", "-"))]


def test_percentages_are_numbers_shown_as_percent(quarter):
    book = workbook_of(build(CHANGSHA))
    sheet = book[chinese(figures.section_title("assessments"))[:31]]

    percent = [
        cell
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, float | int) and "%" in cell.number_format
    ]
    # Coverage: 1 of the 7 enterprises assessed; risk tiers: all 7 not assessed.
    assert 14.3 in [cell.value for cell in percent]
    assert 100.0 in [cell.value for cell in percent]
