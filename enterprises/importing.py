"""Importing the directory from a spreadsheet: check every row, then write all of it or nothing.

Used by the import pages, ``manage.py import_enterprises`` and the benchmark. Rows are matched on
the credit code inside one prefecture: a new code is filed, a known one is updated where its
cells differ. Columns absent from the file are left as they are; a blank cell clears the value.

A file is read and its cells parsed once. The import pages keep the parsed rows with the batch
(``ImportRow``) between the preview and the import; the import then checks again only what the
directory may have changed meanwhile (codes filed since, records moved out of reach, the staff
figures of columns the file leaves as they are) and, on PostgreSQL, writes the directory and its
history from the kept rows with set-based SQL.
"""

from __future__ import annotations

import datetime
import io
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from tsprotect.accounts.models import Role
from tsprotect.core import scoping
from tsprotect.core.spreadsheets import (
    FORMULA_TRIGGERS,
    SpreadsheetError,
    Table,
    read_table,
)
from tsprotect.core.uploads import storing_files
from tsprotect.regions.models import Prefecture

from . import columns
from .models import Enterprise, ImportBatch, ImportRow

__all__ = [
    "ImportPreview",
    "ImportRejected",
    "ImportResult",
    "SpreadsheetError",
    "confirm_batch",
    "prepare_import",
    "run_import",
    "store_upload",
]

logger = logging.getLogger(__name__)

MAX_ROWS = 200_000
MAX_ERRORS = 1_000
BATCH_SIZE = 2_000
UPDATE_BATCH_SIZE = 1_000  # rows of one UPDATE of simple-history's helper
# On PostgreSQL, stage rows with COPY and write the directory and its history with set-based
# SQL; off, or on another database, simple-history's bulk helpers do the same more slowly.
FAST_WRITES = True

REQUIRED = _("This field is required.")
DUPLICATE = _("This credit code is already on row %(row)d.")
OTHER_PREFECTURE = _(
    "This enterprise is already filed by another prefecture; contact the provincial bureau."
)
OTHER_COUNTY = _(
    "This enterprise is filed under another county; contact the prefecture bureau to change it."
)
OWN_COUNTY_ONLY = _("You can only import enterprises of your own county (%(county)s).")
RD_STAFF_ABOVE_STAFF = _("R&D staff cannot exceed the total staff.")

# Rows are kept by attname (county_id, not county): the values the directory's columns take.
FIELDS = {column.field: Enterprise._meta.get_field(column.field) for column in columns.COLUMNS}
ATTNAMES = {name: field.attname for name, field in FIELDS.items()}
USCC, SECTION, DIVISION = "uscc", "industry_section", "industry_division"
STAFF, RD_STAFF = "staff_count", "rd_staff_count"
# JSON holds every value of a row as it is but dates, kept as ISO text.
DATE_ATTNAMES = {f.attname for f in FIELDS.values() if f.get_internal_type() == "DateField"}
COLUMN_ORDER = {column.header: position for position, column in enumerate(columns.EXPORT_COLUMNS)}


@dataclass
class ImportPreview:
    """What an import would do; ``errors`` are ``{"row", "column", "message"}`` dicts, ``row``
    being the Excel row number (None for a note about the whole file)."""

    prefecture: Prefecture
    row_count: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    create_count: int = 0
    update_count: int = 0
    unchanged_count: int = 0
    # The directory's columns the file holds (attnames) and its parsed rows, (Excel row number,
    # {attname: value}): what the import writes.
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int = 0


