"""Importing the directory from XLSX or CSV: every row checked, then all written or nothing."""

import datetime
import io
import os
import time
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from enterprises import columns, importing, tasks
from enterprises.importing import ImportRejected, prepare_import, run_import
from enterprises.models import Enterprise, ImportBatch
from tsprotect.accounts.models import Role
from tsprotect.core.spreadsheets import SpreadsheetError, neutralise, read_table
from tsprotect.regions.models import HostOrganisation

from .conftest import client_for, make_uscc, make_user

pytestmark = pytest.mark.django_db

HEADERS = [column.header for column in columns.COLUMNS]


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted on their English msgids, whatever the catalogue holds.
    with translation.override("en"):
        yield


@pytest.fixture
def hi_tech_zone(regions):
    return HostOrganisation.objects.create(
        name="长沙高新技术产业开发区", kind="high_tech_zone", prefecture_id="430100"
    )


def record(**cells):
    """A good row of the template, as header -> cell value; keywords override by field name."""
    row = {
        "统一社会信用代码": make_uscc("430104", "MA4L0X001"),
        "企业名称": "长沙岳麓精密仪器有限公司",
        "法定代表人": "张三",
        "地址": "长沙市岳麓区麓谷大道1号",
        "县市区": "岳麓区",
        "所在园区": "",
        "自贸试验区片区": "长沙片区",
        "行业大类代码": "40",
        "企业规模": "中型",
        "行业领军": "否",
        "老字号": "否",
        "高新技术企业": "是",
        "中小企业": "Y",
        "持有技术信息": "1",
        "持有经营信息": "",
        "员工人数": "320",
        "研发人员数": "80",
        "年技术人员流失数": "5",
        "保护需求": "核心配方保护",
        "联系人": "李四",
        "联系电话": "0731-88888888",
        "联络员": "王五",
        "联络员电话": "13800000000",
        "最近确认日期": "2026-11-25",
    }
    by_field = {column.field: column.header for column in columns.COLUMNS}
    for field, value in cells.items():
        row[by_field[field]] = value
    return row


def wrong_check(code):
    return code[:-1] + ("1" if code[-1] == "0" else "0")


def xlsx_file(rows, headers=HEADERS, name="enterprises.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header, "") for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(rows, headers=HEADERS, encoding="utf-8-sig", name="enterprises.csv"):
    lines = [",".join(headers)]
    lines += [",".join(str(row.get(header, "")) for header in headers) for row in rows]
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(encoding))


def test_it_imports_a_good_xlsx_into_the_officers_prefecture(changsha_officer, hi_tech_zone):
    rows = [
        record(),
        record(
            uscc=make_uscc("430121", "MA4L0X002"),
            name="长沙星沙智能装备有限公司",
            county=430121,  # a county code typed into a number cell
            park="长沙高新技术产业开发区",
            ftz_area="",
            industry_division=5,  # Excel dropped the leading zero of 05
            size_class="大型",
            is_industry_leader="TRUE",
            staff_count=1200,
            rd_staff_count="",
            last_confirmed_on=datetime.date(2026, 11, 20),  # a real Excel date cell
        ),
    ]
    upload = xlsx_file(rows)

    preview = prepare_import(upload, user=changsha_officer, prefecture="430100")
    assert preview.errors == []
    assert (preview.row_count, preview.create_count, preview.update_count) == (2, 2, 0)
    assert Enterprise.objects.count() == 0

    result = run_import(upload, user=changsha_officer, prefecture="430100")
    assert (result.created, result.updated) == (2, 0)

    first = Enterprise.objects.get(uscc=rows[0]["统一社会信用代码"])
    assert first.prefecture_id == "430100" and first.county_id == "430104"
    assert first.ftz_area.name == "长沙片区" and first.park is None
    assert (first.industry_division, first.industry_section) == ("40", "C")
    assert first.size_class == "medium"
    assert first.is_high_tech and first.is_sme and first.holds_technical_information
    assert not first.is_industry_leader and not first.holds_business_information
    assert (first.staff_count, first.rd_staff_count, first.technical_departures_per_year) == (
        320,
        80,
        5,
    )
    assert first.contact_phone == "0731-88888888" and first.liaison_phone == "13800000000"
    assert first.last_confirmed_on == datetime.date(2026, 11, 25)
    assert first.created_by == changsha_officer

    second = Enterprise.objects.get(name="长沙星沙智能装备有限公司")
    assert second.county_id == "430121" and second.park == hi_tech_zone
    assert (second.industry_division, second.industry_section) == ("05", "A")
    assert second.size_class == "large" and second.is_industry_leader
    assert second.rd_staff_count is None
    assert second.last_confirmed_on == datetime.date(2026, 11, 20)

    history = first.history.get()
    assert history.history_type == "+" and history.history_user == changsha_officer


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030", "utf-16"])
def test_it_imports_a_csv_as_excel_in_china_saves_it(changsha_officer, encoding):
    upload = csv_file([record(), record(uscc=make_uscc("430104", "MA4L0X009"))], encoding=encoding)
    result = run_import(upload, user=changsha_officer, prefecture="430100")
    assert result.created == 2
    assert set(Enterprise.objects.values_list("name", "county__name")) == {
        ("长沙岳麓精密仪器有限公司", "岳麓区")
    }


