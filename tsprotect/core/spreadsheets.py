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
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple
from xml.parsers.expat import ExpatError, ParserCreate

import numpy as np
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
# A 200,000-row directory takes about 270 MB of sheet XML.
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024

# What an XLSX may make calamine build. Calamine fills a dense grid from A1 to the farthest cell
# before anything can be checked, and aborts the whole process (no exception) when that grid
# cannot be allocated: one cell at XFD1048576 asks for 512 GiB. So the sheet XML is streamed and
# measured first, and calamine only ever sees sheets within these limits.
DEFAULT_MAX_ROWS = 200_000
# Rows a sheet may reach beyond its data rows: the header, a title, blank lines above them.
EXTRA_ROWS = 100
# The import template has 27 columns; the rest is room for columns people add for their notes.
MAX_COLUMNS = 50
# Past this many grid cells a sheet must hold at least one cell in SPARSE_FACTOR: two cells at A1
# and T200000 would otherwise make a 5 KB file take 4 million cells (over 200 MB) to read. The
# template's sparsest real row fills its 2 required columns out of 27.
DENSE_FLOOR = 1_000_000
SPARSE_FACTOR = 30
# Real parts of a workbook compress 5 to 30 times; a zip bomb a thousand times. Small parts
# (relationships, styles) may compress better without mattering.
MAX_COMPRESSION_RATIO = 100
RATIO_FLOOR_BYTES = 1024 * 1024
# A workbook from Excel or WPS has a few dozen parts, a few hundred with many pictures.
MAX_MEMBERS = 1_000
# Spreadsheet XML nests about 10 deep, drawings about 20.
MAX_XML_DEPTH = 100
# expat holds a whole tag in memory (and hands its attributes over as strings): a tag of 300 MB
# of attribute would take gigabytes. The longest real tags are a few kilobytes; the longest cell
# text (32,767 characters) is not one token.
MAX_XML_TOKEN_BYTES = 1024 * 1024
INFLATE_CHUNK = 256 * 1024

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