class ImportRejected(Exception):
    """The file did not pass validation at import time; nothing was written."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} import errors")
        self.errors = errors


def prepare_import(uploaded_file, *, user, prefecture) -> ImportPreview:
    """Read and validate a spreadsheet for ``prefecture`` and say what importing it would do.

    Raises ``PermissionDenied`` when the user may not manage that prefecture's directory and
    ``SpreadsheetError`` when the file cannot be read or its header row is wrong.
    """
    prefecture = _prefecture(prefecture)
    _check_scope(user, prefecture)
    table = read_table(uploaded_file, max_bytes=settings.IMPORT_MAX_BYTES, max_rows=MAX_ROWS)
    preview = ImportPreview(prefecture=prefecture, row_count=len(table.rows))
    parsed = _parse(table, preview, user=user)
    codes = [values[USCC] for _number, values, _valid in parsed if values.get(USCC)]
    plan = _Plan.against_directory(
        parsed, codes, preview.columns, preview.errors, user=user, prefecture=prefecture
    )
    preview.rows = [(number, values) for number, values, valid in parsed if valid]
    preview.create_count = plan.created
    preview.update_count = len(plan.updates)
    preview.unchanged_count = plan.unchanged
    preview.error_count = len(preview.errors)
    _sort_and_cap(preview.errors)
    return preview


def run_import(uploaded_file, *, user, prefecture) -> ImportResult:
    """Validate a spreadsheet and, if nothing is wrong, file and update its rows at once.

    Raises ``ImportRejected`` (nothing written) when any row, or the file, is wrong.
    """
    prefecture = _prefecture(prefecture)
    try:
        preview = prepare_import(uploaded_file, user=user, prefecture=prefecture)
    except SpreadsheetError as error:
        raise ImportRejected([_error(None, "", error.message)]) from None
    if preview.errors:
        raise ImportRejected(preview.errors)
    return _import(_FileRows(preview.rows), preview.columns, user=user, prefecture=prefecture)


def store_upload(uploaded_file, preview: ImportPreview, *, user) -> ImportBatch:
    """Keep an uploaded spreadsheet and its parsed rows with its preview, for the uploader to
    confirm.

    A county officer's batch carries their county. A batch the uploader could not then reach is
    refused before its file is written, and a file whose rows have errors is kept neither as
    rows nor as a file: it can never be imported, and the preview shows only its errors. Either
    way no file is left behind in the media folder.
    """
    with storing_files():
        batch = ImportBatch.objects.create(
            prefecture=preview.prefecture,
            county_id=scoping.county_limit(user),
            original_name=uploaded_file.name[:255],
            row_count=preview.row_count,
            create_count=preview.create_count,
            update_count=preview.update_count,
            errors=preview.errors,
            columns=preview.columns,
            uploaded_by=user,
        )
        if not ImportBatch.objects.restrict(user, "change").filter(pk=batch.pk).exists():
            raise PermissionDenied(
                _("You may not import enterprises into %(prefecture)s.")
                % {"prefecture": preview.prefecture}
            )
        if not preview.errors:
            _BatchRows(batch).keep(preview.rows)
            batch.file.save(uploaded_file.name, uploaded_file, save=False)
            try:
                batch.save(update_fields=["file"])
            except BaseException:
                batch.file.storage.delete(batch.file.name)
                raise
    return batch


def confirm_batch(batch: ImportBatch, *, user) -> ImportResult:
    """Import a previewed batch, once, from the rows kept at its preview.

    The batch's row is locked for the import, so a second confirmation (a double click, a
    second tab) waits and is then told the batch is imported. Raises ``ValidationError`` when
    the batch was imported already or cannot be imported, and ``ImportRejected`` (nothing
    written; the errors kept on the batch, its rows and file removed) when the directory changed
    since the preview.
    """
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ImportBatch.Status.IMPORTED:
            raise ValidationError(_("This spreadsheet has already been imported."))
        rows = _BatchRows(batch)
        if batch.errors or not batch.file or not rows.exist():
            raise ValidationError(_("This spreadsheet cannot be imported; upload a corrected one."))
        try:
            result = _import(rows, batch.columns, user=user, prefecture=batch.prefecture)
        except ImportRejected as error:
            # Raised once the batch's errors are saved, outside this transaction.
            rejected = error
            batch.errors = rejected.errors
            _discard_file(batch)
            batch.save(update_fields=["errors", "file"])
        else:
            rejected = None
            batch.status = ImportBatch.Status.IMPORTED
            batch.imported_at = timezone.now()
            batch.save(update_fields=["status", "imported_at"])
        # Imported or refused, the batch's rows will not be read again.
        rows.discard()
    if rejected is not None:
        raise rejected
    return result


def expire_previews(now=None) -> int:
    """Clear the kept rows and file of every batch previewed more than
    ``IMPORT_PREVIEW_KEEP_HOURS`` ago and never imported; it shows why, and can no longer be
    imported. Returns how many batches expired. A batch being confirmed right now is skipped."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.IMPORT_PREVIEW_KEEP_HOURS)
    message = _(
        "This preview was not confirmed within %(hours)s hours and has expired; upload the "
        "spreadsheet again."
    ) % {"hours": settings.IMPORT_PREVIEW_KEEP_HOURS}
    stale = ImportBatch.objects.filter(
        status=ImportBatch.Status.PREVIEWED, uploaded_at__lt=cutoff, errors=[]
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(stale):
        with transaction.atomic():
            batch = (
                ImportBatch.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=ImportBatch.Status.PREVIEWED, errors=[])
                .first()
            )
            if batch is None:
                continue
            batch.errors = [_error(None, "", message)]
            if batch.file:
                _discard_file(batch)
            batch.save(update_fields=["errors", "file"])
            _BatchRows(batch).discard()
            expired += 1
    return expired