def test_two_bad_rows_are_both_reported_and_nothing_is_written(changsha_officer):
    good = record()
    bad_code = record(uscc=wrong_check(make_uscc("430104", "MA4L0X003")), name="坏代码有限公司")
    bad_county = record(uscc=make_uscc("430104", "MA4L0X004"), county="云溪区", staff_count="很多")
    upload = xlsx_file([good, bad_code, bad_county])

    preview = prepare_import(upload, user=changsha_officer, prefecture="430100")
    assert [(e["row"], e["column"]) for e in preview.errors] == [
        (3, "统一社会信用代码"),
        (4, "县市区"),
        (4, "员工人数"),
    ]
    messages = [e["message"] for e in preview.errors]
    assert "check character" in messages[0]
    assert messages[1] == "云溪区 is in 岳阳市, not in 长沙市."
    assert messages[2] == "Enter a whole number of 0 or more."
    assert preview.create_count == 1

    with pytest.raises(ImportRejected) as rejected:
        run_import(upload, user=changsha_officer, prefecture="430100")
    assert rejected.value.errors == preview.errors
    assert not Enterprise.objects.exists()

    bad_code["统一社会信用代码"] = make_uscc("430104", "MA4L0X003")
    bad_county.update({"县市区": "开福区", "员工人数": "120"})
    result = run_import(
        xlsx_file([good, bad_code, bad_county]), user=changsha_officer, prefecture="430100"
    )
    assert result.created == 3
    assert Enterprise.objects.get(name="坏代码有限公司").county_id == "430104"


def test_re_importing_updates_only_changed_rows_and_records_who_did_it(
    changsha_officer, changsha_enterprise
):
    rows = [record(), record(uscc=changsha_enterprise.uscc, name=changsha_enterprise.name)]
    first = run_import(xlsx_file(rows), user=changsha_officer, prefecture="430100")
    assert (first.created, first.updated) == (1, 1)  # the fixture's enterprise gains its details

    rows[0]["企业名称"] = "长沙岳麓精密仪器股份有限公司"
    rows[0]["行业大类代码"] = "65"
    upload = xlsx_file(rows)
    preview = prepare_import(upload, user=changsha_officer, prefecture="430100")
    assert (preview.create_count, preview.update_count, preview.unchanged_count) == (0, 1, 1)

    second = run_import(upload, user=changsha_officer, prefecture="430100")
    assert (second.created, second.updated, second.unchanged) == (0, 1, 1)
    renamed = Enterprise.objects.get(uscc=rows[0]["统一社会信用代码"])
    assert renamed.name == "长沙岳麓精密仪器股份有限公司"
    assert (renamed.industry_division, renamed.industry_section) == ("65", "I")
    latest, created = renamed.history.all()[:2]
    assert latest.history_type == "~" and latest.history_user == changsha_officer
    changes = {change.field: change.new for change in latest.diff_against(created).changes}
    assert changes["name"] == "长沙岳麓精密仪器股份有限公司"
    assert changsha_enterprise.history.count() == 2  # its creation and the first import only
    assert Enterprise.objects.count() == 2


