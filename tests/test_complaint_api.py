"""Complaints through the JSON API: the queue, intake from other systems and every step, with
the scoping, the deadlines and the confidentiality rules of the pages."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from complaints import services
from complaints.models import Complaint
from complaints.workflow import TRANSITIONS

from .conftest import client_for as base_client

pytestmark = pytest.mark.django_db

LIST = reverse("api:complaint-list")
COMPLAINANT_VIEW = {
    "id",
    "audience",
    "reference",
    "kind",
    "received_on",
    "status",
    "status_display",
    "feedback",
    "closed_at",
}
IDENTITY = {"complainant_name", "complainant_contact", "complainant_credit_code", "anonymous"}


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in the language they are written in."""
    with translation.override("en"):
        yield


def client_for(user):
    """A client of ``user`` who picked English with the language switch."""
    client = base_client(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def today():
    return timezone.localdate()


def intake(officer, **fields):
    """A complaint of 长沙市 岳麓区 registered by ``officer`` through the services."""
    values = {
        "kind": "complaint",
        "channel": "12315",
        "prefecture_id": "430100",
        "county_id": "430104",
        "received_on": today() - dt.timedelta(days=1),
        "complainant_name": "长沙某权利人有限公司",
        "complainant_contact": "0731-88886666",
        "respondent_name": "长沙某某科技有限公司",
        "secret_kind": "technical",
        "description": "前技术总监离职后带走图纸。",
        **fields,
    }
    return services.create_complaint(Complaint(**values), officer)


def step(complaint, officer, action, note="", **data):
    return services.transition(complaint, action, officer, note, **data)


def url(complaint, action=None):
    name = f"api:complaint-{action.replace('_', '-')}" if action else "api:complaint-detail"
    return reverse(name, args=[complaint.pk])


def post(user, address, data=None):
    return client_for(user).post(address, data or {}, content_type="application/json")


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


INTAKE = {
    "kind": "complaint",
    "channel": "12315",
    "received_on": "2026-09-28",
    "description": "前研发人员携带工艺文件跳槽至竞争企业。",
    "complainant_name": "长沙麓谷芯片科技有限公司",
    "complainant_contact": "0731-88880000",
    "respondent_name": "长沙某某新材料有限公司",
    "respondent_individuals": "王某，原工艺工程师，现任职于被投诉企业",
    "secret_kind": "process",
    "conduct": ["breach_of_confidence", "job_hopping"],
    "estimated_loss": "350000.00",
    "county": "430104",
}


# The queue and its filters --------------------------------------------------------------------


def test_the_list_filters_by_status_kind_channel_and_overdue(changsha_officer):
    late = intake(changsha_officer, received_on=dt.date(2026, 9, 28))
    accepted = step(intake(changsha_officer), changsha_officer, "accept")
    report = intake(
        changsha_officer,
        kind="report",
        channel="12345",
        complainant_name="",
        complainant_contact="",
        anonymous=True,
        respondent_name="株洲某化工有限公司",
    )
    client = client_for(changsha_officer)

    assert ids(client.get(LIST)) == {late.pk, accepted.pk, report.pk}
    assert ids(client.get(LIST, {"status": "accepted"})) == {accepted.pk}
    assert ids(client.get(LIST, {"status": "received"})) == {late.pk, report.pk}
    assert ids(client.get(LIST, {"kind": "report"})) == {report.pk}
    assert ids(client.get(LIST, {"channel": "12345"})) == {report.pk}
    assert ids(client.get(LIST, {"overdue": "true"})) == {late.pk}
    assert ids(client.get(LIST, {"overdue": "false"})) == {accepted.pk, report.pk}
    assert ids(client.get(LIST, {"search": "株洲某化工"})) == {report.pk}
    assert ids(client.get(LIST, {"search": late.reference})) == {late.pk}
    assert client.get(LIST, {"status": "nonsense"}).status_code == 400

    page = client.get(LIST, {"page_size": 2, "ordering": "received_on"}).json()
    assert page["count"] == 3 and page["results"][0]["id"] == late.pk
    assert page["results"][0]["overdue"] is True


def test_another_prefecture_finds_nothing_by_list_search_or_id(
    changsha_officer, yueyang_officer, province
):
    complaint = intake(changsha_officer)
    yueyang = client_for(yueyang_officer)

    assert ids(yueyang.get(LIST)) == set()
    assert ids(yueyang.get(LIST, {"search": complaint.reference})) == set()
    assert ids(yueyang.get(LIST, {"search": "长沙某某科技"})) == set()
    assert yueyang.get(url(complaint)).status_code == 404
    assert yueyang.get(url(complaint, "events")).status_code == 404
    assert yueyang.get(url(complaint, "clocks")).status_code == 404
    assert post(yueyang_officer, url(complaint, "accept")).status_code == 404
    complaint.refresh_from_db()
    assert complaint.state == "received"
    assert ids(client_for(province).get(LIST)) == {complaint.pk}


def test_the_list_costs_the_same_number_of_queries_for_any_page(
    changsha_officer, province, enterprise_user, changsha_enterprise
):
    def count(user):
        with CaptureQueriesContext(connection) as queries:
            response = client_for(user).get(LIST)
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    def add(n):
        for _ in range(n):
            intake(changsha_officer, complainant_enterprise=changsha_enterprise)

    add(2)
    before = {user.pk: count(user) for user in (changsha_officer, province, enterprise_user)}
    add(8)
    after = {user.pk: count(user) for user in (changsha_officer, province, enterprise_user)}
    for user in (changsha_officer, province, enterprise_user):
        assert before[user.pk][1] == 2 and after[user.pk][1] == 10
        assert after[user.pk][0] == before[user.pk][0], user


# Intake ----------------------------------------------------------------------------------------


def test_an_officer_registers_a_complaint_from_the_12315_platform(
    changsha_officer, changsha_enterprise
):
    response = post(
        changsha_officer,
        LIST,
        {**INTAKE, "complainant_credit_code": changsha_enterprise.uscc.lower()},
    )

    assert response.status_code == 201, response.content
    data = response.json()
    complaint = Complaint.objects.get(pk=data["id"])
    assert complaint.complainant_enterprise == changsha_enterprise
    assert complaint.registered_by == changsha_officer
    assert data["reference"] == complaint.reference and data["reference"].startswith("长市监商秘")
    assert data["prefecture"] == "430100" and data["county"] == "430104"
    assert data["status"] == "received" and data["audience"] == "handler"
    assert data["received_on"] == "2026-09-28"
    # 7 working days; the National Day holiday does not count, Saturday 10 October does.
    assert data["accept_deadline"] == "2026-10-13"
    assert data["next_deadline"] == "2026-10-13"
    assert data["next_limit"] == "complaint_acceptance"
    assert data["overdue"] is True
    assert data["transfer_candidate"] is True
    assert data["conduct"] == ["breach_of_confidence", "job_hopping"]
    assert data["complainant_name"] == changsha_enterprise.name
    assert data["complainant_credit_code"] == changsha_enterprise.uscc
    assert data["available_actions"] == ["accept", "refuse"]
    assert data["case_number"] == "" and data["feedback_at"] is None and data["closed_at"] is None


def test_a_report_is_due_for_its_filing_decision_within_15_working_days(changsha_officer):
    body = {
        **INTAKE,
        "kind": "report",
        "complainant_name": "",
        "complainant_contact": "",
        "anonymous": True,
    }
    response = post(changsha_officer, LIST, body)

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["accept_deadline"] == "2026-10-23"
    assert data["next_limit"] == "report_verification"
    assert data["anonymous"] is True and data["complainant_name"] == ""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"received_on": "2099-01-04"}, "received_on"),
        ({"channel": None}, "channel"),
        ({"channel": "fax"}, "channel"),
        ({"conduct": ["job_hopping", "telepathy"]}, "conduct"),
        ({"complainant_name": "", "complainant_contact": ""}, "complainant_name"),
        ({"respondent_name": "", "respondent_individuals": ""}, "respondent_name"),
        ({"anonymous": True}, "anonymous"),
        ({"county": "430602"}, "county"),
        ({"prefecture": "430600", "county": None}, "prefecture"),
        ({"respondent_credit_code": "91430104MA4L9A8B1X"}, "respondent_credit_code"),
    ],
)
def test_bad_intake_is_refused_field_by_field_and_nothing_is_saved(changsha_officer, change, field):
    body = {key: value for key, value in {**INTAKE, **change}.items() if value is not None}
    response = post(changsha_officer, LIST, body)

    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Complaint.objects.exists()