def _discard_file(batch: ImportBatch):
    """Forget the file of a batch that can no longer be imported; deleted once that is saved."""
    storage, name = batch.file.storage, batch.file.name
    batch.file = ""
    transaction.on_commit(lambda: storage.delete(name))


def _prefecture(prefecture) -> Prefecture:
    if isinstance(prefecture, Prefecture):
        return prefecture
    return Prefecture.objects.get(pk=prefecture)


def _check_scope(user, prefecture):
    codes = scoping.prefecture_codes(user, "manage_enterprises")
    if codes is not scoping.ALL and prefecture.pk not in codes:
        raise PermissionDenied(
            _("You may not import enterprises into %(prefecture)s.") % {"prefecture": prefecture}
        )


def _own_county(user) -> str | None:
    """The county a county officer's rows belong to; None for anyone else."""
    return user.county_id if user.role == Role.COUNTY_OFFICER else None


def _error(row, column, message) -> dict:
    return {"row": row, "column": column, "message": str(message)}


def _sort_and_cap(errors: list[dict]):
    errors.sort(key=lambda error: (error["row"], COLUMN_ORDER.get(error["column"], 0)))
    if len(errors) > MAX_ERRORS:
        hidden = len(errors) - MAX_ERRORS
        del errors[MAX_ERRORS:]
        message = _("%(count)d more errors are not listed.") % {"count": hidden}
        errors.append(_error(None, "", message))


