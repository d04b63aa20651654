"""What `make load` prints: p50/p95 per kind of page in the steady state, logins apart, errors,
and the server's CPU time per request.

Locust's own statistics are cumulative over the whole run, ramp-up included; the targets speak of
the steady state, the last STEADY_SECONDS of the run. So every request is recorded here with its
end time, and the window is cut at the end. When the server's process ids are known
(LOAD_SERVER_PID: gunicorn's master, whose workers are found through /proc), their CPU time is
sampled every second, and the CPU milliseconds per request of the window are printed: unlike
latency, that figure hardly depends on what else the machine is doing.
"""

import json
import os
import time
from pathlib import Path

import gevent

STEADY_SECONDS = int(os.environ.get("LOAD_STEADY_SECONDS", "60"))
LOGIN_KINDS = {"login", "login page"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _process_tree(root: int) -> list[int]:
    """``root`` and its children (gunicorn's workers), from /proc."""
    pids = [root]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == root:
            pids.append(int(entry.name))
    return pids


def server_cpu_seconds(root: int) -> float:
    """User plus system CPU time of ``root`` and its children, in seconds."""
    total = 0
    for pid in _process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (all cores), from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


class Recorder:
    def __init__(self):
        self.requests = []  # (end time, kind, milliseconds, failed)
        self.cpu = []  # (time, server CPU seconds)
        self.server_pid = int(os.environ.get("LOAD_SERVER_PID") or 0)
        self.started = None

    def attach(self, environment):
        environment.events.request.add_listener(self.on_request)
        environment.events.test_start.add_listener(self.on_start)
        environment.events.quitting.add_listener(self.on_quitting)

    def on_start(self, **_kwargs):
        self.started = time.time()
        if self.server_pid:
            gevent.spawn(self.sample_cpu)

    def sample_cpu(self):
        while True:
            self.cpu.append(
                (
                    time.time(),
                    server_cpu_seconds(self.server_pid),
                    server_cpu_seconds(os.getpid()),  # the load generator itself
                    machine_busy_seconds(),
                )
            )
            gevent.sleep(1)

    def on_request(self, name, response_time, exception, **_kwargs):
        self.requests.append((time.time(), name, response_time, exception is not None))

    def on_quitting(self, environment, **_kwargs):
        summary = self.summary(time.time())
        print(self.format(summary))
        out = os.environ.get("LOAD_RESULT")
        if out:
            Path(out).write_text(json.dumps(summary, indent=2, ensure_ascii=False))
        if summary["steady"]["errors"] or summary["logins"]["errors"]:
            environment.process_exit_code = 1

    def summary(self, end):
        start = end - STEADY_SECONDS
        steady = [r for r in self.requests if r[0] >= start and r[1] not in LOGIN_KINDS]
        logins = [r for r in self.requests if r[1] == "login"]
        kinds = {}
        for kind in sorted({r[1] for r in steady}):
            times = [r[2] for r in steady if r[1] == kind]
            kinds[kind] = {
                "requests": len(times),
                "p50_ms": _percentile(times, 0.5),
                "p95_ms": _percentile(times, 0.95),
                "errors": sum(1 for r in steady if r[1] == kind and r[3]),
            }
        steady_times = [r[2] for r in steady]
        result = {
            "duration_s": round(end - (self.started or end), 1),
            "steady": {
                "seconds": STEADY_SECONDS,
                "requests": len(steady),
                "rps": round(len(steady) / STEADY_SECONDS, 1),
                "p50_ms": _percentile(steady_times, 0.5),
                "p95_ms": _percentile(steady_times, 0.95),
                "errors": sum(1 for r in steady if r[3]),
                "kinds": kinds,
            },
            "logins": {
                "count": len(logins),
                "p50_ms": _percentile([r[2] for r in logins], 0.5),
                "p95_ms": _percentile([r[2] for r in logins], 0.95),
                "errors": sum(1 for r in logins if r[3]),
            },
        }
        window = [sample for sample in self.cpu if sample[0] >= start]
        if len(window) >= 2:
            # Every request the server finished in the window, logins included, as its CPU was.
            done = [r for r in self.requests if window[0][0] <= r[0] <= window[-1][0]]
            cpu = window[-1][1] - window[0][1]
            seconds = window[-1][0] - window[0][0]
            result["server_cpu"] = {
                "cores_busy": round(cpu / seconds, 2),
                "load_generator_cores": round((window[-1][2] - window[0][2]) / seconds, 2),
                "machine_cores_busy": round((window[-1][3] - window[0][3]) / seconds, 2),
                "machine_cores": os.cpu_count(),
                "ms_per_request": round(1000 * cpu / len(done), 1) if done else None,
                "requests": len(done),
            }
        return result

    @staticmethod
    def format(summary):
        steady, logins = summary["steady"], summary["logins"]
        lines = [
            "",
            f"Steady state, last {steady['seconds']} s (logins left out): "
            f"{steady['requests']} requests, {steady['rps']}/s, p50 {steady['p50_ms']:.0f} ms, "
            f"p95 {steady['p95_ms']:.0f} ms, errors {steady['errors']}",
            f"{'kind':<16}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}",
        ]
        for kind, row in steady["kinds"].items():
            lines.append(
                f"{kind:<16}{row['requests']:>9}{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}"
                f"{row['errors']:>8}"
            )
        lines.append(
            f"Logins: {logins['count']}, p50 {logins['p50_ms']:.0f} ms, "
            f"p95 {logins['p95_ms']:.0f} ms, errors {logins['errors']}"
        )
        cpu = summary.get("server_cpu")
        if cpu:
            lines.append(
                f"Server CPU in the window: {cpu['cores_busy']} cores busy, "
                f"{cpu['ms_per_request']} ms per request ({cpu['requests']} requests); "
                f"load generator {cpu['load_generator_cores']} cores; whole machine "
                f"{cpu['machine_cores_busy']} of {cpu['machine_cores']} cores busy"
            )
        return "\n".join(lines)
