"""Uploads and complaint evidence in S3-compatible object storage (``STORAGE_BACKEND=s3``), as
several app nodes share them: the portal's own pages against an S3 server on loopback (moto in
server mode), with the settings the environment gives in production (``object_storages``).

What holds on the local folders holds here too: a file is served only in scope, evidence only to
those handling the complaint and each opening logged, nothing lands in the local folders, the
objects are private and have no URL, and what the portal deletes leaves the bucket.
"""

import json
import uuid

import boto3
import pytest
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from assessments import services as assessment_services
from complaints.models import Complaint, EvidenceAccess, EvidenceFile
from enterprises.models import Enterprise, EnterpriseDocument, ImportBatch
from tsprotect import settings as portal_settings
from tsprotect.core.uploads import check_upload
from tsprotect.publicity.models import Notice
from tsprotect.reports import services as report_services
from tsprotect.reports.models import Report

from .conftest import client_for, english_client_for, make_uscc
from .test_complaint_pages import intake
from .test_enterprise_import import record, xlsx_file
from .test_settings import REAL_KEY, run

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
KEYS = {"access_key": "tsprotect-test", "secret_key": "tsprotect-test-secret"}
OTHER_USCC = make_uscc("430104", "MA4L0X002")
PUBLIC_GRANTEES = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


