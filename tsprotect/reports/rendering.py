"""A report as people read it: the page, the PDF (weasyprint, A4, Chinese fonts embedded) and
the XLSX (one sheet per section) all render from ``document(report)``, so they always agree.

The files are the bureau's documents and are always written in Chinese, whatever language the
person who triggered them reads.
"""

from __future__ import annotations

import base64
import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import figures as F
from . import periods
from .charts import MONEY_COLUMNS

HUNAN = "湖南省"


# Tables whose every figure is a percentage, whatever its column says.
PERCENT_TABLES = {("work_plan", "progress_by_prefecture")}


def format_figure(value, percent=False):
    """A figure as the report prints it (— for none, 12.5%, 1,234.5, 1,234)."""
    if value is None:
        return "—"
    if percent:
        return f"{value:.1f}%"
    if isinstance(value, float):
        # Money keeps its fen, a mean of percentages its tenth: no trailing zeros either way.
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,}"


def document(report) -> dict:
    """Titles and labels resolved in the active language, cells formatted, links kept."""
    data = report.figures or {}
    period_label = periods.parse(report.period).label
    sections = []
    for section in data.get("sections", ()):
        tables = []
        for table in section["tables"]:
            columns = table["columns"]
            percent = [
                (section["key"], table["key"]) in PERCENT_TABLES or c in F.PERCENT_COLUMNS
                for c in columns
            ]
            rows = [
                {
                    "key": row["key"],
                    "label": str(F.row_label(section["key"], table["key"], row)),
                    "cells": [
                        {"value": value, "text": format_figure(value, is_percent), "link": link}
                        for value, link, is_percent in zip(
                            row["cells"], row["links"], percent, strict=True
                        )
                    ],
                }
                for row in table["rows"]
            ]
            total = table.get("total")
            tables.append(
                {
                    "key": table["key"],
                    "title": str(F.table_title(section["key"], table["key"])),
                    "columns": [str(F.column_label(c)) for c in columns],
                    "column_keys": columns,
                    "percent": percent,
                    "rows": rows,
                    "total": [format_figure(v, p) for v, p in zip(total, percent, strict=True)]
                    if total
                    else None,
                    "total_values": total or None,
                    "chart": table.get("chart"),
                }
            )
        sections.append(
            {"key": section["key"], "title": str(F.section_title(section["key"])), "tables": tables}
        )
    prefecture = (data.get("prefecture") or {}).get("name") or (
        report.prefecture.name if report.prefecture_id else HUNAN
    )
    return {
        "title": _("%(place)s trade secret protection work report, %(period)s")
        % {"place": prefecture, "period": period_label},
        "place": prefecture,
        "period": report.period,
        "period_label": period_label,
        "starts_on": report.starts_on,
        "ends_on": report.ends_on,
        "as_of": timezone.localtime(report.built_at) if report.built_at else None,
        "status": report.get_status_display(),
        "is_draft": report.is_open,
        "narrative": [
            (pgettext("report narrative", "Work done"), report.work_done),
            (pgettext("report narrative", "Problems"), report.problems),
            (pgettext("report narrative", "Next steps"), report.next_steps),
        ],
        "sections": sections,
    }


# A table wider than this many columns goes on a landscape page of its own (the consolidation's
# complaints table: fourteen prefectures by twelve figures).
WIDE_COLUMNS = 7
# A table this narrow has its chart beside it rather than below.
NARROW_COLUMNS = 3
CHART_WIDTH_MM = {"beside": 82, "below": 170, "wide": 240}