def test_re_importing_can_change_and_clear_every_kind_of_field(changsha_officer, hi_tech_zone):
    run_import(xlsx_file([record()]), user=changsha_officer, prefecture="430100")
    changed = record(
        county="430102",
        park="长沙高新技术产业开发区",
        ftz_area="",
        size_class="小型",
        is_high_tech="否",
        is_time_honoured_brand="是",
        staff_count="",
        rd_staff_count="",
        protection_needs="",
        last_confirmed_on="2027/1/2",
    )
    assert run_import(xlsx_file([changed]), user=changsha_officer, prefecture="430100").updated
    enterprise = Enterprise.objects.get()
    assert (enterprise.county_id, enterprise.park, enterprise.ftz_area) == (
        "430102",
        hi_tech_zone,
        None,
    )
    assert enterprise.size_class == "small"
    assert not enterprise.is_high_tech and enterprise.is_time_honoured_brand
    assert enterprise.staff_count is None and enterprise.rd_staff_count is None
    assert enterprise.protection_needs == ""
    assert enterprise.last_confirmed_on == datetime.date(2027, 1, 2)
    assert enterprise.updated_at > enterprise.created_at
    assert enterprise.history.first().county_id == "430102"


def history_rows():
    """The history as simple-history shows it, less what differs between two runs."""
    varying = {"history_id", "id", "history_date", "created_at"}
    rows = Enterprise.history.order_by("uscc", "history_date", "history_id").values()
    return [{k: v for k, v in row.items() if k not in varying} for row in rows]


def test_the_fast_writes_record_the_same_history_as_simple_historys_helpers(
    changsha_officer, hi_tech_zone, monkeypatch
):
    first = [record(), record(uscc=make_uscc("430104", "MA4L0X011"), park=hi_tech_zone.name)]
    second = [record(name="改名有限公司", staff_count=""), first[1]]
    recorded = {}
    for fast in (False, True):
        monkeypatch.setattr(importing, "FAST_WRITES", fast)
        Enterprise.objects.all().delete()
        Enterprise.history.all().delete()
        run_import(xlsx_file(first), user=changsha_officer, prefecture="430100")
        run_import(xlsx_file(second), user=changsha_officer, prefecture="430100")
        recorded[fast] = (history_rows(), list(Enterprise.objects.values("name", "staff_count")))
    assert recorded[True] == recorded[False]
    assert [row["history_type"] for row in recorded[True][0]] == ["+", "~", "+"]


def test_columns_missing_from_the_file_are_left_as_they_are(changsha_officer):
    run_import(xlsx_file([record()]), user=changsha_officer, prefecture="430100")
    short = ["统一社会信用代码", "企业名称", "联系电话"]
    upload = xlsx_file([record(name="新名称有限公司", contact_phone="0731-1")], headers=short)
    assert run_import(upload, user=changsha_officer, prefecture="430100").updated == 1
    enterprise = Enterprise.objects.get()
    assert (enterprise.name, enterprise.contact_phone) == ("新名称有限公司", "0731-1")
    assert enterprise.staff_count == 320 and enterprise.county_id == "430104"


def test_it_names_missing_and_unknown_columns_in_one_error(changsha_officer):
    headers = [h for h in HEADERS if h != "企业名称"] + ["备注"]
    with pytest.raises(SpreadsheetError) as error:
        prepare_import(xlsx_file([record()], headers), user=changsha_officer, prefecture="430100")
    assert "Missing required columns: 企业名称." in str(error.value)
    assert "Unknown columns: 备注." in str(error.value)
    with pytest.raises(ImportRejected) as rejected:
        run_import(xlsx_file([record()], headers), user=changsha_officer, prefecture="430100")
    assert rejected.value.errors[0]["row"] is None
    assert "企业名称" in rejected.value.errors[0]["message"]