@pytest.fixture(scope="session")
def s3_endpoint():
    """An S3 server on a free loopback port for the whole run."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint):
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )


def fresh_bucket(s3, role):
    name = f"tsprotect-{role}-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def use_object_storage(settings, s3_endpoint, bucket, evidence_bucket):
    settings.STORAGES = {
        **portal_settings.object_storages(
            bucket=bucket,
            evidence_bucket=evidence_bucket,
            endpoint_url=s3_endpoint,
            region="us-east-1",
            addressing_style="path",
            **KEYS,
        ),
        "staticfiles": settings.STORAGES["staticfiles"],
    }


@pytest.fixture
def buckets(settings, s3, s3_endpoint):
    """Uploads and evidence each in a bucket of their own, as a bureau would set them up."""
    media, evidence = fresh_bucket(s3, "media"), fresh_bucket(s3, "evidence")
    use_object_storage(settings, s3_endpoint, media, evidence)
    return media, evidence


def keys(s3, bucket):
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def body(s3, bucket, key):
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def is_private(s3, bucket, key):
    grants = s3.get_object_acl(Bucket=bucket, Key=key)["Grants"]
    return not any(g["Grantee"].get("URI") in PUBLIC_GRANTEES for g in grants)


def local_files(settings):
    return [
        p
        for root in (settings.MEDIA_ROOT, settings.EVIDENCE_ROOT)
        for p in root.rglob("*")
        if p.is_file()
    ]


def downloaded(response):
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def upload_document(officer, enterprise, name="保密制度.pdf", content=PDF):
    response = client_for(officer).post(
        reverse("enterprises:document_upload", args=[enterprise.pk]),
        {"title": "保密管理制度", "kind": "rules", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302
    return EnterpriseDocument.objects.latest("pk")


def test_a_dossier_document_is_kept_in_the_bucket_and_served_only_in_scope(
    buckets, s3, settings, changsha_officer, yueyang_officer, changsha_enterprise
):
    media, evidence = buckets
    document = upload_document(changsha_officer, changsha_enterprise)
    key = f"media/{document.file.name}"
    assert document.file.name.startswith("dossier/")
    assert keys(s3, media) == [key] and keys(s3, evidence) == []
    assert body(s3, media, key) == PDF and is_private(s3, media, key)
    assert local_files(settings) == []

    url = reverse("enterprises:document_download", args=[document.pk])
    response = client_for(changsha_officer).get(url)
    assert downloaded(response) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert client_for(yueyang_officer).get(url).status_code == 404
    # Never a public or pre-signed address a browser could open past the portal's check.
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018


def test_two_documents_of_one_name_are_two_objects(
    buckets, s3, changsha_officer, changsha_enterprise
):
    media, _evidence = buckets
    first = upload_document(changsha_officer, changsha_enterprise, content=PDF)
    second = upload_document(changsha_officer, changsha_enterprise, content=PDF + b"% v2\n")
    assert first.file.name != second.file.name
    assert len(keys(s3, media)) == 2
    browser = client_for(changsha_officer)
    for document, content in ((first, PDF), (second, PDF + b"% v2\n")):
        url = reverse("enterprises:document_download", args=[document.pk])
        assert downloaded(browser.get(url)) == content


def test_evidence_is_kept_apart_served_to_its_handlers_and_every_opening_logged(
    buckets, s3, settings, changsha_officer, yueyang_officer
):
    media, evidence = buckets
    content = PDF + "图纸比对".encode()
    response = client_for(changsha_officer).post(
        reverse("complaints:create"),
        intake(evidence=[SimpleUploadedFile("图纸比对.pdf", content)]),
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    item = complaint.evidence.get()
    key = f"evidence/{item.file.name}"
    assert keys(s3, evidence) == [key] and keys(s3, media) == []
    assert body(s3, evidence, key) == content and is_private(s3, evidence, key)
    assert local_files(settings) == []
    with pytest.raises(ValueError):
        item.file.url  # noqa: B018

    url = reverse("complaints:evidence", args=[item.pk])
    assert client_for(yueyang_officer).get(url).status_code == 404
    assert not EvidenceAccess.objects.exists()
    assert downloaded(client_for(changsha_officer).get(url)) == content
    assert downloaded(client_for(changsha_officer).get(url)) == content
    log = list(EvidenceAccess.objects.order_by("pk").values_list("evidence", "user", "address"))
    assert log == [(item.pk, changsha_officer.pk, "127.0.0.1")] * 2


def test_a_store_that_refuses_the_upload_is_a_clear_error_and_no_row(
    settings, s3, s3_endpoint, changsha_officer, changsha_enterprise
):
    # The bucket is gone (deleted, or the key lost its rights): S3 answers an error, not OSError.
    use_object_storage(settings, s3_endpoint, "tsprotect-no-such-bucket", "tsprotect-no-such-ev")
    response = english_client_for(changsha_officer).post(
        reverse("enterprises:document_upload", args=[changsha_enterprise.pk]),
        {"title": "保密管理制度", "kind": "rules", "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 400
    assert "could not be stored" in response.content.decode()
    assert not EnterpriseDocument.objects.exists()


def test_one_shared_bucket_keeps_evidence_under_its_own_prefix(
    settings, s3, s3_endpoint, changsha_officer, changsha_enterprise
):
    shared = fresh_bucket(s3, "shared")
    use_object_storage(settings, s3_endpoint, shared, shared)
    document = upload_document(changsha_officer, changsha_enterprise)
    client_for(changsha_officer).post(
        reverse("complaints:create"),
        intake(evidence=[SimpleUploadedFile("劳动合同.pdf", PDF)]),
    )
    item = EvidenceFile.objects.get()
    assert keys(s3, shared) == sorted([f"media/{document.file.name}", f"evidence/{item.file.name}"])
    # The uploads' storage does not find evidence by its name: its keys all start with media/.
    assert not default_storage.exists(item.file.name)
    assert storages["evidence"].exists(item.file.name)


def test_a_removed_notice_attachment_leaves_the_bucket(
    buckets, s3, province, django_capture_on_commit_callbacks
):
    media, _evidence = buckets
    notice = Notice.objects.create(
        title="宣传周通知", summary="", body="<p>通知</p>", author=province
    )
    client_for(province).post(
        reverse("publicity:attachment_add", args=[notice.pk]),
        {"title": "活动方案", "file": SimpleUploadedFile("方案.pdf", PDF)},
    )
    attachment = notice.attachments.get()
    assert keys(s3, media) == [f"media/{attachment.file.name}"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(province).post(
            reverse("publicity:attachment_remove", args=[attachment.pk])
        )
    assert response.status_code == 302
    assert not notice.attachments.exists()
    assert keys(s3, media) == []


def test_checklist_evidence_replaced_or_dropped_leaves_the_bucket(
    buckets, s3, enterprise_user, changsha_enterprise, django_capture_on_commit_callbacks
):
    media, _evidence = buckets
    template = assessment_services.current_template() or assessment_services.load_default_template()
    submission = assessment_services.start(changsha_enterprise, enterprise_user)
    first, last = template.items.first(), template.items.last()

    def attach(item, content):
        uploaded = SimpleUploadedFile("保密制度.pdf", content)
        with django_capture_on_commit_callbacks(execute=True):
            assessment_services.save_answers(
                submission,
                enterprise_user,
                {item.pk: ("yes", "", (uploaded, check_upload(uploaded)))},
            )
        return submission.answers.get(item__code=item.code).evidence.name

    attach(first, PDF)
    replacement = attach(first, PDF + b"% v2\n")
    dropped = attach(last, PDF)
    assert keys(s3, media) == sorted(f"media/{name}" for name in (replacement, dropped))

    # A new version without the last item: moving the draft onto it drops that answer.
    draft = assessment_services.new_version(template)
    draft.items.filter(code=last.code).delete()
    assessment_services.publish_template(draft)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_services.restart_on_current(submission, enterprise_user)
    assert keys(s3, media) == [f"media/{replacement}"]
    answer = submission.answers.get()
    with answer.evidence.open("rb") as handle:
        assert handle.read() == PDF + b"% v2\n"


def test_a_report_rendered_again_replaces_its_files_in_the_bucket(
    buckets, s3, changsha_officer, django_capture_on_commit_callbacks
):
    media, _evidence = buckets
    build = report_services.build_now("2026-Q3", "430100")
    assert build.status == "done", build.error
    report = Report.objects.get(pk=build.report_id)
    url = reverse("reports:pdf", args=[report.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = downloaded(client_for(changsha_officer).get(url))
    report.refresh_from_db()
    stored = [f"media/{report.pdf.name}", f"media/{report.xlsx.name}"]
    assert first.startswith(b"%PDF") and keys(s3, media) == sorted(stored)
    assert body(s3, media, stored[0]) == first

    report_services.save_narrative(report, changsha_officer, work_done="开展商业秘密保护宣传周。")
    with django_capture_on_commit_callbacks(execute=True):
        second = downloaded(client_for(changsha_officer).get(url))
    report.refresh_from_db()
    assert second != first
    assert keys(s3, media) == sorted([f"media/{report.pdf.name}", f"media/{report.xlsx.name}"])
    assert not set(stored) & set(keys(s3, media))


def upload_workbook(officer, row):
    response = client_for(officer).post(
        reverse("enterprises:import"), {"file": xlsx_file([row]), "prefecture": "430100"}
    )
    assert response.status_code == 302
    return ImportBatch.objects.latest("pk")


def test_an_import_is_read_back_from_the_bucket_and_a_refused_one_leaves_it(
    buckets, s3, settings, changsha_officer, django_capture_on_commit_callbacks
):
    media, _evidence = buckets
    good = upload_workbook(changsha_officer, record())
    assert keys(s3, media) == [f"media/{good.file.name}"] and local_files(settings) == []
    client_for(changsha_officer).post(reverse("enterprises:import_confirm", args=[good.pk]))
    assert Enterprise.objects.get().name == "长沙岳麓精密仪器有限公司"

    row = {**record(name="长沙某新公司"), "统一社会信用代码": OTHER_USCC}
    refused = upload_workbook(changsha_officer, row)
    assert len(keys(s3, media)) == 2
    # Between preview and confirmation, 岳阳 files that credit code.
    Enterprise.objects.create(
        uscc=OTHER_USCC, name="岳阳某公司", prefecture_id="430600", county_id="430602"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(changsha_officer).post(reverse("enterprises:import_confirm", args=[refused.pk]))
    refused.refresh_from_db()
    assert refused.errors and not refused.file
    assert keys(s3, media) == [f"media/{good.file.name}"]


# Settings -------------------------------------------------------------------------------------

STORAGES_SHOWN = (
    "import json, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tsprotect.settings');"
    "from django.conf import settings as s;"
    "print(json.dumps({k: v for k, v in s.STORAGES.items() if k != 'staticfiles'}))"
)


def storages_from(**env):
    result = run(STORAGES_SHOWN, DEBUG="false", SECRET_KEY=REAL_KEY, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_local_folders_are_the_default():
    shown = storages_from()
    assert shown["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert shown["evidence"]["BACKEND"] == "complaints.storage.EvidenceStorage"


def test_object_storage_takes_its_buckets_endpoint_and_keys_from_the_environment():
    shown = storages_from(
        STORAGE_BACKEND="s3",
        S3_BUCKET="hnamr-tsprotect-media",
        S3_EVIDENCE_BUCKET="hnamr-tsprotect-evidence",
        S3_ENDPOINT_URL="https://oss.amr.hunan.gov.cn",
        S3_ACCESS_KEY_ID="portal",
        S3_SECRET_ACCESS_KEY="a#secret",
        S3_REGION="cn-central-1",
        S3_ADDRESSING_STYLE="path",
    )
    media, evidence = shown["default"]["OPTIONS"], shown["evidence"]["OPTIONS"]
    assert shown["default"]["BACKEND"] == shown["evidence"]["BACKEND"]
    assert shown["evidence"]["BACKEND"] == "tsprotect.core.storage.PrivateS3Storage"
    assert (media["bucket_name"], media["location"]) == ("hnamr-tsprotect-media", "media")
    assert (evidence["bucket_name"], evidence["location"]) == (
        "hnamr-tsprotect-evidence",
        "evidence",
    )
    for options in (media, evidence):
        assert options["endpoint_url"] == "https://oss.amr.hunan.gov.cn"
        assert (options["access_key"], options["secret_key"]) == ("portal", "a#secret")
        assert (options["region_name"], options["addressing_style"]) == ("cn-central-1", "path")
        assert options["default_acl"] is None and options["file_overwrite"] is False


def test_without_an_evidence_bucket_evidence_shares_the_uploads_bucket_under_its_prefix():
    shown = storages_from(STORAGE_BACKEND="s3", S3_BUCKET="hnamr-tsprotect")
    assert shown["evidence"]["OPTIONS"]["bucket_name"] == "hnamr-tsprotect"
    assert shown["evidence"]["OPTIONS"]["location"] == "evidence"
    assert shown["default"]["OPTIONS"]["location"] == "media"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORAGE_BACKEND": "s3"}, "STORAGE_BACKEND=s3 needs S3_BUCKET"),
        ({"STORAGE_BACKEND": "nfs"}, "STORAGE_BACKEND must be filesystem or s3"),
        (
            {"STORAGE_BACKEND": "s3", "S3_BUCKET": "b", "S3_ADDRESSING_STYLE": "dns"},
            "S3_ADDRESSING_STYLE must be auto, path or virtual",
        ),
    ],
)
def test_the_portal_refuses_to_start_on_an_incomplete_storage_setting(env, message):
    result = run(STORAGES_SHOWN, DEBUG="false", SECRET_KEY=REAL_KEY, **env)
    assert result.returncode != 0 and message in result.stderr
