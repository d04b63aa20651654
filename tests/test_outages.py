"""The portal's answers to a failed service, in-process (``make test-faults`` stops the real
services under gunicorn): a cache whose Redis does not answer is an empty cache, a database that
cannot be reached is the 503 page, and a storage that cannot take a file is the user's error with
nothing left behind."""

import socket
import time
from contextlib import contextmanager

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from enterprises.models import EnterpriseDocument
from tsprotect.core.uploads import storing_files

from .conftest import PASSWORD, client_for

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    """The cache pointed at a port where nothing listens: a refused connection, for real."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }
    caches["default"].close()
    yield caches["default"]


def test_an_unreachable_cache_answers_as_an_empty_one(redis_down):
    cache = redis_down
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["k"]) == {}
    assert cache.add("k", 1) is False
    assert cache.set("k", 1) is None
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    with pytest.raises(ValueError):  # what a missing key does: the rate limits let it through
        cache.incr("k")


def test_pages_logins_and_rate_limited_forms_serve_without_the_cache(redis_down, changsha_officer):
    client = client_for(None)
    assert client.get(reverse("login")).status_code == 200
    failed = client.post(reverse("login"), {"username": changsha_officer.username, "password": "x"})
    assert failed.status_code == 200 and "用户名或密码错误" in failed.content.decode()
    logged_in = client.post(
        reverse("login"), {"username": changsha_officer.username, "password": PASSWORD}
    )
    assert logged_in.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("enterprises:list")).status_code == 200
    assert client_for(None).get(reverse("public:report")).status_code == 200


@contextmanager
def database_unreachable():
    """The default connection re-pointed at a port where nothing listens, then restored."""
    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=_closed_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)


@pytest.mark.parametrize(
    ("language", "text"),
    [("zh-hans", "平台暂时无法连接数据库"), ("en", "cannot reach its database")],
)
def test_a_database_outage_is_a_503_page_without_a_trace(
    transactional_db, changsha_officer, language, text
):
    client = client_for(changsha_officer)  # a session, to be read from the database
    client.raise_request_exception = False
    client.cookies["django_language"] = language
    with database_unreachable():
        page = client.get(reverse("enterprises:list"))
        api = client.get("/api/v1/enterprises/")
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    body = page.content.decode()
    assert text in body and "Traceback" not in body and "OperationalError" not in body
    assert api.status_code == 503 and text in api.json()["detail"]


def test_a_hung_database_costs_a_request_one_connect_timeout(transactional_db, changsha_officer):
    """A server that accepts connections and never answers (a listening socket nobody reads)."""
    client = client_for(changsha_officer)
    client.raise_request_exception = False
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(16)
        original = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=hung.getsockname()[1])
        connection.settings_dict["OPTIONS"] = {**original["OPTIONS"], "connect_timeout": 2}
        try:
            started = time.monotonic()
            page = client.get(reverse("enterprises:list"))
            took = time.monotonic() - started
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(original)
    assert page.status_code == 503
    assert 1.5 < took < 3.5, f"{took:.1f} s for a 2 s connect timeout"


def test_a_storage_that_cannot_take_the_file_is_the_users_error(
    settings, tmp_path, changsha_officer, changsha_enterprise
):
    # A media folder below a plain file: the storage's mkdir fails with a real OSError (root
    # ignores permissions, so a read-only folder is no test here; make test-faults mounts one).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker / "media"
    response = client_for(changsha_officer).post(
        reverse("enterprises:document_upload", args=[changsha_enterprise.pk]),
        {"title": "保密管理制度", "kind": "rules", "file": SimpleUploadedFile("制度.pdf", PDF)},
    )
    assert response.status_code == 400  # the page again, with the form's error
    assert "文件无法保存" in response.content.decode()
    assert not EnterpriseDocument.objects.exists()


def test_files_written_in_a_failed_block_are_deleted(
    settings, changsha_officer, changsha_enterprise
):
    with pytest.raises(RuntimeError), storing_files():
        document = EnterpriseDocument.objects.create(
            enterprise=changsha_enterprise,
            title="制度",
            file=SimpleUploadedFile("制度.pdf", PDF),
            uploaded_by=changsha_officer,
            original_name="制度.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256="0" * 64,
        )
        path = document.file.path
        assert open(path, "rb").read() == PDF
        raise RuntimeError("a later step of the service fails")
    assert not EnterpriseDocument.objects.exists()
    assert not (settings.MEDIA_ROOT / "dossier").exists() or not any(
        p.is_file() for p in (settings.MEDIA_ROOT / "dossier").rglob("*")
    )
