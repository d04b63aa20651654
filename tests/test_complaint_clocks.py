"""The clocks of issue 17 on the official 2026 calendar: the lead-verification clock of an
accepted complaint (行政处罚程序规定 art. 18), a case paused for the rights holder's
identification of its secret, and the case clock's extensions — the head's approval, then a
collective decision of the heads with its stated period (art. 64) — through the services, the
complaint's page and the API.

The 2026 calendar is the State Council's notice (国务院办公厅关于2026年部分节假日安排的通知, 4
November 2025): Spring Festival off 15–23 February, Saturdays 14 and 28 February worked; National
Day off 1–7 October, Sunday 20 September and Saturday 10 October worked. The first test holds
the ``holidays`` library to it."""

import datetime as dt
import html

import holidays
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from complaints import services
from complaints.models import ClockExtension, ClockPause, Complaint, ComplaintClock, EvidenceFile
from tsprotect.regions.calendar import is_workday

from .conftest import client_for
from .test_api_schema import answer_schema, errors, published_schema

D = dt.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def register(officer, **fields):
    values = {
        "kind": "complaint",
        "channel": "12315",
        "prefecture_id": "430100",
        "county_id": "430104",
        "received_on": D(2026, 2, 12),
        "complainant_name": "长沙湘江新材料有限公司",
        "complainant_contact": "0731-88886666",
        "respondent_name": "长沙某某科技有限公司",
        "respondent_individuals": "李某，原工艺工程师。",
        "secret_kind": "process",
        "description": "前工艺工程师离职后将配方带至被投诉公司。",
        **fields,
    }
    return services.create_complaint(Complaint(**values), officer)


def clock(complaint, code):
    return ComplaintClock.objects.get(complaint=complaint, limit__code=code)


def fresh(complaint):
    return Complaint.objects.get(pk=complaint.pk)


def test_the_holiday_library_knows_the_2026_calendar_of_the_state_council(db):
    calendar = holidays.China(years=2026)
    spring_festival = {D(2026, 2, 15) + dt.timedelta(days=n) for n in range(9)}
    national_day = {D(2026, 10, 1) + dt.timedelta(days=n) for n in range(7)}
    for day in spring_festival | national_day:
        assert not is_workday(day), day
    assert set(calendar.weekend_workdays) >= {
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    }
    for day in (D(2026, 2, 14), D(2026, 2, 28), D(2026, 9, 20), D(2026, 10, 10)):
        assert is_workday(day), day
    assert is_workday(D(2026, 2, 24)) and not is_workday(D(2026, 2, 23))


# 1. An accepted complaint runs the lead-verification clock ----------------------------------


def test_an_accepted_complaint_runs_the_filing_decision_clock_over_spring_festival(
    changsha_officer,
):
    # Received Thursday 12 February. Acceptance (7 working days): 13, the make-up Saturday 14,
    # 15–23 off, 24, 25, 26, 27 February, the make-up Saturday 28: due 28 February.
    # Filing decision (15 working days, from the same receipt): then 2–6 and 9–11 March.
    complaint = register(changsha_officer)
    assert clock(complaint, "complaint_acceptance").due_on == D(2026, 2, 28)
    assert clock(complaint, "report_verification").due_on == D(2026, 3, 11)
    complaint = services.transition(complaint, "accept", changsha_officer)
    verification = clock(complaint, "report_verification")
    assert verification.met_at is None and verification.due_on == D(2026, 3, 11)
    assert "第十八条" in verification.limit.legal_basis
    accepted = fresh(complaint)
    assert (accepted.next_limit.code, accepted.next_deadline) == (
        "report_verification",
        D(2026, 3, 11),
    )
    assert accepted in Complaint.objects.overdue(D(2026, 3, 12))
    assert accepted not in Complaint.objects.overdue(D(2026, 3, 11))
    # Filing the case meets it; the case clock takes over.
    filed = services.transition(
        complaint,
        "file_case",
        changsha_officer,
        case_number="长市监立〔2026〕3号",
        on=D(2026, 3, 10),
    )
    assert clock(filed, "report_verification").met_at is not None
    assert fresh(filed).next_limit.code == "case_decision"