def test_it_ignores_the_read_only_columns_of_an_export(changsha_officer):
    headers = [*HEADERS, "市州", "状态", "录入时间"]
    row = {**record(), "市州": "岳阳市", "状态": "whatever", "录入时间": "yesterday"}
    assert run_import(xlsx_file([row], headers), user=changsha_officer, prefecture="430100")
    assert Enterprise.objects.get().prefecture_id == "430100"


def test_it_refuses_10_mb_of_random_bytes_quickly_with_a_clear_message(changsha_officer):
    junk = SimpleUploadedFile("directory.xlsx", os.urandom(10 * 1024 * 1024))
    started = time.monotonic()
    with pytest.raises(SpreadsheetError, match="not a spreadsheet"):
        prepare_import(junk, user=changsha_officer, prefecture="430100")
    assert time.monotonic() - started < 2


def test_it_refuses_random_bytes_that_contain_no_nul(changsha_officer):
    junk = bytes(b % 255 + 1 for b in os.urandom(1024 * 1024))
    with pytest.raises(SpreadsheetError):
        prepare_import(
            SimpleUploadedFile("a.csv", junk), user=changsha_officer, prefecture="430100"
        )


def test_it_refuses_an_empty_file(changsha_officer):
    with pytest.raises(SpreadsheetError, match="empty"):
        prepare_import(
            SimpleUploadedFile("a.xlsx", b""), user=changsha_officer, prefecture="430100"
        )


def test_it_refuses_a_file_with_headers_but_no_rows(changsha_officer):
    with pytest.raises(SpreadsheetError, match="no data rows"):
        prepare_import(xlsx_file([]), user=changsha_officer, prefecture="430100")


def test_it_refuses_a_file_with_blank_lines_only(changsha_officer):
    upload = SimpleUploadedFile("a.csv", b"\xef\xbb\xbf,,\r\n,,\r\n")
    with pytest.raises(SpreadsheetError, match="no header row"):
        prepare_import(upload, user=changsha_officer, prefecture="430100")


