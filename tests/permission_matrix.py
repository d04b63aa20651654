"""The permission matrix: every URL of the portal × every persona → the expected status.

A new URL without a row here fails ``test_every_url_is_declared``. Each row names the URL, how
to build its arguments from the matrix objects (all of them in 长沙市, 岳麓区 unless the row
says otherwise), and the status each persona gets. ``LOGIN`` is a redirect to the login page.
The Django admin is covered by the generic rule in ``test_permission_matrix.py``.
"""

from dataclasses import dataclass, field

PERSONAS = (
    "anonymous",
    "enterprise",
    "expert",
    "same_officer",
    "other_officer",
    "county_officer",
    "province",
)
LOGIN = "login"  # 302 to /accounts/login/


def everyone(status):
    return dict.fromkeys(PERSONAS, status)


def logged_in(status, anonymous=LOGIN, **overrides):
    return {**everyone(status), "anonymous": anonymous, **overrides}


@dataclass
class Row:
    name: str
    expect: dict
    kwargs: callable = None  # objects -> URL kwargs
    method: str = "get"
    data: dict = field(default_factory=dict)
    query: str = ""
    json: bool = False  # send ``data`` as a JSON body (API writes)


def changsha_enterprise(objects):
    return {"pk": objects["changsha_enterprise"].pk}


def changsha_document(objects):
    from django.core.files.base import ContentFile

    from enterprises.models import EnterpriseDocument

    document = EnterpriseDocument.objects.create(
        enterprise=objects["changsha_enterprise"],
        title="保密制度",
        kind="rules",
        file=ContentFile(b"%PDF-1.4 test", name="rules.pdf"),
        original_name="rules.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
    )
    return {"pk": document.pk}


def changsha_import_batch(objects):
    """A batch uploaded by the 长沙 officer, with an error, so that confirming writes nothing."""
    from django.core.files.base import ContentFile

    from enterprises.models import ImportBatch
    from tsprotect.accounts.models import User

    batch = ImportBatch.objects.create(
        prefecture_id="430100",
        file=ContentFile(b"x", name="import.csv"),
        original_name="import.csv",
        errors=[{"row": 2, "column": "企业名称", "message": "必填"}],
        uploaded_by=User.objects.get(username="officer_430100"),
    )
    return {"pk": batch.pk}


def changsha_submission(objects):
    from django.utils import timezone

    from enterprises.models import DirectorySubmission
    from tsprotect.accounts.models import User

    submission = DirectorySubmission.objects.create(
        prefecture_id="430100",
        period_end=timezone.now(),
        submitted_at=timezone.now(),
        submitted_by=User.objects.get(username="officer_430100"),
    )
    return {"pk": submission.pk}


OFFICERS_ONLY = {"enterprise": 403, "expert": 403}


MATRIX = [
    # Portal shell
    Row("home", logged_in(200)),
    Row("login", everyone(302) | {"anonymous": 200}),
    Row("logout", everyone(302), method="post"),
    Row("password_change", logged_in(200)),
    Row("set_language", everyone(302), method="post", data={"language": "en", "next": "/"}),
    Row("healthz", everyone(200)),
    # Enterprise directory
    Row("enterprises:list", logged_in(200, expert=403)),
    Row("enterprises:mine", logged_in(404, enterprise=302)),
    Row(
        "enterprises:detail",
        logged_in(200, expert=404, other_officer=404),
        kwargs=changsha_enterprise,
    ),
    Row("enterprises:create", logged_in(200, **OFFICERS_ONLY)),
    Row(
        "enterprises:update",
        logged_in(200, enterprise=404, expert=404, other_officer=404),
        kwargs=changsha_enterprise,
    ),
    Row(
        "enterprises:document_upload",
        logged_in(400, enterprise=404, expert=404, other_officer=404),
        kwargs=changsha_enterprise,
        method="post",
    ),
    Row(
        "enterprises:service_event_add",
        logged_in(400, enterprise=404, expert=404, other_officer=404),
        kwargs=changsha_enterprise,
        method="post",
    ),
    Row(
        "enterprises:document_download",
        logged_in(200, enterprise=404, expert=404, other_officer=404),
        kwargs=changsha_document,
    ),
    Row("enterprises:export", logged_in(200, expert=403), kwargs=lambda o: {"fmt": "csv"}),
    Row("enterprises:import", logged_in(200, **OFFICERS_ONLY)),
    Row("enterprises:import_template", logged_in(200, **OFFICERS_ONLY)),
    Row(
        "enterprises:import_preview", logged_in(404, same_officer=200), kwargs=changsha_import_batch
    ),
    Row(
        "enterprises:import_confirm",
        logged_in(404, same_officer=302),
        kwargs=changsha_import_batch,
        method="post",
    ),
    Row("enterprises:submissions", logged_in(200, county_officer=403, **OFFICERS_ONLY)),
    Row(
        "enterprises:submission_detail",
        logged_in(404, same_officer=200, province=200),
        kwargs=changsha_submission,
    ),
    Row(
        "enterprises:submission_acknowledge",
        logged_in(404, same_officer=403, province=302),
        kwargs=changsha_submission,
        method="post",
    ),
    Row(
        "enterprises:submission_submit",
        logged_in(404, same_officer=302, province=403),
        kwargs=lambda o: {"code": "430100"},
        method="post",
    ),
    # JSON API
    Row("api:api-root", logged_in(200, anonymous=401)),
    Row("api:enterprise-list", logged_in(200, anonymous=401, expert=403)),
    Row(
        "api:enterprise-detail",
        logged_in(200, anonymous=401, expert=404, other_officer=404),
        kwargs=changsha_enterprise,
    ),
    Row(
        "api:enterprise-list",
        logged_in(201, anonymous=401, enterprise=403, expert=403, other_officer=400),
        method="post",
        json=True,
        data={
            "uscc": "91430104MA4L9A8B13",
            "name": "长沙新录入科技有限公司",
            "prefecture": "430100",
            "county": "430104",
        },
    ),
    Row(
        "api:enterprise-detail",
        logged_in(200, anonymous=401, enterprise=404, expert=404, other_officer=404),
        kwargs=changsha_enterprise,
        method="patch",
        json=True,
        data={"name": "长沙麓谷芯片科技股份有限公司"},
    ),
    Row("api-schema", logged_in(200, anonymous=401)),
    Row("api-docs", logged_in(200, anonymous=401)),
    Row("favicon", everyone(302)),
]