def read_table(
    uploaded_file, max_bytes: int = MAX_BYTES, max_rows: int = DEFAULT_MAX_ROWS
) -> Table:
    """The header row and at most ``max_rows`` non-blank data rows of an XLSX or CSV upload, as
    strings.

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
        lines = _xlsx_lines(data, max_rows)
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


def _too_many_rows(row, limit):
    return SpreadsheetError(
        _(
            "This sheet reaches row %(row)s, but at most %(limit)s rows can be read. Delete the "
            "rows below your data, or split it into several files, and upload it again."
        )
        % {"row": f"{row:,}", "limit": f"{limit:,}"}
    )


def _too_many_columns(column, limit):
    return SpreadsheetError(
        _(
            "This sheet reaches column %(column)s, but at most %(limit)d columns can be read. "
            "Delete the columns to the right of your data and upload it again."
        )
        % {"column": _column_name(column), "limit": limit}
    )


def _too_sparse(row, column):
    return SpreadsheetError(
        _(
            "This sheet is nearly empty but reaches cell %(cell)s. Delete the rows and columns "
            "outside your data and upload it again."
        )
        % {"cell": f"{_column_name(column)}{row}"}
    )


def _zip_bomb():
    return SpreadsheetError(
        _(
            "This workbook unpacks to far more data than a spreadsheet of its size holds, and is "
            "not read. Save it again from Excel or WPS and upload it again."
        )
    )


def _unsafe_xml():
    return SpreadsheetError(
        _(
            "This workbook contains XML that spreadsheets never use (a DTD, entities or very deep "
            "nesting), and is not read. Save it again from Excel or WPS and upload it again."
        )
    )


def _column_name(number: int) -> str:
    if number > 16384:
        return get_column_letter(16384) + "…"
    return get_column_letter(number)


def _xlsx_lines(data: bytes, max_rows: int) -> Iterator[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _damaged_workbook() from None
    names = {_part_name(entry.filename) for entry in entries}
    if names & {"xl/workbook.bin", "content.xml", "mimetype"}:
        # calamine reads these formats too, and would fall back to them.
        raise SpreadsheetError(
            _(
                "This is an Excel binary (.xlsb) or OpenDocument (.ods) workbook; save it as an "
                "Excel workbook (.xlsx) and upload it again."
            )
        )
    if "xl/workbook.xml" not in names:
        # A Word document, an OpenDocument file or a plain zip archive.
        raise _not_a_spreadsheet()
    check_workbook(data, entries, max_rows=max_rows)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [
            index
            for index, sheet in enumerate(workbook.sheets_metadata)
            if sheet.typ == SheetTypeEnum.WorkSheet and sheet.visible == SheetVisibleEnum.Visible
        ]
        if not sheets:
            raise SpreadsheetError(_("The workbook has no worksheet."))
        # Row by row: a blank row costs nothing once it is passed.
        values = workbook.get_sheet_by_index(sheets[0]).iter_rows()
        for row in values:
            # Most cells are text already; converting only the others halves the reading time.
            yield [value if value.__class__ is str else _cell_text(value) for value in row]
    except SpreadsheetError:
        raise
    except Exception:
        # calamine raises its own errors, and also plain ones on malformed XML.
        raise _damaged_workbook() from None


def _part_name(name: str) -> str:
    # calamine finds a part by its name without regard to case or the slash's direction.
    return name.replace("\\", "/").lower()


def check_workbook(data: bytes, entries: list[zipfile.ZipInfo], *, max_rows: int) -> None:
    """Refuse an XLSX that would make calamine build more than the limits allow.

    Checks the zip directory (parts, sizes, compression ratios), then inflates every part that
    calamine may read as XML, chunk by chunk, through expat: no DTD or entity declaration, no
    nesting deeper than MAX_XML_DEPTH, and for worksheets the farthest cell, from the
    ``<dimension>``, every ``<row r>`` and ``<c r>`` and the position of cells without one,
    stopping at the first cell past a limit. Memory stays at a chunk's worth.
    """
    if len(entries) > MAX_MEMBERS:
        raise _zip_bomb()
    names = [_part_name(entry.filename) for entry in entries]
    if len(set(names)) != len(names):
        # Two parts of one name: calamine and this check could each read another.
        raise _damaged_workbook()
    if sum(entry.file_size for entry in entries) > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError(_("This workbook is too large once uncompressed."))
    for entry in entries:
        if entry.file_size > RATIO_FLOOR_BYTES and entry.file_size > MAX_COMPRESSION_RATIO * max(
            entry.compress_size, 1
        ):
            raise _zip_bomb()
    row_limit = max_rows + EXTRA_ROWS
    for entry, name in zip(entries, names, strict=True):
        # calamine takes a worksheet's path from the relationships as it is written, so any
        # part under xl/worksheets/ may be one, whatever its extension.
        sheet = name.startswith("xl/worksheets/")
        if sheet or name.endswith((".xml", ".rels")):
            # Other parts hold cell references too (calcChain.xml), but no grid is built of them.
            limit = row_limit if sheet else None
            if not _plainly_within_limits(data, entry, limit):
                _check_part(_inflate(data, entry), limit)


def _inflate(data: bytes, entry: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's bytes, chunk by chunk, refusing to produce more than its declared size."""
    offset = entry.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or not header.startswith(XLSX_SIGNATURE) or entry.flag_bits & 1:
        raise _damaged_workbook()
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_length + extra_length
    compressed = memoryview(data)[start : start + entry.compress_size]
    if len(compressed) != entry.compress_size:
        raise _damaged_workbook()
    if entry.compress_type == zipfile.ZIP_STORED:
        inflater = None
    elif entry.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    else:
        raise _damaged_workbook()
    produced = crc = 0
    for position in range(0, len(compressed), INFLATE_CHUNK):
        pending = compressed[position : position + INFLATE_CHUNK]
        while pending:
            if inflater is None:
                chunk, pending = bytes(pending), b""
            else:
                chunk = inflater.decompress(pending, INFLATE_CHUNK)
                pending = inflater.unconsumed_tail
            produced += len(chunk)
            if produced > entry.file_size:
                # A directory that understates a part, so that its real size goes unchecked.
                raise _zip_bomb()
            crc = zlib.crc32(chunk, crc)
            yield chunk
    if inflater is not None:
        chunk = inflater.flush()
        produced += len(chunk)
        if produced > entry.file_size:
            raise _zip_bomb()
        crc = zlib.crc32(chunk, crc)
        yield chunk
        if not inflater.eof:
            raise _damaged_workbook()
    if produced != entry.file_size or crc != entry.CRC:
        raise _damaged_workbook()


# The elements that place cells, by local name: calamine ignores namespaces and prefixes.
_ROW, _CELL, _DIMENSION = 1, 2, 3
_KINDS = {"row": _ROW, "c": _CELL, "dimension": _DIMENSION}
_DIGITS = "0123456789"