def test_it_refuses_a_file_over_the_limit_before_reading_it(settings, changsha_officer):
    settings.IMPORT_MAX_BYTES = 10 * 1024 * 1024
    line = ",".join(record().values()).encode() + b"\r\n"
    body = ",".join(HEADERS).encode() + b"\r\n" + line * (10 * 1024 * 1024 // len(line) + 1)
    with pytest.raises(SpreadsheetError, match=r"larger than 10.0\sMB"):
        prepare_import(
            SimpleUploadedFile("a.csv", body), user=changsha_officer, prefecture="430100"
        )
    with pytest.raises(SpreadsheetError, match="larger than"):
        read_table(io.BytesIO(body))  # a plain file, as the command opens it, has no size


def test_it_refuses_a_pdf_renamed_xlsx(changsha_officer):
    pdf = (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n\x00\x01\x02endstream"
    )
    with pytest.raises(SpreadsheetError, match="not a spreadsheet"):
        prepare_import(
            SimpleUploadedFile("名录.xlsx", pdf), user=changsha_officer, prefecture="430100"
        )


def test_it_refuses_a_zip_that_is_not_a_workbook_and_a_damaged_workbook(changsha_officer):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(SpreadsheetError, match="not a spreadsheet"):
        read_table(SimpleUploadedFile("a.xlsx", archive.getvalue()))
    truncated = xlsx_file([record()]).read()[:2000]
    with pytest.raises(SpreadsheetError, match="damaged"):
        read_table(SimpleUploadedFile("a.xlsx", truncated))


def test_it_asks_for_xlsx_instead_of_an_old_xls(changsha_officer):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    with pytest.raises(SpreadsheetError, match=r"\.xlsx"):
        prepare_import(
            SimpleUploadedFile("a.xls", ole2), user=changsha_officer, prefecture="430100"
        )


def test_a_credit_code_filed_by_another_prefecture_is_refused_without_saying_which(
    changsha_officer, yueyang_enterprise
):
    upload = xlsx_file([record(uscc=yueyang_enterprise.uscc, name="冒名有限公司")])
    preview = prepare_import(upload, user=changsha_officer, prefecture="430100")
    assert preview.errors == [
        {
            "row": 2,
            "column": "统一社会信用代码",
            "message": "This enterprise is already filed by another prefecture; "
            "contact the provincial bureau.",
        }
    ]
    with pytest.raises(ImportRejected):
        run_import(upload, user=changsha_officer, prefecture="430100")
    yueyang_enterprise.refresh_from_db()
    assert yueyang_enterprise.name == "岳阳洞庭石化新材料有限公司"


def test_a_park_or_ftz_area_of_another_prefecture_is_refused(changsha_officer):
    HostOrganisation.objects.create(
        name="长沙市工程机械协会", kind="industry_association", prefecture_id="430100"
    )
    upload = xlsx_file(
        [
            record(park="湖南湘潭高新技术产业园区", ftz_area="岳阳片区"),
            record(uscc=make_uscc("430104", "MA4L0X005"), park="长沙市工程机械协会"),
            record(uscc=make_uscc("430104", "MA4L0X006"), park="不存在园区", ftz_area="x"),
        ]
    )
    errors = prepare_import(upload, user=changsha_officer, prefecture="430100").errors
    assert [(e["row"], e["column"], e["message"]) for e in errors] == [
        (2, "所在园区", "湖南湘潭高新技术产业园区 is in 湘潭市, not in 长沙市."),
        (2, "自贸试验区片区", "岳阳片区 is in 岳阳市, not in 长沙市."),
        (3, "所在园区", "“长沙市工程机械协会” is not a park."),
        (4, "所在园区", "There is no park called “不存在园区”."),
        (4, "自贸试验区片区", "There is no FTZ area called “x”."),
    ]


def test_a_duplicate_credit_code_names_the_earlier_row(changsha_officer):
    code = make_uscc("430104", "MA4L0X007")
    upload = csv_file([record(uscc=code), record(), record(uscc=code.lower(), name="重复")])
    errors = prepare_import(upload, user=changsha_officer, prefecture="430100").errors
    assert errors == [
        {"row": 4, "column": "统一社会信用代码", "message": "This credit code is already on row 2."}
    ]


def test_bad_cells_get_a_message_each(changsha_officer):
    upload = xlsx_file(
        [
            record(
                name="",
                industry_division="98",
                size_class="巨型",
                is_sme="maybe",
                staff_count="10",
                rd_staff_count="11",
                last_confirmed_on="2026-13-01",
                legal_representative="长" * 51,
            )
        ]
    )
    errors = prepare_import(upload, user=changsha_officer, prefecture="430100").errors
    assert {e["column"]: e["message"] for e in errors} == {
        "企业名称": "This field is required.",
        "法定代表人": "At most 50 characters; this one has 51.",
        "行业大类代码": "98 is not a GB/T 4754-2017 division code.",
        "企业规模": "Enter 大型, 中型, 小型 or 微型.",
        "中小企业": "Enter 是 or 否 (Y/N, 1/0 and true/false are also accepted).",
        "最近确认日期": "Enter a date such as 2026-11-25.",
    }
    upload = xlsx_file([record(staff_count="10", rd_staff_count="11")])
    errors = prepare_import(upload, user=changsha_officer, prefecture="430100").errors
    assert errors == [
        {"row": 2, "column": "研发人员数", "message": "R&D staff cannot exceed the total staff."}
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-25", datetime.date(2026, 11, 25)),
        ("2026/11/25", datetime.date(2026, 11, 25)),
        ("2026/1/5", datetime.date(2026, 1, 5)),
        ("2026年11月25日", datetime.date(2026, 11, 25)),
        ("2026-11-25 00:00:00", datetime.date(2026, 11, 25)),
        ("2026-11-25 14:30:00", datetime.date(2026, 11, 25)),
        ("46351", datetime.date(2026, 11, 25)),
    ],
)
def test_it_reads_the_dates_people_type(text, expected):
    assert columns.parse_date(text) == expected


