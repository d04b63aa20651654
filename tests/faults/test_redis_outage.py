"""Redis stopped: the portal keeps serving pages and logins (the cache answers as an empty one,
the rate limits let requests through, the lockout is on the database); a report build that
cannot be queued says so at once and can be asked for again. Redis started again, empty: the
same worker and beat processes carry on, with no one touching them."""

import time

from .services import Browser, wait_for

CHANGSHA = "430100"
PERIOD = "2025-05"  # a closed month the demo does not report on
QUEUE_DOWN = "任务队列暂不可用"


def builds(stack, period):
    return stack.postgres.query(
        "SELECT id, status, error FROM reports_reportbuild WHERE period = %s ORDER BY id", [period]
    )


def test_redis_stopped_then_back(running):
    stack = running
    officer = Browser(stack.base)
    assert stack.follow_login(officer, "officer_430100").status == 200
    worker_pid, beat_pid = stack.worker().pid, stack.beat().pid

    stack.redis.stop()
    try:
        # Pages and logins: a visitor, a failed login (counted in the cache), a login, pages.
        visitor = Browser(stack.base)
        assert visitor.get("/accounts/login/").status == 200
        wrong = visitor.post(
            "/accounts/login/", {"username": "officer_430100", "password": "not-the-password"}
        )
        assert wrong.status == 200 and "用户名或密码错误" in wrong.body, wrong.body[:500]
        assert stack.follow_login(visitor, "officer_430100").status == 200
        for path in ("/", "/enterprises/", "/complaints/", "/reports/"):
            answer = visitor.get(path)
            assert answer.status == 200, (path, answer.status, answer.body[:300])
            assert answer.seconds < 10, (path, answer.seconds)
        # The public report form, rate-limited in the cache.
        assert Browser(stack.base).get("/public/report/").status == 200

        # A build that cannot be queued: said at once, in Chinese, and the build is not left
        # standing as "queued".
        asked = officer.post("/reports/build/", {"period": PERIOD, "prefecture": CHANGSHA})
        assert asked.status == 302, (asked.status, asked.body[:500])
        assert asked.seconds < 15, f"publishing held the page {asked.seconds:.1f} s"
        shown = officer.follow(asked)
        assert shown.status == 200
        assert QUEUE_DOWN in shown.body, shown.body[:2000]
        assert [status for _pk, status, _error in builds(stack, PERIOD)] == ["failed"]
        print(f"\nbuild refused while Redis is down in {asked.seconds:.2f} s")
    finally:
        stack.redis.start()
    back_at = time.monotonic()
    worker_log_from = len(stack.worker().output())

    # Asked for again once Redis is back: queued, and built by the worker that was running.
    again = officer.post("/reports/build/", {"period": PERIOD, "prefecture": CHANGSHA})
    assert again.status == 302, (again.status, again.body[:500])
    assert QUEUE_DOWN not in officer.follow(again).body
    wait_for(
        lambda: [s for _pk, s, _e in builds(stack, PERIOD)] == ["failed", "done"],
        120,
        interval=1,
        what=f"the build to be done (builds: {builds(stack, PERIOD)})",
    )
    built_in = time.monotonic() - back_at
    assert stack.worker().alive() and stack.worker().pid == worker_pid
    assert stack.beat().alive() and stack.beat().pid == beat_pid

    # Beat sends its every-second ping again, and the same worker runs it.
    wait_for(
        lambda: (
            "tsprotect.core.tasks.ping[" in stack.worker().output()[worker_log_from:]
            and "succeeded" in stack.worker().output()[worker_log_from:]
        ),
        60,
        what="a ping sent by beat after the restart to be run by the worker",
    )
    print(f"report built {built_in:.1f} s after Redis came back; beat and worker resumed")
