"""Reading and writing spreadsheets safely: uploads checked by content, exports that Excel never
evaluates.

Uploads come from officers' desktops: XLSX from Excel or WPS, CSV saved by Excel in China (GB18030
unless "CSV UTF-8" was chosen), and sometimes a file that is not a spreadsheet at all. Every such
problem ends as a ``SpreadsheetError`` with a message for the user, never a traceback.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

MAX_BYTES = 10 * 1024 * 1024
# A zip bomb announces its size in its directory: refuse to inflate far beyond the upload limit.
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024

XLSX_SIGNATURE = b"PK\x03\x04"
# Excel 97-2003 workbooks and password-protected XLSX are both OLE2 compound files.
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Control characters never found in a real CSV; their presence means binary content.
BINARY_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SpreadsheetError(Exception):
    """An uploaded file that cannot be read as a table; ``message`` is shown to the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


class Row(NamedTuple):
    number: int  # as Excel shows it, the header being row 1 when it is the first line
    cells: list[str]


class Table(NamedTuple):
    headers: list[str]
    rows: list[Row]


def neutralise(value):
    """Prefix ``'`` to a string that Excel or LibreOffice would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def read_table(uploaded_file, max_bytes: int = MAX_BYTES, max_rows: int | None = None) -> Table:
    """The header row and the non-blank data rows of an XLSX or CSV upload, as strings.

    The type is told by content, not by name. The header is the first non-blank row; blank rows
    are skipped but row numbers stay those the user sees in Excel.
    """
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > max_bytes:
        raise _too_large(max_bytes)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    if isinstance(data, str):
        data = data.encode()
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not data.strip():
        raise SpreadsheetError(_("The file is empty."))

    if data.startswith(XLSX_SIGNATURE):
        lines = _xlsx_lines(data)
    elif data.startswith(OLE2_SIGNATURE):
        raise SpreadsheetError(
            _(
                "This is an Excel 97-2003 (.xls) or password-protected workbook; save it as an "
                "Excel workbook (.xlsx) without a password and upload it again."
            )
        )
    else:
        lines = _csv_lines(_decode(data))
    return _table(lines, max_rows)


def _too_large(max_bytes):
    return SpreadsheetError(
        _("The file is larger than %(limit)s.") % {"limit": filesizeformat(max_bytes)}
    )


def _not_a_spreadsheet():
    return SpreadsheetError(
        _("This file is not a spreadsheet; upload an Excel workbook (.xlsx) or a CSV file.")
    )


def _damaged_workbook():
    return SpreadsheetError(_("This Excel workbook is damaged and cannot be read."))


def _xlsx_lines(data: bytes) -> Iterator[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _damaged_workbook() from None
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        # A Word document, an OpenDocument file or a plain zip archive.
        raise _not_a_spreadsheet()
    if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError(_("This workbook is too large once uncompressed."))
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [
            index
            for index, sheet in enumerate(workbook.sheets_metadata)
            if sheet.typ == SheetTypeEnum.WorkSheet and sheet.visible == SheetVisibleEnum.Visible
        ]
        if not sheets:
            raise SpreadsheetError(_("The workbook has no worksheet."))
        values = workbook.get_sheet_by_index(sheets[0]).to_python(skip_empty_area=False)
    except SpreadsheetError:
        raise
    except Exception:
        # calamine raises its own errors, and also plain ones on malformed XML.
        raise _damaged_workbook() from None
    for row in values:
        # Most cells are text already; converting only the others halves the reading time.
        yield [value if value.__class__ is str else _cell_text(value) for value in row]


def _cell_text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # Excel stores every number as a float: 430104 must not read "430104.0".
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export.
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_a_spreadsheet() from None
    elif data.startswith(b"%PDF") or b"\x00" in data:
        raise _not_a_spreadsheet()
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise SpreadsheetError(
                    _(
                        "The text of this file is neither UTF-8 nor GB18030; save it as "
                        "“CSV UTF-8” and upload it again."
                    )
                ) from None
    text = text.rstrip("\x1a")  # DOS end-of-file mark left by some old tools
    if BINARY_CHARACTERS.search(text):
        raise _not_a_spreadsheet()
    return text


def _csv_lines(text: str) -> Iterator[list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:
        raise SpreadsheetError(
            _("The CSV file is malformed near line %(line)d.") % {"line": reader.line_num}
        ) from None


def _table(lines: Iterable[list[str]], max_rows: int | None) -> Table:
    headers = None
    rows: list[Row] = []
    for number, cells in enumerate(lines, start=1):
        if not "".join(cells).strip():
            continue
        if headers is None:
            headers = [cell.strip() for cell in cells]
            continue
        rows.append(Row(number, cells))
        if max_rows is not None and len(rows) > max_rows:
            raise SpreadsheetError(
                _("The file has more than %(limit)d rows; split it into several files.")
                % {"limit": max_rows}
            )
    if headers is None:
        raise SpreadsheetError(_("The file has no header row."))
    return Table(headers, rows)


def clean_cell(value):
    value = neutralise(value)
    if isinstance(value, str):
        # openpyxl refuses control characters that can hide in a pasted text field.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence],
    output=None,
    *,
    title: str | None = None,
    widths: Sequence[int] | None = None,
    text_columns: Sequence[int] = (),
    extra_sheets: Sequence[tuple[str, Sequence[Sequence]]] = (),
):
    """An XLSX of one sheet (plus ``extra_sheets`` of (title, rows)), written row by row.

    ``text_columns`` (0-based) are formatted as text, so that Excel keeps what is typed into
    them later (the leading zero of 05, the 18 digits of a credit code). Writes into ``output``
    and returns it when given, else returns the bytes.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title) if title else None)
    for index, width in enumerate(widths or (), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for index in text_columns:
        sheet.column_dimensions[get_column_letter(index + 1)].number_format = "@"
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=clean_cell(str(header)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([clean_cell(value) for value in row])
    for extra_title, extra_rows in extra_sheets:
        extra = workbook.create_sheet(title=str(extra_title))
        for row in extra_rows:
            extra.append([clean_cell(value) for value in row])
    if output is not None:
        workbook.save(output)
        return output
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _Line:
    def write(self, value):
        return value


def csv_rows(headers: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """CSV lines for a streaming response: a UTF-8 BOM so that Excel reads the Chinese."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([neutralise(str(header)) for header in headers])
    for row in rows:
        yield writer.writerow([neutralise(value) for value in row])
