"""The police's acceptance of a transfer (行政执法机关移送涉嫌犯罪案件的规定 art. 8): their 3 days
for a decision on filing count from the day they accepted the case (受理, their receipt — 回执),
not from the day the bureau sent it. Until the receipt is recorded the clock counts from the
sending, and says so.

Dates are on the official 2026 calendar, with no holiday in November: sent on Saturday 14
November, accepted on Monday 16, the decision is due on Thursday 19 (from the sending it would
have been due on Tuesday 17).
"""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, ComplaintEvent, StatutoryLimit
from complaints.workflow import TransferState

from .conftest import client_for as base_client
from .test_police_transfers import (
    D,
    act,
    assert_refused,
    at,
    clock,
    english,  # noqa: F401 (autouse: the messages in English)
    english_client,
    listed,
    register,
    transferred,
)

SENT = at(2026, 11, 14, 10)
ACCEPTED = D(2026, 11, 16)
RECEIPT = "长公经受字〔2026〕31号"
PROVISIONAL = "Counted from the sending, awaiting the police's acceptance receipt"


def accepted(officer, on=ACCEPTED, receipt_number=RECEIPT):
    complaint = transferred(officer, sent_at=SENT)
    return act(complaint, "police_acceptance", officer, on=on, receipt_number=receipt_number)


def decide(complaint, officer, on):
    return act(
        complaint,
        "police_decision",
        officer,
        police_decision="filed",
        on=on,
        document_number="长公经立字〔2026〕40号",
    )


# The clock: from the acceptance once recorded ---------------------------------------------------


def test_the_filing_clock_counts_from_the_acceptance_and_says_why(regions):
    filing = StatutoryLimit.objects.get(code="police_filing_decision")
    assert filing.starts_at == StatutoryLimit.Start.POLICE_ACCEPTED
    assert "接受移送之日" in filing.legal_basis and "第八条" in filing.legal_basis
    assert "自公安机关受理移送、出具回执之日起算" in filing.basis_note
    assert "按移送之日计，待公安机关受理回执" in filing.basis_note


def test_until_the_receipt_the_clock_counts_from_the_sending_provisionally(changsha_officer):
    complaint = transferred(changsha_officer, sent_at=SENT)
    filing = clock(complaint, "police_filing_decision")
    assert filing.due_on == D(2026, 11, 17) and filing.provisional
    complaint = act(complaint, "police_acceptance", changsha_officer, on=ACCEPTED)
    filing = clock(complaint, "police_filing_decision")
    assert filing.started_at == at(2026, 11, 16)
    assert filing.due_on == D(2026, 11, 19) and not filing.provisional
    assert complaint.next_deadline == D(2026, 11, 19)
    assert complaint.transfer_state == TransferState.SENT
    assert complaint.police_receipt_number == ""


def test_a_decision_three_days_after_acceptance_but_five_after_sending_is_in_time(
    changsha_officer, province
):
    complaint = decide(accepted(changsha_officer), changsha_officer, D(2026, 11, 19))
    filing = clock(complaint, "police_filing_decision")
    assert filing.due_on == D(2026, 11, 19) and not filing.met_late
    assert not listed(province, complaint.pk, D(2026, 11, 30)).police_late


def test_a_decision_four_days_after_acceptance_is_late(changsha_officer, province):
    complaint = decide(accepted(changsha_officer), changsha_officer, D(2026, 11, 20))
    assert clock(complaint, "police_filing_decision").met_late
    assert listed(province, complaint.pk, D(2026, 11, 30)).police_late


def test_an_awaited_decision_is_late_the_day_after_its_due_day_from_the_acceptance(
    changsha_officer, province
):
    complaint = accepted(changsha_officer)
    assert not listed(province, complaint.pk, D(2026, 11, 19)).police_late
    late = listed(province, complaint.pk, D(2026, 11, 20))
    assert late.police_late and late.police_due == D(2026, 11, 19)


# The rules of the step: after sending, before a decision, dates within reason ----------------


def test_the_acceptance_is_refused_before_sending_and_after_a_decision(changsha_officer):
    complaint = act(register(changsha_officer), "accept", changsha_officer)
    assert_refused(
        lambda: act(complaint, "police_acceptance", changsha_officer, on=ACCEPTED),
        "is not possible now",
    )
    complaint = decide(accepted(changsha_officer), changsha_officer, D(2026, 11, 19))
    assert_refused(
        lambda: act(complaint, "police_acceptance", changsha_officer, on=ACCEPTED),
        "is not possible now",
    )