def test_the_complaint_page_shows_the_filing_decision_clock_with_its_article(changsha_officer):
    complaint = services.transition(register(changsha_officer), "accept", changsha_officer)
    page = client_for(changsha_officer).get(reverse("complaints:detail", args=[complaint.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "线索核查与立案决定" in text and "2026-03-11" in text
    assert "《市场监督管理行政处罚程序规定》第十八条" in text
    assert "自发现线索或者收到材料之日起十五个工作日内" in text  # how the rule is applied
    assert "当前时限" in text  # the page is in Chinese


def test_the_api_gives_the_clock_its_article(changsha_officer):
    complaint = services.transition(register(changsha_officer), "accept", changsha_officer)
    answer = client_for(changsha_officer).get(reverse("api:complaint-clocks", args=[complaint.pk]))
    clocks = {c["limit"]: c for c in answer.json()}
    assert clocks["report_verification"]["due_on"] == "2026-03-11"
    assert "第十八条" in clocks["report_verification"]["legal_basis"]


# 2. A case paused for the rights holder's identification ------------------------------------


def filed_case(officer):
    complaint = services.transition(
        register(officer, received_on=D(2026, 4, 27)), "accept", officer
    )
    return services.transition(
        complaint, "file_case", officer, case_number="长市监立〔2026〕21号", on=D(2026, 5, 6)
    )


def test_a_case_paused_20_days_for_the_rights_holders_identification_is_due_20_days_later(
    changsha_officer,
):
    case = filed_case(changsha_officer)
    # Filed Wednesday 6 May: 90 days later is Tuesday 4 August.
    assert clock(case, "case_decision").due_on == D(2026, 8, 4)
    pause = services.start_pause(
        case,
        changsha_officer,
        reason="identification",
        started_on=D(2026, 6, 1),
        note="权利人对其主张的配方逐项辨认、确定秘密点。",
    )
    assert clock(case, "case_decision").due_on is None and fresh(case).paused
    services.end_pause(pause, changsha_officer, ended_on=D(2026, 6, 20))  # 20 days, 1–20 June
    assert clock(case, "case_decision").due_on == D(2026, 8, 24)
    assert fresh(case).next_deadline == D(2026, 8, 24)
    assert not fresh(case).paused


def test_a_public_announcement_does_not_count_towards_the_case_but_not_a_report_either(
    changsha_officer,
):
    case = filed_case(changsha_officer)
    services.start_pause(case, changsha_officer, reason="announcement", started_on=D(2026, 6, 1))
    # Art. 18 lists no announcement: the (met) verification clock is not concerned; the case is.
    assert clock(case, "case_decision").due_on is None


def test_an_order_to_refund_overcharged_prices_stops_the_case_clock_like_the_others(
    changsha_officer,
):
    # Art. 64 para. 2 lists 责令退还多收价款 among the periods not counted.
    case = filed_case(changsha_officer)
    assert clock(case, "case_decision").due_on == D(2026, 8, 4)
    pause = services.start_pause(
        case,
        changsha_officer,
        reason="refund",
        started_on=D(2026, 6, 1),
        note="责令当事人退还多收价款，期间不计入办案期限。",
    )
    assert clock(case, "case_decision").due_on is None and fresh(case).paused
    services.end_pause(pause, changsha_officer, ended_on=D(2026, 6, 20))  # 20 days
    assert clock(case, "case_decision").due_on == D(2026, 8, 24)
    assert not fresh(case).paused


# 3. Extensions: the head's approval, then collective decisions ------------------------------


def extend(complaint, officer, **fields):
    values = {
        "limit_code": "case_decision",
        "approved_by": "长沙市市场监管局 局长 王某",
        "decided_on": D(2026, 8, 20),
        "document_number": "长市监延〔2026〕5号",
        "reason": "配方比对鉴定尚未完成。",
        **fields,
    }
    return services.extend(complaint, officer, **values)


COLLECTIVE = {
    "kind": "collective",
    "period": 10,
    "approved_by": "局长办公会（王某、张某、刘某）",
    "decided_on": D(2026, 9, 18),
    "document_number": "长市监会纪〔2026〕12号",
    "reason": "案情特别复杂，涉案人员在外地。",
}


def test_a_case_is_extended_by_the_head_then_by_the_heads_collective_decision(
    changsha_officer,
):
    case = filed_case(changsha_officer)
    pause = services.start_pause(
        case, changsha_officer, reason="identification", started_on=D(2026, 6, 1)
    )
    services.end_pause(pause, changsha_officer, ended_on=D(2026, 6, 20))
    with pytest.raises(ValidationError, match="already extended with the head's approval"):
        extend(case, changsha_officer, **COLLECTIVE)
    approval = extend(case, changsha_officer)
    # 24 August + 30 days: Wednesday 23 September.
    assert (approval.kind, approval.period, approval.clock.due_on) == (
        "approval",
        30,
        D(2026, 9, 23),
    )
    with pytest.raises(ValidationError, match="collective decision of the bureau's heads"):
        extend(case, changsha_officer, decided_on=D(2026, 9, 18))
    with pytest.raises(ValidationError, match="states the period"):
        extend(case, changsha_officer, **{**COLLECTIVE, "period": None})
    with pytest.raises(ValidationError, match="or upload the document"):
        extend(case, changsha_officer, **{**COLLECTIVE, "document_number": ""})
    collective = extend(case, changsha_officer, **COLLECTIVE)
    # 23 September + 10 days is Saturday 3 October, in the National Day holiday: the case is
    # due on the first working day after it, Thursday 8 October.
    assert collective.clock.due_on == D(2026, 10, 8)
    assert fresh(case).next_deadline == D(2026, 10, 8)
    assert case in Complaint.objects.overdue(D(2026, 10, 9))
    assert case not in Complaint.objects.overdue(D(2026, 10, 8))
    # Who, when and the document of each, in the complaint's log.
    notes = list(
        case.events.filter(action__in=["extend", "extend_collective"])
        .order_by("at", "pk")
        .values_list("action", "note")
    )
    assert [action for action, _note in notes] == ["extend", "extend_collective"]
    assert "长沙市市场监管局 局长 王某" in notes[0][1] and "2026-08-20" in notes[0][1]
    assert "长市监延〔2026〕5号" in notes[0][1] and "+30" in notes[0][1]
    assert "局长办公会（王某、张某、刘某）" in notes[1][1] and "2026-09-18" in notes[1][1]
    assert "长市监会纪〔2026〕12号" in notes[1][1] and "+10" in notes[1][1]
    # A further collective decision, with its own period: the periods add up (3 October + 15
    # days is Sunday 18 October), and only the end is moved to a working day: Monday 19.
    extend(case, changsha_officer, **{**COLLECTIVE, "period": 15, "decided_on": D(2026, 10, 8)})
    assert clock(case, "case_decision").due_on == D(2026, 10, 19)
    assert ClockExtension.objects.filter(complaint=case).count() == 3


def test_the_page_shows_the_pause_and_the_extensions_escaped_with_the_uploaded_decision(
    changsha_officer, evidence_in_tmp
):
    case = filed_case(changsha_officer)
    services.start_pause(
        case,
        changsha_officer,
        reason="identification",
        started_on=D(2026, 6, 1),
        note="<b>秘密点</b>辨认",
    )
    extend(case, changsha_officer, approved_by="<script>alert(1)</script>局长")
    browser = client_for(changsha_officer)
    answer = browser.post(
        reverse("complaints:extend", args=[case.pk]),
        {
            "limit": "case_decision",
            "kind": "collective",
            "period": "10",
            "approved_by": "局长办公会",
            "decided_on": "2026-09-18",
            "document_number": "",
            "document": SimpleUploadedFile("会议纪要.pdf", PDF, content_type="application/pdf"),
            "reason": "案情特别复杂。",
        },
        follow=True,
    )
    text = answer.content.decode()
    assert answer.status_code == 200
    collective = ClockExtension.objects.get(complaint=case, kind="collective")
    assert collective.document.original_name == "会议纪要.pdf"
    assert EvidenceFile.objects.filter(pk=collective.document_id, complaint=case).exists()
    assert reverse("complaints:evidence", args=[collective.document_id]) in text
    # In Chinese, escaped: the pause's reason, both kinds of extension, who decided.
    assert '<tr><td>权利人辨认或者鉴别</td><td class="nowrap">2026-06-01</td>' in text
    assert html.escape("<b>秘密点</b>辨认") in text
    assert "负责人集体讨论决定" in text and "负责人批准" in text
    assert "<script>alert(1)</script>" not in text
    assert html.escape("<script>alert(1)</script>") in text
    assert "<b>秘密点</b>" not in text
    assert "局长办公会" in text and "2026-09-18" in text


def test_an_extension_needs_a_running_limit_that_the_law_extends(changsha_officer):
    case = filed_case(changsha_officer)
    with pytest.raises(ValidationError, match="not running"):
        extend(case, changsha_officer, limit_code="report_verification")
    with pytest.raises(ValidationError, match="before the time limit started"):
        extend(case, changsha_officer, decided_on=D(2026, 5, 1))


# The API -------------------------------------------------------------------------------------


def test_pauses_and_extensions_through_the_api_match_the_schema(changsha_officer):
    case = filed_case(changsha_officer)
    api = client_for(changsha_officer)
    schema = published_schema(changsha_officer)
    base = f"/api/v1/complaints/{case.pk}"

    answer = api.post(
        f"{base}/pauses/",
        {"reason": "identification", "started_on": "2026-06-01", "note": "权利人辨认秘密点"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    pause = answer.json()
    assert pause["id"] == ClockPause.objects.get(complaint=case).pk
    assert pause["ended_on"] is None and pause["reason"] == "identification"
    path = "/api/v1/complaints/{id}/pauses/"
    assert not errors(schema, pause, answer_schema(schema, path, "post", "201"))

    answer = api.post(
        f"{base}/pauses/{pause['id']}/end/",
        {"ended_on": "2026-06-20"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    path = "/api/v1/complaints/{id}/pauses/{pause_id}/end/"
    assert not errors(schema, answer.json(), answer_schema(schema, path, "post", "200"))
    assert clock(case, "case_decision").due_on == D(2026, 8, 24)

    body = {
        "limit": "case_decision",
        "approved_by": "局长 王某",
        "decided_on": "2026-08-20",
        "document_number": "长市监延〔2026〕5号",
        "reason": "鉴定未完成",
    }
    answer = api.post(f"{base}/extensions/", body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    approval = answer.json()
    assert (approval["kind"], approval["period"], approval["due_on"]) == (
        "approval",
        30,
        "2026-09-23",
    )
    path = "/api/v1/complaints/{id}/extensions/"
    assert not errors(schema, approval, answer_schema(schema, path, "post", "201"))

    answer = api.post(
        f"{base}/extensions/",
        {**body, "kind": "collective", "period": 10, "approved_by": "局长办公会"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["due_on"] == "2026-10-08"
    assert answer.json()["kind"] == "collective"

    clocks = api.get(reverse("api:complaint-clocks", args=[case.pk])).json()
    (case_clock,) = [c for c in clocks if c["limit"] == "case_decision"]
    assert [e["kind"] for e in case_clock["extensions"]] == ["approval", "collective"]
    assert not errors(schema, clocks, answer_schema(schema, "/api/v1/complaints/{id}/clocks/"))

    refused = api.post(
        f"{base}/extensions/",
        {**body, "kind": "collective", "period": None},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "period" in refused.json()


def test_out_of_scope_complaints_and_pauses_answer_404(changsha_officer, yueyang_officer):
    case = filed_case(changsha_officer)
    other = filed_case(changsha_officer)
    pause = services.start_pause(
        other, changsha_officer, reason="appraisal", started_on=D(2026, 6, 1)
    )
    yueyang = client_for(yueyang_officer)
    for path, body in (
        (
            f"/api/v1/complaints/{case.pk}/pauses/",
            {"reason": "hearing", "started_on": "2026-06-01"},
        ),
        (f"/api/v1/complaints/{other.pk}/pauses/{pause.pk}/end/", {"ended_on": "2026-06-02"}),
        (f"/api/v1/complaints/{case.pk}/extensions/", {"limit": "case_decision"}),
    ):
        assert yueyang.post(path, body, content_type="application/json").status_code == 404
    # A pause of another complaint is no pause of this one.
    mixed = client_for(changsha_officer).post(
        f"/api/v1/complaints/{case.pk}/pauses/{pause.pk}/end/",
        {"ended_on": "2026-06-02"},
        content_type="application/json",
    )
    assert mixed.status_code == 404
    assert ClockPause.objects.get(pk=pause.pk).ended_on is None
    assert not ClockPause.objects.filter(complaint=case).exists()


def test_the_page_offers_the_kind_of_extension_the_clock_can_take_now(changsha_officer):
    case = filed_case(changsha_officer)
    browser = client_for(changsha_officer)

    def kinds():
        page = browser.get(reverse("complaints:detail", args=[case.pk])).content.decode()
        select = page.split('name="kind"')[1].split("</select>")[0]
        return [v for v in ("approval", "collective") if f'value="{v}"' in select]

    assert kinds() == ["approval"]
    extend(case, changsha_officer)
    assert kinds() == ["collective"]
