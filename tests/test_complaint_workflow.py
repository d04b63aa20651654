"""Complaint handling through its services, as the pages, the API, the admin and the jobs call
them: reference numbers, intake, every outcome from receipt to closing, steps refused out of order
or once closed, the transfer threshold, experts consulted, jurisdiction transfers, who is told,
the risk factor of the assessments and the complaints shown on an enterprise's record."""

import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from assessments import risk
from assessments import services as assessments
from complaints import services
from complaints.models import (
    ClockPause,
    Complaint,
    ComplaintClock,
    ComplaintEvent,
    CreditPush,
    EvidenceFile,
    InvestigationStep,
    JurisdictionTransfer,
    ReferenceCounter,
)
from complaints.workflow import TRANSITIONS, State
from tsprotect.accounts.models import Role, User
from tsprotect.core.uploads import check_upload
from tsprotect.notifications.models import Notification
from tsprotect.regions.models import Prefecture

from .conftest import client_for, make_uscc, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RESPONDENT_USCC = make_uscc("430104", "MA4L0X9Y8")


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in the language they are written in."""
    with translation.override("en"):
        yield


def today():
    return timezone.localdate()


def new_complaint(**fields):
    """An unsaved complaint of 长沙市, 岳麓区, complete for intake unless told otherwise."""
    values = {
        "kind": "complaint",
        "channel": "12315",
        "prefecture_id": "430100",
        "county_id": "430104",
        "received_on": today() - dt.timedelta(days=3),
        "complainant_name": "长沙湘江新材料有限公司",
        "complainant_contact": "0731-88886666",
        "respondent_name": "长沙某某科技有限公司",
        "respondent_credit_code": RESPONDENT_USCC,
        "secret_kind": "technical",
        "conduct": ["job_hopping", "breach_of_confidence"],
        "description": "前技术总监离职后带走工艺图纸，在新公司使用。",
    }
    values.update(fields)
    return Complaint(**values)


def evidence_of(name="图纸比对.pdf", title="图纸比对"):
    uploaded = ContentFile(PDF, name=name)
    return (uploaded, check_upload(uploaded), title)


def register(user, *, evidence=(), **fields):
    return services.create_complaint(new_complaint(**fields), user, evidence=list(evidence))


def act(complaint, action, user, note="", **data):
    return services.transition(complaint, action, user, note, **data)


def fresh(complaint):
    return Complaint.objects.get(pk=complaint.pk)


def reload(user):
    """A user read anew: what it may reach is looked up again."""
    return User.objects.get(pk=user.pk)


def snapshot(complaint):
    """Everything a step could write about a complaint."""
    return {
        "row": Complaint.objects.filter(pk=complaint.pk).values().get(),
        "events": list(ComplaintEvent.objects.filter(complaint=complaint).values()),
        "clocks": list(ComplaintClock.objects.filter(complaint=complaint).values()),
        "pauses": list(ClockPause.objects.filter(complaint=complaint).values()),
        "steps": list(InvestigationStep.objects.filter(complaint=complaint).values()),
        "evidence": list(EvidenceFile.objects.filter(complaint=complaint).values()),
        "credit": list(CreditPush.objects.filter(complaint=complaint).values()),
        "transfers": list(JurisdictionTransfer.objects.filter(complaint=complaint).values()),
        "notifications": Notification.objects.count(),
    }


def assert_refused(complaint, call, message):
    """``call`` raises a ValidationError saying ``message`` and leaves the complaint as it was."""
    before = snapshot(complaint)
    with pytest.raises(ValidationError) as caught:
        call()
    assert message in " ".join(caught.value.messages)
    assert snapshot(complaint) == before
    return caught.value


def out_of_order(state, action):
    """The refusal of ``action`` in ``state``, in the language active when it is called."""
    rule = next(t for t in TRANSITIONS if t.action == action)
    return f"This complaint is “{State(state).label}”: “{rule.label}” is not possible now."


def accepted(user, **fields):
    return act(register(user, **fields), "accept", user)


# Reference numbers --------------------------------------------------------------------------------


def test_it_numbers_complaints_per_prefecture_and_year(changsha_officer, yueyang_officer):
    first = register(changsha_officer, received_on=dt.date(2026, 3, 2))
    second = register(changsha_officer, received_on=dt.date(2026, 3, 3))
    yueyang = register(
        yueyang_officer,
        prefecture_id="430600",
        county_id="430602",
        received_on=dt.date(2026, 3, 3),
    )
    assert first.reference == "长市监商秘〔2026〕1号"
    assert second.reference == "长市监商秘〔2026〕2号"
    assert yueyang.reference == "岳市监商秘〔2026〕1号"


def test_the_year_of_the_number_is_the_year_of_receipt(changsha_officer):
    late = register(changsha_officer, received_on=dt.date(2025, 12, 30))
    early = register(changsha_officer, received_on=dt.date(2026, 1, 5))
    assert late.reference == "长市监商秘〔2025〕1号"
    assert early.reference == "长市监商秘〔2026〕1号"
    assert set(ReferenceCounter.objects.values_list("year", "last")) == {(2025, 1), (2026, 1)}


@pytest.mark.django_db(transaction=True)
def test_intakes_at_the_same_moment_never_share_a_number(regions, changsha_officer):
    intakes = 6
    barrier = threading.Barrier(intakes)
    references, failures = [], []

    def intake():
        try:
            barrier.wait(timeout=10)
            complaint = services.create_complaint(new_complaint(), reload(changsha_officer))
            references.append(complaint.reference)
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=intake) for _ in range(intakes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    year = (today() - dt.timedelta(days=3)).year
    assert sorted(references) == sorted(f"长市监商秘〔{year}〕{n}号" for n in range(1, intakes + 1))
    assert Complaint.objects.values("reference").distinct().count() == intakes


# Intake -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"received_on": "tomorrow"},
            "received_on",
            "The date of receipt cannot be in the future.",
        ),
        ({"channel": ""}, "channel", "Please say through which channel the complaint came in."),
        (
            {"anonymous": True, "complainant_name": ""},
            "anonymous",
            "Only a report may be anonymous; a complaint has its rights holder.",
        ),
        (
            {"complainant_name": "", "complainant_contact": ""},
            "complainant_name",
            "A complaint needs its complainant",
        ),
        (
            {"kind": "report", "complainant_name": ""},
            "complainant_name",
            "Please give the reporter's name, or mark the report as anonymous.",
        ),
        (
            {"respondent_name": "", "respondent_credit_code": "", "respondent_individuals": ""},
            "respondent_name",
            "Please name whom the complaint is about",
        ),
        ({"county_id": "430602"}, "county", "This county is not in the chosen prefecture."),
    ],
)
def test_intake_refuses_what_is_missing_or_wrong_and_saves_nothing(
    changsha_officer, fields, field, message
):
    if fields.get("received_on") == "tomorrow":
        fields = {**fields, "received_on": today() + dt.timedelta(days=1)}
    with pytest.raises(ValidationError) as caught:
        register(changsha_officer, evidence=[evidence_of()], **fields)
    assert field in caught.value.message_dict
    assert message in " ".join(caught.value.message_dict[field])
    assert not Complaint.objects.exists()
    assert not ReferenceCounter.objects.exists()
    assert not EvidenceFile.objects.exists()
    assert not Notification.objects.exists()


def test_a_report_may_be_anonymous(changsha_officer):
    report = register(
        changsha_officer,
        kind="report",
        anonymous=True,
        complainant_name="",
        complainant_contact="",
        channel="12345",
    )
    assert report.pk and report.anonymous
    assert not report.real_name
    assert str(report.complainant_display) == "Anonymous"


def test_an_officer_files_only_in_its_own_prefecture(changsha_officer):
    with pytest.raises(ValidationError) as caught:
        register(changsha_officer, prefecture_id="430600", county_id="430602")
    assert caught.value.message_dict == {
        "prefecture": ["You may not file records in this prefecture."]
    }
    assert not Complaint.objects.exists()


def test_a_county_officer_files_only_in_its_own_county(yuelu_officer):
    with pytest.raises(ValidationError) as caught:
        register(yuelu_officer, county_id="430102")
    assert "county" in caught.value.message_dict
    assert register(yuelu_officer).county_id == "430104"


def test_an_enterprise_files_its_own_complaint_online_where_it_is_registered(
    enterprise_user, changsha_enterprise, changsha_officer, yuelu_officer
):
    complaint = register(
        enterprise_user,
        kind="report",
        channel="12315",
        prefecture_id="430600",
        county_id="430602",
        complainant_enterprise=changsha_enterprise,
        complainant_name="",
        evidence=[evidence_of()],
    )
    assert complaint.kind == "complaint"
    assert complaint.channel == "online"
    assert (complaint.prefecture_id, complaint.county_id) == ("430100", "430104")
    assert complaint.complainant_enterprise == changsha_enterprise
    assert complaint.registered_by == enterprise_user
    assert complaint.state == State.RECEIVED
    assert complaint.evidence.get().uploaded_by == enterprise_user
    # The bureau (and the county) are told of it; the enterprise is not told of its own filing.
    told = set(
        Notification.objects.filter(kind="complaint_received").values_list("recipient", flat=True)
    )
    assert told == {changsha_officer.pk, yuelu_officer.pk}


def test_an_enterprise_cannot_file_in_another_enterprises_name(enterprise_user, yueyang_enterprise):
    with pytest.raises(ValidationError) as caught:
        register(
            enterprise_user,
            prefecture_id="430600",
            county_id="430602",
            complainant_enterprise=yueyang_enterprise,
        )
    assert "prefecture" in caught.value.message_dict
    with pytest.raises(ValidationError):
        register(enterprise_user)  # no enterprise at all: an officer's intake
    assert not Complaint.objects.exists()


# The lifecycle, one outcome at a time -------------------------------------------------------------


def events(complaint):
    return list(complaint.events.values_list("action", "from_state", "to_state"))


def test_a_complaint_refused_with_its_reason_is_told_and_closed(changsha_officer):
    complaint = register(changsha_officer)
    assert_refused(
        complaint, lambda: act(complaint, "refuse", changsha_officer), "Please write the reason"
    )
    complaint = act(complaint, "refuse", changsha_officer, "不属于商业秘密侵权，属合同纠纷。")
    assert complaint.state == State.NOT_ACCEPTED
    assert complaint.accept_decided_at and complaint.outcome_at
    complaint = act(
        complaint, "feedback", changsha_officer, "已电话告知不予受理理由。", method="phone"
    )
    complaint = act(complaint, "close", changsha_officer)
    assert complaint.state == State.CLOSED and complaint.closed_at
    assert events(complaint) == [
        ("create", "", "received"),
        ("refuse", "received", "not_accepted"),
        ("feedback", "not_accepted", "not_accepted"),
        ("close", "not_accepted", "closed"),
    ]
    refusal = complaint.events.get(action="refuse")
    assert (refusal.public, refusal.public_note) == (True, True)
    assert refusal.note == "不属于商业秘密侵权，属合同纠纷。"


def test_a_case_goes_from_acceptance_to_a_published_penalty_and_closing(
    changsha_officer, changsha_other_county_enterprise, expert
):
    complaint = register(
        changsha_officer,
        respondent_enterprise=changsha_other_county_enterprise,
        respondent_name="",
        respondent_credit_code="",
        estimated_loss=Decimal("120000"),
    )
    complaint = act(complaint, "accept", changsha_officer)
    assert complaint.state == State.ACCEPTED and complaint.handler == changsha_officer
    step = services.log_step(
        complaint,
        changsha_officer,
        kind="inspection",
        happened_on=today(),
        actions="现场检查被投诉人研发部门，调取服务器访问日志。",
        findings="发现与投诉人图纸高度相似的文件。",
        experts=[expert],
    )
    assert list(step.experts.all()) == [expert]
    filed_on = today() - dt.timedelta(days=1)
    complaint = act(
        complaint, "file_case", changsha_officer, case_number="长市监立〔2026〕8号", on=filed_on
    )
    assert (complaint.state, complaint.case_number, complaint.case_filed_on) == (
        State.CASE_FILED,
        "长市监立〔2026〕8号",
        filed_on,
    )
    complaint = act(
        complaint,
        "decide_case",
        changsha_officer,
        "经集体讨论决定给予行政处罚。",
        on=today(),
        penalty=True,
        decision_number="长市监处罚〔2026〕21号",
        facts="当事人使用以不正当手段获取的权利人工艺图纸组织生产。",
        content="责令停止违法行为，罚款人民币二十万元。",
        fine=Decimal("200000"),
    )
    assert complaint.state == State.CASE_DECIDED and complaint.penalty
    push = CreditPush.objects.get(complaint=complaint)
    assert push.respondent_name == changsha_other_county_enterprise.name
    assert push.respondent_credit_code == changsha_other_county_enterprise.uscc
    assert (push.decision_number, push.decided_on, push.fine) == (
        "长市监处罚〔2026〕21号",
        today(),
        Decimal("200000.00"),
    )
    assert push.content == "责令停止违法行为，罚款人民币二十万元。"
    assert push.facts == "当事人使用以不正当手段获取的权利人工艺图纸组织生产。"
    assert push.party_kind == "organisation" and push.basis.startswith(
        "《中华人民共和国反不正当竞争法》"
    )
    assert push.published_on is None
    services.publish_penalty(complaint, changsha_officer, published_on=today())
    complaint = act(
        complaint, "feedback", changsha_officer, "已书面告知处罚结果。", method="letter"
    )
    complaint = act(complaint, "close", changsha_officer)
    assert complaint.state == State.CLOSED
    push.refresh_from_db()
    assert push.published_on == today()
    assert [a for a, _f, _t in events(complaint)] == [
        "create",
        "accept",
        "investigation",
        "file_case",
        "decide_case",
        "publish_penalty",
        "feedback",
        "close",
    ]


def test_a_penalty_needs_its_decision_number_and_the_partys_credit_code(changsha_officer):
    complaint = act(
        accepted(changsha_officer, respondent_credit_code=""),
        "file_case",
        changsha_officer,
        case_number="长市监立〔2026〕9号",
        on=today(),
    )
    assert_refused(
        complaint,
        lambda: act(complaint, "decide_case", changsha_officer, "罚款。", on=today(), penalty=True),
        "unified social credit code",
    )
    assert not CreditPush.objects.exists()
    # Without a penalty no push is made.
    complaint = act(complaint, "decide_case", changsha_officer, "责令改正。", on=today())
    assert complaint.state == State.CASE_DECIDED and not complaint.penalty
    assert not CreditPush.objects.exists()


def test_a_transfer_to_public_security_is_proposed_approved_and_sent(changsha_officer):
    complaint = accepted(changsha_officer, estimated_loss=Decimal("800000"))
    assert_refused(
        complaint,
        lambda: act(complaint, "propose_transfer", changsha_officer, "涉嫌犯罪。"),
        "This field is required for this step.",
    )
    complaint = act(
        complaint,
        "propose_transfer",
        changsha_officer,
        "损失逾三十万元，涉嫌侵犯商业秘密罪。",
        receiving_unit="长沙市公安局经济犯罪侦查支队",
    )
    assert complaint.state == State.TRANSFER_PROPOSED and complaint.transfer_proposed_at
    complaint = act(complaint, "approve_transfer", changsha_officer, approved_by="局长 王某")
    assert complaint.transfer_approved_by == "局长 王某"
    complaint = act(complaint, "send_transfer", changsha_officer)
    assert complaint.state == State.TRANSFERRED and complaint.transfer_sent_at
    assert complaint.transfer_unit == "长沙市公安局经济犯罪侦查支队"
    complaint = act(complaint, "feedback", changsha_officer, "案件已移送公安机关。", method="phone")
    # The complaint stays open until the police answer the transfer.
    assert_refused(
        complaint,
        lambda: act(complaint, "close", changsha_officer),
        "The police have not answered the transfer yet",
    )
    complaint = act(
        complaint,
        "police_decision",
        changsha_officer,
        police_decision="filed",
        on=timezone.localdate(),
        document_number="长公经立字〔2026〕3号",
    )
    complaint = act(complaint, "close", changsha_officer)
    assert complaint.state == State.CLOSED


def test_a_complaint_guided_to_another_remedy_names_it(changsha_officer):
    complaint = accepted(changsha_officer)
    assert_refused(
        complaint,
        lambda: act(complaint, "guide", changsha_officer, "属劳动争议。", remedy="mediation"),
        "Choose one of the remedies offered.",
    )
    complaint = act(
        complaint,
        "guide",
        changsha_officer,
        "竞业限制纠纷，建议申请劳动仲裁。",
        remedy="labour_arbitration",
    )
    assert (complaint.state, complaint.remedy) == (State.GUIDED, "labour_arbitration")
    complaint = act(
        complaint, "feedback", changsha_officer, "已告知申请劳动仲裁的途径。", method="portal"
    )
    assert act(complaint, "close", changsha_officer).state == State.CLOSED


@pytest.mark.parametrize(
    ("action", "state"),
    [("mediate", State.MEDIATED), ("not_substantiated", State.NOT_SUBSTANTIATED)],
)
def test_a_mediated_or_unfounded_complaint_is_told_then_closed(changsha_officer, action, state):
    complaint = accepted(changsha_officer)
    assert_refused(
        complaint,
        lambda: act(complaint, action, changsha_officer),
        "Please write the reason or the content.",
    )
    complaint = act(
        complaint,
        action,
        changsha_officer,
        "双方达成和解。" if action == "mediate" else "证据不足。",
    )
    assert complaint.state == state and complaint.outcome_at
    complaint = act(complaint, "feedback", changsha_officer, "已告知结果。", method="sms")
    assert act(complaint, "close", changsha_officer).state == State.CLOSED


def test_a_named_complainant_cannot_be_left_untold(changsha_officer):
    complaint = act(accepted(changsha_officer), "not_substantiated", changsha_officer, "证据不足。")
    assert_refused(
        complaint,
        lambda: act(complaint, "feedback", changsha_officer, "无法联系。", method="impossible"),
        "The complainant gave a name and contact",
    )


def test_an_anonymous_report_is_closed_with_no_one_to_tell(changsha_officer):
    report = accepted(
        changsha_officer, kind="report", anonymous=True, complainant_name="", complainant_contact=""
    )
    report = act(report, "not_substantiated", changsha_officer, "经核查，线索不实。")
    report = act(report, "feedback", changsha_officer, "匿名举报，无法反馈。", method="impossible")
    assert act(report, "close", changsha_officer).state == State.CLOSED


# Steps out of order -------------------------------------------------------------------------------

ALL_DATA = {
    "case_number": "长市监立〔2026〕1号",
    "receiving_unit": "长沙市公安局",
    "approved_by": "局长",
    "remedy": "civil_litigation",
    "method": "phone",
    "decision_number": "长市监处罚〔2026〕1号",
}


def reach(state, officer):
    """A complaint of 长沙市 in ``state``, through the services."""
    complaint = register(officer)
    paths = {
        State.RECEIVED: [],
        State.ACCEPTED: [("accept", {})],
        State.CASE_FILED: [("accept", {}), ("file_case", {"on": today()})],
        State.TRANSFER_PROPOSED: [("accept", {}), ("propose_transfer", {})],
        State.TRANSFER_APPROVED: [
            ("accept", {}),
            ("propose_transfer", {}),
            ("approve_transfer", {}),
        ],
        State.NOT_ACCEPTED: [("refuse", {})],
        State.GUIDED: [("accept", {}), ("guide", {})],
        State.CASE_DECIDED: [
            ("accept", {}),
            ("file_case", {"on": today()}),
            ("decide_case", {"on": today()}),
        ],
    }
    for action, data in paths[state]:
        complaint = act(complaint, action, officer, "理由。", **{**ALL_DATA, **data})
    return complaint


@pytest.mark.parametrize(
    "state",
    [
        State.RECEIVED,
        State.ACCEPTED,
        State.CASE_FILED,
        State.TRANSFER_PROPOSED,
        State.TRANSFER_APPROVED,
        State.NOT_ACCEPTED,
        State.GUIDED,
        State.CASE_DECIDED,
    ],
)
def test_every_step_out_of_order_is_refused_and_changes_nothing(changsha_officer, state):
    complaint = reach(state, changsha_officer)
    assert complaint.state == state
    offered = {t.action for t in services.available_transitions(complaint, changsha_officer)}
    refused = [t for t in TRANSITIONS if state not in t.sources]
    assert refused and offered.isdisjoint(t.action for t in refused)
    for rule in refused:
        assert_refused(
            complaint,
            lambda rule=rule: act(
                complaint, rule.action, changsha_officer, "理由。", on=today(), **ALL_DATA
            ),
            out_of_order(state, rule.action),
        )


def test_an_unknown_action_is_refused(changsha_officer):
    complaint = register(changsha_officer)
    assert_refused(complaint, lambda: act(complaint, "reopen", changsha_officer), "Unknown action.")


def test_only_the_bureau_handling_it_may_take_a_step(
    changsha_officer, yueyang_officer, enterprise_user, changsha_enterprise, expert
):
    complaint = register(changsha_officer, complainant_enterprise=changsha_enterprise)
    for outsider in (yueyang_officer, enterprise_user, expert):
        assert services.available_transitions(complaint, outsider) == []
        assert_refused(
            complaint,
            lambda outsider=outsider: act(complaint, "accept", outsider),
            "Only the bureau handling this complaint may do this.",
        )


def test_a_step_cannot_be_dated_in_the_future_or_before_receipt(changsha_officer):
    complaint = accepted(changsha_officer)
    assert_refused(
        complaint,
        lambda: act(
            complaint,
            "file_case",
            changsha_officer,
            case_number="长市监立〔2026〕2号",
            on=today() + dt.timedelta(days=1),
        ),
        "This date cannot be in the future.",
    )
    assert_refused(
        complaint,
        lambda: act(
            complaint,
            "file_case",
            changsha_officer,
            case_number="长市监立〔2026〕2号",
            on=complaint.received_on - dt.timedelta(days=1),
        ),
        "A case cannot be filed before the complaint was received.",
    )


# Closing ------------------------------------------------------------------------------------------


def test_closing_needs_feedback_on_the_outcome(changsha_officer):
    complaint = act(accepted(changsha_officer), "mediate", changsha_officer, "双方和解。")
    assert_refused(
        complaint,
        lambda: act(complaint, "close", changsha_officer),
        "Record the feedback to the complainant on the outcome before closing.",
    )


def test_feedback_given_before_the_outcome_does_not_allow_closing(changsha_officer):
    complaint = reach(State.CASE_FILED, changsha_officer)
    complaint = act(complaint, "feedback", changsha_officer, "已告知立案。", method="phone")
    complaint = act(complaint, "decide_case", changsha_officer, "责令改正。", on=today())
    assert complaint.feedback_at < complaint.outcome_at
    assert_refused(
        complaint,
        lambda: act(complaint, "close", changsha_officer),
        "Record the feedback to the complainant on the outcome before closing.",
    )
    complaint = act(complaint, "feedback", changsha_officer, "已告知处理结果。", method="phone")
    assert act(complaint, "close", changsha_officer).state == State.CLOSED


def test_a_penalty_not_yet_published_keeps_the_case_open(changsha_officer):
    complaint = act(
        reach(State.CASE_FILED, changsha_officer),
        "decide_case",
        changsha_officer,
        "罚款五万元。",
        on=today(),
        penalty=True,
        decision_number="长市监处罚〔2026〕3号",
        facts="当事人违反保密义务披露权利人的客户信息。",
        content="罚款人民币五万元。",
        fine=Decimal("50000"),
    )
    complaint = act(complaint, "feedback", changsha_officer, "已告知处罚结果。", method="letter")
    assert_refused(
        complaint,
        lambda: act(complaint, "close", changsha_officer),
        "Publish the penalty to the credit platform before closing the case.",
    )
    services.publish_penalty(complaint, changsha_officer, published_on=today())
    assert_refused(
        complaint,
        lambda: services.publish_penalty(complaint, changsha_officer, published_on=today()),
        "This penalty has already been published.",
    )
    assert act(complaint, "close", changsha_officer).state == State.CLOSED


def test_a_closed_complaint_refuses_every_change(changsha_officer, yueyang_officer, expert):
    complaint = reach(State.ACCEPTED, changsha_officer)
    pause = services.start_pause(
        complaint, changsha_officer, reason="appraisal", started_on=today(), note="司法鉴定"
    )
    complaint = act(complaint, "mediate", changsha_officer, "双方和解。")
    complaint = act(complaint, "feedback", changsha_officer, "已告知。", method="phone")
    complaint = act(complaint, "close", changsha_officer)
    closed = "This complaint is closed; it can no longer be changed."
    for rule in TRANSITIONS:
        assert_refused(
            complaint,
            lambda rule=rule: act(
                complaint, rule.action, changsha_officer, "重新打开。", on=today(), **ALL_DATA
            ),
            closed,
        )
    uploaded, checked, title = evidence_of()
    calls = [
        lambda: services.start_pause(
            complaint, changsha_officer, reason="hearing", started_on=today()
        ),
        lambda: services.end_pause(pause, changsha_officer, ended_on=today()),
        lambda: services.log_step(
            complaint,
            changsha_officer,
            kind="interview",
            happened_on=today(),
            actions="询问当事人。",
            experts=[expert],
        ),
        lambda: services.add_evidence(
            complaint, uploaded, checked, title=title, user=changsha_officer
        ),
        lambda: services.extend(
            complaint,
            changsha_officer,
            limit_code="case_decision",
            approved_by="局长",
            decided_on=today(),
            document_number="长市监延〔2026〕1号",
            reason="复杂",
        ),
        lambda: services.publish_penalty(complaint, changsha_officer, published_on=today()),
        lambda: services.transfer_jurisdiction(
            complaint, Prefecture.objects.get(pk="430600"), changsha_officer, "管辖变更"
        ),
    ]
    for call in calls:
        assert_refused(complaint, call, closed)
    assert services.available_transitions(complaint, changsha_officer) == []
    assert fresh(complaint).next_deadline is None


# The criminal threshold ---------------------------------------------------------------------------


def test_a_loss_of_300000_yuan_or_more_flags_a_transfer_candidate(changsha_officer):
    at = register(changsha_officer, estimated_loss=Decimal("300000"))
    above = register(changsha_officer, estimated_loss=Decimal("1250000.50"))
    below = register(changsha_officer, estimated_loss=Decimal("299999.99"))
    unknown = register(changsha_officer, estimated_loss=None)
    assert at.is_transfer_candidate and above.is_transfer_candidate
    assert not below.is_transfer_candidate and not unknown.is_transfer_candidate
    assert set(Complaint.objects.transfer_candidates()) == {at, above}


# Experts consulted --------------------------------------------------------------------------------


def test_a_consulted_expert_reaches_the_complaint_and_its_evidence(changsha_officer, expert):
    other_expert = make_user("expert2", Role.EXPERT)
    complaint = act(
        register(changsha_officer, evidence=[evidence_of()]), "accept", changsha_officer
    )
    evidence = complaint.evidence.get()
    assert not Complaint.objects.restrict(expert, "view").exists()
    services.log_step(
        complaint,
        changsha_officer,
        kind="expert",
        happened_on=today(),
        actions="请专家比对图纸与被投诉人产品。",
        experts=[expert],
    )
    expert = reload(expert)
    assert expert.has_perm("complaints.consult_complaint", complaint)
    assert list(Complaint.objects.restrict(expert, "view")) == [complaint]
    assert list(EvidenceFile.objects.restrict(expert, "view")) == [evidence]
    assert InvestigationStep.objects.restrict(expert, "view").count() == 1
    assert not Complaint.objects.restrict(expert, "change").exists()
    assert services.audience(expert, complaint) == "expert"
    assert services.may_open_evidence(expert, complaint)
    assert not services.may_handle(expert, complaint)
    assert Notification.objects.filter(recipient=expert, kind="expert_consulted").count() == 1

    other_expert = reload(other_expert)
    assert not Complaint.objects.restrict(other_expert, "view").exists()
    assert not EvidenceFile.objects.restrict(other_expert, "view").exists()
    assert not services.may_open_evidence(other_expert, complaint)


def test_only_members_of_the_expert_pool_are_consulted(changsha_officer, yueyang_officer):
    complaint = reach(State.ACCEPTED, changsha_officer)
    assert_refused(
        complaint,
        lambda: services.log_step(
            complaint,
            changsha_officer,
            kind="expert",
            happened_on=today(),
            actions="请岳阳同事协助。",
            experts=[yueyang_officer],
        ),
        "Only members of the expert pool can be consulted.",
    )


def test_investigation_steps_belong_to_a_live_investigation(changsha_officer):
    complaint = register(changsha_officer)
    assert_refused(
        complaint,
        lambda: services.log_step(
            complaint, changsha_officer, kind="interview", happened_on=today(), actions="询问。"
        ),
        "Investigation steps are logged from acceptance until the outcome.",
    )


# Jurisdiction transfers ---------------------------------------------------------------------------


def test_a_complaint_handed_to_another_prefecture_leaves_a_read_only_trace(
    changsha_officer, yueyang_officer, yuelu_officer
):
    complaint = register(changsha_officer, evidence=[evidence_of()])
    complaint = act(complaint, "accept", changsha_officer)
    yueyang = Prefecture.objects.get(pk="430600")
    assert_refused(
        complaint,
        lambda: services.transfer_jurisdiction(complaint, yueyang, changsha_officer, ""),
        "Please give the reason for the transfer.",
    )
    assert_refused(
        complaint,
        lambda: services.transfer_jurisdiction(
            complaint, complaint.prefecture, changsha_officer, "本局管辖"
        ),
        "Choose another prefecture.",
    )
    assert_refused(
        complaint,
        lambda: services.transfer_jurisdiction(complaint, yueyang, yueyang_officer, "移交"),
        "Only the bureau handling this complaint may do this.",
    )
    complaint = services.transfer_jurisdiction(
        complaint, yueyang, changsha_officer, "被投诉人住所地及侵权行为地均在岳阳市。"
    )
    assert (complaint.prefecture_id, complaint.county_id, complaint.handler_id) == (
        "430600",
        None,
        None,
    )
    transfer = JurisdictionTransfer.objects.get(complaint=complaint)
    assert (transfer.from_prefecture_id, transfer.to_prefecture_id) == ("430100", "430600")

    # The receiving bureau sees it, handles it and is told.
    receiver = reload(yueyang_officer)
    assert list(Complaint.objects.restrict(receiver, "change")) == [complaint]
    assert services.audience(receiver, complaint) == "handler"
    assert EvidenceFile.objects.restrict(receiver, "view").count() == 1
    assert Notification.objects.filter(recipient=receiver, kind="complaint_transferred").exists()

    # The sender keeps the view, read only, and no longer opens the evidence.
    for sender in (reload(changsha_officer), reload(yuelu_officer)):
        assert list(Complaint.objects.restrict(sender, "view")) == [complaint]
        assert not Complaint.objects.restrict(sender, "change").exists()
        assert services.audience(sender, complaint) == "trace"
        assert not services.may_open_evidence(sender, complaint)
        assert not EvidenceFile.objects.restrict(sender, "view").exists()
        assert_refused(
            complaint,
            lambda sender=sender: act(complaint, "mediate", sender, "和解。"),
            "Only the bureau handling this complaint may do this.",
        )
    complaint = act(complaint, "mediate", receiver, "双方和解。")
    assert complaint.handler is None or complaint.handler == receiver


def test_a_case_once_filed_stays_with_its_bureau(changsha_officer):
    complaint = reach(State.CASE_FILED, changsha_officer)
    assert_refused(
        complaint,
        lambda: services.transfer_jurisdiction(
            complaint, Prefecture.objects.get(pk="430600"), changsha_officer, "管辖变更"
        ),
        "Once a case is filed or an outcome reached, the complaint stays with its bureau.",
    )


# Who is told --------------------------------------------------------------------------------------


def test_the_complainants_users_are_told_of_public_steps_only(
    changsha_officer, enterprise_user, changsha_enterprise
):
    complaint = register(changsha_officer, complainant_enterprise=changsha_enterprise)

    def told():
        return list(
            Notification.objects.filter(recipient=enterprise_user, kind="complaint_status")
            .order_by("pk")
            .values_list("title", flat=True)
        )

    assert told() == []
    complaint = act(complaint, "accept", changsha_officer)
    assert told() == [f"Your complaint {complaint.reference}: Accepted, being handled"]
    services.log_step(
        complaint, changsha_officer, kind="interview", happened_on=today(), actions="询问。"
    )
    complaint = act(
        complaint, "file_case", changsha_officer, case_number="长市监立〔2026〕5号", on=today()
    )
    assert len(told()) == 1  # internal steps are not told
    complaint = act(complaint, "decide_case", changsha_officer, "责令改正。", on=today())
    assert told()[-1] == f"Your complaint {complaint.reference}: Case decided"
    assert not Notification.objects.filter(
        recipient=enterprise_user, kind="complaint_transferred"
    ).exists()


# The risk factor of the assessments ---------------------------------------------------------------


def complaint_factor(enterprise):
    return [
        reason
        for reason in risk.risk_factors(enterprise)
        if str(reason.label) == "Complaints about infringement of its secrets in the past two years"
    ]


def test_complaints_about_its_secrets_count_as_a_risk_factor(
    changsha_officer, changsha_enterprise, changsha_other_county_enterprise
):
    assert complaint_factor(changsha_enterprise) == []
    # Refused, unfounded, too old or filed against it: not counted.
    act(
        register(changsha_officer, complainant_enterprise=changsha_enterprise),
        "refuse",
        changsha_officer,
        "不属于管辖范围。",
    )
    act(
        accepted(changsha_officer, complainant_enterprise=changsha_enterprise),
        "not_substantiated",
        changsha_officer,
        "证据不足。",
    )
    register(
        changsha_officer,
        complainant_enterprise=changsha_enterprise,
        received_on=today() - dt.timedelta(days=800),
    )
    register(changsha_officer, respondent_enterprise=changsha_enterprise)
    assert complaint_factor(changsha_enterprise) == []

    register(changsha_officer, complainant_enterprise=changsha_enterprise)
    [one] = complaint_factor(changsha_enterprise)
    assert one.points == Decimal(5)
    accepted(changsha_officer, complainant_enterprise=changsha_enterprise)
    [two] = complaint_factor(changsha_enterprise)
    assert two.points == Decimal(10)
    register(changsha_officer, complainant_enterprise=changsha_enterprise)
    assert complaint_factor(changsha_enterprise)[0].points == Decimal(10)
    assert complaint_factor(changsha_other_county_enterprise) == []


def test_the_complaint_factor_shows_in_the_assessment(
    changsha_officer, enterprise_user, changsha_enterprise, settings
):
    template = assessments.current_template() or assessments.load_default_template()
    register(changsha_officer, complainant_enterprise=changsha_enterprise)
    register(changsha_officer, complainant_enterprise=changsha_enterprise)
    submission = assessments.start(changsha_enterprise, enterprise_user)
    assessments.save_answers(
        submission, enterprise_user, {i.pk: ("yes", "", None) for i in template.items.all()}
    )
    assessments.submit(submission, enterprise_user)
    submission.refresh_from_db()
    assert {
        "kind": "factor",
        "label": "Complaints about infringement of its secrets in the past two years",
        "points": "10",
    } in submission.explanation
    client = client_for(enterprise_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("assessments:detail", args=[submission.pk])).content.decode()
    assert "Complaints about infringement of its secrets in the past two years" in page


# The enterprise's record --------------------------------------------------------------------------


def test_the_record_lists_the_complaints_involving_the_enterprise_for_the_bureau(
    changsha_officer,
    yueyang_officer,
    province,
    enterprise_user,
    changsha_enterprise,
    changsha_other_county_enterprise,
):
    filed = register(changsha_officer, complainant_enterprise=changsha_enterprise)
    against = register(
        changsha_officer,
        complainant_enterprise=changsha_other_county_enterprise,
        respondent_enterprise=changsha_enterprise,
        respondent_name="",
    )
    elsewhere = register(
        yueyang_officer,
        prefecture_id="430600",
        county_id="430602",
        respondent_enterprise=changsha_enterprise,
    )
    unrelated = register(changsha_officer)
    url = reverse("enterprises:detail", args=[changsha_enterprise.pk])

    page = client_for(changsha_officer).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="complaints"' in html
    assert filed.reference in html and against.reference in html
    assert elsewhere.reference not in html and unrelated.reference not in html
    assert reverse("complaints:detail", args=[filed.pk]) in html
    roles = {c.reference: role for c, role in page.context["complaints"]}
    assert roles == {filed.reference: "complainant", against.reference: "respondent"}
    assert page.context["complaint_count"] == 2

    html = client_for(province).get(url).content.decode()
    assert all(c.reference in html for c in (filed, against, elsewhere))

    # The enterprise never learns of complaints against it, and follows its own elsewhere.
    page = client_for(enterprise_user).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="complaints"' not in html
    assert not any(c.reference in html for c in (filed, against, elsewhere))


def test_the_record_shows_the_latest_20_complaints_with_their_count(
    changsha_officer, changsha_enterprise
):
    for _n in range(21):
        register(changsha_officer, respondent_enterprise=changsha_enterprise)
    page = client_for(changsha_officer).get(
        reverse("enterprises:detail", args=[changsha_enterprise.pk])
    )
    assert page.context["complaint_count"] == 21
    assert len(page.context["complaints"]) == 20
    html = page.content.decode()
    latest = Complaint.objects.order_by("-received_on", "-pk")
    assert latest[0].reference in html and latest[20].reference not in html


def test_a_sending_bureau_no_longer_learns_who_complained(
    changsha_officer, changsha_enterprise, changsha_other_county_enterprise
):
    handed_on = register(
        changsha_officer,
        complainant_enterprise=changsha_enterprise,
        respondent_enterprise=changsha_other_county_enterprise,
    )
    services.transfer_jurisdiction(
        handed_on, Prefecture.objects.get(pk="430600"), changsha_officer, "侵权行为地在岳阳。"
    )
    client = client_for(changsha_officer)
    complainant_page = client.get(reverse("enterprises:detail", args=[changsha_enterprise.pk]))
    assert handed_on.reference not in complainant_page.content.decode()
    respondent_page = client.get(
        reverse("enterprises:detail", args=[changsha_other_county_enterprise.pk])
    )
    assert handed_on.reference in respondent_page.content.decode()


# Demo data ----------------------------------------------------------------------------------------


def test_seed_demo_fills_a_living_queue_in_three_prefectures(regions, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    references = set(Complaint.objects.values_list("reference", flat=True))
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    assert set(Complaint.objects.values_list("reference", flat=True)) == references

    complaints = Complaint.objects.all()
    assert set(complaints.values_list("prefecture", flat=True)) == {"430100", "430600", "431000"}
    assert set(complaints.values_list("state", flat=True)) >= {
        State.RECEIVED,
        State.ACCEPTED,
        State.NOT_ACCEPTED,
        State.CASE_FILED,
        State.TRANSFER_PROPOSED,
        State.TRANSFERRED,
        State.GUIDED,
        State.MEDIATED,
        State.NOT_SUBSTANTIATED,
        State.CASE_DECIDED,
        State.CLOSED,
    }
    overdue = Complaint.objects.overdue()
    assert overdue.filter(state=State.RECEIVED, prefecture="430100").exists()
    assert overdue.filter(state=State.TRANSFER_PROPOSED).exists()
    assert complaints.filter(kind="report", paused=True).exists()
    assert ComplaintClock.objects.filter(
        limit__code="case_decision", extensions__kind="approval"
    ).exists()
    assert CreditPush.objects.filter(published_on__isnull=True).exists()
    # A former employee penalised as a natural person, published, citing the law of its day.
    person = CreditPush.objects.get(party_kind="natural_person")
    assert person.published_on and person.id_number and not person.respondent_credit_code
    assert person.provision.key == "aucl.trade_secret_penalty" and person.basis
    assert JurisdictionTransfer.objects.exists()
    # A transfer came back refused, late; reconsideration upheld it; supervision was asked.
    province = User.objects.get(username="province")
    contested = services.police_transfers(province).get(transfer_state="supervision_asked")
    assert contested.police_late and contested.prefecture_id == "430600"
    # Late counted from the police's receipt, the day after the sending.
    assert contested.police_accepted_on == timezone.localdate(
        contested.transfer_sent_at
    ) + dt.timedelta(days=1)
    assert contested.reconsideration_decision == "refused" and contested.procuratorate

    enterprise1 = User.objects.get(username="enterprise1")
    own = Complaint.objects.restrict(enterprise1, "view")
    assert own.count() >= 2 and set(own.values_list("channel", flat=True)) == {"online"}
    assert own.transfer_candidates().exists()
    expert1 = User.objects.get(username="expert1")
    consulted = Complaint.objects.restrict(expert1, "view")
    assert consulted.count() == 1 and EvidenceFile.objects.restrict(expert1, "view").exists()
    for evidence in EvidenceFile.objects.all():
        with evidence.file.open("rb") as stored:
            assert stored.read(5) == b"%PDF-"
    # Today's reminders are waiting under the bell.
    assert Notification.objects.filter(kind="complaint_deadline").exists()
