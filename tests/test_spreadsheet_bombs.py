"""Hostile XLSX uploads: refused with a message before calamine builds anything, quickly, in
bounded memory.

calamine builds a dense grid from A1 to the farthest cell and aborts the whole process when it
cannot allocate it, so the files that would do that are only ever read in a subprocess here, under
an address-space limit: a regression fails the test instead of killing the test run.
"""

import io
import json
import os
import resource
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from enterprises import columns, exporting
from enterprises.importing import prepare_import, run_import
from enterprises.models import Enterprise, ImportBatch
from tsprotect.core.spreadsheets import SpreadsheetError, read_table

from .conftest import make_uscc

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

REPO = Path(__file__).resolve().parent.parent
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}">'
# Under this address space, calamine's grid for a cell at XFD1048576 (512 GiB) fails at once.
ADDRESS_SPACE = 3 * 1024**3


def write_xlsx(target, sheet, extra_parts=(), compresslevel=6):
    """A minimal valid workbook around ``sheet``: bytes, or an iterable of byte chunks written
    as they come so that a huge sheet is never held in memory."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        z.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{PACKAGE}/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}/'
            f'relationships"><Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
            f'xmlns:r="{RELATIONSHIPS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}/'
            f'relationships"><Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        if isinstance(sheet, bytes):
            z.writestr("xl/worksheets/sheet1.xml", sheet)
        else:
            with z.open("xl/worksheets/sheet1.xml", "w") as part:
                for chunk in sheet:
                    part.write(chunk)
        for name, content in extra_parts:
            z.writestr(name, content)
    return target


def cell(reference, text):
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows, dimension=None, after=""):
    """``rows`` as (row number, [(reference, text)…]) pairs."""
    parts = [HEAD]
    if dimension:
        parts.append(f'<dimension ref="{dimension}"/>')
    parts.append("<sheetData>")
    for number, cells in rows:
        parts.append(f'<row r="{number}">' + "".join(cell(*c) for c in cells) + "</row>")
    parts.append(f"</sheetData>{after}</worksheet>")
    return "".join(parts).encode()


def header_cells():
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [(f"{letters[i]}1", column.header) for i, column in enumerate(columns.COLUMNS[:20])]


def upload(data, name="directory.xlsx"):
    return SimpleUploadedFile(name, data.getvalue() if hasattr(data, "getvalue") else data)


READER = """
import json, os, resource, sys, time
import django
django.setup()
from django.utils import translation
translation.activate("en")
from tsprotect.core.spreadsheets import SpreadsheetError, read_table
with open(sys.argv[1], "rb") as handle:
    data = handle.read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.process_time()
try:
    table = read_table(io.BytesIO(data), max_bytes=len(data) + 1, max_rows=200_000)
    result = {"rows": len(table.rows)}
except SpreadsheetError as error:
    result = {"refused": str(error)}