def test_a_county_officer_imports_only_rows_of_their_own_county(
    yuelu_officer, changsha_other_county_enterprise
):
    rows = [
        record(),
        record(uscc=make_uscc("430104", "MA4L0X008"), county=""),
        record(uscc=make_uscc("430121", "MA4L0X010"), county="长沙县"),
        record(
            uscc=changsha_other_county_enterprise.uscc,
            name=changsha_other_county_enterprise.name,
            county="岳麓区",
        ),
    ]
    preview = prepare_import(xlsx_file(rows), user=yuelu_officer, prefecture="430100")
    assert [(e["row"], e["column"], e["message"]) for e in preview.errors] == [
        (4, "县市区", "You can only import enterprises of your own county (岳麓区)."),
        (
            5,
            "统一社会信用代码",
            "This enterprise is filed under another county; contact the prefecture bureau to "
            "change it.",
        ),
    ]
    result = run_import(xlsx_file(rows[:2]), user=yuelu_officer, prefecture="430100")
    assert result.created == 2
    assert set(
        Enterprise.objects.filter(created_by=yuelu_officer).values_list("county", flat=True)
    ) == {"430104"}
    changsha_other_county_enterprise.refresh_from_db()
    assert changsha_other_county_enterprise.county_id == "430121"


def test_an_officer_cannot_import_into_another_prefecture(yueyang_officer, expert):
    for user in (yueyang_officer, expert):
        with pytest.raises(PermissionDenied):
            prepare_import(xlsx_file([record()]), user=user, prefecture="430100")
        with pytest.raises(PermissionDenied):
            run_import(xlsx_file([record()]), user=user, prefecture="430100")
    assert not Enterprise.objects.exists()


def test_provincial_staff_import_into_any_prefecture(province):
    row = record(uscc=make_uscc("430603", "MA4M1X001"), county="云溪区", ftz_area="岳阳片区")
    assert run_import(xlsx_file([row]), user=province, prefecture="430600").created == 1
    assert Enterprise.objects.get().prefecture_id == "430600"


def test_formula_like_text_comes_back_as_typed_after_an_export(changsha_officer):
    name = '=HYPERLINK("http://evil.example","点击")'
    upload = xlsx_file([record(name=neutralise(name), contact_person="@李四")])
    run_import(upload, user=changsha_officer, prefecture="430100")
    enterprise = Enterprise.objects.get()
    assert (enterprise.name, enterprise.contact_person) == (name, "@李四")


