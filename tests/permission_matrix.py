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
    data: object = field(default_factory=dict)  # a dict, or objects -> dict
    query: str = ""
    json: bool = False  # send ``data`` as a JSON body (API writes)
    settings: dict = field(default_factory=dict)  # settings the row's answer depends on


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


def yuelu_import_batch(objects):
    """A batch the 岳麓区 county officer uploaded: it carries their county, so they reach it."""
    from enterprises.models import ImportBatch
    from tsprotect.accounts.models import User

    batch = ImportBatch.objects.create(
        prefecture_id="430100",
        county_id="430104",
        original_name="import.csv",
        errors=[{"row": 2, "column": "企业名称", "message": "必填"}],
        uploaded_by=User.objects.get(username="officer_430104"),
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


def _open_batch(track):
    from datetime import timedelta

    from django.utils import timezone

    from demonstrations.models import Batch

    today = timezone.localdate()
    return Batch.objects.get_or_create(
        track=track,
        year=today.year,
        name="第一批",
        defaults={
            "opens_on": today - timedelta(days=10),
            "submission_deadline": today + timedelta(days=20),
            "recommendation_deadline": today + timedelta(days=40),
        },
    )[0]


def _application(objects, state="draft", **extra):
    """An FTZ-track application of the 长沙 enterprise, with one attachment."""
    from django.core.files.base import ContentFile

    from demonstrations.models import ApplicationAttachment, DemonstrationApplication
    from tsprotect.accounts.models import User

    enterprise = objects["changsha_enterprise"]
    enterprise.ftz_area_id = "changsha"
    enterprise.save()
    application = DemonstrationApplication.objects.create(
        track="ftz_enterprise",
        batch=_open_batch("ftz_enterprise"),
        state=state,
        name=enterprise.name,
        enterprise=enterprise,
        prefecture_id=enterprise.prefecture_id,
        county_id=enterprise.county_id,
        ftz_area_id="changsha",
        rules_system="保密管理制度",
        organisation="保密委员会",
        measures="分级管理",
        contact_person="张三",
        contact_phone="0731-88888888",
        created_by=User.objects.get(username="enterprise1"),
        **extra,
    )
    ApplicationAttachment.objects.create(
        application=application,
        title="保密制度",
        file=ContentFile(b"%PDF-1.4 test", name="rules.pdf"),
        original_name="rules.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
    )
    return application


def changsha_application(objects):
    return {"pk": _application(objects).pk}


def changsha_attachment(objects):
    return {"pk": _application(objects).attachments.get().pk}


def _under_review(objects):
    """Under review, with the expert persona assigned (guardian permission included)."""
    from guardian.shortcuts import assign_perm

    from demonstrations.models import ExpertAssignment
    from tsprotect.accounts.models import User

    application = _application(objects, state="under_review")
    expert = User.objects.get(username="expert1")
    assignment = ExpertAssignment.objects.create(
        application=application,
        expert=expert,
        assigned_by=User.objects.get(username="province"),
    )
    assign_perm("demonstrations.review_application", expert, application)
    return assignment


def reviewed_application(objects):
    return {"pk": _under_review(objects).application_id}


def review_assignment(objects):
    return {"pk": _under_review(objects).pk}


def _designated(objects):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    return _application(
        objects,
        state="designated",
        certificate_number=f"HNSM-{today.year}-FTZ-001",
        designated_on=today,
        valid_until=today + timedelta(days=3 * 365),
    )


def designated_application(objects):
    return {"pk": _designated(objects).pk}


def designated_certificate(objects):
    return {"number": _designated(objects).certificate_number}


def _evaluation(objects):
    """An acceptance evaluation of the 长沙 FTZ pilot that asked for rectification, with its
    minutes."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from demonstrations.models import AcceptanceDocument, AcceptanceEvaluation
    from tsprotect.accounts.models import User

    evaluation = AcceptanceEvaluation.objects.create(
        application=_application(objects, state="pilot", ftz_selection="special_project"),
        evaluated_on=timezone.localdate(),
        result="rectify",
        conclusion="分级管理尚未落实。",
        rectification="完成图纸密级标识后复验。",
        recorded_by=User.objects.get(username="province"),
    )
    AcceptanceDocument.objects.create(
        evaluation=evaluation,
        title="验收意见书",
        file=ContentFile(b"%PDF-1.4 test", name="acceptance.pdf"),
        original_name="acceptance.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
    )
    return evaluation


def acceptance_evaluation(objects):
    return {"pk": _evaluation(objects).pk}


def acceptance_document(objects):
    return {"pk": _evaluation(objects).documents.get().pk}


def provincial_draft_data(objects):
    return {
        "track": "provincial_enterprise",
        "batch": _open_batch("provincial_enterprise").pk,
        "enterprise": objects["changsha_enterprise"].pk,
        "rules_system": "保密管理制度",
        "organisation": "保密委员会",
        "measures": "分级管理",
        "contact_person": "张三",
        "contact_phone": "0731-88888888",
    }


def some_batch(objects):
    return {"pk": _open_batch("site").pk}


def _survey(status="open", prefectures=("430100",)):
    """A survey of the province with one question, addressed to ``prefectures`` (none: all)."""
    from django.utils import timezone

    from assessments.models import Survey, SurveyQuestion
    from tsprotect.accounts.models import User

    survey = Survey.objects.create(
        title="商业秘密保护状况问卷",
        status=status,
        created_by=User.objects.get(username="province"),
        opened_at=None if status == "draft" else timezone.now(),
    )
    survey.prefectures.set(prefectures)
    SurveyQuestion.objects.create(
        survey=survey, text="近三年是否遭受过商业秘密侵权？", kind="single", choices=["是", "否"]
    )
    return survey


def changsha_survey(objects):
    return {"pk": _survey().pk}


def province_wide_survey(objects):
    return {"pk": _survey(prefectures=()).pk}


def yueyang_survey(objects):
    return {"pk": _survey(prefectures=("430600",)).pk}


def draft_survey(objects):
    return {"pk": _survey(status="draft").pk}


def _checklist(objects, status="draft"):
    from django.core.files.base import ContentFile

    from assessments import services as assessment_services
    from assessments.models import ChecklistAnswer, ChecklistSubmission
    from tsprotect.accounts.models import User

    enterprise = objects["changsha_enterprise"]
    template = assessment_services.current_template() or (
        assessment_services.load_default_template()
    )
    submission = ChecklistSubmission.objects.create(
        enterprise=enterprise,
        prefecture_id=enterprise.prefecture_id,
        county_id=enterprise.county_id,
        template=template,
        status=status,
        started_by=User.objects.get(username="enterprise1"),
        score=80 if status != "draft" else None,
        risk_points=30 if status != "draft" else None,
        tier="medium" if status != "draft" else "",
    )
    ChecklistAnswer.objects.create(
        submission=submission,
        item=template.items.first(),
        answer="partly",
        evidence=ContentFile(b"%PDF-1.4 test", name="rules.pdf"),
        evidence_name="rules.pdf",
        evidence_type="application/pdf",
    )
    return submission


def draft_checklist(objects):
    return {"pk": _checklist(objects).pk}


def submitted_checklist(objects):
    return {"pk": _checklist(objects, status="submitted").pk}


def checklist_evidence(objects):
    return {"pk": _checklist(objects, status="submitted").answers.get().pk}


def current_checklist_version(objects):
    from assessments import services as assessment_services

    template = assessment_services.current_template() or (
        assessment_services.load_default_template()
    )
    return {"pk": template.pk}


def _tip(status):
    from assessments.models import ComplianceTip
    from tsprotect.accounts.models import User

    return ComplianceTip.objects.create(
        title="离职员工保密提示",
        body="<p>离职前办理交接。</p>",
        status=status,
        created_by=User.objects.get(username="province"),
    )


def draft_tip(objects):
    return {"pk": _tip("draft").pk}


def published_tip(objects):
    return {"pk": _tip("published").pk}


def officer_notification(objects):
    """A notification of the 长沙 officer (``same_officer``), pointing at the applications."""
    from tsprotect.accounts.models import User
    from tsprotect.notifications.models import Notification

    notification = Notification.objects.create(
        recipient=User.objects.get(username="officer_430100"),
        kind="test",
        title="新的示范申请",
        url="/demonstrations/",
    )
    return {"pk": notification.pk}


OFFICERS_ONLY = {"enterprise": 403, "expert": 403}
PROVINCE_ONLY = logged_in(403, province=200)
# Found in the view scope of the application: the enterprise, its bureau, county and province.
IN_SCOPE_OF_APPLICATION = {"expert": 404, "other_officer": 404}
IN_SCOPE = IN_SCOPE_OF_APPLICATION


MATRIX = [
    # Portal shell
    Row("home", logged_in(200)),
    Row("login", everyone(302) | {"anonymous": 200}),
    Row("logout", everyone(302), method="post"),
    Row("password_change", logged_in(200)),
    Row("set_language", everyone(302), method="post", data={"language": "en", "next": "/"}),
    Row("healthz", everyone(200)),
    # Public: service states, no data. With tasks run eagerly it does not depend on whether a
    # worker of another test happens to answer the ping (test_health_and_broker.py tests that).
    Row("healthz_ready", everyone(200), settings={"CELERY_TASK_ALWAYS_EAGER": True}),
    # Only a scrape with METRICS_TOKEN (none is set here) gets an answer (test_monitoring.py).
    Row("metrics", everyone(404)),
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
    Row(
        "enterprises:import_preview", logged_in(404, county_officer=200), kwargs=yuelu_import_batch
    ),
    Row(
        "enterprises:import_confirm",
        logged_in(404, county_officer=302),
        kwargs=yuelu_import_batch,
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
    # Demonstrations
    Row("demonstrations:list", logged_in(200)),
    # The province files bases (§8), so it may start an application too.
    Row("demonstrations:choose_track", logged_in(200, expert=403, county_officer=403)),
    Row(
        "demonstrations:create",
        logged_in(200, expert=403, county_officer=403, province=403),
        kwargs=lambda o: {"track": "provincial_enterprise"},
    ),
    Row(
        "demonstrations:detail",
        logged_in(200, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
    ),
    Row(
        "demonstrations:detail",
        logged_in(200, other_officer=404),
        kwargs=reviewed_application,
    ),
    Row(
        "demonstrations:update",
        logged_in(200, county_officer=404, province=302, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
    ),
    Row(
        "demonstrations:attachment_upload",
        logged_in(302, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
        method="post",
    ),
    Row(
        "demonstrations:attachment_download",
        logged_in(200, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_attachment,
    ),
    Row(
        "demonstrations:act",
        logged_in(302, **IN_SCOPE_OF_APPLICATION),
        kwargs=lambda o: {**changsha_application(o), "action": "submit"},
        method="post",
    ),
    Row("demonstrations:assign_experts", PROVINCE_ONLY, kwargs=reviewed_application),
    Row(
        "demonstrations:unassign_expert",
        logged_in(403, province=302),
        kwargs=review_assignment,
        method="post",
    ),
    Row("demonstrations:review", logged_in(404, expert=200), kwargs=reviewed_application),
    # Recusal (回避): the assigned expert only; for anyone else there is no assignment to leave.
    Row("demonstrations:recuse", logged_in(404, expert=200), kwargs=reviewed_application),
    Row(
        "demonstrations:recuse",
        logged_in(404, expert=302),
        kwargs=reviewed_application,
        method="post",
        data={"reason": "本人曾担任申请企业的法律顾问。"},
    ),
    Row("demonstrations:decision", PROVINCE_ONLY, kwargs=reviewed_application),
    Row(
        "demonstrations:follow_up_add",
        logged_in(302, **IN_SCOPE_OF_APPLICATION),
        kwargs=designated_application,
        method="post",
    ),
    Row(
        "demonstrations:funding_add",
        logged_in(302, **IN_SCOPE_OF_APPLICATION),
        kwargs=designated_application,
        method="post",
    ),
    Row(
        "demonstrations:national_candidate",
        logged_in(302, **IN_SCOPE_OF_APPLICATION),
        kwargs=designated_application,
        method="post",
    ),
    Row(
        "demonstrations:certificate",
        logged_in(200, **IN_SCOPE_OF_APPLICATION),
        kwargs=designated_application,
    ),
    # The FTZ track (§5): the steps are refused with a message to whoever may not take them.
    Row(
        "demonstrations:ftz_selection",
        logged_in(302, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
        method="post",
        data={"basis": "special_project"},
    ),
    Row(
        "demonstrations:pilot_entry_add",
        logged_in(302, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
        method="post",
    ),
    Row("demonstrations:acceptance_record", PROVINCE_ONLY, kwargs=changsha_application),
    Row(
        "demonstrations:acceptance_document_upload",
        logged_in(302, **IN_SCOPE_OF_APPLICATION),
        kwargs=acceptance_evaluation,
        method="post",
    ),
    Row(
        "demonstrations:acceptance_document_download",
        logged_in(200, **IN_SCOPE_OF_APPLICATION),
        kwargs=acceptance_document,
    ),
    Row("demonstrations:batches", logged_in(200, expert=403)),
    Row("demonstrations:batch_create", PROVINCE_ONLY),
    Row("demonstrations:batch_update", PROVINCE_ONLY, kwargs=some_batch),
    Row("demonstrations:expert_pool", PROVINCE_ONLY),
    # Self-protection checklists, risk tiers, compliance tips
    Row("assessments:list", logged_in(200, expert=403)),
    Row(
        "assessments:start",
        logged_in(302, **IN_SCOPE),
        kwargs=lambda o: {"enterprise_pk": o["changsha_enterprise"].pk},
        method="post",
    ),
    Row("assessments:fill", logged_in(200, province=302, **IN_SCOPE), kwargs=draft_checklist),
    Row("assessments:detail", logged_in(200, **IN_SCOPE), kwargs=submitted_checklist),
    Row("assessments:detail", logged_in(302, province=200, **IN_SCOPE), kwargs=draft_checklist),
    Row(
        "assessments:restart",
        logged_in(302, **IN_SCOPE),
        kwargs=draft_checklist,
        method="post",
    ),
    Row("assessments:tips_pdf", logged_in(200, **IN_SCOPE), kwargs=submitted_checklist),
    Row(
        "assessments:review",
        logged_in(302, **IN_SCOPE),
        kwargs=lambda o: {**submitted_checklist(o), "action": "confirm"},
        method="post",
    ),
    Row("assessments:evidence", logged_in(200, **IN_SCOPE), kwargs=checklist_evidence),
    Row("assessments:due_visits", logged_in(200, enterprise=403, expert=403)),
    Row("assessments:templates", PROVINCE_ONLY),
    Row("assessments:template_detail", PROVINCE_ONLY, kwargs=current_checklist_version),
    Row(
        "assessments:template_action",
        logged_in(403, province=302),
        kwargs=lambda o: {**current_checklist_version(o), "action": "copy"},
        method="post",
    ),
    Row("assessments:tip_manage", PROVINCE_ONLY),
    Row("assessments:tip_create", PROVINCE_ONLY),
    Row("assessments:tip_update", PROVINCE_ONLY, kwargs=draft_tip),
    Row(
        "assessments:tip_status",
        logged_in(403, province=302),
        kwargs=lambda o: {**draft_tip(o), "status": "published"},
        method="post",
    ),
    # Surveys
    Row("assessments:survey_list", logged_in(200, expert=403)),
    Row("assessments:survey_create", PROVINCE_ONLY),
    Row("assessments:survey_update", PROVINCE_ONLY, kwargs=draft_survey),
    Row(
        "assessments:survey_open",
        logged_in(403, province=302),
        kwargs=draft_survey,
        method="post",
    ),
    Row(
        "assessments:survey_close",
        logged_in(403, province=302),
        kwargs=changsha_survey,
        method="post",
    ),
    Row("assessments:survey_answer", logged_in(403, enterprise=200), kwargs=changsha_survey),
    Row(
        "assessments:survey_answer",
        logged_in(403, enterprise=200),
        kwargs=changsha_survey,
        method="post",
    ),
    Row("assessments:survey_answer", logged_in(403, enterprise=404), kwargs=yueyang_survey),
    Row(
        "assessments:survey_results",
        logged_in(200, enterprise=403, expert=403, other_officer=404),
        kwargs=changsha_survey,
    ),
    Row(
        "assessments:survey_results",
        logged_in(200, enterprise=403, expert=403),
        kwargs=province_wide_survey,
    ),
    Row(
        "assessments:survey_results",
        logged_in(404, enterprise=403, expert=403, province=200),
        kwargs=draft_survey,
    ),
    # Public information platform
    Row("public:designations", everyone(200)),
    Row("public:verify", everyone(200), kwargs=designated_certificate),
    Row("public:verify", everyone(404), kwargs=lambda o: {"number": "HNSM-2020-FTZ-999"}),
    Row("public:tips", everyone(200)),
    Row("public:tip", everyone(200), kwargs=published_tip),
    Row("public:tip", everyone(404), kwargs=draft_tip),
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
    Row("api:application-list", logged_in(200, anonymous=401, expert=403)),
    Row(
        "api:application-detail",
        logged_in(200, anonymous=401, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
    ),
    Row(
        "api:application-list",
        logged_in(
            201, anonymous=401, expert=403, county_officer=403, other_officer=400, province=400
        ),
        method="post",
        json=True,
        data=provincial_draft_data,
    ),
    Row(
        "api:application-detail",
        logged_in(200, anonymous=401, county_officer=404, province=400, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
        method="patch",
        json=True,
        data={"measures": "分级管理，定期培训"},
    ),
    Row(
        "api:application-transition",
        logged_in(400, anonymous=401, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
        method="post",
        json=True,
        data={"action": "recommend"},
    ),
    Row(
        "api:application-experts",
        logged_in(400, anonymous=401, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
        method="post",
        json=True,
        data={"experts": []},
    ),
    Row(
        "api:application-review",
        logged_in(403, anonymous=401, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
        method="post",
        json=True,
        data={"scores": {}, "comment": ""},
    ),
    Row(
        "api:application-recusal",
        logged_in(403, anonymous=401, expert=201, other_officer=404),
        kwargs=reviewed_application,
        method="post",
        json=True,
        data={"reason": "本人曾担任申请企业的法律顾问。"},
    ),
    Row(
        "api:application-reviews",
        logged_in(200, anonymous=401, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
    ),
    Row(
        "api:application-ftz-selection",
        logged_in(400, anonymous=401, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
        method="post",
        json=True,
        data={"basis": "special_project"},
    ),
    Row(
        "api:application-pilot-record",
        logged_in(200, anonymous=401, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
    ),
    Row(
        "api:application-pilot-record",
        logged_in(400, anonymous=401, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
        method="post",
        json=True,
        data={"kind": "guidance", "happened_on": "2026-01-05", "summary": "上门指导"},
    ),
    Row(
        "api:application-acceptances",
        logged_in(200, anonymous=401, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
    ),
    Row(
        "api:application-acceptances",
        logged_in(400, anonymous=401, **IN_SCOPE_OF_APPLICATION),
        kwargs=changsha_application,
        method="post",
        json=True,
        data={},
    ),
    Row("api:designation-list", logged_in(200, anonymous=401)),
    Row(
        "api:designation-detail",
        logged_in(200, anonymous=401),
        kwargs=designated_application,
    ),
    Row("api:checklist-list", logged_in(200, anonymous=401, expert=403)),
    Row(
        "api:checklist-detail",
        logged_in(200, anonymous=401, **IN_SCOPE),
        kwargs=submitted_checklist,
    ),
    Row(
        "api:checklist-list",
        logged_in(201, anonymous=401, expert=403, other_officer=400, province=400),
        method="post",
        json=True,
        data=lambda o: {"enterprise": o["changsha_enterprise"].pk},
    ),
    Row(
        "api:checklist-answers",
        logged_in(200, anonymous=401, province=400, **IN_SCOPE),
        kwargs=draft_checklist,
        method="post",
        json=True,
        data={"answers": []},
    ),
    Row(
        "api:checklist-submit",
        logged_in(400, anonymous=401, **IN_SCOPE),
        kwargs=draft_checklist,
        method="post",
        json=True,
    ),
    Row("api-schema", logged_in(200, anonymous=401)),
    Row("api-docs", logged_in(200, anonymous=401)),
    Row("favicon", everyone(302)),
    # Notifications
    Row("notifications:list", logged_in(200)),
    Row(
        "notifications:open",
        logged_in(404, same_officer=302),
        kwargs=officer_notification,
    ),
    Row("notifications:read_all", logged_in(302), method="post"),
    Row("notifications:read_all", logged_in(405)),
]

# The rows of later apps live in their own modules, next to the pages they cover.
from .matrix_complaint_api import ROWS as COMPLAINT_API_ROWS  # noqa: E402
from .matrix_complaint_lists import ROWS as COMPLAINT_LIST_ROWS  # noqa: E402
from .matrix_complaint_pages import ROWS as COMPLAINT_PAGE_ROWS  # noqa: E402
from .matrix_public_report import ROWS as PUBLIC_REPORT_ROWS  # noqa: E402
from .matrix_publicity import ROWS as PUBLICITY_ROWS  # noqa: E402
from .matrix_registration import ROWS as REGISTRATION_ROWS  # noqa: E402
from .matrix_report_api import ROWS as REPORT_API_ROWS  # noqa: E402
from .matrix_report_pages import ROWS as REPORT_PAGE_ROWS  # noqa: E402
from .matrix_trainings import ROWS as TRAININGS_ROWS  # noqa: E402

MATRIX += (
    COMPLAINT_LIST_ROWS
    + COMPLAINT_PAGE_ROWS
    + COMPLAINT_API_ROWS
    + PUBLICITY_ROWS
    + TRAININGS_ROWS
    + REGISTRATION_ROWS
    + PUBLIC_REPORT_ROWS
    + REPORT_API_ROWS
    + REPORT_PAGE_ROWS
)
