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
from django.urls import reverse
from django.utils import translation

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


def test_the_police_answers_run_three_days_each_with_their_article(db):
    filing = StatutoryLimit.objects.get(code="police_filing_decision")
    assert (filing.starts_at, filing.ends_at) == ("transfer_sent", "police_decision")
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