def test_the_header_row_may_follow_blank_rows_and_row_numbers_stay_excels(changsha_officer):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append(HEADERS)
    sheet.append([record()[h] for h in HEADERS])
    sheet.append([])
    sheet.append([record(uscc="91430104MA4L0A1B2X")[h] for h in HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("a.xlsx", buffer.getvalue())
    errors = prepare_import(upload, user=changsha_officer, prefecture="430100").errors
    assert [(e["row"], e["column"]) for e in errors] == [(5, "统一社会信用代码")]


def test_the_command_prints_the_errors_and_exits_non_zero(changsha_officer, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx_file([record(county="云溪区")]).read())
    with pytest.raises(CommandError, match="1 errors"):
        call_command(
            "import_enterprises", str(path), prefecture="430100", user=changsha_officer.username
        )
    assert "Row 2, 县市区: 云溪区 is in 岳阳市, not in 长沙市." in capsys.readouterr().err
    assert not Enterprise.objects.exists()


def test_the_command_dry_run_writes_nothing_and_then_imports(changsha_officer, tmp_path, capsys):
    path = tmp_path / "good.csv"
    path.write_bytes(csv_file([record()]).read())
    options = {"prefecture": "430100", "user": changsha_officer.username}
    call_command("import_enterprises", str(path), dry_run=True, **options)
    assert "1 new" in capsys.readouterr().out
    assert not Enterprise.objects.exists()
    call_command("import_enterprises", str(path), **options)
    assert "Imported: 1 new" in capsys.readouterr().out
    assert Enterprise.objects.get().created_by == changsha_officer


def test_the_command_refuses_a_user_without_the_prefecture(yueyang_officer, tmp_path):
    path = tmp_path / "good.csv"
    path.write_bytes(csv_file([record()]).read())
    with pytest.raises(CommandError, match="may not import"):
        call_command(
            "import_enterprises", str(path), prefecture="430100", user=yueyang_officer.username
        )


# The import pages: a batch its uploader reaches, and no file left behind ----------------------


def media_files(settings):
    return sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())


def upload(user, rows):
    response = client_for(user).post(
        reverse("enterprises:import"), {"file": xlsx_file(rows), "prefecture": "430100"}
    )
    assert response.status_code == 302
    return ImportBatch.objects.latest("pk")


def test_a_county_officer_previews_and_confirms_their_own_upload(settings, yuelu_officer):
    batch = upload(yuelu_officer, [record(county="")])
    assert batch.county_id == "430104" and len(media_files(settings)) == 1

    client = client_for(yuelu_officer)
    assert client.get(reverse("enterprises:import_preview", args=[batch.pk])).status_code == 200
    confirm = client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    assert confirm["Location"] == reverse("enterprises:list")
    assert Enterprise.objects.get().county_id == "430104"


def test_a_county_officer_reaches_no_batch_of_another_county(regions, yuelu_officer):
    changsha_county_officer = make_user("officer_430121", Role.COUNTY_OFFICER, "430100", "430121")
    batch = upload(changsha_county_officer, [record(county="长沙县")])
    assert batch.county_id == "430121"
    assert ImportBatch.objects.restrict(yuelu_officer, "view").count() == 0
    page = client_for(yuelu_officer).get(reverse("enterprises:import_preview", args=[batch.pk]))
    assert page.status_code == 404


def test_rows_of_another_county_are_refused_and_their_file_is_not_kept(settings, yuelu_officer):
    batch = upload(yuelu_officer, [record(county="长沙县")])
    page = client_for(yuelu_officer).get(reverse("enterprises:import_preview", args=[batch.pk]))
    assert page.status_code == 200
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "县市区")]
    assert "岳麓区" in page.content.decode()
    # A batch with errors can never be imported: its errors are kept, its file is not.
    assert not batch.file and media_files(settings) == []


