"""The benchmark's own PostgreSQL database, its personas, and the results table.

The database (``BENCH_DATABASE``, default ``tsprotect_bench``) persists between runs: it is
created with a UTF-8 ``LC_CTYPE`` (pg_trgm sees no Chinese character otherwise), migrated, and
seeded with ``seed_scale`` up to ``BENCH_ENTERPRISES`` rows (default 1,000,000) only when it
holds fewer. Each benchmark runs inside a transaction that is rolled back, as in the test suite,
so a run leaves the directory as it found it.
"""

from __future__ import annotations

import io
import os
import platform
import statistics
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from psycopg2 import sql

BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "tsprotect_bench")
BENCH_ENTERPRISES = int(os.environ.get("BENCH_ENTERPRISES", "1000000"))
# Synthetic complaints in the benchmark database (the complaint queue benchmark).
BENCH_COMPLAINTS = int(os.environ.get("BENCH_COMPLAINTS", "100000"))
# Repetitions of each timed measurement; the median is reported.
BENCH_REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
# 100,000 rows at full scale; a smoke run imports a tenth of its directory.
BENCH_IMPORT_ROWS = int(
    os.environ.get("BENCH_IMPORT_ROWS", str(min(100_000, BENCH_ENTERPRISES // 10)))
)
RESULTS_PATH = Path(__file__).resolve().parent / "results.txt"

OFFICER = "bench_officer_430100"
PROVINCE = "bench_province"


# -- results -----------------------------------------------------------------------------------


@dataclass
class Section:
    order: int
    title: str
    lines: list[str] = field(default_factory=list)


class Results:
    """Sections of the report, printed at the end of the run and written to results.txt."""

    def __init__(self):
        self.sections: dict[str, Section] = {}
        self.server = "?"

    def section(self, order: int, title: str) -> Section:
        return self.sections.setdefault(title, Section(order, title))

    def text(self, order: int, title: str, text: str):
        self.section(order, title).lines.extend(text.rstrip("\n").split("\n"))

    def table(self, order: int, title: str, headers: list[str], rows: list[list], note: str = ""):
        cells = [[str(cell) for cell in row] for row in [headers, *rows]]
        widths = [max(display_width(row[i]) for row in cells) for i in range(len(headers))]

        def line(row):
            return "  ".join(pad(cell, width) for cell, width in zip(row, widths, strict=True))

        lines = [line(cells[0]), "  ".join("-" * w for w in widths)]
        lines += [line(row) for row in cells[1:]]
        if note:
            lines += ["", *note.split("\n")]
        self.text(order, title, "\n".join(lines))

    def render(self) -> str:
        parts = []
        for section in sorted(self.sections.values(), key=lambda s: s.order):
            parts.append(f"## {section.title}\n\n" + "\n".join(section.lines) + "\n")
        return "\n".join(parts)


def display_width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


RESULTS = Results()


@pytest.fixture(scope="session")
def results():
    return RESULTS


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not RESULTS.sections:
        return
    header = (
        f"# tsprotect benchmark — {datetime.now():%Y-%m-%d %H:%M}\n\n"
        f"database {BENCH_DATABASE}, PostgreSQL {RESULTS.server}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, repeat {BENCH_REPEAT} "
        f"(medians)\n\n"
    )
    text = header + RESULTS.render()
    RESULTS_PATH.write_text(text, encoding="utf-8")
    terminalreporter.write_sep("=", "benchmark results")
    terminalreporter.write(text)
    terminalreporter.write_line(f"(written to {RESULTS_PATH})")


# -- timing ------------------------------------------------------------------------------------


def interleaved(measurements: dict, repeat: int = BENCH_REPEAT, warmup: int = 2) -> dict:
    """Median seconds of each callable, run in turn so that machine noise hits them alike."""
    for _ in range(warmup):
        for measure in measurements.values():
            measure()
    samples = {name: [] for name in measurements}
    for _ in range(repeat):
        for name, measure in measurements.items():
            started = time.perf_counter()
            measure()
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in samples.items()}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


# -- the benchmark database --------------------------------------------------------------------


def ensure_database(name: str):
    """Create the benchmark database if missing; refuse one whose LC_CTYPE is not UTF-8."""
    params = settings.DATABASES["default"]
    admin = psycopg2.connect(
        dbname="postgres",
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT datctype FROM pg_database WHERE datname = %s", [name])
            row = cursor.fetchone()
            if row is None:
                cursor.execute(
                    sql.SQL(
                        "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' "
                        "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
                    ).format(sql.Identifier(name))
                )
            elif "utf" not in row[0].lower().replace("-", ""):
                pytest.exit(
                    f"Database {name} has LC_CTYPE {row[0]!r}: pg_trgm extracts no trigram from "
                    "Chinese text there. Drop it or set BENCH_DATABASE to another name.",
                    returncode=2,
                )
    finally:
        admin.close()


def use_database(name: str):
    for alias in connections:
        connections[alias].close()
    # Django's connection shares this dict with settings, so both now name the bench database.
    settings.DATABASES["default"]["NAME"] = name
    connections["default"].settings_dict["NAME"] = name


def ensure_rows(target: int, capture):
    from enterprises.models import Enterprise
    from tsprotect.core.management.commands.seed_scale import SEED_USERNAME

    total = Enterprise.objects.count()
    synthetic = Enterprise.objects.filter(created_by__username=SEED_USERNAME).count()
    if total >= target:
        return f"already seeded: {total:,} enterprises ({synthetic:,} synthetic); not reloaded"
    output = Tee(capture)
    started = time.perf_counter()
    call_command(
        "seed_scale", enterprises=target, complaints=0, reset=bool(synthetic), stdout=output
    )
    return output.getvalue() + f"(seed_scale took {time.perf_counter() - started:.1f} s)"


def ensure_complaints(target: int, capture):
    """Synthetic complaints up to ``target`` (filed by the synthetic directory), loaded only
    when the database holds fewer complaints."""
    from complaints.models import Complaint
    from tsprotect.core.management.commands.seed_scale import SEED_USERNAME

    total = Complaint.objects.count()
    synthetic = Complaint.objects.filter(registered_by__username=SEED_USERNAME).count()
    if total >= target:
        return f"already seeded: {total:,} complaints ({synthetic:,} synthetic); not reloaded"
    output = Tee(capture)
    started = time.perf_counter()
    call_command(
        "seed_scale", enterprises=0, complaints=target, reset=bool(synthetic), stdout=output
    )
    return (
        output.getvalue() + f"(seed_scale --complaints took {time.perf_counter() - started:.1f} s)"
    )


class Tee(io.StringIO):
    """Shows a long command's progress while keeping its output for the report."""

    def __init__(self, capture):
        super().__init__()
        self.capture = capture

    def write(self, text):
        with self.capture():
            print(text, end="", flush=True)
        return super().write(text)


def ensure_users():
    from tsprotect.accounts.models import Role, User

    wanted = {
        OFFICER: {"role": Role.PREFECTURE_OFFICER, "prefecture_id": "430100"},
        PROVINCE: {"role": Role.PROVINCE, "prefecture_id": None},
    }
    for username, fields in wanted.items():
        user = User.objects.filter(username=username).first() or User(username=username)
        if user.pk is None or any(getattr(user, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(user, key, value)
            user.set_unusable_password()
            user.save()  # the role's groups follow on save


def vacuum_if_needed():
    """A rolled-back import leaves dead rows and GIN pending-list entries behind; until a vacuum
    every search would wade through them, so the next run would measure the last one's debris."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'enterprises_enterprise'"
        )
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("VACUUM (ANALYZE) enterprises_enterprise")


def pytest_collection_modifyitems(items):
    # The import writes (then rolls back) 100,000 rows: the page timings come first.
    items.sort(key=lambda item: item.module.__name__.endswith("test_import"))


def directory_facts() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE prefecture_id = '430100'),
                   count(*) FILTER (WHERE name LIKE '%%重工%%'),
                   count(*) FILTER (WHERE prefecture_id = '430100' AND name LIKE '%%重工%%'),
                   count(*) FILTER (WHERE name LIKE '%%湖南红星%%'),
                   count(*) FILTER (WHERE prefecture_id = '430100' AND name LIKE '%%湖南红星%%')
            FROM enterprises_enterprise
            """
        )
        total, changsha, heavy, heavy_cs, red, red_cs = cursor.fetchone()
    return (
        f"enterprises {total:,}, of which 长沙市 {changsha:,}\n"
        f"names with 重工 {heavy:,} (1 in {total / max(heavy, 1):.0f}), in 长沙市 {heavy_cs:,}\n"
        f"names with 湖南红星 {red:,}, in 长沙市 {red_cs:,}"
    )


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_blocker):
    """Replaces pytest-django's throw-away test database by the persistent benchmark one."""
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.exit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://…", returncode=2)
    capture = request.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled
    ensure_database(BENCH_DATABASE)
    use_database(BENCH_DATABASE)
    with django_db_blocker.unblock():
        with capture():
            print(f"\nbenchmark database {BENCH_DATABASE}: migrating", flush=True)
        call_command("migrate", interactive=False, verbosity=0)
        seeding = ensure_rows(BENCH_ENTERPRISES, capture)
        seeding += "\n" + ensure_complaints(BENCH_COMPLAINTS, capture)
        ensure_users()
        vacuum_if_needed()
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            RESULTS.server = cursor.fetchone()[0]
        RESULTS.text(0, "Directory", directory_facts())
        RESULTS.text(1, "seed_scale", seeding)


@pytest.fixture
def officer(db):
    from tsprotect.accounts.models import User

    return User.objects.get(username=OFFICER)


@pytest.fixture
def province(db):
    from tsprotect.accounts.models import User

    return User.objects.get(username=PROVINCE)