def test_the_complainant_is_looked_up_in_the_officers_own_directory(
    changsha_officer, yueyang_enterprise
):
    body = {**INTAKE, "complainant_credit_code": yueyang_enterprise.uscc}
    response = post(changsha_officer, LIST, body)

    assert response.status_code == 400
    assert "complainant_credit_code" in response.json()
    assert not Complaint.objects.exists()


def test_the_province_names_the_prefecture(province):
    response = post(province, LIST, INTAKE)
    assert response.status_code == 400 and "prefecture" in response.json()

    response = post(province, LIST, {**INTAKE, "prefecture": "430100"})
    assert response.status_code == 201, response.content
    assert response.json()["prefecture"] == "430100"


def test_an_enterprise_files_its_complaints_through_the_page_not_the_api(
    enterprise_user, changsha_enterprise, expert
):
    body = {**INTAKE, "complainant_credit_code": changsha_enterprise.uscc}
    assert post(enterprise_user, LIST, body).status_code == 403
    assert post(expert, LIST, body).status_code == 403
    assert not Complaint.objects.exists()


# The lifecycle ---------------------------------------------------------------------------------


def test_every_step_of_the_table_has_its_url():
    for rule in TRANSITIONS:
        address = reverse(f"api:complaint-{rule.action.replace('_', '-')}", args=[1])
        assert address == f"/api/v1/complaints/1/{rule.action}/"