def _present_columns(headers: list[str]) -> list[tuple[int, columns.Column]]:
    found: dict[str, tuple[int, columns.Column]] = {}
    unknown, duplicate = [], []
    for index, header in enumerate(headers):
        # The template marks nothing, but people add an asterisk to required headers.
        name = header.rstrip("*＊ ")
        if not name:
            continue
        column = columns.BY_HEADER.get(name)
        if column is None:
            unknown.append(header)
        elif name in found:
            duplicate.append(name)
        else:
            found[name] = (index, column)
    missing = [header for header in columns.REQUIRED_HEADERS if header not in found]
    problems = []
    if missing:
        problems.append(
            _("Missing required columns: %(columns)s.") % {"columns": "、".join(missing)}
        )
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": "、".join(unknown)})
    if duplicate:
        problems.append(_("Columns given twice: %(columns)s.") % {"columns": "、".join(duplicate)})
    if problems:
        problems.append(_("Please use the headers of the import template."))
        raise SpreadsheetError(" ".join(str(problem) for problem in problems))
    return [(index, column) for index, column in found.values() if column.importable]


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _parse(table: Table, preview: ImportPreview, *, user) -> list[tuple[int, dict, bool]]:
    """Each cell on its own, and what a row says by itself: (row number, values, valid) a row.

    Sets ``preview.columns`` and adds the errors to ``preview.errors``.
    """
    present = _present_columns(table.headers)
    if not table.rows:
        raise SpreadsheetError(_("The file has a header row but no data rows."))
    lookups = columns.Lookups(preview.prefecture)
    own_county = lookups.counties_by_code.get(_own_county(user) or "")
    errors = preview.errors
    preview.columns = [FIELDS[column.field].attname for _index, column in present]
    if DIVISION in preview.columns:
        preview.columns.append(SECTION)
    county_attname = ATTNAMES["county"]

    parsed: list[tuple[int, dict[str, Any], bool]] = []
    first_row_of: dict[str, int] = {}
    # Attributes looked up once: this loop runs for every cell of up to MAX_ROWS rows.
    cells_to_parse = [
        (index, c.header, ATTNAMES[c.field], c.parse, c.required, c.blank, c.is_relation)
        for index, c in present
    ]
    for number, cells in table.rows:
        values: dict[str, Any] = {}
        valid = True
        width = len(cells)
        for index, header, name, parse, required, blank, is_relation in cells_to_parse:
            text = cells[index] if index < width else ""
            if text:
                # Undo the quote our own export puts before formula-like text.
                if text[0] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
                    text = text[1:]
                text = text.strip()
            if not text:
                if required:
                    errors.append(_error(number, header, REQUIRED))
                    valid = False
                else:
                    values[name] = blank
                continue
            try:
                value = parse(text, lookups)
            except ValidationError as error:
                errors.append(_error(number, header, " ".join(error.messages)))
                valid = False
            else:
                values[name] = value.pk if is_relation else value
        code = values.get(USCC)
        if code:
            if code in first_row_of:
                message = DUPLICATE % {"row": first_row_of[code]}
                errors.append(_error(number, columns.USCC, message))
                valid = False
            else:
                first_row_of[code] = number
        if own_county is not None and county_attname in values:
            county = values[county_attname]
            if county is None:
                # A county officer's rows are of their county: a blank cell means just that.
                values[county_attname] = own_county.pk
            elif county != own_county.pk:
                message = OWN_COUNTY_ONLY % {"county": own_county.name}
                errors.append(_error(number, columns.COUNTY, message))
                valid = False
        if DIVISION in values:
            values[SECTION] = Enterprise.section_of(values[DIVISION])
        # Both figures in the file: the row is wrong whatever the directory holds.
        if valid and not _staff_consistent(values, {}):
            errors.append(_error(number, columns.RD_STAFF, RD_STAFF_ABOVE_STAFF))
            valid = False
        parsed.append((number, values, valid))
    return parsed


def _staff_consistent(values: dict, current: dict) -> bool:
    """The R&D staff within the staff, taking from ``current`` what the row leaves as it is."""
    staff = values[STAFF] if STAFF in values else current.get(STAFF)
    rd_staff = values[RD_STAFF] if RD_STAFF in values else current.get(RD_STAFF)
    return staff is None or rd_staff is None or rd_staff <= staff


@dataclass
class _Plan:
    """What the parsed rows do to the directory as it is: the count of new records, the
    records to update (pk, changed attnames) and the count of those unchanged."""

    created: int = 0
    updates: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    unchanged: int = 0

    @classmethod
    def against_directory(cls, parsed, codes, present, errors, *, user, prefecture, lock=False):
        """Check ``parsed`` rows against the directory, adding to ``errors``.

        ``codes`` are the codes to look up (all those of the file, or those the directory
        holds), ``parsed`` at least the rows of the codes the directory holds; the records to
        update are locked when ``lock``.
        """
        wanted = ["id", USCC, *present, STAFF, RD_STAFF]
        existing, elsewhere, out_of_reach = _existing(codes, wanted, user, prefecture, lock)
        plan = cls()
        for number, values, valid in parsed:
            code = values.get(USCC)
            if code in elsewhere:
                errors.append(_error(number, columns.USCC, OTHER_PREFECTURE))
                continue
            if code in out_of_reach:
                errors.append(_error(number, columns.USCC, OTHER_COUNTY))
                continue
            if not valid:
                continue
            current = existing.get(code)
            if current is None:
                plan.created += 1
                continue
            if not _staff_consistent(values, current):
                errors.append(_error(number, columns.RD_STAFF, RD_STAFF_ABOVE_STAFF))
                continue
            changed = tuple(
                name for name, value in values.items() if name != USCC and current[name] != value
            )
            if changed:
                plan.updates.append((current["id"], changed))
            else:
                plan.unchanged += 1
        return plan


