"""What comes back from public security after a transfer (行政执法机关移送涉嫌犯罪案件的规定,
国务院令第310号 as amended by 第730号, arts. 8–9): the police's decision on filing and its clock,
the bureau's request for reconsideration and the police's answer with its clock, the request for
the procuratorate's supervision; the transfers list of the province and of each prefecture.

Dates are on the official 2026 calendar: National Day runs from 1 to 7 October, Saturday 10
October is a make-up working day.
"""

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from complaints import services
from complaints.models import Complaint, ComplaintClock, StatutoryLimit
from complaints.workflow import TransferState

from .conftest import client_for as base_client

D = dt.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UNIT = "长沙市公安局经济犯罪侦查支队"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def english_client(user):
    client = base_client(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def act(complaint, action, officer, note="", **data):
    return services.transition(complaint, action, officer, note, **data)


def clock(complaint, code):
    return ComplaintClock.objects.get(complaint=complaint, limit__code=code)


def register(officer, **fields):
    values = {
        "kind": "complaint",
        "channel": "12315",
        "prefecture_id": "430100",
        "county_id": "430104",
        "received_on": D(2026, 9, 1),
        "complainant_name": "长沙湘江新材料有限公司",
        "complainant_contact": "0731-88886666",
        "respondent_name": "长沙某某科技有限公司",
        "secret_kind": "technical",
        "description": "前技术总监离职后带走工艺图纸，损失逾三百万元。",
        **fields,
    }
    return services.create_complaint(Complaint(**values), officer)


def transferred(officer, *, sent_at=None, unit=UNIT, **fields):
    """A complaint accepted, its transfer proposed, approved and sent (at ``sent_at``)."""
    complaint = act(register(officer, **fields), "accept", officer)
    complaint = act(
        complaint, "propose_transfer", officer, "涉嫌侵犯商业秘密罪。", receiving_unit=unit
    )
    complaint = act(complaint, "approve_transfer", officer, approved_by="局长 王某")
    complaint = act(complaint, "send_transfer", officer)
    if sent_at is not None:
        Complaint.objects.filter(pk=complaint.pk).update(transfer_sent_at=sent_at)
        services.refresh_clocks(Complaint.objects.get(pk=complaint.pk))
    return Complaint.objects.get(pk=complaint.pk)


def listed(user, pk, today):
    return services.police_transfers(user, today=today).get(pk=pk)


def assert_refused(call, message):
    with pytest.raises(ValidationError) as error:
        call()
    assert message in str(error.value)


# The limits, as data with their articles -----------------------------------------------------


def test_the_police_answers_run_three_days_each_with_their_article(regions):
    filing = StatutoryLimit.objects.get(code="police_filing_decision")
    assert (filing.starts_at, filing.ends_at) == ("police_accepted", "police_decision")
    assert (filing.length, filing.unit, filing.extension) == (3, "calendar_days", 0)
    assert "国务院令第310号" in filing.legal_basis and "第八条" in filing.legal_basis
    reconsideration = StatutoryLimit.objects.get(code="police_reconsideration")
    assert (reconsideration.starts_at, reconsideration.ends_at) == (
        "reconsider_asked",
        "reconsider_decided",
    )
    assert (reconsideration.length, reconsideration.unit) == (3, "calendar_days")
    assert "第九条第二款" in reconsideration.legal_basis
    # A period ending on a holiday ends on the next day of work (刑事诉讼法 art. 105).
    assert filing.roll_to_workday and reconsideration.roll_to_workday
    assert "第一百零五条" in filing.legal_basis


# The walk: sent → a late answer → refusal → reconsideration → answer → supervision ----------


def test_a_late_refusal_is_contested_by_reconsideration_then_supervision(
    changsha_officer, province
):
    # Sent on Monday 28 September: 3 days end on 1 October, National Day; the answer is due on
    # Thursday 8 October, the first working day after the holiday.
    complaint = transferred(changsha_officer, sent_at=at(2026, 9, 28, 10))
    assert complaint.transfer_state == TransferState.SENT
    filing = clock(complaint, "police_filing_decision")
    assert filing.due_on == D(2026, 10, 8)
    assert (complaint.next_deadline, complaint.next_limit.code) == (
        D(2026, 10, 8),
        "police_filing_decision",
    )
    assert not listed(province, complaint.pk, D(2026, 10, 8)).police_late
    waiting = listed(province, complaint.pk, D(2026, 10, 9))
    assert waiting.police_late and waiting.police_due == D(2026, 10, 8)
    assert filing.is_overdue(at(2026, 10, 9, 9))

    # Nothing out of order: no reconsideration before a refusal, no closing while the police
    # have not answered.
    assert_refused(
        lambda: act(
            complaint,
            "request_reconsideration",
            changsha_officer,
            "理由",
            on=D(2026, 10, 9),
            document_number="x",
        ),
        "is not possible now",
    )
    complaint = act(complaint, "feedback", changsha_officer, "已告知移送情况。", method="phone")
    assert_refused(
        lambda: act(complaint, "close", changsha_officer), "The police have not answered"
    )
    assert_refused(
        lambda: act(
            complaint,
            "police_decision",
            changsha_officer,
            police_decision="refused",
            on=D(2026, 9, 27),
            document_number="长公经不立字〔2026〕15号",
        ),
        "before the transfer was sent",
    )

    # The refusal comes on Friday 9 October, a day late: the clock says so, the list too.
    complaint = act(
        complaint,
        "police_decision",
        changsha_officer,
        police_decision="refused",
        on=D(2026, 10, 9),
        document_number="长公经不立字〔2026〕15号",
    )
    assert complaint.transfer_state == TransferState.REFUSED
    assert (complaint.police_decided_on, complaint.police_document_number) == (
        D(2026, 10, 9),
        "长公经不立字〔2026〕15号",
    )
    assert clock(complaint, "police_filing_decision").met_late
    late = listed(province, complaint.pk, D(2026, 10, 20))
    assert late.police_late and late.police_due is None

    # The bureau asks for reconsideration on Monday 12 October: the police answer by Thursday 15.
    complaint = act(
        complaint,
        "request_reconsideration",
        changsha_officer,
        "损失经审计逾三百万元，已达立案追诉标准。",
        on=D(2026, 10, 12),
        document_number="长市监商秘函〔2026〕3号",
    )
    assert complaint.transfer_state == TransferState.RECONSIDERATION_ASKED
    assert clock(complaint, "police_reconsideration").due_on == D(2026, 10, 15)
    assert complaint.next_limit.code == "police_reconsideration"
    assert_refused(
        lambda: act(complaint, "close", changsha_officer), "The police have not answered"
    )

    # The refusal is upheld on Wednesday 14 October, in time.
    complaint = act(
        complaint,
        "reconsideration_decision",
        changsha_officer,
        police_decision="refused",
        on=D(2026, 10, 14),
        document_number="长公经复字〔2026〕2号",
    )
    assert complaint.transfer_state == TransferState.RECONSIDERATION_REFUSED
    answer = clock(complaint, "police_reconsideration")
    assert answer.met_at and not answer.met_late
    # The first answer was late: the transfer stays flagged.
    assert listed(province, complaint.pk, D(2026, 10, 20)).police_late

    # Then the procuratorate's supervision.
    assert_refused(
        lambda: act(
            complaint, "request_supervision", changsha_officer, "建议立案监督。", on=D(2026, 10, 16)
        ),
        "This field is required for this step.",
    )
    complaint = act(
        complaint,
        "request_supervision",
        changsha_officer,
        "复议维持不予立案，建议人民检察院依法进行立案监督。",
        on=D(2026, 10, 16),
        procuratorate="长沙市人民检察院",
        document_number="长市监商秘函〔2026〕4号",
    )
    assert complaint.transfer_state == TransferState.SUPERVISION_ASKED
    assert complaint.procuratorate == "长沙市人民检察院"
    actions = list(complaint.events.values_list("action", flat=True))
    assert actions[-4:] == [
        "police_decision",
        "request_reconsideration",
        "reconsideration_decision",
        "request_supervision",
    ]
    # The police's answers are internal: the complainant's timeline stops at the transfer.
    assert not complaint.events.filter(action__in=actions[-4:], public=True).exists()
    complaint = act(complaint, "feedback", changsha_officer, "已告知监督情况。", method="phone")
    assert act(complaint, "close", changsha_officer).state == "closed"


def test_a_filing_decided_in_time_is_not_late(changsha_officer, province):
    # Sent on Monday 12 October, filed on Wednesday 14: within the 3 days.
    complaint = transferred(changsha_officer, sent_at=at(2026, 10, 12, 15))
    assert clock(complaint, "police_filing_decision").due_on == D(2026, 10, 15)
    complaint = act(
        complaint,
        "police_decision",
        changsha_officer,
        police_decision="filed",
        on=D(2026, 10, 14),
        document_number="长公经立字〔2026〕21号",
    )
    assert complaint.transfer_state == TransferState.FILED
    assert not listed(province, complaint.pk, D(2026, 11, 30)).police_late
    assert complaint.next_deadline is None
    # Nothing to contest once the case is filed.
    assert [t.action for t in services.available_transitions(complaint, changsha_officer)] == [
        "feedback",
        "close",
    ]


# The transfers list: the province sees every prefecture's, a prefecture its own ---------------

LIST = reverse("complaints:transfers")


def yueyang_transfer(yueyang_officer, **fields):
    return transferred(
        yueyang_officer,
        prefecture_id="430600",
        county_id=None,
        unit="岳阳市公安局经济犯罪侦查支队",
        sent_at=at(2026, 9, 28, 10),
        **fields,
    )


def references(response):
    assert response.status_code == 200, response.status_code
    return {c.reference for c in response.context["transfers"]}


def test_the_province_lists_every_prefectures_transfers_and_a_prefecture_its_own(
    changsha_officer, yueyang_officer, yuelu_officer, province
):
    # Sent today, its answer not yet due; 岳阳's, sent on 28 September, is long overdue.
    changsha = transferred(changsha_officer)
    yueyang = yueyang_transfer(yueyang_officer)
    # A complaint not transferred is not a transfer.
    act(register(changsha_officer), "accept", changsha_officer)

    assert references(english_client(province).get(LIST)) == {
        changsha.reference,
        yueyang.reference,
    }
    assert references(english_client(changsha_officer).get(LIST)) == {changsha.reference}
    assert references(english_client(yuelu_officer).get(LIST)) == {changsha.reference}
    assert references(english_client(yueyang_officer).get(LIST)) == {yueyang.reference}
    # The province filters by prefecture, by the police's answer and by lateness.
    client = english_client(province)
    assert references(client.get(LIST, {"prefecture": "430600"})) == {yueyang.reference}
    assert references(client.get(LIST, {"late": "true"})) == {yueyang.reference}
    assert references(client.get(LIST, {"late": "false"})) == {changsha.reference}
    act(
        changsha,
        "police_decision",
        changsha_officer,
        police_decision="filed",
        on=timezone.localdate(),
        document_number="长公经立字〔2026〕21号",
    )
    assert references(client.get(LIST, {"transfer_state": "filed"})) == {changsha.reference}
    assert references(client.get(LIST, {"transfer_state": "sent"})) == {yueyang.reference}
    assert references(client.get(LIST, {"q": changsha.reference})) == {changsha.reference}


def test_another_prefectures_transfer_answers_404_to_its_steps(changsha_officer, yueyang_officer):
    yueyang = yueyang_transfer(yueyang_officer)
    body = {
        "police_decision": "refused",
        "on": "2026-10-09",
        "document_number": "岳公经不立字〔2026〕2号",
    }
    page = english_client(changsha_officer).post(
        reverse("complaints:act", args=[yueyang.pk, "police_decision"]),
        {f"police_decision-{k}": v for k, v in body.items()},
    )
    assert page.status_code == 404
    api = english_client(changsha_officer).post(
        reverse("api:complaint-police-decision", args=[yueyang.pk]),
        body,
        content_type="application/json",
    )
    assert api.status_code == 404
    assert Complaint.objects.get(pk=yueyang.pk).transfer_state == TransferState.SENT
    # Its own officer records it.
    own = english_client(yueyang_officer).post(
        reverse("api:complaint-police-decision", args=[yueyang.pk]),
        body,
        content_type="application/json",
    )
    assert own.status_code == 200, own.content
    assert own.json()["transfer_state"] == "refused"


def test_the_list_costs_the_same_number_of_queries_for_any_number_of_transfers(
    changsha_officer, yueyang_officer, province
):
    transferred(changsha_officer)
    client = english_client(province)
    client.get(LIST)  # the session and the permissions cached

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST)
        return len(captured), len(response.context["transfers"])

    few, rows = count()
    assert rows == 1
    for _ in range(3):
        transferred(changsha_officer)
        yueyang_transfer(yueyang_officer)
    many, rows = count()
    assert rows == 7 and many == few


