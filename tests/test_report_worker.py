"""The periodic reports through a real Redis broker and a real Celery worker process.

The schedule's job (``build_due_reports``, what beat sends every night) runs in a worker started
as its own process, on a queue of this test alone, against this test's database: it queues a
build of every prefecture's draft and of the consolidation, and the worker builds them. 长沙市's
officer submits, the province acknowledges, and the PDF says 长沙市 and its figures.

Mid-build, the worker is killed: the build of 岳阳市 is held inside its write transaction (this
test holds the report's advisory lock, the one ``services._lock_report`` takes) and the worker
gets SIGKILL there. Its message stays unacknowledged in Redis; a worker started again after the
visibility timeout (``CELERY_VISIBILITY_TIMEOUT``, a few seconds here, 30 minutes in production)
gets it back, and every prefecture still ends with exactly one report.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from pypdf import PdfReader

from complaints import services as complaint_services
from complaints.models import Complaint
from enterprises.models import Enterprise
from tests.conftest import make_enterprise
from tsprotect.celery import app
from tsprotect.regions.models import Prefecture
from tsprotect.reports import figures, periods, services, tasks
from tsprotect.reports.models import Report, ReportBuild, ReportEvent

pytestmark = pytest.mark.django_db(transaction=True)

# Seconds; production keeps 30 minutes (settings.CELERY_BROKER_TRANSPORT_OPTIONS).
VISIBILITY_TIMEOUT = 3
CHANGSHA, YUEYANG = "430100", "430600"

# The worker process: `celery worker` with settings of this test. The tasks it sends itself
# (each build queues its files) go to the test's queue, and kombu's record of unacknowledged
# messages — one hash per Redis database, shared by every worker using it — is kept under keys
# of this queue: with a visibility timeout of seconds, a worker sweeping the shared record would
# hand the other test process's in-flight messages out again.
WORKER_MAIN = """
import sys
from tsprotect.celery import app

queue = sys.argv[1]
app.conf.task_default_queue = queue
app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "unacked_key": queue + ".unacked",
    "unacked_index_key": queue + ".unacked_index",
    "unacked_mutex_key": queue + ".unacked_mutex",
}
app.worker_main([
    "worker", "-P", "solo", "-c", "1", "-Q", queue, "-n", queue + "@%h",
    "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info",
])
"""


def wait_for(condition, timeout, what, workers=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        for worker in workers:
            assert worker.process.poll() is None, f"the worker died:\n{worker.log()}"
        time.sleep(0.2)
    logs = "\n".join(worker.log() for worker in workers)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{logs}")


class Worker:
    """``celery worker`` in a process of its own, on ``queue``, against the test database."""

    def __init__(self, queue, log_path: Path):
        db = connection.settings_dict
        database_url = (
            f"postgres://{db['USER'] or 'postgres'}"
            f"{':' + db['PASSWORD'] if db['PASSWORD'] else ''}"
            f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tsprotect.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "EVIDENCE_ROOT": str(settings.EVIDENCE_ROOT),
        }
        self.log_path = log_path
        self.log_file = log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", WORKER_MAIN, queue],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        self.log_file.flush()
        return f"--- worker log ({self.log_path}) ---\n" + self.log_path.read_text(errors="replace")

    def kill(self):
        """SIGKILL: no warm shutdown, nothing acknowledged or handed back to the broker."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self.log_file.close()


class HeldReportLock:
    """The report's advisory lock, taken by ``services._lock_report`` itself on a connection of
    its own (a thread: Django's connections are per thread) and held until ``release()``."""

    def __init__(self, period_code, code):
        self.acquired, self.released = threading.Event(), threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self.hold, args=(period_code, code), daemon=True)
        self.thread.start()
        assert self.acquired.wait(10), self.error

    def hold(self, period_code, code):
        try:
            with transaction.atomic():
                services._lock_report(period_code, code)
                self.acquired.set()
                self.released.wait(120)
        except Exception as error:  # reported by the main thread
            self.error = error
        finally:
            connection.close()

    def release(self):
        self.released.set()
        self.thread.join(10)