def test_a_case_runs_its_steps_in_order_to_closing(changsha_officer):
    complaint = intake(changsha_officer)
    on = today().isoformat()

    def take(action, **body):
        response = post(changsha_officer, url(complaint, action), body)
        assert response.status_code == 200, response.content
        return response.json()

    assert take("accept")["status"] == "accepted"
    filed = take("file_case", case_number="长市监立〔2026〕7号", on=on)
    assert filed["status"] == "case_filed" and filed["case_number"] == "长市监立〔2026〕7号"
    assert filed["next_limit"] == "case_decision"
    decided = take("decide_case", note="责令停止侵权，没收违法所得", on=on)
    assert decided["status"] == "case_decided" and decided["case_decided_on"] == on
    told = take("feedback", note="已电话告知投诉人处理结果", method="phone")
    assert told["status"] == "case_decided" and told["feedback_at"]
    closed = take("close")
    assert closed["status"] == "closed" and closed["closed_at"]
    assert closed["next_deadline"] is None and closed["available_actions"] == []

    events = client_for(changsha_officer).get(url(complaint, "events")).json()
    assert [e["action"] for e in events] == [
        "create",
        "accept",
        "file_case",
        "decide_case",
        "feedback",
        "close",
    ]
    assert events[1]["actor"] == changsha_officer.username

    response = post(
        changsha_officer, url(complaint, "feedback"), {"note": "再次告知", "method": "phone"}
    )
    assert response.status_code == 400
    assert "closed" in response.json()["detail"][0]


def test_a_step_out_of_order_is_refused_with_a_clear_message(changsha_officer):
    complaint = intake(changsha_officer)

    response = post(
        changsha_officer, url(complaint, "decide_case"), {"note": "x", "on": "2026-10-01"}
    )
    assert response.status_code == 400
    assert "not possible now" in response.json()["detail"][0]

    response = post(changsha_officer, url(complaint, "close"))
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.state == "received" and complaint.closed_at is None