def _existing(codes: list[str], wanted: list[str], user, prefecture, lock: bool):
    """The ``wanted`` values of the user's reachable enterprises by code, codes filed
    elsewhere, and codes of this prefecture the user cannot reach (another county, for a
    county officer)."""
    existing: dict[str, dict] = {}
    elsewhere: set[str] = set()
    here: list[str] = []
    for chunk in _chunks(codes, 5 * BATCH_SIZE):
        # The credit code is unique across the province, so this check must look beyond the
        # user's scope; it only learns whether a code is taken, and the user is told no more.
        taken = Enterprise.objects.filter(uscc__in=chunk).values_list("uscc", "prefecture_id")
        for code, prefecture_id in taken:
            if prefecture_id == prefecture.pk:
                here.append(code)
            else:
                elsewhere.add(code)
    reachable = Enterprise.objects.restrict(user, "change").filter(prefecture=prefecture)
    if lock:
        reachable = reachable.select_for_update()
    for chunk in _chunks(here, 5 * BATCH_SIZE):
        existing.update(
            (values[USCC], values)
            for values in reachable.filter(uscc__in=chunk).order_by().values(*wanted)
        )
    out_of_reach = set(here) - existing.keys()
    return existing, elsewhere, out_of_reach


def _import(rows: _Rows, present: list[str], *, user, prefecture) -> ImportResult:
    """Check the kept rows against the directory again, under lock, and write them.

    Raises ``ImportRejected`` (nothing written) when the directory changed in a way that makes
    a row wrong, or a concurrent write filed one of the codes.
    """
    _check_scope(user, prefecture)
    try:
        with transaction.atomic():
            result = _write(rows, present, user=user, prefecture=prefecture)
    except IntegrityError:
        # Another import or form filed one of these codes between our check and our write.
        logger.warning("Enterprise import into %s collided", prefecture.pk, exc_info=True)
        message = _("The directory changed during the import; upload the file again.")
        raise ImportRejected([_error(None, "", message)]) from None
    return result


def _write(rows: _Rows, present: list[str], *, user, prefecture) -> ImportResult:
    # Only the rows whose code the directory now holds can have become wrong since they were
    # parsed: a new record depends on nothing but its own row.
    taken = rows.taken()
    errors: list[dict] = []
    plan = _Plan.against_directory(
        [(number, values, True) for number, values in rows.read(codes=taken)],
        taken,
        present,
        errors,
        user=user,
        prefecture=prefecture,
        lock=True,
    )
    if errors:
        _sort_and_cap(errors)
        raise ImportRejected(errors)
    now = timezone.now()
    new = _new_record(prefecture, user, now)
    if FAST_WRITES and _can_write_fast():
        created = _insert_new(rows, present, new, user, now)
        updated = _update_changed(rows, plan.updates, user, now)
        rows.written()
    else:
        created, updated = _write_with_simple_history(rows, set(taken), plan, new, user, now)
    return ImportResult(created=created, updated=updated, unchanged=plan.unchanged)


def _taken(codes: list[str]) -> list[str]:
    taken = []
    for chunk in _chunks(codes, 5 * BATCH_SIZE):
        taken += Enterprise.objects.filter(uscc__in=chunk).values_list("uscc", flat=True)
    return taken


def _new_record(prefecture, user, now) -> Enterprise:
    """A new record before its row: what the columns absent from the file hold."""
    enterprise = Enterprise(prefecture=prefecture, created_by=user, county_id=_own_county(user))
    enterprise.industry_section = Enterprise.section_of(enterprise.industry_division)
    enterprise.created_at = enterprise.updated_at = now
    return enterprise


