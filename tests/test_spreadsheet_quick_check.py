"""The workbook pre-check's byte scan: it measures the parts written as Excel, WPS and openpyxl
write them, and leaves to expat every part it cannot vouch for, so that a DTD, a far cell or a
deep nesting is refused as before, with the same message."""

import io
import zipfile

import pytest

from enterprises import exporting
from tsprotect.core import spreadsheets
from tsprotect.core.spreadsheets import (
    INFLATE_CHUNK,
    MAX_XML_DEPTH,
    SpreadsheetError,
    check_workbook,
    read_table,
)

from .test_spreadsheet_bombs import HEAD, MAIN, header_cells, sheet_xml, upload, write_xlsx

pytestmark = pytest.mark.usefixtures("english")

DTD = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'


def parts(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.infolist()


def vouched(data, name, row_limit=None):
    entry = next(e for e in parts(data) if e.filename == name)
    return spreadsheets._plainly_within_limits(data, entry, row_limit)


def test_a_plain_workbook_is_measured_without_expat(monkeypatch):
    def expat(*args):
        raise AssertionError("expat was asked")

    monkeypatch.setattr(spreadsheets, "_check_part", expat)
    rows = [(1, header_cells())] + [(n, [(f"A{n}", "x"), (f"T{n}", "y")]) for n in range(2, 5000)]
    data = write_xlsx(io.BytesIO(), sheet_xml(rows, dimension="A1:T4999")).getvalue()
    check_workbook(data, parts(data), max_rows=200_000)
    template = exporting.template_xlsx()
    check_workbook(template, parts(template), max_rows=200_000)


def test_a_dtd_hidden_in_a_part_the_sheet_does_not_name_is_refused():
    app = f'<?xml version="1.0" encoding="UTF-8"?>{DTD}<Properties><a>&a;</a></Properties>'
    data = write_xlsx(io.BytesIO(), sheet_xml([(1, header_cells())]), [("docProps/app.xml", app)])
    assert not vouched(data.getvalue(), "docProps/app.xml")
    with pytest.raises(SpreadsheetError, match="a DTD, entities"):
        read_table(upload(data))


def test_a_dtd_in_utf16_where_no_byte_reads_as_its_mark_is_refused():
    strings = (
        f'<?xml version="1.0" encoding="UTF-16"?>{DTD}<sst xmlns="{MAIN}"><si><t>&a;</t></si></sst>'
    ).encode("utf-16")
    assert b"<!" not in strings
    data = write_xlsx(
        io.BytesIO(), sheet_xml([(1, header_cells())]), [("xl/sharedStrings.xml", strings)]
    )
    with pytest.raises(SpreadsheetError, match="a DTD, entities"):
        read_table(upload(data))


def test_a_dtd_split_across_two_inflated_chunks_is_refused():
    # Stored, so that the chunks end where the bytes say: "<" ends the first, "!DOCTYPE" starts
    # the second.
    declaration = b'<?xml version="1.0" encoding="UTF-8"?>'
    padding = b" " * (INFLATE_CHUNK - len(declaration) - 1)
    sheet = declaration + padding + DTD.encode() + f'<worksheet xmlns="{MAIN}"/>'.encode()
    assert sheet.index(b"<!") == INFLATE_CHUNK - 1
    buffer = io.BytesIO()
    write_xlsx(buffer, sheet_xml([(1, header_cells())]))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/worksheets/sheet2.xml", sheet, compress_type=zipfile.ZIP_STORED)
    assert not vouched(buffer.getvalue(), "xl/worksheets/sheet2.xml", 200_100)
    with pytest.raises(SpreadsheetError, match="a DTD, entities"):
        read_table(upload(buffer))


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        # calamine reads a cell by its local name and its "r" wherever it stands.
        ('<x:c r="XFD1" xmlns:x="urn:x"/>', "column XFD"),
        ('<c t="s" r="XFD1"><v>0</v></c>', "column XFD"),
        ("<c r='XFD1'/>", "column XFD"),
        ('<c r="xfd1"/>', "column XFD"),
        ('<c r="A1048576"/>', "row 1,048,576"),
        ('<c r="A01048576"/>', "row 1,048,576"),
        ("<c/>" * 51, "column AY"),
    ],
)
def test_cells_the_scan_cannot_read_plainly_are_measured_by_expat(cells, message):
    sheet = f'{HEAD}<sheetData><row r="1">{cells}</row></sheetData></worksheet>'.encode()
    data = write_xlsx(io.BytesIO(), sheet)
    assert not vouched(data.getvalue(), "xl/worksheets/sheet1.xml", 200_100)
    with pytest.raises(SpreadsheetError, match=message):
        read_table(upload(data))


@pytest.mark.parametrize("empty", [False, True])
def test_the_scan_counts_depth_as_expat_does(empty):
    for depth in (MAX_XML_DEPTH, MAX_XML_DEPTH + 1):
        # The worksheet and extLst are two levels; an empty innermost element counts as one.
        inner = "<x/>" if empty else "<x></x>"
        nested = "<x>" * (depth - 3) + inner + "</x>" * (depth - 3)
        sheet = f"{HEAD}<sheetData/><extLst>{nested}</extLst></worksheet>".encode()
        data = write_xlsx(io.BytesIO(), sheet).getvalue()
        scanned = vouched(data, "xl/worksheets/sheet1.xml", 200_100)
        if depth > MAX_XML_DEPTH:
            assert not scanned
            with pytest.raises(SpreadsheetError, match="very deep nesting"):
                check_workbook(data, parts(data), max_rows=200_000)
        else:
            assert scanned
            check_workbook(data, parts(data), max_rows=200_000)
