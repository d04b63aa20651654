"""Real services for the fault tests: a private PostgreSQL and Redis on free ports, and the
portal's own processes (gunicorn, a Celery worker, Celery beat) running against them, so that
stopping, freezing or restarting a service is what it is in production. The machine's shared
PostgreSQL and Redis are never touched.

Also a small HTTP client (cookies, CSRF, multipart uploads) that times each request.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import redis

BASE_DIR = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def _pg_bin() -> Path:
    """The newest installed PostgreSQL's tools (Debian's layout), or FAULTS_PG_BIN."""
    if os.environ.get("FAULTS_PG_BIN"):
        return Path(os.environ["FAULTS_PG_BIN"])
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    assert versions, "PostgreSQL is not installed (scripts/ensure-services.sh installs it)"
    return versions[-1]


PG_BIN = _pg_bin()
SECRET_KEY = "fault-tests-only-secret-key-not-for-production-0123456789abcdef"
DEMO_PASSWORD = "demo-pass-2026"
DB_CONNECT_TIMEOUT = 3  # seconds, DB_CONNECT_TIMEOUT of the portal under test


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout, interval=0.2, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"{what} not met within {timeout} s")


def _as_postgres(command):
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    """A PostgreSQL 15 cluster of its own in a temporary folder."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="tsprotect-faults-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.port = free_port()
        self.name = "tsprotect_faults"
        subprocess.run(
            _as_postgres(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.name}"

    def _ctl(self, *args):
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=50"
        )
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options]
                + list(args)
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self):
        self._ctl("-w", "-t", "60", "start")

    def stop(self):
        self._ctl("-w", "-t", "60", "-m", "fast", "stop")

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def freeze(self):
        """The postmaster stops answering (a hung server): new connections wait in the kernel's
        backlog without an answer, as behind a dead network path."""
        os.kill(self.postmaster_pid(), signal.SIGSTOP)

    def thaw(self):
        os.kill(self.postmaster_pid(), signal.SIGCONT)

    def connect(self, dbname=None):
        return psycopg2.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname=dbname or self.name,
            connect_timeout=5,
        )

    def create_database(self):
        conn = self.connect("postgres")
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(
                f"CREATE DATABASE {self.name} TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
        conn.close()

    def query(self, sql, params=()):
        conn = self.connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            conn.close()

    def destroy(self):
        try:
            self.thaw()
        except (OSError, ValueError):
            pass
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """A redis-server of its own that keeps nothing on disk: a restart starts it empty."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.log = directory / "redis.log"
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        wait_for(lambda: _pings(client), 20, what="redis answering")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None


def _pings(client) -> bool:
    try:
        return client.ping()
    except redis.exceptions.RedisError:
        return False


class Process:
    """One of the portal's processes, its output in a log file that the tests read."""

    def __init__(self, name, command, env, directory: Path):
        self.name = name
        self.log = directory / f"{name}.log"
        self.process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self):
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Portal:
    """gunicorn (2 sync workers), a Celery worker and Celery beat on the private services."""

    def __init__(self, postgres: PrivatePostgres, redis_server: PrivateRedis, directory: Path):
        self.dir = directory
        self.media = directory / "media"
        self.evidence = directory / "evidence"
        self.media.mkdir()
        self.evidence.mkdir()
        self.port = free_port()
        self.postgres, self.redis = postgres, redis_server
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
            "DJANGO_SETTINGS_MODULE": "tsprotect.settings",
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis_server.url,
            "SECRET_KEY": SECRET_KEY,
            "DEBUG": "false",
            "HTTPS": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "MEDIA_ROOT": str(self.media),
            "EVIDENCE_ROOT": str(self.evidence),
            "DB_CONNECT_TIMEOUT": str(DB_CONNECT_TIMEOUT),
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: dict[str, Process] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args, **env):
        with (self.dir / "manage.log").open("a") as log:
            subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=BASE_DIR,
                env={**self.env, **env},
                check=True,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def prepare(self):
        """Migrate and seed the demo (seeding runs with DEBUG on and tasks in-process)."""
        self.manage("migrate", "--no-input", "-v0")
        self.manage("seed_demo", DEBUG="1", REDIS_URL="")

    def start(self):
        python = sys.executable
        self.processes["gunicorn"] = Process(
            "gunicorn",
            [
                str(VENV_BIN / "gunicorn"),
                "tsprotect.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            self.env,
            self.dir,
        )
        self.processes["worker"] = Process(
            "worker",
            [
                python,
                "-m",
                "celery",
                "-A",
                "tsprotect",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "1",
                "--hostname",
                f"faults-{uuid.uuid4().hex[:6]}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            self.env,
            self.dir,
        )
        self.processes["beat"] = Process(
            "beat",
            [
                python,
                "-m",
                "celery",
                "-A",
                "tests.faults.beat",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(self.dir / "beat-schedule"),
                "--pidfile",
                "",
            ],
            self.env,
            self.dir,
        )
        wait_for(self._answers, 60, what="gunicorn answering /healthz")
        wait_for(lambda: "ready." in self.processes["worker"].output(), 60, what="worker ready")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.base + "/healthz", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self):
        for process in self.processes.values():
            process.stop()

    def follow_login(self, browser, username) -> Answer:
        """Log ``browser`` in as ``username`` (demo password); the page it lands on."""
        answer = browser.log_in(username)
        assert answer.status == 302, (username, answer.status, answer.body[:500])
        return browser.follow(answer)

    def worker(self) -> Process:
        return self.processes["worker"]

    def beat(self) -> Process:
        return self.processes["beat"]


# ---------------------------------------------------------------------------------------------
# HTTP


@dataclass
class Answer:
    status: int
    body: str
    seconds: float
    location: str = ""
    headers: dict | None = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A visitor of the portal, in its default language (Chinese): keeps its cookies, sends the
    CSRF token, never follows a redirect by itself (``follow`` does), and times each request."""

    def __init__(self, base):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect
        )

    def _csrf(self) -> str:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), "")

    def request(self, path, data=None, files=None, timeout=90) -> Answer:
        url = path if path.startswith("http") else self.base + path
        headers, body = {}, None
        if data is not None or files is not None:
            fields = {"csrfmiddlewaretoken": self._csrf(), **(data or {})}
            body, headers["Content-Type"] = _multipart(fields, files or [])
            headers["Referer"] = self.base + "/"
        request = urllib.request.Request(url, data=body, headers=headers)
        started = time.monotonic()
        try:
            response = self.opener.open(request, timeout=timeout)
            status, raw, got = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, got = error.code, error.read(), error.headers
        seconds = time.monotonic() - started
        return Answer(
            status,
            raw.decode("utf-8", "replace"),
            seconds,
            location=got.get("Location", ""),
            headers=dict(got.items()),
        )

    def get(self, path, **kwargs) -> Answer:
        return self.request(path, **kwargs)

    def post(self, path, data=None, files=None, **kwargs) -> Answer:
        if not self._csrf():
            self.get("/accounts/login/")
        return self.request(path, data=data or {}, files=files, **kwargs)

    def follow(self, answer: Answer) -> Answer:
        while answer.status in (301, 302, 303) and answer.location:
            answer = self.get(answer.location)
        return answer

    def log_in(self, username, password=DEMO_PASSWORD) -> Answer:
        self.get("/accounts/login/")
        answer = self.post("/accounts/login/", {"username": username, "password": password})
        return answer


def _multipart(fields: dict, files: list[tuple[str, str, bytes]]):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    for field, filename, content in files:
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def pdf_bytes(size: int) -> bytes:
    """A file that libmagic reads as a PDF, padded to ``size`` bytes."""
    head = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    return head + b"%" + b"0" * max(0, size - len(head) - 7) + b"\n%%EOF\n"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


class Volume:
    """A tmpfs of ``size`` mounted on a folder of the portal: made read-only or full for real
    (root ignores file permissions, a mount does not)."""

    FILLER = ".filler"

    def __init__(self, path: Path, size: str):
        assert os.geteuid() == 0, "the storage fault tests mount file systems: run them as root"
        self.path = path
        mount = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)]
        subprocess.run(mount, check=True)

    def read_only(self):
        subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)

    def writable(self):
        subprocess.run(["mount", "-o", "remount,rw", str(self.path)], check=True)

    def fill(self):
        """Take every free byte."""
        with (self.path / self.FILLER).open("ab") as filler:
            try:
                while True:
                    filler.write(b"\0" * 65536)
                    filler.flush()
            except OSError:
                pass

    def empty(self):
        for entry in self.path.iterdir():  # the worker may be writing report files meanwhile
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)

    def files(self) -> dict[str, int]:
        """Relative path -> size of every file but the filler."""
        return {
            str(p.relative_to(self.path)): p.stat().st_size
            for p in self.path.rglob("*")
            if p.is_file() and p.name != self.FILLER
        }

    def unmount(self):
        subprocess.run(["umount", "-l", str(self.path)], check=True)


def problems(html: str) -> str:
    """The error and alert texts of a page, for an assertion's message."""
    found = re.findall(
        r'<(?:ul|div|p)[^>]*(?:class="[^"]*error[^"]*"|role="alert")[^>]*>(.*?)</(?:ul|div|p)>',
        html,
        flags=re.S,
    )
    return " | ".join(text_of(f).strip() for f in found) or text_of(html)[:600]