def waiting_on_advisory_lock() -> list[int]:
    """Backends of this database waiting for an advisory lock (the blocked build)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return [pid for (pid,) in cursor.fetchall()]


def backend_alive(pid) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def unacked_tasks(broker, queue) -> list[tuple[str, str]]:
    """(task name, args) of the messages a worker received and has not acknowledged."""
    messages = []
    for raw in broker.hvals(queue + ".unacked"):
        payload, _exchange, _routing_key = json.loads(raw)
        headers = payload["headers"]
        messages.append((headers["task"], headers["argsrepr"]))
    return messages


def at(day: dt.date, hour=12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def file_enterprise(county, organisation, name, filed_on, status=Enterprise.Status.ACTIVE):
    enterprise = make_enterprise(county, organisation, name)
    Enterprise.objects.filter(pk=enterprise.pk).update(created_at=at(filed_on), status=status)
    return enterprise


@pytest.fixture
def quarter_data(regions, changsha_officer):
    """Directory and complaints of the last closed quarter, with a row on each side of it.

    长沙市: 5 enterprises in the directory at the quarter's end, 3 of them filed in the quarter
    (one filed after it and one removed do not count); a complaint (accepted) and an anonymous
    report (awaiting decision) received in it, one received after it. 岳阳市: 2, both filed in it.
    """
    quarter = periods.last_closed("quarter")
    start, end = quarter.starts_on, quarter.ends_on
    before, after = start - dt.timedelta(days=40), end + dt.timedelta(days=10)
    filed = [
        ("430104", "MA4L0A1B2", "长沙麓谷芯片科技有限公司", before),
        ("430121", "MA4L0E5F6", "长沙星沙重工机械有限公司", before),
        ("430104", "MA4L0C3D4", "长沙岳麓新材料有限公司", start + dt.timedelta(days=14)),
        ("430102", "MA4L0G7H8", "长沙芙蓉生物医药有限公司", start + dt.timedelta(days=50)),
        ("430105", "MA4L0J9K1", "长沙开福智能装备有限公司", end),
        ("430111", "MA4L0L2M3", "长沙雨花软件有限公司", after),
        ("430603", "MA4M1A2B3", "岳阳洞庭石化新材料有限公司", start + dt.timedelta(days=3)),
        ("430602", "MA4M1C4D5", "岳阳楼区纸业有限公司", start + dt.timedelta(days=60)),
    ]
    enterprises = [file_enterprise(*row) for row in filed]
    file_enterprise("430103", "MA4L0N4P5", "长沙天心已注销贸易有限公司", before, "removed")

    def intake(kind, received_on, **fields):
        complaint = Complaint(
            kind=kind,
            channel="12315",
            prefecture_id=CHANGSHA,
            county_id="430104",
            received_on=received_on,
            respondent_name="长沙某某科技有限公司",
            secret_kind="technical",
            description="前技术总监离职后带走图纸。",
            **fields,
        )
        return complaint_services.create_complaint(complaint, changsha_officer)

    accepted = intake(
        "complaint", start + dt.timedelta(days=33), complainant_enterprise=enterprises[0]
    )
    complaint_services.transition(accepted, "accept", changsha_officer)
    intake("report", end - dt.timedelta(days=18), anonymous=True)
    if after <= timezone.localdate():
        intake("complaint", after, complainant_enterprise=enterprises[2])
    return quarter


# A figure in the PDF's text: digits standing alone (not 2026 of 2026年, nor 12315 of a name).
NUMBER = re.compile(r"(?<![\w.,])\d[\d,]*(?:\.\d+)?(?![\w.,])")


def figures_follow(text, label, cells) -> bool:
    """Whether somewhere in the PDF's text ``label`` is followed by the numbers ``cells``, the
    words between them aside: the row of a table, or a one-row table laid out down the page
    (label, then each column's name and figure), wherever the layout wrapped it."""
    expected = [str(cell) for cell in cells]
    for match in re.finditer(r"\s*".join(map(re.escape, label)), text):
        if NUMBER.findall(text, match.end())[: len(expected)] == expected:
            return True
    return False


def summary_row(report, section):
    table = figures.find(report.figures, section, "summary")
    (row,) = table["rows"]
    return dict(zip(table["columns"], row["cells"], strict=True))


def test_it_builds_submits_and_survives_a_killed_worker(
    quarter_data, changsha_officer, province, monkeypatch, tmp_path
):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert not app.conf.task_always_eager
    quarter = quarter_data
    queue = f"test-reports-{uuid.uuid4().hex[:12]}"
    # Whatever this process sends (the schedule's job, the files after a submission) goes to
    # the queue only this test's worker consumes: nothing left in Redis by other tests or by
    # the other xdist process reaches it, and nothing of this test reaches theirs.
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    broker = redis.Redis.from_url(settings.REDIS_URL)
    prefectures = set(Prefecture.objects.values_list("code", flat=True))
    assert len(prefectures) == 14
    workers = []
    lock = HeldReportLock(quarter.code, YUEYANG)
    try:
        workers.append(Worker(queue, tmp_path / "worker-1.log"))
        tasks.build_due_reports.delay(kinds=["quarter"])

        # The worker builds the drafts one after the other and blocks in 岳阳市's write transaction.
        (blocked_pid,) = wait_for(waiting_on_advisory_lock, 45, "the blocked build", workers)
        blocked = ReportBuild.objects.get(period=quarter.code, prefecture_id=YUEYANG)
        assert blocked.status == ReportBuild.Status.RUNNING
        assert blocked.attempts == 1
        assert not Report.objects.filter(period=quarter.code, prefecture_id=YUEYANG).exists()
        assert ReportBuild.objects.filter(period=quarter.code).count() == 15

        workers[0].kill()
        killed_at = time.monotonic()
        # Killed inside the task, its message was never acknowledged: kombu still holds it.
        assert ("tsprotect.reports.tasks.build_report", f"({blocked.pk},)") in unacked_tasks(
            broker, queue
        ), workers[0].log()
        lock.release()
        assert lock.error is None, lock.error
        # The dead worker's backend gets the lock, finds its client gone and rolls back.
        wait_for(lambda: not backend_alive(blocked_pid), 10, "the orphaned backend to end")
        assert not Report.objects.filter(period=quarter.code, prefecture_id=YUEYANG).exists()

        # kombu hands out again the unacknowledged messages older than the visibility timeout
        # when a worker starts, then every 100 s or so (unacked_restore_interval 10 s ×
        # unacked_restore_throttle 10): a worker started once the timeout has passed gets the
        # message at once, and the build runs a second time. (Started earlier, it would get it
        # at its next sweep; in production the timeout itself is 30 minutes.)
        time.sleep(max(0.0, VISIBILITY_TIMEOUT + 0.5 - (time.monotonic() - killed_at)))
        workers.append(Worker(queue, tmp_path / "worker-2.log"))
        wait_for(
            lambda: (
                not ReportBuild.objects.filter(
                    period=quarter.code, status__in=ReportBuild.ACTIVE
                ).exists()
            ),
            45,
            "every build to finish",
            workers[1:],
        )

        # Exactly one report per prefecture and one consolidation, each built once.
        reports = Report.objects.filter(period=quarter.code)
        assert reports.count() == 15
        assert set(reports.exclude(prefecture=None).values_list("prefecture_id", flat=True)) == (
            prefectures
        )
        assert reports.filter(prefecture=None).count() == 1
        assert set(reports.values_list("status", flat=True)) == {Report.Status.DRAFT}
        for report in reports:
            assert report.events.filter(action=ReportEvent.Action.BUILT).count() == 1, report
        builds = ReportBuild.objects.filter(period=quarter.code)
        assert builds.count() == 15
        assert set(builds.values_list("status", flat=True)) == {ReportBuild.Status.DONE}
        blocked.refresh_from_db()
        assert blocked.attempts == 2  # killed once, delivered again, done
        assert blocked.report == reports.get(prefecture_id=YUEYANG)
        assert "tsprotect.reports.tasks.build_report" not in dict(unacked_tasks(broker, queue))

        changsha = reports.get(prefecture_id=CHANGSHA)
        assert changsha.figures["prefecture"] == {"code": CHANGSHA, "name": "长沙市"}
        directory = {"size": 5, "added": 3, "changed": 0, "removed": 0}
        assert summary_row(changsha, "directory") == directory
        complaints = summary_row(changsha, "complaints")
        assert {k: complaints[k] for k in ("received", "complaints", "reports")} == {
            "received": 2,
            "complaints": 1,
            "reports": 1,
        }
        assert {k: complaints[k] for k in ("accepted", "not_accepted", "awaiting")} == {
            "accepted": 1,
            "not_accepted": 0,
            "awaiting": 1,
        }
        yueyang = summary_row(reports.get(prefecture_id=YUEYANG), "directory")
        assert (yueyang["size"], yueyang["added"]) == (2, 2)
        province_rows = {
            row["key"]: row["cells"][:2]
            for row in figures.find(reports.get(prefecture=None).figures, "directory", "summary")[
                "rows"
            ]
        }
        assert province_rows[CHANGSHA] == [5, 3]
        assert province_rows[YUEYANG] == [2, 2]
        assert province_rows["430200"] == [0, 0]

        submitted = services.submit(changsha, changsha_officer, work_done="开展商业秘密保护宣传。")
        assert submitted.status == Report.Status.SUBMITTED
        acknowledged = services.acknowledge(submitted, province)
        assert acknowledged.status == Report.Status.ACKNOWLEDGED

        pdf = services.report_file(acknowledged, "pdf")
        with pdf.open("rb") as handle:
            text = "\n".join(
                page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages
            )
        unwrapped = "".join(text.split())
        assert "长沙市" in unwrapped
        assert quarter.label in unwrapped
        assert "开展商业秘密保护宣传" in unwrapped
        # The summary rows: directory size, added, changed, removed; complaints and reports
        # received, complaints, reports, accepted, not accepted, awaiting decision.
        assert figures_follow(text, "长沙市", [5, 3, 0, 0]), text
        assert figures_follow(text, "长沙市", [2, 1, 1, 1, 0, 1]), text
    finally:
        lock.release()
        for worker in workers:
            worker.kill()
        for key in broker.scan_iter(match=f"*{queue}*"):
            broker.delete(key)
