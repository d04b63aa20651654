"""Exporting the directory as XLSX or CSV, and the import template, from ``columns``.

The caller passes a queryset already scoped with ``Enterprise.objects.restrict(user, "view")``;
rows are read in chunks so a province-wide export stays in constant memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from django.utils.translation import gettext_lazy as _

from tsprotect.core.spreadsheets import csv_rows, write_xlsx

from .columns import COLUMNS, EXPORT_COLUMNS, YES

RELATED = ("prefecture", "county", "park", "ftz_area")
CHUNK_SIZE = 2_000
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, the header row aside


def _text_columns(columns):
    return [index for index, column in enumerate(columns) if column.as_text]


def _rows(queryset) -> Iterator[list[str]]:
    for enterprise in queryset.select_related(*RELATED).iterator(chunk_size=CHUNK_SIZE):
        yield [column.cell(enterprise) for column in EXPORT_COLUMNS]


def export_xlsx(queryset, output=None):
    """The enterprises of ``queryset`` as XLSX bytes (or written into ``output``).

    Only the first ``XLSX_MAX_ROWS`` fit in a sheet: beyond that, export CSV.
    """
    return write_xlsx(
        [column.header for column in EXPORT_COLUMNS],
        islice(_rows(queryset), XLSX_MAX_ROWS),
        output,
        title=_("Enterprise directory"),
        widths=[column.width for column in EXPORT_COLUMNS],
        text_columns=_text_columns(EXPORT_COLUMNS),
    )


def export_csv(queryset) -> Iterator[str]:
    """The enterprises of ``queryset`` as CSV lines (UTF-8 with BOM), for a streaming response."""
    return csv_rows([column.header for column in EXPORT_COLUMNS], _rows(queryset))


def template_xlsx() -> bytes:
    """An empty import sheet with its headers, and a sheet explaining each column."""
    instructions = [
        [str(_("Column")), str(_("Required?")), str(_("How to fill it in"))],
        *([column.header, YES if column.required else "", str(column.help)] for column in COLUMNS),
    ]
    return write_xlsx(
        [column.header for column in COLUMNS],
        [],
        title=_("Enterprise directory"),
        widths=[column.width for column in COLUMNS],
        text_columns=_text_columns(COLUMNS),
        extra_sheets=[(_("Instructions"), instructions)],
    )