def test_a_step_without_its_data_is_refused(changsha_officer):
    complaint = step(intake(changsha_officer), changsha_officer, "accept")

    response = post(changsha_officer, url(complaint, "file_case"), {"on": today().isoformat()})
    assert response.status_code == 400 and "case_number" in response.json()
    response = post(
        changsha_officer, url(complaint, "file_case"), {"case_number": "1号", "on": "2026-13-01"}
    )
    assert response.status_code == 400 and "on" in response.json()
    response = post(changsha_officer, url(complaint, "guide"), {"note": "x", "remedy": "duel"})
    assert response.status_code == 400 and "remedy" in response.json()
    response = post(changsha_officer, url(complaint, "mediate"), {"note": "  "})
    assert response.status_code == 400 and "note" in response.json()
    complaint.refresh_from_db()
    assert complaint.state == "accepted" and complaint.case_number == ""


def test_a_penalty_decided_through_the_api_waits_for_its_publication(
    changsha_officer, changsha_other_county_enterprise
):
    response = post(
        changsha_officer,
        LIST,
        {**INTAKE, "respondent_credit_code": changsha_other_county_enterprise.uscc},
    )
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(pk=response.json()["id"])
    assert complaint.respondent_enterprise == changsha_other_county_enterprise
    assert response.json()["respondent_name"] == changsha_other_county_enterprise.name
    step(complaint, changsha_officer, "accept")
    step(complaint, changsha_officer, "file_case", case_number="长市监立〔2026〕5号", on=today())

    response = post(
        changsha_officer,
        url(complaint, "decide_case"),
        {
            "note": "罚款五万元",
            "on": today().isoformat(),
            "penalty": True,
            "decision_number": "长市监罚〔2026〕5号",
            "facts": "当事人违反保密义务使用权利人的工艺参数。",
            "content": "罚款人民币五万元。",
            "fine": "50000.00",
        },
    )

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["penalty"] is True and data["fine"] == "50000.00"
    assert data["next_limit"] == "penalty_publication"
    assert complaint.credit_push.respondent_credit_code == changsha_other_county_enterprise.uscc
    step(complaint, changsha_officer, "feedback", "已书面告知", method="letter")
    response = post(changsha_officer, url(complaint, "close"))
    assert response.status_code == 400
    assert "Publish the penalty" in response.json()["detail"][0]


def test_closing_without_feedback_is_refused(changsha_officer):
    complaint = step(intake(changsha_officer), changsha_officer, "accept")
    step(complaint, changsha_officer, "not_substantiated", "经核查不属实")

    response = post(changsha_officer, url(complaint, "close"))

    assert response.status_code == 400
    assert "feedback" in response.json()["detail"][0]
    complaint.refresh_from_db()
    assert complaint.state == "not_substantiated" and complaint.closed_at is None


def test_only_those_handling_the_complaint_take_its_steps(
    changsha_officer, yuelu_officer, province, enterprise_user, changsha_enterprise, expert
):
    complaint = intake(changsha_officer, complainant_enterprise=changsha_enterprise)
    step(complaint, changsha_officer, "accept")
    services.log_step(
        complaint,
        changsha_officer,
        kind="expert",
        happened_on=today(),
        actions="请专家比对图纸",
        experts=[expert],
    )

    for outsider in (enterprise_user, expert):
        response = post(outsider, url(complaint, "mediate"), {"note": "和解"})
        assert response.status_code == 403, outsider
    complaint.refresh_from_db()
    assert complaint.state == "accepted"

    response = post(yuelu_officer, url(complaint, "mediate"), {"note": "双方和解"})
    assert response.status_code == 200 and response.json()["status"] == "mediated"
    assert client_for(province).get(url(complaint, "clocks")).status_code == 200


# What each audience sees ------------------------------------------------------------------------