class _Refused(Exception):
    def __init__(self, error):
        self.error = error


def _column_number(letters: str) -> int:
    """The 1-based column of ``letters``, of any case, as calamine reads them."""
    if not letters or not (letters.isascii() and letters.isalpha()):
        raise _Refused(_damaged_workbook())
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _reference(reference: str) -> tuple[int, int]:
    """(row, column), 1-based, of an A1 reference."""
    letters = reference.rstrip(_DIGITS)
    return int(reference[len(letters) :]), _column_number(letters)


def _check_part(chunks: Iterable[bytes], row_limit: int | None) -> None:
    """Refuse a DTD or deep nesting in a part and, given a ``row_limit``, a worksheet past the
    limits."""
    # This runs for every element of a sheet of up to 200,000 rows: kept lean on purpose.
    # The depth is ``opened - len(closed)``: ends are only collected, by a C method rather than
    # a Python handler (a third of the time), and settled after each chunk.
    opened = row = column = max_row = max_column = cells = 0
    closed: list[str] = []
    kinds: dict[str, int] = {}
    columns: dict[str, int] = {}

    def start(name, attributes):
        nonlocal opened, row, column, max_row, max_column, cells
        opened += 1
        if opened - len(closed) > MAX_XML_DEPTH:
            raise _Refused(_unsafe_xml())
        kind = kinds.get(name)
        if kind is None:
            local = name.rpartition(":")[2]
            kind = kinds[name] = _KINDS.get(local, 0) if row_limit is not None else 0
        if not kind:
            return
        # calamine reads the attribute named exactly "r", as here.
        reference = attributes.get("r")
        if kind == _CELL:
            cells += 1
            if reference is None:
                column += 1
                cell_row = row
            else:
                letters = reference.rstrip(_DIGITS)
                column = columns.get(letters) or columns.setdefault(
                    letters, _column_number(letters)
                )
                cell_row = int(reference[len(letters) :])
            if cell_row > max_row:
                max_row = cell_row
                if max_row > row_limit:
                    raise _Refused(_too_many_rows(max_row, row_limit))
            if column > max_column:
                max_column = column
                if max_column > MAX_COLUMNS:
                    raise _Refused(_too_many_columns(max_column, MAX_COLUMNS))
        elif kind == _ROW:
            column = 0
            if reference is None:
                row += 1
            else:
                row = int(reference[len(reference.rstrip(_DIGITS)) :])
            if row > max_row:
                max_row = row
                if max_row > row_limit:
                    raise _Refused(_too_many_rows(max_row, row_limit))
        else:
            # The dimension can lie either way; calamine may size its grid by it.
            for part in attributes.get("ref", "").split(":"):
                if part:
                    declared_row, declared_column = _reference(part)
                    if declared_row > row_limit:
                        raise _Refused(_too_many_rows(declared_row, row_limit))
                    if declared_column > MAX_COLUMNS:
                        raise _Refused(_too_many_columns(declared_column, MAX_COLUMNS))
                    max_row = max(max_row, declared_row)
                    max_column = max(max_column, declared_column)

    def refuse_dtd(*args):
        raise _Refused(_unsafe_xml())

    parser = ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = closed.append
    # No DTD at all: no entity to expand (billion laughs), none to fetch.
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.ExternalEntityRefHandler = refuse_dtd
    fed = 0
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
            opened -= len(closed)
            closed.clear()
            fed += len(chunk)
            # Outside a handler, the index is where the token expat is still holding begins.
            if fed - parser.CurrentByteIndex > MAX_XML_TOKEN_BYTES:
                raise _Refused(_unsafe_xml())
        parser.Parse(b"", True)
    except _Refused as refused:
        raise refused.error from None
    except (ExpatError, ValueError, OverflowError):
        # Not well-formed, or a row number that is no number.
        raise _damaged_workbook() from None
    if max_row * max_column > max(DENSE_FLOOR, SPARSE_FACTOR * cells):
        raise _too_sparse(max_row, max_column)


# -- the common case at the speed of a byte scan --------------------------------------------------
#
# Expat calls Python for every element: 5 s for a sheet of 100,000 rows. A part as Excel, WPS and
# openpyxl write it (UTF-8; no DTD, comment, CDATA or processing instruction; every "<" opening a
# tag whose ">" comes before the next "<"; rows and cells naming their reference first) can be
# measured with numpy over its bytes instead. Whatever the scan cannot vouch for goes to
# _check_part, which alone refuses, so the messages stay those of the exact check.