result["seconds"] = time.process_time() - started
result["grown_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(json.dumps(result))
""".replace("import json", "import io, json")


def read_in_subprocess(path):
    """read_table on the file in a child process limited to ADDRESS_SPACE: what it answered,
    its CPU seconds and how much its peak memory grew while reading."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tsprotect.settings", "RUST_BACKTRACE": "0"}
    done = subprocess.run(
        [sys.executable, "-c", READER, str(path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit,
    )
    assert done.returncode == 0, f"the reader died ({done.returncode}): {done.stderr[-2000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_refused_cheaply(result, *fragments):
    assert "refused" in result, result
    for fragment in fragments:
        assert fragment in result["refused"]
    assert result["seconds"] < 5, result
    assert result["grown_mb"] < 64, result


def test_one_cell_at_xfd1048576_is_refused_before_calamine_builds_its_grid(tmp_path):
    # calamine would ask for 512 GiB here and abort the process (SIGABRT).
    path = write_xlsx(
        tmp_path / "bomb.xlsx",
        sheet_xml([(1, [("A1", "统一社会信用代码")]), (1048576, [("XFD1048576", "x")])]),
    )
    assert path.stat().st_size < 5_000
    result = read_in_subprocess(path)
    assert_refused_cheaply(result, "row 1,048,576", "at most 200,100 rows")


def test_one_cell_far_to_the_right_is_refused_by_the_column_limit(tmp_path):
    path = write_xlsx(
        tmp_path / "wide.xlsx", sheet_xml([(1, [("A1", "统一社会信用代码"), ("XFD1", "x")])])
    )
    assert_refused_cheaply(read_in_subprocess(path), "column XFD", "at most 50 columns")


def test_two_cells_at_a1_and_t200000_are_refused_as_a_nearly_empty_grid(tmp_path):
    # Within the row and column limits, but a 4-million-cell grid (200 MB) from 2 KB.
    path = write_xlsx(
        tmp_path / "sparse.xlsx",
        sheet_xml([(1, [("A1", "统一社会信用代码")]), (200000, [("T200000", "x")])]),
    )
    assert_refused_cheaply(read_in_subprocess(path), "nearly empty", "T200000")


def test_a_dimension_that_understates_the_sheet_is_not_believed():
    rows = [(1, header_cells()), (2, [("A2", "x")]), (250000, [("A250000", "y")])]
    data = write_xlsx(io.BytesIO(), sheet_xml(rows, dimension="A1:T2"))
    with pytest.raises(SpreadsheetError, match="reaches row 250,000"):
        read_table(upload(data))


def test_a_dimension_that_overstates_the_sheet_is_refused_too():
    rows = [(1, header_cells()), (2, [("A2", "x")])]
    data = write_xlsx(io.BytesIO(), sheet_xml(rows, dimension="A1:XFD1048576"))
    with pytest.raises(SpreadsheetError, match="reaches row 1,048,576"):
        read_table(upload(data))


def test_cells_and_rows_without_a_reference_count_where_calamine_puts_them():
    cells = '<c t="inlineStr"><is><t>x</t></is></c>' * 60
    sheet = f"{HEAD}<sheetData><row>{cells}</row></sheetData></worksheet>".encode()
    with pytest.raises(SpreadsheetError, match="column AY"):
        read_table(upload(write_xlsx(io.BytesIO(), sheet)))
    rows = "".join(f'<row><c t="inlineStr"><is><t>{n}</t></is></c></row>' for n in range(200_101))
    sheet = f"{HEAD}<sheetData>{rows}</sheetData></worksheet>".encode()
    with pytest.raises(SpreadsheetError, match="reaches row 200,101"):
        read_table(upload(write_xlsx(io.BytesIO(), sheet)), max_bytes=50 * 1024 * 1024)


def filler(megabytes, byte=b"\0"):
    block = byte * (1024 * 1024)
    yield HEAD.encode() + b"<sheetData>"
    for _ in range(megabytes):
        yield block


def understate(path, name, size):
    """Rewrite the zip directory so that ``name`` claims ``size`` bytes once inflated."""
    data = bytearray(path.read_bytes())
    entry = zipfile.ZipFile(path).getinfo(name)
    struct.pack_into("<I", data, entry.header_offset + 22, size)
    end = data.rfind(b"PK\x05\x06")
    position = struct.unpack_from("<I", data, end + 16)[0]
    while data[position : position + 4] == b"PK\x01\x02":
        lengths = struct.unpack_from("<HHH", data, position + 28)
        if data[position + 46 : position + 46 + lengths[0]] == name.encode():
            struct.pack_into("<I", data, position + 24, size)
        position += 46 + sum(lengths)
    path.write_bytes(bytes(data))


def test_a_gigabyte_declared_as_a_megabyte_stops_at_the_megabyte(tmp_path):
    # Blanks, which XML allows, so that only the size can stop it.
    path = write_xlsx(tmp_path / "blanks.xlsx", filler(1024, b" "), compresslevel=1)
    assert path.stat().st_size < 8 * 1024 * 1024
    understate(path, "xl/worksheets/sheet1.xml", 1024 * 1024)
    assert_refused_cheaply(read_in_subprocess(path), "unpacks to far more data")


def test_a_sheet_compressed_a_thousand_times_is_refused_before_it_is_inflated(tmp_path):
    def padded():
        yield HEAD.encode() + b"<sheetData>" + cell("A1", "统一社会信用代码").encode()
        for _ in range(100):
            yield b" " * (1024 * 1024)
        yield b"</sheetData></worksheet>"

    path = write_xlsx(tmp_path / "ratio.xlsx", padded())
    assert path.stat().st_size < 1024 * 1024
    assert_refused_cheaply(read_in_subprocess(path), "unpacks to far more data")


def test_a_gigabyte_sheet_declared_as_such_is_refused_from_the_directory(tmp_path):
    path = write_xlsx(tmp_path / "zeros.xlsx", filler(1024), compresslevel=1)
    assert_refused_cheaply(read_in_subprocess(path), "too large once uncompressed")


def test_a_tag_of_many_megabytes_is_refused_before_expat_holds_it(tmp_path):
    def long_tag():
        yield HEAD.encode() + b'<sheetData><row r="1"><c r="A1" x="'
        for _ in range(16):
            # Random, so that the compression ratio does not give it away first.
            yield os.urandom(512 * 1024).hex().encode()
        yield b'"><v>1</v></c></row></sheetData></worksheet>'

    path = write_xlsx(tmp_path / "tag.xlsx", long_tag())
    assert_refused_cheaply(read_in_subprocess(path), "very deep nesting")


def test_deeply_nested_xml_is_refused():
    nested = "<x>" * 100_000 + "</x>" * 100_000
    sheet = sheet_xml([(1, header_cells())], after=f"<extLst>{nested}</extLst>")
    with pytest.raises(SpreadsheetError, match="very deep nesting"):
        read_table(upload(write_xlsx(io.BytesIO(), sheet)))


def test_billion_laughs_entities_are_refused_without_being_expanded():
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [{entities}]>'
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">'
        f'<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    ).encode()
    with pytest.raises(SpreadsheetError, match="a DTD, entities"):
        read_table(upload(write_xlsx(io.BytesIO(), sheet)))


def test_entities_hidden_in_the_shared_strings_are_refused_too():
    strings = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">]>'
        f'<sst xmlns="{MAIN}"><si><t>&a;</t></si></sst>'
    )
    data = write_xlsx(
        io.BytesIO(), sheet_xml([(1, header_cells())]), [("xl/sharedStrings.xml", strings)]
    )
    with pytest.raises(SpreadsheetError, match="a DTD, entities"):
        read_table(upload(data))


def test_a_zip_with_thousands_of_parts_or_two_parts_of_one_name_is_refused():
    many = write_xlsx(
        io.BytesIO(),
        sheet_xml([(1, header_cells())]),
        [(f"xl/media/image{i}.png", b"x") for i in range(1_000)],
    )
    with pytest.raises(SpreadsheetError, match="unpacks to far more data"):
        read_table(upload(many))
    twice = write_xlsx(
        io.BytesIO(),
        sheet_xml([(1, header_cells())]),
        [("XL/Worksheets/Sheet1.xml", sheet_xml([(1, [("A1", "x")])]))],
    )
    with pytest.raises(SpreadsheetError, match="damaged"):
        read_table(upload(twice))


def test_a_sheet_hidden_under_another_extension_is_checked_as_well():
    sheet = sheet_xml([(1, header_cells())])
    hidden = sheet_xml([(1, [("A1", "x")]), (1048576, [("XFD1048576", "x")])])
    data = write_xlsx(io.BytesIO(), sheet, [("xl/worksheets/sheet2.bin", hidden)])
    with pytest.raises(SpreadsheetError, match="reaches row 1,048,576"):
        read_table(upload(data))


def test_binary_and_opendocument_workbooks_are_sent_back_as_xlsx_requests():
    for marker in ("xl/workbook.bin", "content.xml"):
        data = write_xlsx(io.BytesIO(), sheet_xml([(1, header_cells())]), [(marker, b"<x/>")])
        with pytest.raises(SpreadsheetError, match=r"\.xlsb\) or OpenDocument"):
            read_table(upload(data))


def hostile_upload():
    return upload(
        write_xlsx(
            io.BytesIO(),
            sheet_xml([(1, header_cells()), (200000, [("T200000", "x")])]),
        )
    )


def test_the_import_page_shows_the_refusal_and_keeps_nothing(client, changsha_officer, settings):
    client.force_login(changsha_officer)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("enterprises:import"),
        {"file": hostile_upload(), "prefecture": "430100"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "nearly empty" in response.content.decode()
    assert not ImportBatch.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_the_import_page_says_it_in_chinese(client, changsha_officer):
    client.force_login(changsha_officer)
    response = client.post(
        reverse("enterprises:import"), {"file": hostile_upload(), "prefecture": "430100"}
    )
    assert "几乎是空的" in response.content.decode()


def test_the_command_refuses_with_the_message(changsha_officer, tmp_path, capsys):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(hostile_upload().read())
    with pytest.raises(CommandError, match="nearly empty"):
        call_command(
            "import_enterprises",
            str(path),
            prefecture="430100",
            user=changsha_officer.username,
            dry_run=True,
        )
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_enterprises", str(path), prefecture="430100", user=changsha_officer.username
        )
    assert "nearly empty" in capsys.readouterr().err
    assert not Enterprise.objects.exists()
    with pytest.raises(SpreadsheetError, match="nearly empty"):
        prepare_import(hostile_upload(), user=changsha_officer, prefecture="430100")


def test_the_import_template_filled_in_still_imports(changsha_officer):
    book = load_workbook(io.BytesIO(exporting.template_xlsx()))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    row = dict.fromkeys(headers, "")
    row.update(
        {
            "统一社会信用代码": make_uscc("430104", "MA4L0X001"),
            "企业名称": "长沙岳麓精密仪器有限公司",
            "县市区": "岳麓区",
        }
    )
    sheet.delete_rows(2, sheet.max_row)
    sheet.append([row[h] for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    result = run_import(upload(buffer), user=changsha_officer, prefecture="430100")
    assert result.created == 1


def test_cell_references_outside_worksheets_do_not_count_as_a_grid():
    # calcChain.xml lists the formula cells: two far apart are no sparse sheet.
    chain = (
        f'<?xml version="1.0"?><calcChain xmlns="{MAIN}"><c r="A2"/><c r="Z150000"/></calcChain>'
    )
    rows = [(1, header_cells()), (2, [("A2", "x")])]
    data = write_xlsx(io.BytesIO(), sheet_xml(rows), [("xl/calcChain.xml", chain)])
    table = read_table(upload(data))
    assert [row.number for row in table.rows] == [2]