def test_the_complainant_sees_its_status_and_feedback_nothing_internal(
    changsha_officer, enterprise_user, changsha_enterprise
):
    complaint = intake(
        changsha_officer, complainant_enterprise=changsha_enterprise, complainant_name=""
    )
    step(complaint, changsha_officer, "accept")
    step(complaint, changsha_officer, "file_case", case_number="长市监立〔2026〕8号", on=today())
    client = client_for(enterprise_user)

    data = client.get(url(complaint)).json()
    assert set(data) == COMPLAINANT_VIEW
    assert data["audience"] == "complainant"
    assert data["status"] == "accepted"  # a filed case is "accepted, being handled" to it
    assert data["status_display"] == "Accepted, being handled"
    assert data["feedback"] == ""
    [row] = client.get(LIST).json()["results"]
    assert set(row) == COMPLAINANT_VIEW

    step(complaint, changsha_officer, "decide_case", "内部：处罚依据讨论", on=today())
    step(complaint, changsha_officer, "feedback", "经查证属实，已作出处理决定", method="portal")
    data = client.get(url(complaint)).json()
    assert data["status"] == "case_decided"
    assert data["feedback"] == "经查证属实，已作出处理决定"

    events = client.get(url(complaint, "events")).json()
    assert [e["action"] for e in events] == ["create", "accept", "decide_case", "feedback"]
    assert {e["note"] for e in events} == {"", "经查证属实，已作出处理决定"}
    assert all(set(e) == {"action", "label", "status_display", "at", "note"} for e in events)
    assert "内部" not in client.get(url(complaint, "events")).content.decode()
    assert client.get(url(complaint, "clocks")).status_code == 403
    assert post(enterprise_user, url(complaint, "close")).status_code == 403


def test_the_reporters_identity_is_shown_only_to_those_handling_it(
    changsha_officer, yueyang_officer, province, expert
):
    report = intake(
        changsha_officer,
        kind="report",
        complainant_name="李四",
        complainant_contact="13900000000",
    )
    step(report, changsha_officer, "accept")
    services.log_step(
        report,
        changsha_officer,
        kind="expert",
        happened_on=today(),
        actions="请专家评估",
        experts=[expert],
    )

    for handler in (changsha_officer, province):
        data = client_for(handler).get(url(report)).json()
        assert data["audience"] == "handler"
        assert data["complainant_name"] == "李四"
        assert data["complainant_contact"] == "13900000000"

    response = client_for(expert).get(url(report))
    assert response.json()["audience"] == "expert"
    assert not IDENTITY & set(response.json())
    assert "李四" not in response.content.decode()
    assert "13900000000" not in client_for(expert).get(LIST).content.decode()

    # Handed to 岳阳: the 长沙 bureau keeps a trace without the reporter.
    services.transfer_jurisdiction(report, yueyang_officer.prefecture, changsha_officer, "属地管辖")
    trace = client_for(changsha_officer)
    response = trace.get(url(report))
    assert response.json()["audience"] == "trace"
    assert "李四" not in response.content.decode()
    assert "李四" not in trace.get(LIST).content.decode()
    assert post(changsha_officer, url(report, "mediate"), {"note": "x"}).status_code == 403
    assert client_for(yueyang_officer).get(url(report)).json()["complainant_name"] == "李四"


# The schema ------------------------------------------------------------------------------------


def test_the_schema_documents_every_complaint_endpoint(province):
    schema = client_for(province).get(reverse("api-schema"), {"format": "json"}).json()
    paths = schema["paths"]

    assert {"get", "post"} <= set(paths["/api/v1/complaints/"])
    assert "get" in paths["/api/v1/complaints/{id}/"]
    assert "get" in paths["/api/v1/complaints/{id}/events/"]
    assert "get" in paths["/api/v1/complaints/{id}/clocks/"]
    for rule in TRANSITIONS:
        operation = paths[f"/api/v1/complaints/{{id}}/{rule.action}/"]["post"]
        assert {"200", "400", "403", "404"} <= set(operation["responses"])
    parameters = {p["name"] for p in paths["/api/v1/complaints/"]["get"]["parameters"]}
    assert {"status", "kind", "channel", "overdue", "search", "page", "page_size"} <= parameters
    body = schema["components"]["schemas"]["FileCaseBody"]
    assert set(body["required"]) == {"case_number", "on"}