_DECLARATION = re.compile(rb"<\?xml\s[^<>?]*\?>")
_ENCODING = re.compile(rb"\sencoding\s*=\s*[\"']([^\"']*)[\"']")
# A prefixed row, cell or dimension, which calamine reads by its local name.
_PREFIXED_PLACING = re.compile(rb"<[^\s<>/]*:(?:c|row|dimension)[\s/>]")
_DIMENSION_TAG = re.compile(rb"<dimension[\s/>][^>]*>")
_PLAIN_DIMENSION = re.compile(
    rb'<dimension ref="([A-Za-z]{1,3}[1-9][0-9]{0,6})(?::([A-Za-z]{1,3}[1-9][0-9]{0,6}))?"\s*/?>'
)
# Enough of a part's start to hold its XML declaration.
_HEAD_BYTES = 1024
# Room after the last byte of a region, so that looking a few bytes past a tag stays in bounds.
_PADDING = bytes(16)
_SEPARATOR = np.zeros(256, dtype=bool)
_SEPARATOR[list(b" \t\r\n/>")] = True
_LT, _GT, _SLASH, _QUOTE, _EQUALS, _SPACE = b'<>/"= '
# A reference's row has at most 7 digits (Excel's last row is 1,048,576).
_ROW_DIGITS = 7


def _plainly_within_limits(data: bytes, entry: zipfile.ZipInfo, row_limit: int | None) -> bool:
    """True when a byte scan shows that the part passes ``_check_part``; False when it cannot
    tell (then only expat can)."""
    scan = _Scan(row_limit)
    carry = b""
    head = True
    try:
        for chunk in _inflate(data, entry):
            carry += chunk
            if head:
                if len(carry) < _HEAD_BYTES:
                    continue
                carry = _after_declaration(carry)
                if carry is None:
                    return False
                head = False
            # Regions end before a "<", so that a tag or a "<!" never straddles two of them.
            cut = carry.rfind(b"<")
            if cut > 0:
                if not scan.region(carry[:cut]):
                    return False
                carry = carry[cut:]
            if len(carry) > MAX_XML_TOKEN_BYTES:
                return False
    except SpreadsheetError:
        # Expat may see something else wrong first: it says which.
        return False
    if head:
        carry = _after_declaration(carry)
        if carry is None:
            return False
    return scan.region(carry) and scan.finished()


def _after_declaration(head: bytes) -> bytes | None:
    """The part after its XML declaration, or None unless it is plainly UTF-8."""
    head = head.removeprefix(codecs.BOM_UTF8)
    if head.startswith(b"<?xml"):
        declaration = _DECLARATION.match(head)
        if declaration is None:
            return None
        encoding = _ENCODING.search(declaration.group())
        if encoding and encoding.group(1).lower() != b"utf-8":
            # "<!" could be spelt in other bytes.
            return None
        return head[declaration.end() :]
    return head if head.startswith(b"<") and not head.startswith(b"<?") else None