def _write_with_simple_history(rows, taken: set, plan, new, user, now) -> tuple[int, int]:
    """Elsewhere (the SQLite of `make run`), simple-history's own bulk helpers."""
    to_create = []
    for _number, values in rows.read():
        # The rows of records the directory holds are updates or unchanged, not new records.
        if values[USCC] in taken:
            continue
        enterprise = Enterprise(**{f.attname: getattr(new, f.attname) for f in _insert_fields()})
        for name, value in values.items():
            setattr(enterprise, name, value)
        to_create.append(enterprise)
    updated = Enterprise.objects.in_bulk([pk for pk, _changed in plan.updates])
    codes = [enterprise.uscc for enterprise in updated.values()]
    by_code = {values[USCC]: values for _number, values in rows.read(codes=codes)}
    changed = sorted({name for _pk, names in plan.updates for name in names})
    to_update = []
    for enterprise in updated.values():
        for name in changed:
            setattr(enterprise, name, by_code[enterprise.uscc][name])
        enterprise.updated_at = now
        to_update.append(enterprise)
    if to_create:
        bulk_create_with_history(
            to_create, Enterprise, batch_size=BATCH_SIZE, default_user=user, default_date=now
        )
    if to_update:
        bulk_update_with_history(
            to_update,
            Enterprise,
            [*changed, "updated_at"],
            batch_size=UPDATE_BATCH_SIZE,
            default_user=user,
            default_date=now,
        )
    return len(to_create), len(to_update)


# -- where parsed rows wait for the write --------------------------------------------------------


# One encoder for every row: json.dumps(cls=…) builds one per call.
_to_json = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _from_json(values: dict) -> dict:
    for name in DATE_ATTNAMES & values.keys():
        if values[name] is not None:
            values[name] = datetime.date.fromisoformat(values[name])
    return values


class _Rows:
    """Parsed rows on their way into the directory, readable from Python and, on PostgreSQL,
    from SQL as a relation of (row, values)."""

    def codes(self) -> list[str]:
        raise NotImplementedError

    def read(self, codes: list[str] | None = None) -> list[tuple[int, dict]]:
        """(row number, values) of every row, or of the rows of ``codes``."""
        raise NotImplementedError

    def relation(self) -> tuple[str, list]:
        """SQL selecting ``row`` and ``values`` (jsonb) of every row, and its parameters."""
        raise NotImplementedError

    def written(self):
        """The rows are in the directory: free what ``relation`` needed."""

    def taken(self) -> list[str]:
        """The codes of the rows that the directory holds."""
        if not (FAST_WRITES and _can_write_fast()):
            return _taken(self.codes())
        relation, params = self.relation()
        quote = connection.ops.quote_name
        uscc = quote(Enterprise._meta.get_field(USCC).column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.{uscc} FROM {quote(Enterprise._meta.db_table)} AS e "  # noqa: S608 -- model names
                f'JOIN ({relation}) AS s ON e.{uscc} = s."values" ->> %s',
                [*params, USCC],
            )
            return [code for (code,) in cursor.fetchall()]


class _BatchRows(_Rows):
    """A previewed batch's rows, kept as ``ImportRow``s from the preview to the import."""

    def __init__(self, batch: ImportBatch):
        self.batch = batch
        self.queryset = ImportRow.objects.filter(batch=batch)

    def keep(self, rows: list[tuple[int, dict]]):
        if FAST_WRITES and _can_write_fast():
            table = ImportRow._meta.db_table
            _copy(table, ["batch_id", "row", "values"], f"{self.batch.pk}\t", rows)
        else:
            ImportRow.objects.bulk_create(
                [ImportRow(batch=self.batch, row=n, values=v) for n, v in rows],
                batch_size=BATCH_SIZE,
            )

    def exist(self) -> bool:
        return self.queryset.exists()

    def discard(self):
        self.queryset.delete()

    def codes(self) -> list[str]:
        return list(self.queryset.values_list(f"values__{USCC}", flat=True))

    def read(self, codes=None):
        if codes is None:
            return [(n, _from_json(v)) for n, v in self.queryset.values_list("row", "values")]
        rows = []
        for chunk in _chunks(codes, 5 * BATCH_SIZE):
            found = self.queryset.filter(**{f"values__{USCC}__in": chunk})
            rows += [(n, _from_json(v)) for n, v in found.values_list("row", "values")]
        return rows

    def relation(self):
        quote = connection.ops.quote_name
        return (
            f'SELECT "row", "values" FROM {quote(ImportRow._meta.db_table)} '  # noqa: S608
            'WHERE "batch_id" = %s',
            [self.batch.pk],
        )


