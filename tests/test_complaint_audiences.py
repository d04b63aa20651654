"""What each audience of a complaint receives (``workflow.AUDIENCES``): the bureau handling it,
a consulted expert, a bureau that handed it on (its trace) and the complainant — the fields, the
events and the searchable fields, the same through the pages, the API and the queue search. And a
trace carries the county that handed the complaint on: a county officer sees its own county's."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, JurisdictionTransfer
from complaints.workflow import AUDIENCES
from tsprotect.accounts.models import Role
from tsprotect.regions.models import Prefecture

from .conftest import english_client_for as client_for
from .conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API_LIST = reverse("api:complaint-list")
PAGE_LIST = reverse("complaints:list")
COMPLAINANT = "长沙麓谷芯片科技有限公司"  # the enterprise persona's name
CONTACT = "0731-85550000"
INDIVIDUALS = "张三，原研发部经理，现任职于竞争对手"
DESCRIPTION_WORD = "独门蚀刻工艺"
INTERNAL_NOTE = "内部研判：先核实权属"
FEEDBACK = "已电话告知调解结果"
IDENTITY = {"complainant_name", "complainant_contact", "complainant_credit_code", "anonymous"}
SECRETS = IDENTITY | {"respondent_individuals", "penalty_decision", "feedback", "feedback_at"}


def today():
    return timezone.localdate()


def register(officer, **fields):
    values = {
        "kind": "complaint",
        "channel": "12315",
        "prefecture_id": "430100",
        "county_id": "430104",
        "received_on": today() - dt.timedelta(days=2),
        "complainant_name": "长沙湘江新材料有限公司",
        "complainant_contact": CONTACT,
        "respondent_name": "长沙某某科技有限公司",
        "respondent_individuals": INDIVIDUALS,
        "secret_kind": "technical",
        "description": f"前研发部经理带走{DESCRIPTION_WORD}的全部图纸。",
        **fields,
    }
    return services.create_complaint(Complaint(**values), officer)


def hand_on(complaint, officer, to="430600"):
    return services.transfer_jurisdiction(
        complaint, Prefecture.objects.get(pk=to), officer, "侵权行为地在外市"
    )


@pytest.fixture
def worked(changsha_officer, yueyang_officer, expert, changsha_enterprise):
    """A complaint of 岳麓区 by the enterprise persona: accepted with an internal note, an expert
    consulted, handed to 岳阳, mediated there and the complainant told."""
    complaint = register(
        changsha_officer,
        complainant_enterprise=changsha_enterprise,
        complainant_name="",
        estimated_loss=Decimal("456789.00"),
    )
    services.transition(complaint, "accept", changsha_officer, INTERNAL_NOTE)
    services.log_step(
        complaint,
        changsha_officer,
        kind="expert",
        happened_on=today(),
        actions="请专家比对图纸。",
        experts=[expert],
    )
    hand_on(complaint, changsha_officer)
    services.transition(complaint, "mediate", yueyang_officer, "双方达成和解。")
    services.transition(complaint, "feedback", yueyang_officer, FEEDBACK, method="phone")
    return Complaint.objects.get(pk=complaint.pk)


def api(user, complaint, action=None):
    name = f"api:complaint-{action}" if action else "api:complaint-detail"
    return client_for(user).get(reverse(name, args=[complaint.pk]))


def searched(user, value):
    """References the API queue and the queue page find for ``value``."""
    from_api = client_for(user).get(API_LIST, {"search": value}).json()["results"]
    page = client_for(user).get(PAGE_LIST, {"q": value})
    from_page = [c.reference for c in page.context["complaint_list"]]
    assert sorted(r["reference"] for r in from_api) == sorted(from_page)
    return from_page


# One table --------------------------------------------------------------------------------------


def test_each_audience_is_declared_once_with_its_fields_events_and_search():
    assert set(AUDIENCES) == {"handler", "expert", "trace", "complainant"}
    for name in ("expert", "trace"):
        audience = AUDIENCES[name]
        assert not SECRETS & set(audience.fields)
        assert not audience.event_notes
        assert not {"description", "complainant_name"} & {
            lookup.split("__")[0] for lookup in audience.search
        }
        assert not any("complainant" in lookup for lookup in audience.search)
    assert SECRETS <= set(AUDIENCES["handler"].fields)


# The API ------------------------------------------------------------------------------------------


def test_experts_and_traces_get_no_feedback_individuals_or_identity(
    worked, changsha_officer, yueyang_officer, expert
):
    handler = api(yueyang_officer, worked).json()
    assert handler["audience"] == "handler"
    assert handler["respondent_individuals"] == INDIVIDUALS
    assert handler["feedback"] == FEEDBACK

    for user, name in ((expert, "expert"), (changsha_officer, "trace")):
        response = api(user, worked)
        data = response.json()
        assert data["audience"] == name
        assert set(data) == set(AUDIENCES[name].fields)
        assert not SECRETS & set(data)
        body = response.content.decode()
        for secret in (INDIVIDUALS, FEEDBACK, COMPLAINANT, CONTACT):
            assert secret not in body


def test_experts_and_traces_read_the_history_without_its_notes(
    worked, changsha_officer, yueyang_officer, expert
):
    full = api(yueyang_officer, worked, "events").content.decode()
    assert INTERNAL_NOTE in full and FEEDBACK in full

    for user in (expert, changsha_officer):
        response = api(user, worked, "events")
        assert response.status_code == 200
        events = response.json()
        assert "accept" in {e["action"] for e in events}
        assert all("note" not in e for e in events)
        body = response.content.decode()
        assert INTERNAL_NOTE not in body and FEEDBACK not in body


# The queue search -----------------------------------------------------------------------------


def test_the_search_confirms_no_complainant_to_experts_and_traces(
    worked, changsha_officer, yueyang_officer, expert
):
    reference = worked.reference
    for value in (COMPLAINANT, "麓谷芯片", DESCRIPTION_WORD):
        assert searched(yueyang_officer, value) == [reference]
        assert searched(expert, value) == []
        assert searched(changsha_officer, value) == []
    # What they do see is still found.
    for user in (yueyang_officer, expert, changsha_officer):
        assert searched(user, reference) == [reference]
        assert searched(user, "某某科技") == [reference]


def test_the_bureau_still_searches_its_own_complaints_by_complainant_and_description(
    worked, changsha_officer, changsha_enterprise
):
    own = register(
        changsha_officer, complainant_enterprise=changsha_enterprise, complainant_name=""
    )
    # 长沙 handles ``own`` and keeps a trace of ``worked``: only its own matches.
    assert searched(changsha_officer, COMPLAINANT) == [own.reference]
    assert searched(changsha_officer, DESCRIPTION_WORD) == [own.reference]


# The pages --------------------------------------------------------------------------------------


def test_the_pages_of_experts_and_traces_follow_the_table(
    worked, changsha_officer, yueyang_officer, expert
):
    handler = client_for(yueyang_officer).get(worked.get_absolute_url()).content.decode()
    assert INDIVIDUALS in handler and FEEDBACK in handler and INTERNAL_NOTE in handler

    expert_page = client_for(expert).get(worked.get_absolute_url()).content.decode()
    assert DESCRIPTION_WORD in expert_page  # the facts the expert is consulted on
    trace_page = client_for(changsha_officer).get(worked.get_absolute_url()).content.decode()
    for page in (expert_page, trace_page):
        for secret in (INDIVIDUALS, FEEDBACK, INTERNAL_NOTE, COMPLAINANT, CONTACT):
            assert secret not in page


# Exports --------------------------------------------------------------------------------------


def test_the_export_gives_a_trace_only_the_facts_of_a_trace(
    worked, changsha_officer, yueyang_officer
):
    def exported(user):
        response = client_for(user).get(reverse("complaints:export", args=["csv"]))
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return {row["Reference number"]: row for row in csv.DictReader(io.StringIO(text))}

    handled = exported(yueyang_officer)[worked.reference]
    assert handled["Estimated loss (yuan)"] == "456789.00"
    assert handled["Outcome"]
    traced = exported(changsha_officer)[worked.reference]
    assert traced["Respondent"] == "长沙某某科技有限公司"
    assert traced["Estimated loss (yuan)"] == traced["Outcome"] == ""


# Traces carry their county --------------------------------------------------------------------


def test_a_county_officer_sees_the_traces_of_its_own_countys_hand_overs_only(
    changsha_officer, yuelu_officer
):
    yuelu = hand_on(register(changsha_officer, county_id="430104"), changsha_officer)
    changsha_county = hand_on(register(changsha_officer, county_id="430121"), changsha_officer)
    no_county = hand_on(register(changsha_officer, county_id=None), changsha_officer)
    assert JurisdictionTransfer.objects.get(complaint=yuelu).from_county_id == "430104"
    assert JurisdictionTransfer.objects.get(complaint=changsha_county).from_county_id == "430121"
    assert JurisdictionTransfer.objects.get(complaint=no_county).from_county_id is None

    assert list(Complaint.objects.restrict(yuelu_officer, "view")) == [yuelu]
    assert set(Complaint.objects.restrict(changsha_officer, "view")) == {
        yuelu,
        changsha_county,
        no_county,
    }
    assert client_for(yuelu_officer).get(changsha_county.get_absolute_url()).status_code == 404
    assert api(yuelu_officer, changsha_county).status_code == 404
    assert client_for(yuelu_officer).get(yuelu.get_absolute_url()).status_code == 200


def test_a_county_officer_handing_on_records_its_county(yuelu_officer, changsha_officer):
    complaint = hand_on(register(yuelu_officer), yuelu_officer)
    transfer = JurisdictionTransfer.objects.get(complaint=complaint)
    assert (transfer.from_prefecture_id, transfer.from_county_id) == ("430100", "430104")
    colleague = make_user("officer_430121", Role.COUNTY_OFFICER, "430100", "430121")
    assert not Complaint.objects.restrict(colleague, "view").exists()
    assert list(Complaint.objects.restrict(yuelu_officer, "view")) == [complaint]