def test_the_acceptance_is_dated_between_the_sending_and_today(changsha_officer):
    complaint = transferred(changsha_officer, sent_at=SENT)
    assert_refused(
        lambda: act(complaint, "police_acceptance", changsha_officer, on=D(2026, 11, 13)),
        "The police cannot have accepted the transfer before it was sent.",
    )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert_refused(
        lambda: act(complaint, "police_acceptance", changsha_officer, on=tomorrow),
        "This date cannot be in the future.",
    )
    # The day of the sending itself is a day the police may accept.
    assert act(complaint, "police_acceptance", changsha_officer, on=D(2026, 11, 14))
    # Their decision cannot come before their acceptance.
    complaint = act(complaint, "police_acceptance", changsha_officer, on=ACCEPTED)
    assert_refused(
        lambda: decide(complaint, changsha_officer, D(2026, 11, 15)),
        "The police cannot have decided before they accepted the transfer.",
    )
    assert Complaint.objects.get(pk=complaint.pk).police_accepted_on == ACCEPTED


# The page ---------------------------------------------------------------------------------------


def test_the_page_records_the_acceptance_and_flags_the_provisional_clock(changsha_officer):
    complaint = transferred(changsha_officer, sent_at=SENT)
    client = english_client(changsha_officer)
    url = reverse("complaints:act", args=[complaint.pk, "police_acceptance"])
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert url in page and PROVISIONAL in page
    response = client.post(
        url, {"police_acceptance-on": "2026-11-16", "police_acceptance-receipt_number": RECEIPT}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.police_accepted_on, complaint.police_receipt_number) == (ACCEPTED, RECEIPT)
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert RECEIPT in page and PROVISIONAL not in page
    assert ComplaintEvent.objects.filter(
        complaint=complaint, action="police_acceptance", public=False
    ).exists()
    # In Chinese, as the officers read it.
    complaint = transferred(changsha_officer, sent_at=SENT)
    page = base_client(changsha_officer).get(complaint.get_absolute_url()).content.decode()
    assert "按移送之日计，待公安机关受理回执" in page and "登记公安机关受理移送（回执）" in page


def test_the_page_refuses_a_date_in_the_future(changsha_officer):
    complaint = transferred(changsha_officer, sent_at=SENT)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = english_client(changsha_officer).post(
        reverse("complaints:act", args=[complaint.pk, "police_acceptance"]),
        {"police_acceptance-on": tomorrow.isoformat()},
        follow=True,
    )
    assert "This date cannot be in the future." in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).police_accepted_on is None


def test_another_prefecture_gets_404_from_the_page_as_for_no_complaint(
    changsha_officer, yueyang_officer
):
    complaint = transferred(changsha_officer, sent_at=SENT)
    client = english_client(yueyang_officer)
    data = {"police_acceptance-on": "2026-11-16"}
    for pk in (complaint.pk, 999999):
        url = reverse("complaints:act", args=[pk, "police_acceptance"])
        assert client.post(url, data).status_code == 404
    assert Complaint.objects.get(pk=complaint.pk).police_accepted_on is None


# The API ----------------------------------------------------------------------------------------


def post(user, pk, body):
    return english_client(user).post(
        reverse("api:complaint-police-acceptance", args=[pk]),
        body,
        content_type="application/json",
    )


def test_the_api_records_the_acceptance(changsha_officer):
    complaint = transferred(changsha_officer, sent_at=SENT)
    response = post(changsha_officer, complaint.pk, {"on": "2026-11-16", "receipt_number": RECEIPT})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["police_accepted_on"], data["police_receipt_number"]) == ("2026-11-16", RECEIPT)
    assert data["next_deadline"] == "2026-11-19"
    assert "police_acceptance" in data["available_actions"]
    clocks = english_client(changsha_officer).get(
        reverse("api:complaint-clocks", args=[complaint.pk])
    )
    filing = next(c for c in clocks.json() if c["limit"] == "police_filing_decision")
    assert (filing["due_on"], filing["provisional"]) == ("2026-11-19", False)


def test_the_api_refuses_out_of_scope_exactly_like_a_missing_id(changsha_officer, yueyang_officer):
    complaint = transferred(changsha_officer, sent_at=SENT)
    body = {"on": "2026-11-16"}
    out_of_scope = post(yueyang_officer, complaint.pk, body)
    missing = post(yueyang_officer, 999999, body)
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json()
    assert Complaint.objects.get(pk=complaint.pk).police_accepted_on is None


