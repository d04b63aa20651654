"""The FTZ track (§5): how an enterprise was selected, its pilot record, the multi-party
acceptance evaluation, and no designation without a passing one — through the services, the
pages, the API and the admin alike."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from demonstrations import services
from demonstrations.models import (
    AcceptanceDocument,
    AcceptanceEvaluation,
    DemonstrationApplication,
    PilotEntry,
)
from demonstrations.workflow import RUBRIC, State, Track
from tsprotect.accounts.services import grant_enterprise_access
from tsprotect.notifications.models import Notification

from .conftest import client_for, english_client_for, make_enterprise, make_user
from .test_demonstration_workflow import (
    attach,
    events,
    file_application,
    make_batch,
    panel,  # noqa: F401 (fixture)
    review_all,
    state_of,
)

pytestmark = pytest.mark.django_db

FTZ = Track.FTZ_ENTERPRISE
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"


def today():
    return timezone.localdate()


LEAD = {
    "kind": "competition_bureau",
    "organisation": "湖南省市场监督管理局价监竞争局",
    "names": "王科长",
}
CENTER = {
    "kind": "ip_protection_center",
    "organisation": "湖南省知识产权保护中心",
    "names": "钱研究员",
}
EXPERT = {"kind": "expert", "organisation": "湖南大学法学院", "names": "李教授"}


def all_met(**overrides):
    return {c.key: overrides.get(c.key, ("met", "")) for c in RUBRIC}


def evaluate(application, user, result="pass", **kwargs):
    defaults = {
        "evaluated_on": today(),
        "conclusion": "制度体系健全，同意通过。" if result == "pass" else "部分措施未落实。",
        "rectification": "一个月内完成图纸密级标识。" if result == "rectify" else "",
        "parties": [LEAD, CENTER, EXPERT],
        "findings": all_met(),
    }
    return services.record_acceptance(application, user, result=result, **{**defaults, **kwargs})


@pytest.fixture
def ftz_enterprise(regions):
    enterprise = make_enterprise("430104", "MA4L5F5F5", "长沙自贸五号科技有限公司")
    enterprise.ftz_area_id = "changsha"
    enterprise.save()
    return enterprise


@pytest.fixture
def ftz_user(ftz_enterprise):
    user = make_user("ftz_enterprise_user", "enterprise")
    grant_enterprise_access(user, ftz_enterprise)
    return user


@pytest.fixture
def submitted_ftz(ftz_enterprise, changsha_officer):
    application = file_application(
        changsha_officer, ftz_enterprise, track=FTZ, batch=make_batch(FTZ)
    )
    attach(application, changsha_officer)
    return services.transition(application, "submit", changsha_officer)


@pytest.fixture
def pilot(submitted_ftz, changsha_officer, province, panel):  # noqa: F811
    services.record_ftz_selection(submitted_ftz, changsha_officer, basis="special_project")
    services.transition(submitted_ftz, "recommend", changsha_officer)
    services.assign_experts(submitted_ftz, panel[:3], province)
    review_all(submitted_ftz, panel[:3])
    return services.transition(submitted_ftz, "approve", province)


@pytest.fixture
def in_acceptance(pilot, province):
    return services.transition(pilot, "start_acceptance", province)


# How the enterprise was selected (§5) --------------------------------------------------------


def test_the_prefecture_records_how_it_selected_the_enterprise_before_recommending_it(
    submitted_ftz, changsha_officer, ftz_user
):
    # In Chinese whatever an earlier test in the worker left active.
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.transition(submitted_ftz, "recommend", changsha_officer)
    assert "第5条" in refused.value.messages[0]

    with pytest.raises(ValidationError) as no_reason:
        services.record_ftz_selection(
            submitted_ftz, changsha_officer, basis="named_by_prefecture", reason="  "
        )
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError):
        services.record_ftz_selection(submitted_ftz, ftz_user, basis="special_project")

    reason = "片区内暂无企业符合专项条件，由市局明确该企业试点。"
    services.record_ftz_selection(
        submitted_ftz, changsha_officer, basis="named_by_prefecture", reason=reason
    )
    submitted_ftz.refresh_from_db()
    assert (submitted_ftz.ftz_selection, submitted_ftz.ftz_selection_reason) == (
        "named_by_prefecture",
        reason,
    )
    assert reason in events(submitted_ftz, "ftz_selection").get().note
    recommended = services.transition(submitted_ftz, "recommend", changsha_officer)
    assert recommended.state == State.RECOMMENDED


def test_the_selection_is_not_changed_once_the_experts_review(pilot, changsha_officer):
    with pytest.raises(ValidationError):
        services.record_ftz_selection(pilot, changsha_officer, basis="named_by_prefecture")
    assert DemonstrationApplication.objects.get(pk=pilot.pk).ftz_selection == "special_project"


# The pilot and its acceptance ----------------------------------------------------------------


def test_a_pilot_is_rectified_then_passes_its_acceptance_and_only_then_is_designated(
    pilot, changsha_officer, province, ftz_user
):
    services.record_pilot_entry(
        pilot,
        changsha_officer,
        kind="guidance",
        happened_on=today() - timedelta(days=30),
        summary="指导企业建立涉密人员台账。",
    )
    services.transition(pilot, "start_acceptance", province)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as no_evaluation:
        services.transition(pilot, "designate", province)
    assert "第5条" in no_evaluation.value.messages[0]

    rectify = evaluate(
        pilot,
        province,
        "rectify",
        evaluated_on=today() - timedelta(days=10),
        findings=all_met(measures=("partly", "图纸未标密级。")),
    )
    assert state_of(pilot) == State.PILOT
    assert rectify.findings.get(criterion="measures").level == "partly"
    assert {p.kind for p in rectify.parties.all()} == {
        "competition_bureau",
        "ip_protection_center",
        "expert",
    }
    # The enterprise is told what to rectify.
    assert Notification.objects.filter(recipient=ftz_user, kind="acceptance_result").exists()
    with pytest.raises(ValidationError):
        services.transition(pilot, "designate", province)

    services.record_pilot_entry(
        pilot,
        changsha_officer,
        kind="progress",
        happened_on=today() - timedelta(days=2),
        summary="图纸已全部标注密级。",
    )
    services.transition(pilot, "start_acceptance", province)
    evaluate(pilot, province, "pass")
    assert state_of(pilot) == State.ACCEPTANCE
    current = DemonstrationApplication.objects.get(pk=pilot.pk)
    assert [t.action for t in services.available_transitions(current, province)] == ["designate"]

    designated = services.transition(pilot, "designate", province)
    assert designated.state == State.DESIGNATED
    assert designated.certificate_number == f"HNSM-{today().year}-FTZ-001"
    assert list(events(pilot).filter(action="acceptance").values_list("to_state", flat=True)) == [
        "pilot",
        "acceptance",
    ]
    assert PilotEntry.objects.filter(application=pilot).count() == 2


def test_a_failed_acceptance_ends_the_application(in_acceptance, province):
    evaluate(in_acceptance, province, "fail", findings=all_met(measures=("not_met", "")))
    application = DemonstrationApplication.objects.get(pk=in_acceptance.pk)
    assert application.state == State.REJECTED and application.decided_at is not None
    with pytest.raises(ValidationError):
        services.transition(application, "designate", province)


def test_the_acceptance_is_no_bare_button_any_more(in_acceptance, province):
    # Rejecting during the acceptance is a failed evaluation, recorded with its findings.
    with pytest.raises(ValidationError):
        services.transition(in_acceptance, "reject", province, "不合格")
    assert state_of(in_acceptance) == State.ACCEPTANCE
    assert services.available_transitions(in_acceptance, province) == []


def test_an_acceptance_is_led_by_the_competition_bureau_with_another_party(in_acceptance, province):
    for parties in ([CENTER, EXPERT], [LEAD], [LEAD, {**EXPERT, "organisation": ""}]):
        with pytest.raises(ValidationError) as refused:
            evaluate(in_acceptance, province, parties=parties)
        assert "parties" in refused.value.message_dict
    assert not AcceptanceEvaluation.objects.exists()
    assert state_of(in_acceptance) == State.ACCEPTANCE


def test_an_acceptance_finds_on_every_criterion_and_a_pass_finds_none_unmet(
    in_acceptance, province
):
    findings = all_met()
    del findings["effect"]
    with pytest.raises(ValidationError) as missing:
        evaluate(in_acceptance, province, findings=findings)
    assert "effect" in missing.value.message_dict
    with pytest.raises(ValidationError) as unmet:
        evaluate(in_acceptance, province, findings=all_met(rules=("not_met", "")))
    assert "result" in unmet.value.message_dict
    with pytest.raises(ValidationError) as what:
        evaluate(in_acceptance, province, "rectify", rectification="")
    assert "rectification" in what.value.message_dict
    with pytest.raises(ValidationError) as future:
        evaluate(in_acceptance, province, evaluated_on=today() + timedelta(days=1))
    assert "evaluated_on" in future.value.message_dict
    assert not AcceptanceEvaluation.objects.exists()


def test_a_re_evaluation_is_not_dated_before_the_previous_one(in_acceptance, province):
    evaluate(in_acceptance, province, "rectify", evaluated_on=today() - timedelta(days=3))
    services.transition(in_acceptance, "start_acceptance", province)
    with pytest.raises(ValidationError) as earlier:
        evaluate(in_acceptance, province, evaluated_on=today() - timedelta(days=4))
    assert "evaluated_on" in earlier.value.message_dict


def test_only_the_province_records_an_acceptance_and_only_while_it_runs(
    pilot, province, changsha_officer
):
    with pytest.raises(ValidationError):
        evaluate(pilot, province)  # still piloting: the evaluation has not started
    services.transition(pilot, "start_acceptance", province)
    with pytest.raises(ValidationError):
        evaluate(pilot, changsha_officer)
    evaluate(pilot, province)
    with pytest.raises(ValidationError):
        evaluate(pilot, province)  # passed: it waits for its designation
    assert AcceptanceEvaluation.objects.count() == 1


def test_the_pilot_record_is_kept_by_the_bureaus_while_the_pilot_runs(
    pilot, submitted_ftz, ftz_user, yueyang_officer, changsha_officer
):
    entry = {"kind": "guidance", "happened_on": today(), "summary": "上门指导。"}
    for user in (ftz_user, yueyang_officer):
        with pytest.raises(ValidationError):
            services.record_pilot_entry(pilot, user, **entry)
    with pytest.raises(ValidationError):
        services.record_pilot_entry(
            pilot, changsha_officer, **{**entry, "happened_on": today() + timedelta(days=1)}
        )
    services.record_pilot_entry(pilot, changsha_officer, **entry)
    assert PilotEntry.objects.get().recorded_by == changsha_officer


# Pages ----------------------------------------------------------------------------------------


def post_designate(user, application):
    url = reverse("demonstrations:act", args=[application.pk, "designate"])
    return client_for(user).post(url, {"designate-note": ""}, follow=True)


def test_the_page_does_not_designate_without_a_passing_acceptance(in_acceptance, province):
    detail = client_for(province).get(in_acceptance.get_absolute_url()).content.decode()
    assert "/act/designate/" not in detail
    assert reverse("demonstrations:acceptance_record", args=[in_acceptance.pk]) in detail

    response = post_designate(province, in_acceptance)
    messages = [str(m) for m in response.context["messages"]]
    assert messages and "第5条" in messages[0]
    assert state_of(in_acceptance) == State.ACCEPTANCE


def acceptance_form_data(result, **extra):
    data = {
        "evaluated_on": today().isoformat(),
        "result": result,
        "conclusion": "制度体系基本建立。",
        "rectification": "完成图纸密级标识后复验。" if result == "rectify" else "",
        "party_0_kind": "competition_bureau",
        "party_0_organisation": "湖南省市场监督管理局价监竞争局",
        "party_0_names": "王科长",
        "party_1_kind": "ip_protection_division",
        "party_1_organisation": "",
        "party_2_kind": "ip_protection_center",
        "party_2_organisation": "湖南省知识产权保护中心",
        "party_2_names": "钱研究员",
        "document_title": "",
    }
    for n in range(3, 7):
        data[f"party_{n}_kind"] = "expert"
    for criterion in RUBRIC:
        data[f"finding_{criterion.key}"] = "met"
    return {**data, **extra}


def test_the_acceptance_page_records_the_evaluation_with_its_document(
    in_acceptance, province, ftz_user, changsha_officer, yueyang_officer
):
    url = reverse("demonstrations:acceptance_record", args=[in_acceptance.pk])
    assert client_for(changsha_officer).get(url).status_code == 403
    form = client_for(province).get(url)
    assert form.status_code == 200
    assert "湖南省市场监督管理局价监竞争局" in form.content.decode()  # the lead, filled in

    data = acceptance_form_data(
        "rectify",
        finding_measures="partly",
        remarks_measures="<b>图纸</b>未标密级",
        document=SimpleUploadedFile("验收意见.pdf", PDF),
        document_title="验收意见书",
    )
    response = client_for(province).post(url, data)
    assert response.status_code == 302
    evaluation = AcceptanceEvaluation.objects.get()
    assert evaluation.result == "rectify" and evaluation.parties.count() == 2
    document = AcceptanceDocument.objects.get()
    assert document.evaluation == evaluation and document.original_name == "验收意见.pdf"
    assert state_of(in_acceptance) == State.PILOT

    page = client_for(ftz_user).get(in_acceptance.get_absolute_url()).content.decode()
    assert "&lt;b&gt;图纸&lt;/b&gt;未标密级" in page
    assert "湖南省知识产权保护中心" in page and "钱研究员" not in page  # no names for them
    officer_page = client_for(changsha_officer).get(in_acceptance.get_absolute_url())
    assert "钱研究员" in officer_page.content.decode()
    download = reverse("demonstrations:acceptance_document_download", args=[document.pk])
    assert client_for(ftz_user).get(download).status_code == 200
    assert client_for(yueyang_officer).get(download).status_code == 404


def test_a_refused_acceptance_shows_on_its_form(in_acceptance, province):
    url = reverse("demonstrations:acceptance_record", args=[in_acceptance.pk])
    data = acceptance_form_data("pass", finding_rules="not_met", party_2_organisation="")
    response = english_client_for(province).post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "result" in form.errors and form.non_field_errors()
    assert not AcceptanceEvaluation.objects.exists()


def test_the_pilot_record_and_the_selection_are_kept_from_the_page(submitted_ftz, changsha_officer):
    client = client_for(changsha_officer)
    client.post(
        reverse("demonstrations:ftz_selection", args=[submitted_ftz.pk]),
        {"basis": "named_by_prefecture", "reason": "片区内暂无符合专项条件的企业。"},
    )
    assert DemonstrationApplication.objects.get(pk=submitted_ftz.pk).ftz_selection == (
        "named_by_prefecture"
    )
    page = client.get(submitted_ftz.get_absolute_url()).content.decode()
    assert "片区内暂无符合专项条件的企业。" in page


def test_the_admin_does_not_designate_without_a_passing_acceptance(in_acceptance, province):
    url = reverse("admin:demonstrations_demonstrationapplication_change", args=[in_acceptance.pk])
    response = english_client_for(province).post(
        url, {"take_action": "designate", "action_note": ""}
    )
    assert response.status_code == 200
    assert "passing acceptance" in str(response.context["adminform"].form.errors)
    assert state_of(in_acceptance) == State.ACCEPTANCE


# API -------------------------------------------------------------------------------------------


def api(user, application, action, data=None, method="post"):
    url = reverse(f"api:application-{action}", args=[application.pk])
    client = client_for(user)
    if method == "get":
        return client.get(url)
    return client.post(url, data or {}, content_type="application/json")


def test_the_api_does_not_designate_without_a_passing_acceptance(in_acceptance, province):
    response = api(province, in_acceptance, "transition", {"action": "designate"})
    assert response.status_code == 400
    assert "第5条" in response.json()["detail"][0]
    assert api(province, in_acceptance, "detail", method="get").json()["available_actions"] == []
    assert state_of(in_acceptance) == State.ACCEPTANCE


def test_the_api_records_the_acceptance_and_then_designates(in_acceptance, province, ftz_user):
    body = {
        "evaluated_on": today().isoformat(),
        "result": "pass",
        "conclusion": "同意通过验收。",
        "parties": [LEAD, EXPERT],
        "findings": [{"criterion": c.key, "level": "met"} for c in RUBRIC],
    }
    bad = api(province, in_acceptance, "acceptances", {**body, "parties": [EXPERT]})
    assert bad.status_code == 400 and "parties" in bad.json()
    created = api(province, in_acceptance, "acceptances", body)
    assert created.status_code == 201, created.content
    assert created.json()["result"] == "pass"
    assert {p["names"] for p in created.json()["parties"]} == {"王科长", "李教授"}

    seen = api(ftz_user, in_acceptance, "acceptances", method="get").json()
    assert [p["names"] for p in seen[0]["parties"]] == ["", ""]
    designated = api(province, in_acceptance, "transition", {"action": "designate"})
    assert designated.status_code == 200 and designated.json()["state"] == "designated"


def test_the_api_keeps_the_selection_and_the_pilot_record(
    submitted_ftz,
    changsha_officer,
    yueyang_officer,
    province,
    panel,  # noqa: F811
):
    selection = {"basis": "special_project", "reason": ""}
    assert api(yueyang_officer, submitted_ftz, "ftz-selection", selection).status_code == 404
    answer = api(changsha_officer, submitted_ftz, "ftz-selection", selection)
    assert answer.status_code == 200 and answer.json()["ftz_selection"] == "special_project"

    entry = {"kind": "guidance", "happened_on": today().isoformat(), "summary": "上门指导。"}
    assert api(changsha_officer, submitted_ftz, "pilot-record", entry).status_code == 400
    services.transition(submitted_ftz, "recommend", changsha_officer)
    services.assign_experts(submitted_ftz, panel[:3], province)
    review_all(submitted_ftz, panel[:3])
    services.transition(submitted_ftz, "approve", province)
    created = api(changsha_officer, submitted_ftz, "pilot-record", entry)
    assert created.status_code == 201 and created.json()["id"]
    listed = api(changsha_officer, submitted_ftz, "pilot-record", method="get").json()
    assert [e["summary"] for e in listed] == ["上门指导。"]


def test_the_workbench_shows_the_pilots_and_the_acceptances_waiting(
    in_acceptance, pilot, province, changsha_officer
):
    province_page = client_for(province).get(reverse("home")).content.decode()
    assert f"{reverse('demonstrations:list')}?state=acceptance" in province_page
    officer_page = client_for(changsha_officer).get(reverse("home")).content.decode()
    assert f"{reverse('demonstrations:list')}?state=pilot" in officer_page


def test_a_document_is_added_to_a_recorded_evaluation_by_the_province_only(
    in_acceptance, province, ftz_user
):
    evaluation = evaluate(in_acceptance, province, "rectify")
    url = reverse("demonstrations:acceptance_document_upload", args=[evaluation.pk])
    prefix = f"evaluation-{evaluation.pk}"

    def upload(user, title):
        data = {f"{prefix}-title": title, f"{prefix}-file": SimpleUploadedFile("纪要.pdf", PDF)}
        return client_for(user).post(url, data)

    assert upload(ftz_user, "企业自行上传").status_code == 302
    assert upload(province, "验收会议纪要").status_code == 302
    assert list(evaluation.documents.values_list("title", flat=True)) == ["验收会议纪要"]
    assert events(in_acceptance, "acceptance_document").get().note == "验收会议纪要"
    page = client_for(province).get(in_acceptance.get_absolute_url()).content.decode()
    assert f'id="id_{prefix}-title"' in page
