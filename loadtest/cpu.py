"""CPU time and queries per page, persona by persona, in one process (`make load-cpu`).

Latency under load depends on whatever else the machine runs; the CPU a request costs hardly
does. This drives the pages of the load test through Django's test client, every middleware and
context processor included, on the load database of `make load` (seeded demo), and prints the
CPU milliseconds (process time) and database queries of each page. ``--profile KIND`` prints
where the CPU of that kind of page goes (cProfile, cumulative).

    DATABASE_URL=… REDIS_URL=… .venv/bin/python loadtest/cpu.py [--repeat 30] [--profile record]
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsprotect.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

# (persona, kind, path); a path ending in "{id}" opens the first record its list page links to.
PAGES = [
    ("officer_430100", "workbench", "/"),
    ("officer_430100", "directory", "/enterprises/"),
    ("officer_430100", "search", "/enterprises/?q=重工"),
    ("officer_430100", "record", "/enterprises/{id}/"),
    ("officer_430100", "complaints", "/complaints/"),
    ("officer_430100", "complaint", "/complaints/{id}/"),
    ("officer_430100", "demonstrations", "/demonstrations/"),
    ("officer_430100", "demonstration", "/demonstrations/{id}/"),
    ("officer_430100", "checklists", "/assessments/"),
    ("officer_430100", "checklist", "/assessments/{id}/"),
    ("officer_430100", "notifications", "/notifications/"),
    ("officer_430104", "workbench", "/"),
    ("officer_430104", "directory", "/enterprises/"),
    ("province", "workbench", "/"),
    ("province", "directory", "/enterprises/"),
    ("province", "complaints", "/complaints/overview/"),
    ("expert1", "workbench", "/"),
    ("expert1", "demonstrations", "/demonstrations/"),
    ("enterprise1", "workbench", "/"),
    ("enterprise1", "record", "/enterprises/mine/"),
    ("enterprise1", "checklists", "/assessments/"),
    (None, "public", "/public/"),
    (None, "public", "/public/notices/"),
    (None, "public", "/public/designations/"),
]


def resolve(client, path):
    """A detail page's path: the first record that its list page links to."""
    if "{id}" not in path:
        return path
    prefix = path.split("{id}")[0]
    html = client.get(prefix).content.decode()
    ids = sorted(set(re.findall(re.escape(prefix) + r"(\d+)/\"", html)))
    return path.format(id=ids[0]) if ids else None


def measure(client, path, repeat):
    # Counted as they run: CaptureQueriesContext's log is emptied at each request's start.
    queries = []

    def count(execute, sql, *args):
        queries.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        response = client.get(path, follow=True)
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(repeat):
        start = time.process_time()
        client.get(path, follow=True)
        times.append(1000 * (time.process_time() - start))
    return statistics.median(times), len(queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", help="a kind of page (workbench, record, …) to profile")
    args = parser.parse_args()

    clients = {}
    rows = []
    for persona, kind, path in PAGES:
        if persona not in clients:
            clients[persona] = Client()
            if persona:
                credentials = {"username": persona, "password": settings.DEMO_PASSWORD}
                response = clients[persona].post("/accounts/login/", credentials)
                assert response.status_code == 302, f"{persona} not logged in"
        client = clients[persona]
        path = resolve(client, path)
        if path is None:
            continue
        if args.profile == kind:
            # Sampling on CPU time: cProfile's own cost per call would swamp the template engine.
            profiler = Profiler(interval=0.0005, async_mode="disabled")
            profiler.start()
            for _ in range(args.repeat):
                client.get(path, follow=True)
            profiler.stop()
            print(f"== {persona or 'public'} {path}")
            print(profiler.output_text(color=False, show_all=False, time="percent_of_total"))
            continue
        cpu, queries = measure(client, path, args.repeat)
        rows.append((persona or "public", kind, path, cpu, queries))

    if rows:
        print(f"{'persona':<16}{'kind':<16}{'CPU ms':>8}{'queries':>9}  path")
        for persona, kind, path, cpu, queries in rows:
            print(f"{persona:<16}{kind:<16}{cpu:>8.1f}{queries:>9}  {path}")
        print(f"{'mean':<32}{statistics.mean(r[3] for r in rows):>8.1f}")


if __name__ == "__main__":
    main()
