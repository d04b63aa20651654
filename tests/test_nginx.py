"""The portal behind the repo's nginx (deploy/nginx/): a private nginx, rendered from the same
files as `make stack` and production, in front of the live server.

- the client's address is the one nginx saw, whatever X-Forwarded-For the client forged;
- static files under their hashed names are cached for a year;
- uploads and evidence reach a browser only through the permission-checked views, which hand the
  file to nginx (X-Accel-Redirect); their internal locations answer nobody directly.
"""

import grp
import http.client
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, InMemoryStorage
from django.test import Client
from django.urls import reverse

from complaints.models import EvidenceAccess
from enterprises.models import EnterpriseDocument
from tsprotect.core.views import private_file

from .conftest import make_enterprise
from .test_complaint_pages import PDF, register

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")  # as in stack.conf
CLIENT = "127.0.0.2"  # a loopback address other than nginx's own, so the two can be told apart
FORGED = "203.0.113.9"  # what a client writes into X-Forwarded-For to pass for someone else


def render(template, **values):
    args = [f"{name}={value}" for name, value in values.items()]
    script = ROOT / "scripts" / "render-config.py"
    return subprocess.run(
        [sys.executable, script, ROOT / template, *args], check=True, capture_output=True, text=True
    ).stdout


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def nginx(live_server, settings, tmp_path):
    """nginx on a free loopback port, proxying to the live server; its base URL."""
    if not os.path.exists(NGINX):
        pytest.fail("nginx is not installed: `make test` installs it (ensure-system-packages)")
    settings.TRUSTED_PROXY_COUNT = 1
    settings.X_ACCEL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    state = tmp_path / "nginx-state"
    for folder in ("run", "log", *(f"nginx/{temp}" for temp in NGINX_TEMP_DIRS)):
        (state / folder).mkdir(parents=True)
    (state / "nginx" / "tsprotect-locations.conf").write_text(
        render(
            "deploy/nginx/tsprotect-locations.conf",
            STATIC_ROOT=settings.STATIC_ROOT,
            MEDIA_ROOT=settings.MEDIA_ROOT,
            EVIDENCE_ROOT=settings.EVIDENCE_ROOT,
        )
    )
    port = free_port()
    upstream = urllib.parse.urlsplit(live_server.url).port
    config = state / "nginx" / "nginx.conf"
    config.write_text(
        render(
            "deploy/nginx/stack.conf",
            STATE_DIR=state,
            PORT=port,
            UPSTREAM=f"127.0.0.1:{upstream}",
            USER=pwd.getpwuid(os.getuid()).pw_name,
            GROUP=grp.getgrgid(os.getgid()).gr_name,
        )
    )
    error_log = state / "log" / "nginx-error.log"
    process = subprocess.Popen(
        [NGINX, "-e", error_log, "-c", config],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not start:\n{error_log.read_text(errors='replace')}")
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


class Browser:
    """A browser at CLIENT: its requests reach nginx from that address, and nginx's reach the
    live server from 127.0.0.1. Keeps its cookies; follows no redirect."""

    def __init__(self, base, user=None):
        self.address = urllib.parse.urlsplit(base)
        self.cookies = {}
        if user is not None:
            client = Client()
            client.force_login(user)
            name = django_settings.SESSION_COOKIE_NAME
            self.cookies[name] = client.cookies[name].value

    def request(self, method, path, body=None, headers=None):
        """(status, headers, body)."""
        connection = http.client.HTTPConnection(
            self.address.hostname, self.address.port, timeout=30, source_address=(CLIENT, 0)
        )
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        return response.status, response.headers, content

    def get(self, path, **headers):
        return self.request("GET", path, headers=headers)

    def post(self, path, form, **headers):
        headers = {"Content-Type": "application/x-www-form-urlencoded", **headers}
        return self.request("POST", path, urllib.parse.urlencode(form).encode(), headers)


# The client's address -------------------------------------------------------------------------


def test_a_forged_forwarded_address_is_ignored_by_the_lockout(nginx, changsha_officer):
    visitor = Browser(nginx)
    status, _headers, page = visitor.get(reverse("login"))
    assert status == 200
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    form = {"csrfmiddlewaretoken": token, "username": "officer_430100", "password": "wrong"}
    status, _headers, _body = visitor.post(
        reverse("login"),
        form,
        **{"X-Forwarded-For": FORGED, "Origin": nginx, "Referer": nginx + reverse("login")},
    )
    assert status == 200  # the form again, with its error
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT]