class _FileRows(_Rows):
    """The rows of a file imported at once: in memory, and for SQL in a temporary table
    dropped when the transaction ends."""

    TABLE = "enterprise_import_rows"

    def __init__(self, rows: list[tuple[int, dict]]):
        self.rows = rows
        self.created = False

    def codes(self):
        return [values[USCC] for _number, values in self.rows]

    def read(self, codes=None):
        if codes is None:
            return self.rows
        wanted = set(codes)
        return [(n, values) for n, values in self.rows if values[USCC] in wanted]

    def relation(self):
        if not self.created:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {self.TABLE} "
                    '("row" integer, "values" jsonb) ON COMMIT DROP'
                )
            _copy(self.TABLE, ["row", "values"], "", self.rows)
            self.created = True
        return f'SELECT "row", "values" FROM {self.TABLE}', []  # noqa: S608

    def written(self):
        # Dropped now rather than at commit: a transaction may import several files.
        if self.created:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {self.TABLE}")
            self.created = False


# -- PostgreSQL: set-based writes from the kept rows ---------------------------------------------


# The history rows simple-history writes: the tracked fields plus these.
HISTORY_FIELDS = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
}


def _can_write_fast() -> bool:
    """PostgreSQL through psycopg2, and a history table of the shape simple-history's bulk
    helpers fill (no custom history fields whose values we would not know)."""
    if connection.vendor != "postgresql" or connection.Database.__name__ != "psycopg2":
        return False
    history = Enterprise.history.model
    expected = {f.attname for f in history.tracked_fields} | HISTORY_FIELDS
    return {f.attname for f in history._meta.concrete_fields} == expected


def _copy_json(values: dict) -> str:
    """``values`` as JSON in COPY's text format: JSON escapes every control character itself,
    so only its backslashes need doubling."""
    return _to_json(values).replace("\\", "\\\\")


def _copy(table: str, names: list[str], prefix: str, rows: list[tuple[int, dict]]):
    """``COPY`` rows of (row number, values as jsonb) into ``table``, each line after
    ``prefix``."""
    buffer = io.StringIO()
    buffer.writelines(f"{prefix}{number}\t{_copy_json(values)}\n" for number, values in rows)
    buffer.seek(0)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(
            f"COPY {quote(table)} ({', '.join(quote(n) for n in names)}) FROM STDIN", buffer
        )


def _insert_fields():
    return [
        f
        for f in Enterprise._meta.concrete_fields
        if not f.primary_key and not getattr(f, "generated", False)
    ]


def _history_sql(changes: str) -> str:
    """Append to ``changes`` (a CTE returning the tracked columns of the written records) the
    rows simple-history's bulk helpers would write: the record as it now is, who and when."""
    history = Enterprise.history.model
    quote = connection.ops.quote_name
    tracked = ", ".join(quote(f.column) for f in history.tracked_fields)
    return (
        f"{changes} INSERT INTO {quote(history._meta.db_table)} ({tracked}, history_date, "  # noqa: S608 -- model names
        f"history_user_id, history_type, history_change_reason) "
        f"SELECT {tracked}, %s, %s, %s, NULL FROM written"
    )


