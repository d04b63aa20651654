"""Monitoring: the request id and the JSON logs, what the logs never hold (a complainant's identity,
a file's contents), and the Prometheus endpoint with its protection, its Celery figures and its
sum over gunicorn's workers (tsprotect/monitoring/)."""

import concurrent.futures
import io
import ipaddress
import json
import logging
import os
import re
import smtplib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, reverse
from prometheus_client.parser import text_string_to_metric_families

from complaints.models import Complaint, EvidenceFile
from enterprises.models import EnterpriseDocument
from tsprotect.accounts.tasks import remove_expired_captchas
from tsprotect.celery import app
from tsprotect.monitoring.logs import LogContextFilter, PortalJsonFormatter
from tsprotect.monitoring.metrics import FAILURES_KEY

from .conftest import client_for
from .test_public_report import solve_captcha
from .test_report_worker import Worker, wait_for

TOKEN = "scrape-token-of-the-test-0123456789"
BEARER = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_log():
    """Every record of the test, at every level, as the portal's JSON formatter writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(PortalJsonFormatter())
    handler.addFilter(LogContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def records(stream):
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def dossier_document(enterprise):
    return EnterpriseDocument.objects.create(
        enterprise=enterprise,
        title="保密制度",
        kind="rules",
        file=ContentFile(b"%PDF-1.4 test", name="rules.pdf"),
        original_name="rules.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
    )


# The request id and the log records -------------------------------------------------------------


def test_the_proxys_request_id_is_returned_and_names_every_record_of_the_request(
    changsha_officer, changsha_enterprise, json_log, uploads_in_tmp
):
    document = dossier_document(changsha_enterprise)
    request_id = uuid.uuid4().hex  # nginx's $request_id
    response = client_for(changsha_officer).get(
        reverse("enterprises:document_download", kwargs={"pk": document.pk}),
        HTTP_X_REQUEST_ID=request_id,
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] == request_id
    [record] = [r for r in records(json_log) if r["message"].startswith("dossier document")]
    assert set(record) == {
        "time", "level", "logger", "message", "request_id", "user_id", "prefecture",
    }  # fmt: skip
    assert (record["level"], record["logger"]) == ("INFO", "enterprises.views")
    assert record["request_id"] == request_id
    assert (record["user_id"], record["prefecture"]) == (changsha_officer.pk, "430100")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", record["time"])
    # Once the request is answered, records no longer carry its context.
    logging.getLogger("tsprotect").warning("after the request")
    assert records(json_log)[-1].keys() == {"time", "level", "logger", "message"}


@pytest.mark.parametrize(
    "sent",
    [
        "",
        "short",
        "a" * 65,
        "0123456789abcdef 0123456789abcdef",
        '0123456789abcdef"}\n{"level": "CRITICAL", "message": "forged"}',
    ],
)
def test_a_missing_or_malformed_request_id_is_replaced(sent, db):
    response = Client().get(reverse("healthz"), HTTP_X_REQUEST_ID=sent)
    assert HEX32.fullmatch(response["X-Request-ID"])
    other = Client().get(reverse("healthz"), HTTP_X_REQUEST_ID=sent)
    assert other["X-Request-ID"] != response["X-Request-ID"]


def test_a_uuid_request_id_is_kept(db):
    request_id = str(uuid.uuid4())
    assert Client().get(reverse("healthz"), HTTP_X_REQUEST_ID=request_id)["X-Request-ID"] == (
        request_id
    )


# What the logs never hold -----------------------------------------------------------------------

NAME = "欧阳监控测试人"
PHONE = "13799887766"
EMAIL = "ouyang.jiankong@example.cn"
ID_NUMBER = "430104199001011234"
ADDRESS = "长沙市岳麓区麓山南路932号"
FILE_MARKER = b"DRAWING-CONTENT-7f3a9c"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n% " + FILE_MARKER + b"\ntrailer<<>>\n%%EOF\n"
IDENTITY = (NAME, PHONE, EMAIL, ID_NUMBER, ADDRESS, FILE_MARKER.decode())


def evidence_file(name="图纸比对.pdf", content=PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def public_report(browser, **overrides):
    page = browser.get(reverse("public:report"))
    data = {
        "prefecture": "430100",
        "respondent_name": "长沙某某科技有限公司",
        "respondent_individuals": "李四，原技术总监",
        "secret_kind": "process",
        "conduct": ["breach_of_confidence"],
        "description": "前技术总监离职后带走全部工艺图纸，并在新公司生产同类产品。",
        "complainant_name": NAME,
        "complainant_contact": f"{PHONE} {EMAIL} {ADDRESS} 身份证{ID_NUMBER}",
        "evidence": [evidence_file()],
        **solve_captcha(page),
        **overrides,
    }
    return browser.post(reverse("public:report"), data)


def test_no_complainant_identity_or_file_content_reaches_the_logs(
    changsha_officer, evidence_in_tmp, caplog, json_log
):
    """A named public report and an officer's intake, with evidence, through the real pages,
    the evidence opened, and forms refused; with the query log on as under DEBUG: its records,
    which hold every query's parameters, stay below the level Django gives its loggers."""
    caplog.set_level(logging.DEBUG)
    connection.force_debug_cursor = True
    try:
        visitor = Client(REMOTE_ADDR="198.51.100.31")
        assert public_report(visitor).status_code == 200
        # Refused: a wrong captcha, then evidence that is not what it claims to be.
        assert public_report(visitor, captcha_1="wrong").status_code == 200
        refused = public_report(visitor, evidence=[evidence_file("图纸.pdf", b"MZ" + FILE_MARKER)])
        assert refused.status_code == 200
        assert Complaint.objects.count() == 1
        officer = client_for(changsha_officer)
        response = officer.post(
            reverse("complaints:create"),
            {
                "kind": "complaint",
                "channel": "12315",
                "received_on": "2026-12-01",
                "prefecture": "430100",
                "county": "430104",
                "complainant_name": NAME,
                "complainant_contact": f"{PHONE} {ADDRESS}",
                "respondent_name": "长沙某某科技有限公司",
                "secret_kind": "technical",
                "conduct": ["breach_of_confidence"],
                "description": "前技术总监离职后带走全部工艺图纸，并在新公司生产同类产品。",
                "evidence": [evidence_file("合同.pdf")],
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Complaint.objects.filter(complainant_name=NAME).count() == 2
        for item in EvidenceFile.objects.all():
            opened = officer.get(reverse("complaints:evidence", kwargs={"pk": item.pk}))
            assert FILE_MARKER in b"".join(opened.streaming_content)
        # The officer's search of the queue by name.
        assert officer.get(reverse("complaints:list"), {"q": NAME}).status_code == 200
    finally:
        connection.force_debug_cursor = False
    written = json_log.getvalue()
    assert caplog.records and written  # the pages did log (requests, notifications)
    for needle in IDENTITY:
        assert needle not in caplog.text, needle
        assert needle not in written, needle


@pytest.mark.parametrize(
    "refusal",
    [
        smtplib.SMTPRecipientsRefused({EMAIL: (550, f"5.1.1 <{EMAIL}>: unknown user".encode())}),
        smtplib.SMTPDataError(554, f"5.7.1 <{EMAIL}>: message refused".encode()),
    ],
)
def test_a_mail_servers_refusal_is_logged_without_the_address(
    refusal, enterprise_user, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """The e-mail of an enterprise's user, who may be the complainant, stays out of the logs."""
    from tsprotect.notifications import services

    settings.EMAIL_HOST = "smtp.amr.example"
    enterprise_user.email = EMAIL
    enterprise_user.save()

    def refuse(*args, **kwargs):  # the bureau's mail server, refusing
        raise refusal

    monkeypatch.setattr(services, "send_mass_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([enterprise_user], kind="test", title="材料已退回")
    assert "Could not e-mail 1 notification(s)" in caplog.text
    assert EMAIL not in caplog.text


# The Prometheus endpoint ------------------------------------------------------------------------


def scrape(client=None, **headers):
    return (client or Client()).get(reverse("metrics"), **headers)


def samples(response):
    """{(name, frozenset(labels)): value} of a scrape."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


def value(found, name, **labels):
    return found.get((name, frozenset(labels.items())))


def test_without_a_token_the_endpoint_does_not_exist(db, settings):
    settings.METRICS_TOKEN = ""
    assert scrape().status_code == 404
    assert scrape(HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_only_the_scrape_with_the_token_is_answered(settings, province, changsha_officer):
    settings.METRICS_TOKEN = TOKEN
    assert scrape().status_code == 404
    assert scrape(HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 404
    assert scrape(HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 404
    for user in (province, changsha_officer):
        assert scrape(client_for(user)).status_code == 404
    Client().get(reverse("public:report"))  # a page that reads the database
    response = scrape(**BEARER)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    found = samples(response)
    page = {"view": "public:report", "method": "GET"}
    assert value(found, "django_http_requests_latency_seconds_by_view_method_count", **page) >= 1
    db_time = value(
        found, "django_db_query_duration_seconds_count", alias="default", vendor="postgresql"
    )
    assert db_time >= 1
    assert value(found, "tsprotect_celery_broker_up") == 1


def test_the_allowed_networks_narrow_who_may_scrape(settings, db):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]
    assert scrape(Client(REMOTE_ADDR="192.0.2.1"), **BEARER).status_code == 404
    assert scrape(Client(REMOTE_ADDR="10.1.2.3"), **BEARER).status_code == 200
    # Behind nginx, an address the client wrote into X-Forwarded-For does not count.
    settings.TRUSTED_PROXY_COUNT = 1
    forged = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.5, 192.0.2.9")
    assert scrape(forged, **BEARER).status_code == 404
    relayed = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.5")
    assert scrape(relayed, **BEARER).status_code == 200


def test_a_node_is_scraped_over_plain_http(settings, db):
    """Prometheus reaches each gunicorn node on the internal network, without the TLS proxy."""
    settings.METRICS_TOKEN = TOKEN
    settings.SECURE_SSL_REDIRECT = True
    assert scrape(**BEARER).status_code == 200
    assert scrape().status_code == 404
    assert Client().get(reverse("healthz")).status_code == 301  # the rest is still redirected


def drop_queue(broker, queue):
    keys = broker.keys(f"{queue}*")
    if keys:
        broker.delete(*keys)


def test_the_queue_length_counts_every_priority(settings, db):
    settings.METRICS_TOKEN = TOKEN
    queue = f"monitoring-{uuid.uuid4().hex[:8]}"
    broker = redis.Redis.from_url(settings.REDIS_URL)
    default_queue = app.conf.task_default_queue
    try:
        remove_expired_captchas.apply_async(queue=queue)
        remove_expired_captchas.apply_async(queue=queue)
        remove_expired_captchas.apply_async(queue=queue, priority=9)
        # Only while scraping: the queues the portal sends to were set up with the real default.
        app.conf.task_default_queue = queue
        found = samples(scrape(**BEARER))
    finally:
        app.conf.task_default_queue = default_queue
        drop_queue(broker, queue)
    assert value(found, "tsprotect_celery_queue_length", queue=queue) == 3


def test_a_redis_that_is_down_is_reported_not_waited_for(settings, db):
    settings.METRICS_TOKEN = TOKEN
    with socket.socket() as closed:  # a port with nothing listening
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    started = time.monotonic()
    response = scrape(**BEARER)
    assert response.status_code == 200 and time.monotonic() - started < 3
    found = samples(response)
    assert value(found, "tsprotect_celery_broker_up") == 0
    assert not any(name == "tsprotect_celery_queue_length" for name, _labels in found)


# Celery: the request's context in the worker, and the failed tasks ------------------------------


def queue_tasks(request):
    """Queues, as a page would, one task that succeeds and one that fails (a stray argument,
    here a complainant's name, which the worker's logs must not repeat)."""
    queue = request.GET["queue"]
    remove_expired_captchas.apply_async(queue=queue)
    app.send_task(remove_expired_captchas.name, args=[NAME], queue=queue)
    return HttpResponse("queued")


urlpatterns = [path("test-queue/", queue_tasks), path("", include("tsprotect.urls"))]


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
def test_a_task_carries_its_requests_id_and_a_failure_is_counted(
    regions, changsha_officer, settings, monkeypatch, tmp_path
):
    settings.METRICS_TOKEN = TOKEN
    monkeypatch.setenv("LOG_FORMAT", "json")
    broker = redis.Redis.from_url(settings.REDIS_URL)
    failures_before = int(broker.hget(FAILURES_KEY, remove_expired_captchas.name) or 0)
    queue = f"monitoring-{uuid.uuid4().hex[:8]}"
    worker = Worker(queue, tmp_path / "worker.log")
    try:
        request_id = uuid.uuid4().hex
        response = client_for(changsha_officer).get(
            "/test-queue/", {"queue": queue}, HTTP_X_REQUEST_ID=request_id
        )
        assert response.status_code == 200

        def task_records():
            lines = worker.log_path.read_text().splitlines()
            found = [json.loads(line) for line in lines if line.startswith("{")]
            done = [r for r in found if r.get("task_name") == remove_expired_captchas.name]
            return found if len(done) >= 2 else None

        found = wait_for(task_records, 60, "the two tasks", workers=[worker])
    finally:
        worker.kill()
        drop_queue(broker, queue)
    done = [r for r in found if r.get("task_name") == remove_expired_captchas.name]
    assert {r["level"] for r in done} == {"INFO", "ERROR"}
    for record in done:
        assert record["logger"] == "celery.app.trace"
        assert record["request_id"] == request_id
        assert (record["user_id"], record["prefecture"]) == (changsha_officer.pk, "430100")
    assert NAME not in worker.log_path.read_text()
    # The worker's own records (its start) are JSON too, without a request.
    assert any(r["logger"].startswith("celery") and "request_id" not in r for r in found)
    failures = int(broker.hget(FAILURES_KEY, remove_expired_captchas.name))
    assert failures == failures_before + 1
    found = samples(scrape(**BEARER))
    task = remove_expired_captchas.name
    assert value(found, "tsprotect_celery_task_failures_total", task=task) == failures


# gunicorn: several workers, one sum -------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return answer.status, answer.read()


QUERY = "searched-name-4c1d"


@pytest.mark.django_db
def test_gunicorns_workers_add_up_and_its_log_is_json(tmp_path):
    db = connection.settings_dict
    port = free_port()
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"left by a previous run")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST']}:{db['PORT']}/"
        f"{db['NAME']}",
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "METRICS_TOKEN": TOKEN,
        "LOG_FORMAT": "json",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tsprotect.wsgi",
            "-c",
            "python:tsprotect.monitoring.gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ],  # fmt: skip
        env=env,
        cwd=django_settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch(base + "/healthz")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.3)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda _: status_of(base + f"/favicon.ico?q={QUERY}"), range(40)))
        assert codes == [302] * 40
        status, body = fetch(base + "/metrics", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        found = {
            (s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(body.decode())
            for s in family.samples
        }
        favicon = [
            v
            for (name, labels), v in found.items()
            if name == "django_http_requests_total_by_view_transport_method_total"
            and ("view", "favicon") in labels
        ]
        assert sum(favicon) == 40
        pids = {p.stem.rsplit("_", 1)[1] for p in folder.glob("counter_*.db")}
        assert "1" not in pids  # the previous run's file was cleared at start
        assert len(pids) >= 2, pids  # both workers served and both are counted
    finally:
        server.terminate()
        server.wait(20)
        log.close()
    lines = [line for line in (tmp_path / "gunicorn.log").read_text().splitlines() if line]
    parsed = [json.loads(line) for line in lines]
    assert any(
        r["logger"] == "gunicorn.error" and r["message"].startswith("Booting worker")
        for r in parsed
    )
    # No access log: its URLs would carry searches such as a complainant's name.
    assert QUERY not in "\n".join(lines)


def status_of(url):
    """The status of a GET that is not followed (favicon.ico redirects to the static file)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as answer:  # noqa: S310 - loopback
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_bad_log_format_or_network_stops_the_portal():
    from .test_settings import SHOW, run

    result = run(SHOW, DEBUG="true", LOG_FORMAT="xml")
    assert result.returncode != 0 and "LOG_FORMAT must be json or text" in result.stderr
    result = run(SHOW, DEBUG="true", METRICS_ALLOWED_NETWORKS="10.0.0.0/8,not-a-network")
    assert result.returncode != 0 and "METRICS_ALLOWED_NETWORKS" in result.stderr