def render_pdf(report) -> bytes:
    """The report as the bureau's A4 document: header, page numbers, tables and charts."""
    from weasyprint import HTML  # heavy import, only for the processes that render

    from . import charts

    with translation.override("zh-hans"):
        doc = document(report)
        for section in doc["sections"]:
            for table in section["tables"]:
                if len(table["columns"]) > WIDE_COLUMNS and len(table["rows"]) == 1:
                    # One prefecture's row of many figures reads better as a column.
                    table["layout"] = "transposed"
                    table["pairs"] = list(
                        zip(table["columns"], table["rows"][0]["cells"], strict=True)
                    )
                elif len(table["columns"]) > WIDE_COLUMNS:
                    table["layout"] = "wide"
                elif table["chart"] and len(table["columns"]) <= NARROW_COLUMNS:
                    table["layout"] = "beside"
                else:
                    table["layout"] = "below"
                markup = (
                    charts.svg(table, width_mm=CHART_WIDTH_MM.get(table["layout"], 170))
                    if table["chart"]
                    else ""
                )
                table["chart_uri"] = _data_uri(markup) if markup else ""
                if not table["chart_uri"] and table["layout"] == "beside":
                    table["layout"] = "below"
        html = render_to_string("reports/report_pdf.html", {"doc": doc, "report": report})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _data_uri(markup: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(markup.encode()).decode("ascii")


def render_xlsx(report) -> bytes:
    """A cover sheet (title, period, status, narrative) and one sheet per section with its
    tables; figures are numbers, and no text cell can be read as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from tsprotect.core.spreadsheets import clean_cell

    bold = Font(bold=True)
    top = Alignment(wrap_text=True, vertical="top")
    with translation.override("zh-hans"):
        doc = document(report)
        workbook = Workbook()
        cover = workbook.active
        cover.title = _sheet_title(pgettext("report sheet", "Cover"), set())
        cover.append([clean_cell(doc["title"])])
        cover["A1"].font = Font(bold=True, size=14)
        facts = [
            (pgettext("report", "Area"), doc["place"]),
            (_("Period"), doc["period_label"]),
            (
                pgettext("report", "From – until"),
                f"{doc['starts_on']:%Y-%m-%d} – {doc['ends_on']:%Y-%m-%d}",
            ),
            (_("Status"), doc["status"]),
            (_("Figures as of"), f"{doc['as_of']:%Y-%m-%d %H:%M}" if doc["as_of"] else ""),
        ]
        if report.submitted_at:
            facts.append(
                (
                    _("Submitted at"),
                    f"{timezone.localtime(report.submitted_at):%Y-%m-%d %H:%M} (v{report.version})",
                )
            )
        for label, text in [*facts, *doc["narrative"]]:
            cover.append([clean_cell(str(label)), clean_cell(text or "")])
            cover.cell(cover.max_row, 1).font = bold
            cover.cell(cover.max_row, 1).alignment = top
            cover.cell(cover.max_row, 2).alignment = top
        cover.column_dimensions["A"].width = 18
        cover.column_dimensions["B"].width = 90
        used = {cover.title}
        for section in doc["sections"]:
            sheet = workbook.create_sheet(title=_sheet_title(section["title"], used))
            widths = {}
            for table in section["tables"]:
                sheet.append([clean_cell(table["title"])])
                sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
                sheet.append(["", *[clean_cell(c) for c in table["columns"]]])
                for cell in sheet[sheet.max_row]:
                    cell.font = bold
                    cell.alignment = Alignment(wrap_text=True, vertical="center")
                formats = [
                    _number_format(key, is_percent)
                    for key, is_percent in zip(table["column_keys"], table["percent"], strict=True)
                ]
                for row in table["rows"]:
                    sheet.append([clean_cell(row["label"]), *[c["value"] for c in row["cells"]]])
                    _format_numbers(sheet[sheet.max_row], formats)
                if table["total_values"]:
                    sheet.append([pgettext("report table", "Total"), *table["total_values"]])
                    for cell in sheet[sheet.max_row]:
                        cell.font = bold
                    _format_numbers(sheet[sheet.max_row], formats)
                _measure(widths, [row["label"] for row in table["rows"]], 0)
                for i, header in enumerate(table["columns"]):
                    _measure(widths, [header], i + 1, cap=16)
                    _measure(widths, [r["cells"][i]["text"] for r in table["rows"]], i + 1)
                sheet.append([])
            for index, width in widths.items():
                sheet.column_dimensions[get_column_letter(index + 1)].width = width
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title, used) -> str:
    """A sheet name Excel accepts: 31 characters at most, none of []:*?/\\, not used yet."""
    name = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(title)).strip("'")[:31] or "-"
    base, n = name, 2
    while name in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def _number_format(column, percent) -> str:
    if percent:
        return '0.0"%"'
    if column in MONEY_COLUMNS:
        return "#,##0.00"
    return "#,##0"


def _format_numbers(cells, formats):
    for cell, number_format in zip(cells[1:], formats, strict=False):
        if isinstance(cell.value, int | float):
            cell.number_format = number_format


def _display_width(text) -> int:
    """Columns of a monospaced sheet: a Chinese character takes two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _measure(widths, texts, index, cap=50):
    wanted = max((_display_width(t) for t in texts), default=0) + 2
    widths[index] = max(widths.get(index, 10), min(wanted, cap))