def test_a_batch_refused_at_confirmation_leaves_no_file(
    settings, changsha_officer, yueyang_officer, django_capture_on_commit_callbacks
):
    row = record()
    batch = upload(changsha_officer, [row])
    assert len(media_files(settings)) == 1
    # Between preview and confirmation, 岳阳 files that credit code.
    Enterprise.objects.create(
        uscc=row["统一社会信用代码"], name="岳阳某公司", prefecture_id="430600", county_id="430602"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(changsha_officer).post(reverse("enterprises:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "previewed" and batch.errors and not batch.file
    assert media_files(settings) == []
    assert Enterprise.objects.count() == 1


@pytest.mark.parametrize("fast", [True, False])
def test_the_import_writes_the_rows_kept_at_the_preview_without_reading_the_file_again(
    settings, changsha_officer, changsha_enterprise, monkeypatch, fast
):
    monkeypatch.setattr(importing, "FAST_WRITES", fast)
    renamed = record(uscc=changsha_enterprise.uscc, name="长沙麓谷芯片股份有限公司", county="")
    batch = upload(changsha_officer, [record(), renamed])
    assert (batch.create_count, batch.update_count) == (1, 1)
    assert batch.rows.count() == 2
    # The file is only the record of the upload now: the import does not parse it again.
    (media_files(settings)[0]).write_bytes(b"not a spreadsheet any more")

    confirm = client_for(changsha_officer).post(
        reverse("enterprises:import_confirm", args=[batch.pk])
    )
    assert confirm["Location"] == reverse("enterprises:list")
    batch.refresh_from_db()
    assert batch.status == "imported" and not batch.rows.exists()
    new = Enterprise.objects.get(uscc=record()["统一社会信用代码"])
    assert (new.county_id, new.staff_count, new.industry_section) == ("430104", 320, "C")
    assert new.last_confirmed_on == datetime.date(2026, 11, 25)
    assert new.created_by == changsha_officer
    changsha_enterprise.refresh_from_db()
    assert changsha_enterprise.name == "长沙麓谷芯片股份有限公司"
    assert changsha_enterprise.county_id is None
    filed, updated = new.history.get(), changsha_enterprise.history.first()
    assert (filed.history_type, filed.history_user, filed.name) == ("+", changsha_officer, new.name)
    assert (updated.history_type, updated.history_user) == ("~", changsha_officer)
    assert updated.name == "长沙麓谷芯片股份有限公司" and updated.county_id is None


def test_a_row_the_directory_made_wrong_since_the_preview_is_refused_at_confirmation(
    settings, changsha_officer, changsha_enterprise, django_capture_on_commit_callbacks
):
    headers = ["统一社会信用代码", "企业名称", "研发人员数"]
    row = {"统一社会信用代码": changsha_enterprise.uscc, "企业名称": "新名称", "研发人员数": "50"}
    response = client_for(changsha_officer).post(
        reverse("enterprises:import"),
        {"file": xlsx_file([row], headers=headers), "prefecture": "430100"},
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.latest("pk")
    assert batch.update_count == 1 and not batch.errors
    # Meanwhile the record's staff is set below the R&D staff the file brings.
    Enterprise.objects.filter(pk=changsha_enterprise.pk).update(staff_count=10)

    with django_capture_on_commit_callbacks(execute=True):
        client_for(changsha_officer).post(reverse("enterprises:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "研发人员数")]
    assert batch.status == "previewed" and not batch.file and not batch.rows.exists()
    assert media_files(settings) == []
    changsha_enterprise.refresh_from_db()
    assert changsha_enterprise.name == "长沙麓谷芯片科技有限公司"


def test_a_preview_left_unconfirmed_expires_and_gives_back_its_rows_and_file(
    settings, changsha_officer, django_capture_on_commit_callbacks
):
    settings.IMPORT_PREVIEW_KEEP_HOURS = 72
    old, recent = upload(changsha_officer, [record()]), upload(changsha_officer, [record()])
    imported = upload(changsha_officer, [record(uscc=make_uscc("430104", "MA4L0X002"))])
    client_for(changsha_officer).post(reverse("enterprises:import_confirm", args=[imported.pk]))
    three_days_ago = timezone.now() - datetime.timedelta(hours=73)
    ImportBatch.objects.filter(pk__in=[old.pk, imported.pk]).update(uploaded_at=three_days_ago)
    assert len(media_files(settings)) == 3

    # The message is kept in the language the job runs in (the portal's default in Celery).
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        assert tasks.expire_import_previews() == 1
    old.refresh_from_db()
    assert old.status == "previewed" and not old.file and not old.rows.exists()
    assert "72" in old.errors[0]["message"] and "expired" in old.errors[0]["message"]
    # The uploader is told why, and the batch can no longer be imported.
    client = client_for(changsha_officer)
    page = client.get(reverse("enterprises:import_preview", args=[old.pk]))
    assert "expired" in page.content.decode()
    client.post(reverse("enterprises:import_confirm", args=[old.pk]))
    assert not Enterprise.objects.filter(uscc=record()["统一社会信用代码"]).exists()
    # The recent preview and the imported batch are left as they are; only the old file went.
    assert recent.rows.exists() and ImportBatch.objects.get(pk=recent.pk).file
    assert ImportBatch.objects.get(pk=imported.pk).status == "imported"
    assert len(media_files(settings)) == 2
