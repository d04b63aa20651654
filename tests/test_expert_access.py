"""Experts' access to what they are consulted on or review: refused where an interest conflicts,
withdrawn when the work ends (the complaint closes, the officer ends the consultation, the
review of an application ends), and a record kept of who had access, from when, granted by
whom, until when and why."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from complaints import services
from complaints.models import Complaint, EvidenceFile, InvestigationStep
from demonstrations import services as demonstrations
from demonstrations.models import DemonstrationApplication, ExpertAssignment
from tsprotect.accounts.models import ExpertProfile, Role, User
from tsprotect.core.models import AccessGrant
from tsprotect.core.uploads import check_upload

from .conftest import english_client_for as client_for
from .conftest import make_uscc, make_user
from .test_demonstration_workflow import file_application, review_all, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RESPONDENT = "长沙仿芯电子有限公司"
RESPONDENT_USCC = make_uscc("430104", "MA4L0R7T6")


def today():
    return timezone.localdate()


def reload(user):
    return User.objects.get(pk=user.pk)


def make_expert(username, employer="", employer_uscc=""):
    user = make_user(username, Role.EXPERT)
    ExpertProfile.objects.create(user=user, employer=employer, employer_uscc=employer_uscc)
    return reload(user)


def accepted(officer, **fields):
    uploaded = ContentFile(PDF, name="图纸比对.pdf")
    values = {
        "kind": "complaint",
        "channel": "12315",
        "prefecture_id": "430100",
        "county_id": "430104",
        "received_on": today() - dt.timedelta(days=2),
        "complainant_name": "长沙湘江新材料有限公司",
        "complainant_contact": "0731-88886666",
        "respondent_name": RESPONDENT,
        "respondent_credit_code": RESPONDENT_USCC,
        "secret_kind": "technical",
        "description": "前技术总监带走工艺图纸。",
        **fields,
    }
    complaint = services.create_complaint(
        Complaint(**values), officer, evidence=[(uploaded, check_upload(uploaded), "图纸")]
    )
    return services.transition(complaint, "accept", officer)


def consult(complaint, officer, *experts):
    return services.log_step(
        complaint,
        officer,
        kind="expert",
        happened_on=today(),
        actions="请专家比对图纸。",
        experts=list(experts),
    )


def reaches(expert, complaint):
    expert = reload(expert)
    return Complaint.objects.restrict(expert, "view").filter(pk=complaint.pk).exists()


def close(complaint, officer):
    services.transition(complaint, "mediate", officer, "双方和解。")
    services.transition(complaint, "feedback", officer, "已电话告知。", method="phone")
    return services.transition(complaint, "close", officer)


def refusal(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return " ".join(caught.value.messages)


# Conflicts of interest ------------------------------------------------------------------------


def test_an_expert_working_for_the_respondent_is_not_consulted(changsha_officer):
    complaint = accepted(changsha_officer)
    insider = make_expert("expert_r", "仿芯电子", RESPONDENT_USCC)
    message = refusal(lambda: consult(complaint, changsha_officer, insider))
    assert f"works for {RESPONDENT}, a party to the complaint" in message
    assert not InvestigationStep.objects.filter(complaint=complaint).exists()
    assert not reaches(insider, complaint)
    assert not AccessGrant.objects.exists()


def test_an_expert_working_for_the_complainant_is_not_consulted(
    changsha_officer, changsha_enterprise
):
    by_name = accepted(changsha_officer, complainant_enterprise=None)
    insider = make_expert("expert_c", "长沙湘江新材料有限公司")
    assert "a party to the complaint" in refusal(
        lambda: consult(by_name, changsha_officer, insider)
    )
    in_directory = accepted(changsha_officer, complainant_enterprise=changsha_enterprise)
    staff = make_expert("expert_d", "麓谷芯片", changsha_enterprise.uscc)
    assert "a party to the complaint" in refusal(
        lambda: consult(in_directory, changsha_officer, staff)
    )
    assert not reaches(insider, by_name) and not reaches(staff, in_directory)


def test_two_experts_of_one_employer_are_not_consulted_on_one_complaint(changsha_officer):
    complaint = accepted(changsha_officer)
    university = make_uscc("430104", "MA4Q0U1W2")
    first = make_expert("expert_a", "湖南大学", university)
    colleague = make_expert("expert_b", "湖南大学", university)
    message = refusal(lambda: consult(complaint, changsha_officer, first, colleague))
    assert "works for the same employer as" in message
    assert not reaches(first, complaint)

    consult(complaint, changsha_officer, first)
    assert "works for the same employer as" in refusal(
        lambda: consult(complaint, changsha_officer, colleague)
    )
    # Once the first consultation ended, the colleague may be consulted.
    services.end_consultation(complaint, first, changsha_officer)
    consult(complaint, changsha_officer, colleague)
    assert reaches(colleague, complaint) and not reaches(first, complaint)


# Access withdrawn, its record kept ------------------------------------------------------------


def test_closing_the_complaint_withdraws_the_experts_access(changsha_officer, expert):
    complaint = accepted(changsha_officer)
    evidence_url = reverse("complaints:evidence", args=[complaint.evidence.get().pk])
    consult(complaint, changsha_officer, expert)
    assert client_for(expert).get(evidence_url).status_code == 200

    close(complaint, changsha_officer)

    expert = reload(expert)
    assert not expert.has_perm("complaints.consult_complaint", complaint)
    assert not reaches(expert, complaint)
    assert not EvidenceFile.objects.restrict(expert, "view").exists()
    assert client_for(expert).get(evidence_url).status_code == 404
    assert client_for(expert).get(complaint.get_absolute_url()).status_code == 404
    # An expert consulted on nothing has no complaint list at all.
    assert client_for(expert).get(reverse("complaints:list")).status_code == 403
    assert client_for(expert).get(reverse("api:complaint-list")).status_code == 403

    [grant] = AccessGrant.objects.all()
    assert (grant.user, grant.granted_by, grant.revoke_reason) == (
        expert,
        changsha_officer,
        AccessGrant.Ending.CLOSED,
    )
    assert grant.granted_at <= grant.revoked_at


def test_a_grant_from_before_the_record_is_withdrawn_at_closing_too(changsha_officer, expert):
    complaint = accepted(changsha_officer)
    assign_perm("complaints.consult_complaint", expert, complaint)
    assert reaches(expert, complaint)
    close(complaint, changsha_officer)
    assert not reaches(expert, complaint)


def test_the_officer_ends_a_consultation_and_the_page_keeps_who_had_access(
    changsha_officer, yueyang_officer, expert
):
    complaint = accepted(changsha_officer)
    other = make_expert("expert_other", "湖南师范大学")
    consult(complaint, changsha_officer, expert, other)
    end = reverse("complaints:end_consultation", args=[complaint.pk, expert.pk])
    page = client_for(changsha_officer).get(complaint.get_absolute_url()).content.decode()
    assert end in page

    # Neither another bureau nor the expert ends it.
    assert client_for(yueyang_officer).post(end).status_code == 404
    client_for(other).post(end)
    assert reaches(expert, complaint)

    response = client_for(changsha_officer).post(end, follow=True)
    assert response.status_code == 200
    assert not reaches(expert, complaint)
    assert reaches(other, complaint)
    grant = AccessGrant.objects.get(user=expert)
    assert grant.revoke_reason == AccessGrant.Ending.ENDED
    assert grant.revoked_by == changsha_officer
    assert "consult_expert_end" in set(complaint.events.values_list("action", flat=True))

    page = client_for(changsha_officer).get(complaint.get_absolute_url())
    history = list(page.context["access_grants"])
    assert {(g.user, g.revoked_at is None) for g in history} == {(expert, False), (other, True)}
    html = page.content.decode()
    assert str(expert) in html and "Ended by the officer in charge" in html
    # The expert consulted does not see who else is.
    expert_page = client_for(other).get(complaint.get_absolute_url())
    assert "access_grants" not in expert_page.context


# Demonstrations: the review ends, the reviewers' access too ----------------------------------


@pytest.fixture
def panel(regions):
    return [
        make_expert(f"expert{n}", f"湖南第{n}大学", make_uscc("430104", f"MA4Q0{n}X9Y"))
        for n in range(2, 5)
    ]


@pytest.fixture
def under_review(enterprise_user, changsha_enterprise, changsha_officer, panel, province):
    application = file_application(enterprise_user, changsha_enterprise)
    submitted(application, enterprise_user)
    demonstrations.transition(application, "recommend", changsha_officer)
    return demonstrations.assign_experts(application, panel, province)


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_reviewers_lose_the_application_once_it_is_decided(
    under_review, panel, province, decision
):
    reviewers = panel[:3]
    review_all(under_review, reviewers)
    for reviewer in reviewers:
        assert DemonstrationApplication.objects.restrict(reload(reviewer), "view").exists()

    demonstrations.transition(under_review, decision, province, "专家评审结论。")

    for reviewer in reviewers:
        reviewer = reload(reviewer)
        assert not reviewer.has_perm("demonstrations.review_application", under_review)
        assert not DemonstrationApplication.objects.restrict(reviewer, "view").exists()
        detail = reverse("demonstrations:detail", args=[under_review.pk])
        assert client_for(reviewer).get(detail).status_code == 404
    grants = AccessGrant.objects.filter(user__in=reviewers)
    assert grants.count() == 3
    assert {g.revoke_reason for g in grants} == {AccessGrant.Ending.REVIEW_ENDED}
    assert {g.granted_by for g in grants} == {province}
    # The reviews given stay with the application.
    assert ExpertAssignment.objects.filter(application=under_review, total__isnull=False).count()

    page = client_for(province).get(reverse("demonstrations:detail", args=[under_review.pk]))
    assert {g.user for g in page.context["access_grants"]} == set(reviewers)


def test_a_withdrawn_reviewer_leaves_a_record(under_review, panel, province):
    assignment = ExpertAssignment.objects.get(application=under_review, expert=panel[0])
    demonstrations.unassign_expert(assignment, province)
    grant = AccessGrant.objects.get(user=panel[0])
    assert grant.revoke_reason == AccessGrant.Ending.WITHDRAWN
    assert grant.revoked_by == province


# What the migrations leave of earlier grants and hand-overs -----------------------------------


def _migration(app, name):
    import importlib

    return importlib.import_module(f"{app}.migrations.{name}")


def test_the_migrations_record_earlier_grants_and_withdraw_the_finished_ones(
    changsha_officer, yuelu_officer, expert, province
):
    from django.apps import apps as django_apps

    from complaints.models import JurisdictionTransfer
    from tsprotect.regions.models import Prefecture

    still_open = accepted(changsha_officer)
    consult(still_open, changsha_officer, expert)
    finished = accepted(changsha_officer)
    close(finished, changsha_officer)
    # As before the record was kept: bare guardian grants, no record.
    AccessGrant.objects.all().delete()
    assign_perm("complaints.consult_complaint", expert, finished)
    by_county = accepted(yuelu_officer)
    by_prefecture = accepted(changsha_officer)
    yueyang = Prefecture.objects.get(pk="430600")
    services.transfer_jurisdiction(by_county, yueyang, yuelu_officer, "属地管辖")
    services.transfer_jurisdiction(by_prefecture, yueyang, changsha_officer, "属地管辖")
    JurisdictionTransfer.objects.update(from_county=None)

    migration = _migration("complaints", "0006_trace_county_and_expert_grants")
    migration.fill_transfer_counties(django_apps, None)
    migration.record_expert_grants(django_apps, None)

    counties = dict(JurisdictionTransfer.objects.values_list("complaint", "from_county"))
    assert counties == {by_county.pk: "430104", by_prefecture.pk: None}
    assert reaches(expert, still_open) and not reaches(expert, finished)
    kept = AccessGrant.objects.get(object_pk=str(still_open.pk))
    assert (kept.granted_by, kept.revoked_at) == (changsha_officer, None)
    ended = AccessGrant.objects.get(object_pk=str(finished.pk))
    assert ended.revoke_reason == AccessGrant.Ending.CLOSED and ended.revoked_at is not None


def test_the_migration_withdraws_reviewers_of_applications_already_decided(
    under_review, panel, province
):
    from django.apps import apps as django_apps

    review_all(under_review, panel)
    DemonstrationApplication.objects.filter(pk=under_review.pk).update(state="approved")
    AccessGrant.objects.all().delete()  # as before the record was kept

    _migration("demonstrations", "0002_review_grants").record_review_grants(django_apps, None)

    for reviewer in panel:
        assert not DemonstrationApplication.objects.restrict(reload(reviewer), "view").exists()
    grants = AccessGrant.objects.all()
    assert grants.count() == 3
    assert {(g.granted_by, g.revoke_reason) for g in grants} == {
        (province, AccessGrant.Ending.REVIEW_ENDED)
    }
