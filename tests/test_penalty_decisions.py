"""A penalty decision: against an organisation or a natural person (a former employee, AUCL
art. 9 para. 2 of 2019, art. 10 para. 2 of 2025), with its facts, the provisions in force on its
day, its content and its two amounts each in its own field — decided on the page, through the
API or by the services, the person's ID number masked everywhere but the decision, and exported
to the credit platform."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from complaints import services
from complaints.models import Complaint, CreditPush
from tsprotect.core.validators import make_ric, mask_ric

from .conftest import client_for

pytestmark = pytest.mark.django_db

# A former employee: an ID number with its check character (the birth date is real).
FORMER_EMPLOYEE = "刘某某"
ID_NUMBER = make_ric("430104", "19910512", "213")
CREDIT_CSV = reverse("complaints:credit_export")
BEFORE_REVISION = dt.date(2025, 10, 14)
REVISION = dt.date(2025, 10, 15)
PENALTY = {
    "penalty": True,
    "party_kind": "natural_person",
    "party_name": FORMER_EMPLOYEE,
    "party_id_number": ID_NUMBER,
    "facts": "当事人违反保密义务，将其掌握的配方试验数据披露给他人，违法所得一万五千元。",
    "content": "责令停止违法行为，没收违法所得一万五千元，并处罚款十万元。",
    "confiscated": Decimal("15000"),
    "fine": Decimal("100000"),
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def case_filed(officer, *, received_on, filed_on):
    """A complaint against a former employee (no company named), filed as a case."""
    complaint = services.create_complaint(
        Complaint(
            kind="complaint",
            channel="walk_in",
            prefecture_id="430100",
            county_id="430104",
            received_on=received_on,
            complainant_name="长沙湘江新材料有限公司",
            complainant_contact="0731-88886666",
            respondent_individuals="刘某，原研发部工程师，离职后出售配方试验数据。",
            secret_kind="formula",
            conduct=["breach_of_confidence"],
            description="原研发部工程师离职前拷贝配方试验数据并出售给他人。",
        ),
        officer,
    )
    complaint = services.transition(complaint, "accept", officer)
    return services.transition(
        complaint, "file_case", officer, case_number="长市监立〔2025〕9号", on=filed_on
    )


def decide(complaint, officer, on, **data):
    values = {**PENALTY, "decision_number": "长市监处罚〔2025〕12号", **data}
    return services.transition(
        complaint, "decide_case", officer, "经集体讨论决定。", on=on, **values
    )


def csv_rows(user):
    response = client_for(user).get(CREDIT_CSV)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_a_former_employee_is_penalised_published_and_exported_as_a_natural_person(
    changsha_officer,
):
    today = timezone.localdate()
    complaint = case_filed(
        changsha_officer, received_on=today - dt.timedelta(days=40), filed_on=today
    )
    complaint = decide(complaint, changsha_officer, today)
    push = CreditPush.objects.get(complaint=complaint)
    assert (push.party_kind, push.respondent_name, push.respondent_credit_code) == (
        "natural_person",
        FORMER_EMPLOYEE,
        "",
    )
    assert push.id_number == ID_NUMBER  # whole, for the decision itself
    assert (push.confiscated, push.fine) == (Decimal("15000.00"), Decimal("100000.00"))
    services.publish_penalty(complaint, changsha_officer, published_on=today)

    (row,) = csv_rows(changsha_officer)
    assert row["行政相对人名称"] == FORMER_EMPLOYEE
    assert row["行政相对人类别"] == "自然人"
    assert row["统一社会信用代码"] == ""
    assert row["证件类型"] == "身份证"
    assert row["证件号码"] == mask_ric(ID_NUMBER) != ID_NUMBER
    assert row["违法事实"] == PENALTY["facts"]
    assert row["处罚内容"] == PENALTY["content"]
    assert row["处罚类别"] == "罚款;没收违法所得"
    assert row["罚款金额（万元）"] == "10.000000"
    assert row["没收违法所得、没收非法财物的金额（万元）"] == "1.500000"
    assert row["处罚依据"] == "《中华人民共和国反不正当竞争法》（2025修订）第二十六条"
    assert ID_NUMBER not in ",".join(row.values())


def test_a_decision_cites_the_article_of_the_version_in_force_on_its_day(changsha_officer):
    before = case_filed(
        changsha_officer, received_on=dt.date(2025, 9, 1), filed_on=dt.date(2025, 9, 10)
    )
    after = case_filed(
        changsha_officer, received_on=dt.date(2025, 9, 2), filed_on=dt.date(2025, 9, 11)
    )
    decide(before, changsha_officer, BEFORE_REVISION, decision_number="长市监处罚〔2025〕1号")
    decide(after, changsha_officer, REVISION, decision_number="长市监处罚〔2025〕2号")

    old, new = (CreditPush.objects.get(complaint=c) for c in (before, after))
    assert (old.provision.version, old.provision.article) == ("2019修正", "第二十一条")
    assert old.basis == "《中华人民共和国反不正当竞争法》（2019修正）第二十一条"
    assert (new.provision.version, new.provision.article) == ("2025修订", "第二十六条")
    by_number = {r["行政处罚决定书文号"]: r["处罚依据"] for r in csv_rows(changsha_officer)}
    assert by_number == {"长市监处罚〔2025〕1号": old.basis, "长市监处罚〔2025〕2号": new.basis}


def test_a_natural_person_needs_no_credit_code_but_a_valid_id_number(changsha_officer):
    today = timezone.localdate()
    complaint = case_filed(changsha_officer, received_on=today, filed_on=today)
    with pytest.raises(ValidationError) as missing:
        decide(complaint, changsha_officer, today, party_id_number="")
    assert missing.value.message_dict == {
        "party_id_number": ["A natural person is identified by the ID number."]
    }
    wrong = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    with pytest.raises(ValidationError) as refused:
        decide(complaint, changsha_officer, today, party_id_number=wrong)
    assert "check character" in " ".join(refused.value.message_dict["party_id_number"])
    # Refused: nothing written, the case still open for its decision.
    assert Complaint.objects.get(pk=complaint.pk).state == "case_filed"
    assert not CreditPush.objects.exists()
    decide(complaint, changsha_officer, today, party_id_number=ID_NUMBER.lower())
    assert CreditPush.objects.get().id_number == ID_NUMBER


def test_a_penalty_needs_its_facts_and_its_content_apart_from_the_note(changsha_officer):
    today = timezone.localdate()
    complaint = case_filed(changsha_officer, received_on=today, filed_on=today)
    with pytest.raises(ValidationError) as refused:
        decide(complaint, changsha_officer, today, facts="", content="", fine=Decimal("-1"))
    assert set(refused.value.message_dict) == {"facts", "content", "fine"}


def test_an_organisation_is_penalised_by_its_credit_code_and_a_person_by_no_credit_code(
    changsha_officer, changsha_other_county_enterprise
):
    today = timezone.localdate()
    complaint = case_filed(changsha_officer, received_on=today, filed_on=today)
    with pytest.raises(ValidationError) as refused:
        decide(complaint, changsha_officer, today, party_kind="organisation", party_id_number="")
    assert "unified social credit code" in " ".join(refused.value.messages)
    decide(
        complaint,
        changsha_officer,
        today,
        party_kind="individual_business",
        party_name=changsha_other_county_enterprise.name,
        party_credit_code=changsha_other_county_enterprise.uscc,
        party_id_number="",
    )
    push = CreditPush.objects.get()
    assert (push.party_kind, push.respondent_credit_code, push.id_number) == (
        "individual_business",
        changsha_other_county_enterprise.uscc,
        "",
    )
    (row,) = csv_rows(changsha_officer)
    assert row["行政相对人类别"] == "个体工商户" and row["证件类型"] == ""


def test_the_page_decides_against_a_person_and_shows_the_id_number_masked(changsha_officer):
    today = timezone.localdate()
    complaint = case_filed(changsha_officer, received_on=today, filed_on=today)
    officer = client_for(changsha_officer)
    page = officer.get(complaint.get_absolute_url()).content.decode()
    assert 'name="decide_case-party_id_number"' in page
    fields = {**PENALTY, "penalty": "on", "on": today.isoformat(), "note": "经集体讨论决定。"}
    fields["decision_number"] = "长市监处罚〔2026〕40号"
    response = officer.post(
        reverse("complaints:act", args=[complaint.pk, "decide_case"]),
        {f"decide_case-{k}": v for k, v in fields.items()},
        follow=True,
    )
    assert response.status_code == 200
    push = CreditPush.objects.get(complaint=complaint)
    assert push.party_kind == "natural_person" and push.id_number == ID_NUMBER
    page = response.content.decode()
    assert mask_ric(ID_NUMBER) in page and ID_NUMBER not in page
    assert "第二十六条" in page and PENALTY["facts"] in page
    credit_list = officer.get(reverse("complaints:credit")).content.decode()
    assert mask_ric(ID_NUMBER) in credit_list and ID_NUMBER not in credit_list


def test_the_api_decides_against_a_person_and_never_returns_the_id_number(changsha_officer):
    today = timezone.localdate()
    complaint = case_filed(changsha_officer, received_on=today, filed_on=today)
    body = {
        **{k: str(v) if isinstance(v, Decimal) else v for k, v in PENALTY.items()},
        "note": "经集体讨论决定。",
        "on": today.isoformat(),
        "decision_number": "长市监处罚〔2026〕41号",
    }
    address = reverse("api:complaint-decide-case", args=[complaint.pk])
    response = client_for(changsha_officer).post(address, body, content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["confiscated"] == "15000.00" and data["fine"] == "100000.00"
    decision = data["penalty_decision"]
    assert decision["party_kind"] == "natural_person" and decision["credit_code"] == ""
    assert decision["id_number"] == mask_ric(ID_NUMBER)
    assert (decision["facts"], decision["content"]) == (PENALTY["facts"], PENALTY["content"])
    assert decision["basis"].endswith("第二十六条") and decision["confiscated"] == "15000.00"
    assert ID_NUMBER not in response.content.decode()
    assert CreditPush.objects.get(complaint=complaint).id_number == ID_NUMBER


def test_the_api_refuses_a_bad_id_number_by_its_field(changsha_officer):
    today = timezone.localdate()
    complaint = case_filed(changsha_officer, received_on=today, filed_on=today)
    address = reverse("api:complaint-decide-case", args=[complaint.pk])
    body = {
        "note": "经集体讨论决定。",
        "on": today.isoformat(),
        "penalty": True,
        "decision_number": "长市监处罚〔2026〕42号",
        "party_kind": "natural_person",
        "party_name": FORMER_EMPLOYEE,
        "party_id_number": "430104199113512130",
        "facts": "事实",
        "content": "罚款",
    }
    response = client_for(changsha_officer).post(address, body, content_type="application/json")
    assert response.status_code == 400
    assert "party_id_number" in response.json()
    assert not CreditPush.objects.exists()


def test_the_admin_shows_the_decision_without_the_whole_id_number(changsha_officer, province):
    today = timezone.localdate()
    complaint = case_filed(changsha_officer, received_on=today, filed_on=today)
    decide(complaint, changsha_officer, today)
    push = CreditPush.objects.get()
    page = client_for(province).get(reverse("admin:complaints_creditpush_change", args=[push.pk]))
    assert page.status_code == 200
    assert mask_ric(ID_NUMBER) in page.content.decode()
    assert ID_NUMBER not in page.content.decode()


def test_another_prefecture_cannot_export_or_see_the_decision(changsha_officer, yueyang_officer):
    today = timezone.localdate()
    complaint = case_filed(changsha_officer, received_on=today, filed_on=today)
    decide(complaint, changsha_officer, today)
    assert csv_rows(yueyang_officer) == []
    assert client_for(yueyang_officer).get(complaint.get_absolute_url()).status_code == 404


def test_the_decision_shows_the_whole_id_number_to_those_handling_it_only(
    changsha_officer, yuelu_officer, province, yueyang_officer, enterprise_user
):
    today = timezone.localdate()
    complaint = case_filed(changsha_officer, received_on=today, filed_on=today)
    decide(complaint, changsha_officer, today)
    address = reverse("complaints:decision", args=[complaint.pk])
    for handler in (changsha_officer, yuelu_officer, province):
        page = client_for(handler).get(address)
        assert page.status_code == 200
        assert ID_NUMBER in page.content.decode() and PENALTY["facts"] in page.content.decode()
    assert client_for(yueyang_officer).get(address).status_code == 404
    assert client_for(enterprise_user).get(address).status_code == 404
    detail = client_for(changsha_officer).get(complaint.get_absolute_url()).content.decode()
    assert address in detail and ID_NUMBER not in detail


def test_a_case_without_a_penalty_has_no_decision_page(changsha_officer):
    today = timezone.localdate()
    complaint = case_filed(changsha_officer, received_on=today, filed_on=today)
    services.transition(complaint, "decide_case", changsha_officer, "责令改正。", on=today)
    address = reverse("complaints:decision", args=[complaint.pk])
    assert client_for(changsha_officer).get(address).status_code == 404


def decision_page(officer, complaint):
    page = client_for(officer).get(reverse("complaints:decision", args=[complaint.pk]))
    assert page.status_code == 200
    return page.content.decode()


AUCL = "《中华人民共和国反不正当竞争法》"
UNCHECKED = "条文序号尚未与官方文本核对"  # the warning badge, as the (Chinese) page shows it


@pytest.mark.parametrize(
    "decided_on, infringed, penalty",
    [
        (dt.date(2025, 11, 1), "（2025修订）第十条第一款", "（2025修订）第二十六条"),
        (dt.date(2025, 10, 14), "（2019修正）第九条第一款", "（2019修正）第二十一条"),
    ],
)
def test_a_decision_against_a_business_cites_the_paragraph_infringed_and_the_penalty_of_its_day(
    changsha_officer, changsha_other_county_enterprise, decided_on, infringed, penalty
):
    complaint = case_filed(
        changsha_officer, received_on=dt.date(2025, 9, 1), filed_on=dt.date(2025, 9, 10)
    )
    decide(
        complaint,
        changsha_officer,
        decided_on,
        party_kind="organisation",
        party_name=changsha_other_county_enterprise.name,
        party_credit_code=changsha_other_county_enterprise.uscc,
        party_id_number="",
    )
    push = CreditPush.objects.get(complaint=complaint)
    assert push.basis == AUCL + penalty
    assert push.infringed_provision.citation == AUCL + infringed
    page = decision_page(changsha_officer, complaint)
    assert AUCL + infringed in page and AUCL + penalty in page
    assert UNCHECKED not in page  # both versions are checked rows
    handler = client_for(changsha_officer).get(complaint.get_absolute_url()).content.decode()
    assert AUCL + infringed in handler and UNCHECKED not in handler


def test_a_natural_person_infringes_the_second_paragraph(changsha_officer):
    complaint = case_filed(
        changsha_officer, received_on=dt.date(2025, 9, 1), filed_on=dt.date(2025, 9, 10)
    )
    decide(complaint, changsha_officer, dt.date(2025, 11, 1))
    page = decision_page(changsha_officer, complaint)
    assert AUCL + "（2025修订）第十条第二款" in page and "第十条第一款" not in page


def test_a_provision_not_yet_checked_still_shows_its_warning_on_the_decision(changsha_officer):
    from tsprotect.legal.models import Provision

    complaint = case_filed(
        changsha_officer, received_on=dt.date(2025, 9, 1), filed_on=dt.date(2025, 9, 10)
    )
    decide(complaint, changsha_officer, dt.date(2025, 11, 1))
    assert UNCHECKED not in decision_page(changsha_officer, complaint)
    Provision.objects.filter(key="aucl.trade_secret_penalty", version="2025修订").update(
        confirmed=False
    )
    assert decision_page(changsha_officer, complaint).count(UNCHECKED) == 1