def _staged(rows: _Rows) -> tuple[str, list]:
    """The kept rows typed as the directory's own rows, one column per field."""
    relation, params = rows.relation()
    table = connection.ops.quote_name(Enterprise._meta.db_table)
    return (
        f"SELECT r.* FROM ({relation}) AS s "  # noqa: S608 -- model names
        f'CROSS JOIN LATERAL jsonb_populate_record(NULL::{table}, s."values") AS r',
        params,
    )


def _insert_new(rows: _Rows, present: list[str], new: Enterprise, user, now) -> int:
    """File the rows whose code the directory does not hold, with their history, in one
    statement; the number filed."""
    quote = connection.ops.quote_name
    table = quote(Enterprise._meta.db_table)
    history = Enterprise.history.model
    staged, staged_params = _staged(rows)
    names, selected, params = [], [], []
    for f in _insert_fields():
        names.append(quote(f.column))
        if f.attname in present:
            selected.append(f"r.{quote(f.column)}")
        else:
            selected.append(f"CAST(%s AS {f.db_type(connection)})")
            params.append(f.get_db_prep_save(getattr(new, f.attname), connection))
    # In the order of the statement: the constants of the select list, then the kept rows.
    params += staged_params
    tracked = ", ".join(quote(f.column) for f in history.tracked_fields)
    uscc = quote(Enterprise._meta.get_field(USCC).column)
    changes = (
        f"WITH written AS (INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608 -- model names
        f"SELECT {', '.join(selected)} FROM ({staged}) AS r "
        f"WHERE NOT EXISTS (SELECT FROM {table} AS e WHERE e.{uscc} = r.{uscc}) "
        # In name order, the three indexes that lead with the name or end with it fill leaf
        # after leaf, rather than dirtying pages all over them that the small shared buffers
        # must write out and read back.
        f"ORDER BY r.{quote(Enterprise._meta.get_field('name').column)} "
        f"RETURNING {tracked})"
    )
    with connection.cursor() as cursor:
        # For this transaction only: compiling a one-off statement costs more than it saves,
        # and the anti-join's hash of every credit code then fits in memory.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(_history_sql(changes), [*params, now, user.pk if user else None, "+"])
        return cursor.rowcount


def _update_changed(rows: _Rows, updates: list[tuple[int, tuple]], user, now) -> int:
    """Write the changed columns of the records to update, from their rows, with their history,
    in one statement; the number updated.

    One set of columns for every updated row: the unchanged ones are rewritten as they are.
    """
    if not updates:
        return 0
    quote = connection.ops.quote_name
    table = quote(Enterprise._meta.db_table)
    history = Enterprise.history.model
    relation, relation_params = rows.relation()
    changed = sorted({name for _pk, names in updates for name in names})
    fields = [Enterprise._meta.get_field(name) for name in changed]
    assignments = ", ".join(f"{quote(f.column)} = r.{quote(f.column)}" for f in fields)
    tracked = ", ".join(f"e.{quote(f.column)}" for f in history.tracked_fields)
    uscc = quote(Enterprise._meta.get_field(USCC).column)
    pk = quote(Enterprise._meta.pk.column)
    # Only the rows of the records to update are typed as records, a tenth of a re-imported
    # export: typing every kept row took most of the statement's time.
    changes = (
        f'WITH picked AS MATERIALIZED (SELECT s."values" FROM ({relation}) AS s '  # noqa: S608 -- model names
        f'JOIN {table} AS t ON t.{uscc} = s."values" ->> %s WHERE t.{pk} = ANY(%s)), '
        f"written AS (UPDATE {table} AS e SET {assignments}, {quote('updated_at')} = %s "
        f'FROM picked AS p CROSS JOIN LATERAL jsonb_populate_record(NULL::{table}, p."values") '
        f"AS r WHERE e.{uscc} = r.{uscc} RETURNING {tracked})"
    )
    params = [*relation_params, USCC, [pk_ for pk_, _names in updates], now]
    with connection.cursor() as cursor:
        cursor.execute(_history_sql(changes), [*params, now, user.pk if user else None, "~"])
        return cursor.rowcount