def test_the_list_and_its_exports_are_in_chinese_and_escaped(changsha_officer, province):
    complaint = transferred(
        changsha_officer, sent_at=at(2026, 9, 28, 10), unit="<script>alert(1)</script>公安局"
    )
    act(
        complaint,
        "police_decision",
        changsha_officer,
        police_decision="refused",
        on=D(2026, 10, 9),
        document_number='=HYPERLINK("http://x")',
    )
    page = base_client(province).get(LIST).content.decode()
    assert "移送公安机关案件" in page and "公安机关不予立案" in page and "逾期" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;公安局" in page

    response = base_client(province).get(reverse("complaints:transfers_export", args=["csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "文号" and "公安机关逾期答复" in rows[0]
    assert rows[1][0] == complaint.reference
    # A cell Excel would read as a formula is neutralised.
    assert '\'=HYPERLINK("http://x")' in rows[1]
    assert rows[1][rows[0].index("公安机关逾期答复")] == "是"
    xlsx = base_client(province).get(reverse("complaints:transfers_export", args=["xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_complaint_page_offers_the_police_steps_in_turn(changsha_officer):
    complaint = transferred(changsha_officer, sent_at=at(2026, 9, 28, 10))
    client = english_client(changsha_officer)

    def offered():
        page = client.get(complaint.get_absolute_url()).content.decode()
        return {
            action
            for action in (
                "police_decision",
                "request_reconsideration",
                "reconsideration_decision",
                "request_supervision",
            )
            if reverse("complaints:act", args=[complaint.pk, action]) in page
        }

    assert offered() == {"police_decision"}
    response = client.post(
        reverse("complaints:act", args=[complaint.pk, "police_decision"]),
        {
            "police_decision-police_decision": "refused",
            "police_decision-on": "2026-10-09",
            "police_decision-document_number": "长公经不立字〔2026〕15号",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert offered() == {"request_reconsideration", "request_supervision"}
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert "长公经不立字〔2026〕15号" in page and "Filing refused by the police" in page


# The API: each step is a POST of the complaint, in the schema ---------------------------------


def test_the_api_walks_the_police_steps(changsha_officer):
    complaint = transferred(changsha_officer, sent_at=at(2026, 9, 28, 10))
    client = english_client(changsha_officer)

    def post(action, body):
        return client.post(
            reverse(f"api:complaint-{action.replace('_', '-')}", args=[complaint.pk]),
            body,
            content_type="application/json",
        )

    missing = post("police_decision", {"police_decision": "refused", "on": "2026-10-09"})
    assert missing.status_code == 400 and "document_number" in missing.json()
    wrong = post(
        "reconsideration_decision",
        {"police_decision": "filed", "on": "2026-10-09", "document_number": "x"},
    )
    assert wrong.status_code == 400
    data = post(
        "police_decision",
        {"police_decision": "refused", "on": "2026-10-09", "document_number": "长公经不立字15号"},
    ).json()
    assert (data["transfer_state"], data["police_decided_on"]) == ("refused", "2026-10-09")
    assert set(data["available_actions"]) >= {"request_reconsideration", "request_supervision"}
    data = post(
        "request_reconsideration",
        {"note": "已达追诉标准。", "on": "2026-10-12", "document_number": "长市监商秘函3号"},
    ).json()
    assert data["transfer_state"] == "reconsideration_asked"
    assert data["next_deadline"] == "2026-10-15"
    data = post(
        "reconsideration_decision",
        {"police_decision": "filed", "on": "2026-10-14", "document_number": "长公经复字2号"},
    ).json()
    assert (data["transfer_state"], data["reconsideration_decision"]) == (
        "reconsideration_filed",
        "filed",
    )
    clocks = client.get(reverse("api:complaint-clocks", args=[complaint.pk])).json()
    police = {c["limit"]: c for c in clocks if c["limit"].startswith("police_")}
    assert police["police_filing_decision"]["due_on"] == "2026-10-08"


def test_the_schema_documents_the_police_steps(province):
    schema = english_client(province).get(reverse("api-schema"), {"format": "json"}).json()
    paths = schema["paths"]
    for action in (
        "police_decision",
        "request_reconsideration",
        "reconsideration_decision",
        "request_supervision",
    ):
        operation = paths[f"/api/v1/complaints/{{id}}/{action}/"]["post"]
        assert {"200", "400", "403", "404"} <= set(operation["responses"])
    body = schema["components"]["schemas"]["PoliceDecisionBody"]
    assert set(body["required"]) == {"police_decision", "on", "document_number"}
    supervision = schema["components"]["schemas"]["RequestSupervisionBody"]
    assert set(supervision["required"]) == {"note", "on", "procuratorate"}