class _Scan:
    """The depth and, for a worksheet, the farthest cell of a part, region by region."""

    def __init__(self, row_limit: int | None):
        self.row_limit = row_limit
        self.depth = self.max_row = self.max_column = self.cells = 0

    def region(self, text: bytes) -> bool:
        if b"<!" in text or b"<?" in text:
            return False
        if _LT not in text:
            return _GT not in text
        data = np.frombuffer(text + _PADDING, dtype=np.uint8)
        body = data[: len(text)]
        opens, closes = np.flatnonzero(body == _LT), np.flatnonzero(body == _GT)
        # Each "<" then its ">", alternating: no ">" in text or attribute values, so every tag
        # is where the bytes say.
        if len(opens) != len(closes) or not (opens < closes).all():
            return False
        if not (closes[:-1] < opens[1:]).all():
            return False
        if int((closes - opens).max()) >= MAX_XML_TOKEN_BYTES:
            return False
        ending = data[opens + 1] == _SLASH
        empty = data[closes - 1] == _SLASH
        if (ending & empty).any():
            return False
        step = np.where(ending, -1, np.where(empty, 0, 1))
        depth = np.cumsum(step)
        # Expat counts an element's depth on its start, an empty one's too.
        peak = int((depth - step + ~ending).max())
        if self.depth + peak > MAX_XML_DEPTH or self.depth + int(depth.min()) < 0:
            return False
        self.depth += int(depth[-1])
        return self.row_limit is None or self._placing(text, data, opens)

    def _placing(self, text: bytes, data: np.ndarray, opens: np.ndarray) -> bool:
        if _PREFIXED_PLACING.search(text):
            return False
        if b"<dimension" in text and not self._dimensions(text):
            return False
        names = data[opens + 1]
        cells = opens[(names == ord("c")) & _SEPARATOR[data[opens + 2]]]
        if len(cells):
            if not _attribute_r_first(data, cells + 2):
                return False
            rows, columns = _references(data, cells + 6)
            if rows is None:
                return False
            self.cells += len(cells)
            self.max_row = max(self.max_row, int(rows.max()))
            self.max_column = max(self.max_column, int(columns.max()))
        rows = opens[
            (names == ord("r"))
            & (data[opens + 2] == ord("o"))
            & (data[opens + 3] == ord("w"))
            & _SEPARATOR[data[opens + 4]]
        ]
        if len(rows):
            if not _attribute_r_first(data, rows + 4):
                return False
            numbers = _row_numbers(data, rows + 8)
            if numbers is None:
                return False
            self.max_row = max(self.max_row, int(numbers.max()))
        return self.max_row <= self.row_limit and self.max_column <= MAX_COLUMNS

    def _dimensions(self, text: bytes) -> bool:
        for tag in _DIMENSION_TAG.findall(text):
            plain = _PLAIN_DIMENSION.fullmatch(tag)
            if plain is None:
                return False
            for reference in filter(None, plain.groups()):
                row, column = _reference(reference.decode())
                self.max_row = max(self.max_row, row)
                self.max_column = max(self.max_column, column)
        return True

    def finished(self) -> bool:
        if self.depth != 0:
            return False
        if self.row_limit is None:
            return True
        if self.max_row > self.row_limit or self.max_column > MAX_COLUMNS:
            return False
        return self.max_row * self.max_column <= max(DENSE_FLOOR, SPARSE_FACTOR * self.cells)


def _attribute_r_first(data: np.ndarray, at: np.ndarray) -> bool:
    """Whether each tag has ` r="` at ``at``: the attribute calamine reads, as the first."""
    return bool(
        (
            (data[at] == _SPACE)
            & (data[at + 1] == ord("r"))
            & (data[at + 2] == _EQUALS)
            & (data[at + 3] == _QUOTE)
        ).all()
    )


def _letter(codes: np.ndarray) -> np.ndarray:
    upper = codes & 0xDF
    return (upper >= ord("A")) & (upper <= ord("Z"))


def _references(data: np.ndarray, at: np.ndarray):
    """(rows, columns) of the A1 references at ``at`` (one or two letters, then the row, then
    a quote), or (None, None) if one is anything else."""
    first, second = data[at], data[at + 1]
    two = _letter(second)
    if not _letter(first).all() or (two & _letter(data[at + 2])).any():
        return None, None
    first_number = (first & 0xDF).astype(np.int64) - 64
    second_number = (second & 0xDF).astype(np.int64) - 64
    columns = np.where(two, first_number * 26 + second_number, first_number)
    return _row_numbers(data, at + 1 + two), columns


def _row_numbers(data: np.ndarray, at: np.ndarray) -> np.ndarray | None:
    """The numbers at ``at`` (no leading zero, then a quote), or None if one is anything else."""
    numbers = np.zeros(len(at), dtype=np.int64)
    reading = np.ones(len(at), dtype=bool)
    for offset in range(_ROW_DIGITS + 1):
        codes = data[at + offset]
        digit = (codes >= ord("0")) & (codes <= ord("9"))
        if offset == 0 and not (digit & (codes != ord("0"))).all():
            return None
        stopped = reading & ~digit
        if (stopped & (codes != _QUOTE)).any():
            return None
        reading &= digit
        if not reading.any():
            return numbers
        numbers = np.where(reading, numbers * 10 + (codes.astype(np.int64) - ord("0")), numbers)
    return None


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


def _table(lines: Iterable[list[str]], max_rows: int) -> Table:
    headers = None
    rows: list[Row] = []
    for number, cells in enumerate(lines, start=1):
        if not "".join(cells).strip():
            continue
        if headers is None:
            headers = [cell.strip() for cell in cells]
            continue
        rows.append(Row(number, cells))
        if len(rows) > max_rows:
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
