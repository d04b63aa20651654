"""The directory spreadsheet: its columns, once, for the template, the import and the export.

Headers are the file format, not the interface: they stay in Chinese whatever the user's language,
so that a file exported in English re-imports anywhere. Each column parses a stripped cell text
into the model value (raising ``ValidationError``) and formats a model value back into text that
the parser accepts, so an export re-imports unchanged.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsprotect.core.validators import normalise_uscc, validate_uscc
from tsprotect.regions.models import County, FtzArea, HostOrganisation

from .industries import DIVISIONS
from .models import Enterprise

USCC = "统一社会信用代码"
NAME = "企业名称"
COUNTY = "县市区"
PARK = "所在园区"
FTZ_AREA = "自贸试验区片区"
STAFF = "员工人数"
RD_STAFF = "研发人员数"
PREFECTURE = "市州"

MAX_INTEGER = 2_147_483_647  # PositiveIntegerField on PostgreSQL

YES = "是"
NO = "否"
BOOLEAN_VALUES = {
    **dict.fromkeys(("是", "y", "yes", "1", "true"), True),
    **dict.fromkeys(("否", "n", "no", "0", "false"), False),
}
SIZE_LABELS = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
SIZE_VALUES = {
    **{label: code for code, label in SIZE_LABELS.items()},
    **{c: c for c in SIZE_LABELS},
}

DATE_PATTERN = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    # The time of an Excel date-and-time cell, if any, is dropped.
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
# A date cell formatted as General in Excel arrives as its serial number.
EXCEL_SERIAL_PATTERN = re.compile(r"\d{5}(?:\.0+)?")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
DIVISION_PATTERN = re.compile(r"(\d{1,2})(?:\D.*)?", re.DOTALL)
COMPACT_USCC = re.compile(r"[0-9A-Z]{18}")
INTEGER_PATTERN = re.compile(r"\d{1,3}(?:,\d{3})+|\d+(?:\.0+)?")


class Lookups:
    """Counties, parks and FTZ areas by name or code, for an import into one prefecture."""

    def __init__(self, prefecture):
        self.prefecture = prefecture
        self.counties_by_code = {}
        self.counties_here = {}
        self.counties_elsewhere = {}
        for county in County.objects.select_related("prefecture"):
            self.counties_by_code[county.code] = county
            if county.prefecture_id == prefecture.pk:
                self.counties_here[county.name] = county
            else:
                self.counties_elsewhere.setdefault(county.name, county)
        self.hosts = {
            host.name: host for host in HostOrganisation.objects.select_related("prefecture")
        }
        self.ftz_areas = {}
        for area in FtzArea.objects.select_related("prefecture"):
            self.ftz_areas[area.name] = self.ftz_areas[area.code] = area


def _elsewhere(text, other, lookups):
    return ValidationError(
        _("%(value)s is in %(other)s, not in %(prefecture)s."),
        code="other_prefecture",
        params={"value": text, "other": other.prefecture.name, "prefecture": lookups.prefecture},
    )


def parse_county(text, lookups):
    county = lookups.counties_by_code.get(text) or lookups.counties_here.get(text)
    if county is None:
        county = lookups.counties_elsewhere.get(text)
        if county is None:
            raise ValidationError(
                _("There is no county or district called “%(value)s”."),
                code="unknown_county",
                params={"value": text},
            )
    if county.prefecture_id != lookups.prefecture.pk:
        raise _elsewhere(text, county, lookups)
    return county


def parse_park(text, lookups):
    host = lookups.hosts.get(text)
    if host is None:
        raise ValidationError(
            _("There is no park called “%(value)s”."), code="unknown_park", params={"value": text}
        )
    if not host.is_park:
        raise ValidationError(
            _("“%(value)s” is not a park."), code="not_a_park", params={"value": text}
        )
    if host.prefecture_id != lookups.prefecture.pk:
        raise _elsewhere(text, host, lookups)
    return host


def parse_ftz_area(text, lookups):
    area = lookups.ftz_areas.get(text)
    if area is None:
        raise ValidationError(
            _("There is no FTZ area called “%(value)s”."),
            code="unknown_ftz_area",
            params={"value": text},
        )
    if area.prefecture_id != lookups.prefecture.pk:
        raise _elsewhere(text, area, lookups)
    return area


def parse_uscc(text, lookups=None):
    # Nearly every code arrives compact already; normalising costs as much as validating.
    code = text if COMPACT_USCC.fullmatch(text) else normalise_uscc(text)
    validate_uscc(code)
    return code


def text_parser(max_length: int | None):
    def parse_text(text, lookups=None):
        if max_length and len(text) > max_length:
            raise ValidationError(
                _("At most %(limit)d characters; this one has %(length)d."),
                code="too_long",
                params={"limit": max_length, "length": len(text)},
            )
        return text

    return parse_text


def parse_division(text, lookups=None):
    match = DIVISION_PATTERN.fullmatch(text)
    if not match:
        raise ValidationError(
            _("Enter the two-digit GB/T 4754-2017 division code, such as 39."),
            code="division_format",
        )
    # Excel drops the leading zero of 01–09 in a number cell.
    code = match.group(1).zfill(2)
    if code not in DIVISIONS:
        raise ValidationError(
            _("%(value)s is not a GB/T 4754-2017 division code."),
            code="unknown_division",
            params={"value": code},
        )
    return code


def parse_size(text, lookups=None):
    try:
        return SIZE_VALUES[text.lower()]
    except KeyError:
        raise ValidationError(_("Enter 大型, 中型, 小型 or 微型."), code="size_class") from None


def parse_boolean(text, lookups=None):
    try:
        return BOOLEAN_VALUES[text.lower()]
    except KeyError:
        raise ValidationError(
            _("Enter 是 or 否 (Y/N, 1/0 and true/false are also accepted)."), code="boolean"
        ) from None


def parse_integer(text, lookups=None):
    if not INTEGER_PATTERN.fullmatch(text):
        raise ValidationError(_("Enter a whole number of 0 or more."), code="integer")
    value = int(text.replace(",", "").split(".")[0])
    if value > MAX_INTEGER:
        raise ValidationError(_("This number is too large."), code="integer_too_large")
    return value


def parse_date(text, lookups=None):
    try:
        match = DATE_PATTERN.fullmatch(text)
        if match:
            return datetime.date(*(int(part) for part in match.groups()))
        if EXCEL_SERIAL_PATTERN.fullmatch(text):
            return EXCEL_EPOCH + datetime.timedelta(days=int(float(text)))
    except (ValueError, OverflowError):
        pass
    raise ValidationError(_("Enter a date such as 2026-11-25."), code="date")


def format_text(value):
    return value or ""


def format_related(value):
    return value.name if value is not None else ""


def format_size(value):
    return SIZE_LABELS.get(value, value or "")


def format_boolean(value):
    return YES if value else NO


def format_integer(value):
    return "" if value is None else str(value)


def format_date(value):
    return value.isoformat() if value else ""


def format_status(value):
    return str(Enterprise.Status(value).label) if value in Enterprise.Status.values else value


def format_datetime(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    parse: Callable[[str, Lookups], Any] | None
    format: Callable[[Any], str]
    required: bool = False
    help: str = ""
    width: int = 12
    # Formatted as text in the sheets we write: codes whose digits Excel would otherwise mangle.
    as_text: bool = False

    @property
    def importable(self) -> bool:
        return self.parse is not None

    @property
    def is_relation(self) -> bool:
        return self.format is format_related

    @property
    def blank(self):
        """The model value of an empty cell, as the model field stores "nothing"."""
        field = Enterprise._meta.get_field(self.field)
        if field.get_internal_type() == "BooleanField":
            return False
        return None if field.null else ""

    def cell(self, enterprise) -> str:
        return self.format(getattr(enterprise, self.field))


def _text(header, field, width=16, **options):
    max_length = Enterprise._meta.get_field(field).max_length
    return Column(header, field, text_parser(max_length), format_text, width=width, **options)


BOOLEAN_HELP = _("是 or 否; blank means 否.")
INTEGER_HELP = _("A whole number of 0 or more; may be left blank.")

COLUMNS: list[Column] = [
    Column(
        USCC,
        "uscc",
        parse_uscc,
        format_text,
        required=True,
        width=22,
        as_text=True,
        help=_("Required. The 18 characters of the business licence; rows are matched on it."),
    ),
    _text(NAME, "name", width=36, required=True, help=_("Required.")),
    _text("法定代表人", "legal_representative", width=12),
    _text("地址", "address", width=40),
    Column(
        COUNTY,
        "county",
        parse_county,
        format_related,
        as_text=True,
        help=_("A county of the prefecture, by name (such as 岳麓区) or 6-digit division code."),
    ),
    Column(
        PARK,
        "park",
        parse_park,
        format_related,
        width=24,
        help=_("The name of an industrial park, development zone or high-tech zone."),
    ),
    Column(
        FTZ_AREA,
        "ftz_area",
        parse_ftz_area,
        format_related,
        width=14,
        help=_("An area of the Hunan Pilot Free Trade Zone, such as 长沙片区."),
    ),
    Column(
        "行业大类代码",
        "industry_division",
        parse_division,
        format_text,
        as_text=True,
        help=_("The two-digit GB/T 4754-2017 division, such as 39."),
    ),
    Column("企业规模", "size_class", parse_size, format_size, help=_("大型, 中型, 小型 or 微型.")),
    Column("行业领军", "is_industry_leader", parse_boolean, format_boolean, help=BOOLEAN_HELP),
    Column("老字号", "is_time_honoured_brand", parse_boolean, format_boolean, help=BOOLEAN_HELP),
    Column("高新技术企业", "is_high_tech", parse_boolean, format_boolean, help=BOOLEAN_HELP),
    Column("中小企业", "is_sme", parse_boolean, format_boolean, help=BOOLEAN_HELP),
    Column(
        "持有技术信息",
        "holds_technical_information",
        parse_boolean,
        format_boolean,
        help=BOOLEAN_HELP,
    ),
    Column(
        "持有经营信息",
        "holds_business_information",
        parse_boolean,
        format_boolean,
        help=BOOLEAN_HELP,
    ),
    Column(STAFF, "staff_count", parse_integer, format_integer, help=INTEGER_HELP),
    Column(
        RD_STAFF,
        "rd_staff_count",
        parse_integer,
        format_integer,
        help=_("A whole number, at most the staff; may be left blank."),
    ),
    Column(
        "年技术人员流失数",
        "technical_departures_per_year",
        parse_integer,
        format_integer,
        width=16,
        help=INTEGER_HELP,
    ),
    _text("保护需求", "protection_needs", width=40),
    _text("联系人", "contact_person", width=12),
    _text("联系电话", "contact_phone", width=16, as_text=True),
    _text("联络员", "liaison_officer", width=12),
    _text("联络员电话", "liaison_phone", width=16, as_text=True),
    Column(
        "最近确认日期",
        "last_confirmed_on",
        parse_date,
        format_date,
        width=14,
        help=_("A date such as 2026-11-25."),
    ),
]

READ_ONLY_HELP = _("Filled in by the portal; ignored on import.")

# Exported for reading only; an import ignores them.
READ_ONLY_COLUMNS: list[Column] = [
    Column(PREFECTURE, "prefecture", None, format_related, help=READ_ONLY_HELP),
    Column("状态", "status", None, format_status, help=READ_ONLY_HELP),
    Column("录入时间", "created_at", None, format_datetime, width=18, help=READ_ONLY_HELP),
]

EXPORT_COLUMNS = COLUMNS + READ_ONLY_COLUMNS
BY_HEADER = {column.header: column for column in EXPORT_COLUMNS}
REQUIRED_HEADERS = [column.header for column in COLUMNS if column.required]