# Static files ---------------------------------------------------------------------------------


def test_a_static_file_under_its_hashed_name_is_cached_for_a_year(nginx):
    status, _headers, page = Browser(nginx).get(reverse("login"))
    assert status == 200
    stylesheet = re.search(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page).group(1).decode()
    status, headers, body = Browser(nginx).get(stylesheet)
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    name = stylesheet.removeprefix("/static/")
    assert body == (Path(django_settings.STATIC_ROOT) / name).read_bytes()


def test_a_static_file_under_its_source_name_is_cached_briefly(nginx):
    status, headers, _body = Browser(nginx).get("/static/img/favicon.svg")
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=3600"


# Uploads and evidence -------------------------------------------------------------------------


def test_evidence_goes_through_the_permission_check_and_the_log(
    nginx, changsha_officer, yueyang_officer, province
):
    evidence = register(changsha_officer).evidence.get()
    url = reverse("complaints:evidence", args=[evidence.pk])
    forged = {"X-Forwarded-For": FORGED}

    status, _headers, _body = Browser(nginx, yueyang_officer).get(url, **forged)
    assert status == 404
    assert not EvidenceAccess.objects.exists()

    status, headers, body = Browser(nginx, province).get(url, **forged)
    assert status == 200
    assert body == PDF
    # Sent by nginx from its internal location, not streamed by the portal.
    assert headers["Cache-Control"] == "private, no-store"
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert list(EvidenceAccess.objects.values_list("user__username", "address")) == [
        ("province", CLIENT)
    ]


def test_a_dossier_document_goes_through_the_permission_check(
    nginx, changsha_officer, yueyang_officer
):
    enterprise = make_enterprise("430104", "MA4L0A1B2", "长沙麓谷芯片科技有限公司")
    document = EnterpriseDocument.objects.create(
        enterprise=enterprise,
        title="保密制度",
        kind="rules",
        file=ContentFile(PDF, name="保密 制度.pdf"),
        original_name="保密 制度.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
    )
    url = reverse("enterprises:document_download", args=[document.pk])
    assert Browser(nginx, yueyang_officer).get(url)[0] == 404
    status, headers, body = Browser(nginx, changsha_officer).get(url)
    assert status == 200
    assert body == PDF
    assert headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("prefix", ["/_protected/media/", "/_protected/evidence/", "/media/"])
def test_no_url_reaches_the_stored_files_directly(nginx, changsha_officer, prefix):
    evidence = register(changsha_officer).evidence.get()
    for name in (evidence.file.name, "complaints/"):
        status, _headers, body = Browser(nginx, changsha_officer).get(
            prefix + urllib.parse.quote(name)
        )
        assert status == 404
        assert PDF not in body


# Without nginx's help ---------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["object storage", "a folder nginx does not serve"])
def test_a_file_nginx_cannot_read_is_streamed_by_the_portal(settings, tmp_path, where):
    """Object storage (several app nodes), or a local folder outside MEDIA_ROOT and
    EVIDENCE_ROOT: the download is the portal's own, even with X_ACCEL_REDIRECT on."""
    settings.X_ACCEL_REDIRECT = True
    if where == "object storage":
        storage = InMemoryStorage()
    else:
        storage = FileSystemStorage(location=tmp_path / "elsewhere")
    name = storage.save("dossier/rules.pdf", ContentFile(PDF))
    stored = SimpleNamespace(
        storage=storage, path=storage.path(name) if where != "object storage" else None
    )
    stored.open = lambda mode: storage.open(name, mode)
    response = private_file(stored, "保密制度.pdf", "application/pdf")
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == PDF
