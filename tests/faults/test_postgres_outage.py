"""PostgreSQL restarted under load: while it is down every request answers 503 at once, with
the translated page and no stack trace; once it is back every request succeeds again, on the
same gunicorn workers and the same Celery worker. A PostgreSQL that hangs (accepts connections
but never answers) costs a request DB_CONNECT_TIMEOUT seconds, not the gunicorn timeout."""

import statistics
import threading
import time
from dataclasses import dataclass

from .services import DB_CONNECT_TIMEOUT, Browser, wait_for

OUTAGE = 8  # seconds PostgreSQL stays down
USERS = 4
PAGES = ("/enterprises/", "/complaints/", "/", "/reports/")
UNAVAILABLE = "平台暂时无法连接数据库"
CHANGSHA = "430100"


@dataclass
class Hit:
    path: str
    started: float
    seconds: float
    status: int
    body: str

    @property
    def ended(self):
        return self.started + self.seconds


def _load(browser, hits, stop):
    index = 0
    while not stop.is_set():
        path = PAGES[index % len(PAGES)]
        index += 1
        started = time.monotonic()
        try:
            answer = browser.get(path, timeout=60)
            hits.append(Hit(path, started, answer.seconds, answer.status, answer.body))
        except OSError as error:  # the connection itself failed: counted as a failure
            hits.append(Hit(path, started, time.monotonic() - started, 0, repr(error)))
        time.sleep(0.05)


def _summary(hits):
    seconds = sorted(h.seconds for h in hits)
    return (
        f"{len(hits)} requests, p50 {statistics.median(seconds) * 1000:.0f} ms, "
        f"max {seconds[-1] * 1000:.0f} ms"
    )


def test_postgres_restarted_under_load(running):
    stack = running
    browsers = [Browser(stack.base) for _ in range(USERS)]
    for browser in browsers:
        assert stack.follow_login(browser, "officer_430100").status == 200
    hits: list[Hit] = []
    stop = threading.Event()
    threads = [threading.Thread(target=_load, args=(b, hits, stop)) for b in browsers]
    for thread in threads:
        thread.start()
    try:
        time.sleep(4)
        down_at = time.monotonic()
        stack.postgres.stop()
        stopped_at = time.monotonic()
        time.sleep(OUTAGE)
        # PostgreSQL accepts connections a moment before pg_ctl returns: a request that ends in
        # between is served, rightly, so the outage ends when the start is asked for.
        starting_at = time.monotonic()
        stack.postgres.start()
        up_at = time.monotonic()
        time.sleep(10)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=90)

    before = [h for h in hits if h.ended < down_at]
    during = [h for h in hits if h.started >= stopped_at and h.ended <= starting_at]
    after = [h for h in hits if h.started >= up_at]
    assert before and all(h.status == 200 for h in before)
    assert len(during) >= 10, _summary(during) if during else "no request during the outage"
    assert {h.status for h in during} == {503}, [
        (h.path, h.status) for h in during if h.status != 503
    ]
    assert max(h.seconds for h in during) < DB_CONNECT_TIMEOUT + 2
    for hit in during:
        assert UNAVAILABLE in hit.body and "Traceback" not in hit.body, hit.body[:500]
    assert not [h for h in hits if h.status not in (200, 503)], "a 500 or a dropped request"
    failed_after = [h for h in after if h.status != 200]
    recovered_in = max((h.ended for h in failed_after), default=up_at) - up_at
    assert recovered_in < 5, f"requests failed {recovered_in:.1f} s after PostgreSQL was back"
    settled = [h for h in after if h.started > up_at + recovered_in]
    assert settled and all(h.status == 200 for h in settled)
    print(
        f"\nbefore: {_summary(before)}\nduring the {OUTAGE} s outage: {_summary(during)}, "
        f"all 503\nafter: {_summary(after)}; {len(failed_after)} failed, "
        f"recovered {recovered_in:.2f} s after PostgreSQL accepted connections again"
    )

    # The same worker builds a report with a connection of its own again.
    officer = browsers[0]
    worker_pid = stack.worker().pid
    asked = officer.post("/reports/build/", {"period": "2025-06", "prefecture": CHANGSHA})
    assert asked.status == 302, (asked.status, asked.body[:500])
    wait_for(
        lambda: (
            stack.postgres.query("SELECT status FROM reports_reportbuild WHERE period = '2025-06'")
            == [("done",)]
        ),
        120,
        interval=1,
        what="the build after the restart to be done",
    )
    assert stack.worker().alive() and stack.worker().pid == worker_pid


def test_hung_postgres_costs_the_connect_timeout_not_a_hang(running):
    stack = running
    officer = Browser(stack.base)
    assert stack.follow_login(officer, "officer_430100").status == 200
    # A restart drops the kept connections; frozen at once, it accepts new ones and never answers.
    stack.postgres.stop()
    stack.postgres.start()
    stack.postgres.freeze()
    try:
        answers = [officer.get("/enterprises/", timeout=60) for _ in range(3)]
    finally:
        stack.postgres.thaw()
    print(
        "\nhung PostgreSQL: "
        + ", ".join(f"{a.seconds:.2f} s" for a in answers)
        + f" per request (DB_CONNECT_TIMEOUT={DB_CONNECT_TIMEOUT})"
    )
    for answer in answers:
        assert answer.status == 503, (answer.status, answer.body[:300])
        assert UNAVAILABLE in answer.body
        assert DB_CONNECT_TIMEOUT - 0.5 < answer.seconds < DB_CONNECT_TIMEOUT + 2
    back = wait_for(
        lambda: (a := officer.get("/enterprises/")).status == 200 and a, 30, what="recovery"
    )
    assert back.seconds < 5