def test_the_api_refuses_before_sending_and_future_or_early_dates(changsha_officer):
    not_sent = act(register(changsha_officer), "accept", changsha_officer)
    assert post(changsha_officer, not_sent.pk, {"on": "2026-11-16"}).status_code == 400
    complaint = transferred(changsha_officer, sent_at=SENT)
    assert post(changsha_officer, complaint.pk, {}).json()["on"]
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    future = post(changsha_officer, complaint.pk, {"on": tomorrow})
    assert future.status_code == 400
    assert "This date cannot be in the future." in str(future.json())
    early = post(changsha_officer, complaint.pk, {"on": "2026-11-13"})
    assert early.status_code == 400
    assert "before it was sent" in str(early.json())
    assert Complaint.objects.get(pk=complaint.pk).police_accepted_on is None


def test_the_schema_documents_the_acceptance(province):
    schema = english_client(province).get(reverse("api-schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/complaints/{id}/police_acceptance/"]["post"]
    assert {"200", "400", "403", "404"} <= set(operation["responses"])
    body = schema["components"]["schemas"]["PoliceAcceptanceBody"]
    assert set(body["required"]) == {"on"} and "receipt_number" in body["properties"]
    assert "police_accepted_on" in schema["components"]["schemas"]["Complaint"]["properties"]


# The admin --------------------------------------------------------------------------------------


@pytest.fixture
def admin_officer(changsha_officer):
    """The Changsha officer given the admin and the model permission to open a complaint."""
    changsha_officer.is_staff = True
    changsha_officer.save()
    changsha_officer.user_permissions.add(Permission.objects.get(codename="change_complaint"))
    return changsha_officer


def admin_url(complaint):
    return reverse("admin:complaints_complaint_change", args=[complaint.pk])


def test_the_admin_records_the_acceptance_through_the_same_rules(admin_officer):
    complaint = transferred(admin_officer, sent_at=SENT)
    client = english_client(admin_officer)
    assert client.get(admin_url(complaint)).status_code == 200
    early = client.post(admin_url(complaint), {"accepted_on": "2026-11-13"})
    assert early.status_code == 200  # the form again, with the refusal
    assert "before it was sent" in str(early.context["adminform"].form.errors)
    assert Complaint.objects.get(pk=complaint.pk).police_accepted_on is None
    done = client.post(
        admin_url(complaint), {"accepted_on": "2026-11-16", "receipt_number": RECEIPT}
    )
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.police_accepted_on, complaint.police_receipt_number) == (ACCEPTED, RECEIPT)
    assert clock(complaint, "police_filing_decision").due_on == D(2026, 11, 19)


def test_the_admin_refuses_the_acceptance_of_a_transfer_not_sent(admin_officer):
    complaint = act(register(admin_officer), "accept", admin_officer)
    response = english_client(admin_officer).post(
        admin_url(complaint), {"accepted_on": "2026-11-16"}
    )
    assert response.status_code == 200
    assert "is not possible now" in str(response.context["adminform"].form.errors)
    assert Complaint.objects.get(pk=complaint.pk).police_accepted_on is None


def test_the_admin_finds_no_other_prefectures_complaint(admin_officer, yueyang_officer):
    yueyang = transferred(yueyang_officer, prefecture_id="430600", county_id=None, sent_at=SENT)
    client = english_client(admin_officer)
    missing = Complaint(pk=999999)
    # The admin answers a complaint out of scope as one that does not exist.
    for method in (client.get, client.post):
        out_of_scope = method(admin_url(yueyang), {"accepted_on": "2026-11-16"})
        absent = method(admin_url(missing), {"accepted_on": "2026-11-16"})
        assert (out_of_scope.status_code, out_of_scope.get("Location")) == (
            absent.status_code,
            absent.get("Location"),
        )
    assert Complaint.objects.get(pk=yueyang.pk).police_accepted_on is None


# The transfers list and its exports -------------------------------------------------------------


def test_the_list_and_exports_show_the_acceptance(changsha_officer, province):
    complaint = decide(accepted(changsha_officer), changsha_officer, D(2026, 11, 20))
    waiting = transferred(changsha_officer, sent_at=SENT)
    page = english_client(province).get(reverse("complaints:transfers")).content.decode()
    assert "Accepted by the police" in page and "2026-11-16" in page and RECEIPT in page
    assert PROVISIONAL in page  # the transfer still awaiting its receipt
    response = base_client(province).get(reverse("complaints:transfers_export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header = rows[0]
    by_reference = {row[0]: row for row in rows[1:]}
    row = by_reference[complaint.reference]
    assert row[header.index("公安机关受理日期")] == "2026-11-16"
    assert row[header.index("公安机关受理回执编号")] == RECEIPT
    assert row[header.index("公安机关逾期答复")] == "是"
    assert by_reference[waiting.reference][header.index("公安机关受理日期")] == ""
    assert services.police_transfers(province).get(pk=complaint.pk).police_late
