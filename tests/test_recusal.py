"""Recusal (回避): an expert declares a conflict of interest on a review assignment or a
consultation and leaves it; an assignment or consultation the conflict check refuses is logged
too. Both with their reason, in the application's or the complaint's log. Demonstrations and
complaints run the one check of ``tsprotect.core.conflicts``."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from complaints import services as complaints
from complaints.models import ComplaintEvent, InvestigationStep
from complaints.models import Recusal as ConsultationRecusal
from demonstrations import services as demonstrations
from demonstrations.models import ApplicationEvent, ExpertAssignment
from demonstrations.models import Recusal as ReviewRecusal
from tsprotect.accounts.models import ExpertProfile, Role
from tsprotect.core import conflicts
from tsprotect.core.models import AccessGrant
from tsprotect.notifications.models import Notification

from .conftest import client_for, english_client_for, make_user
from .test_demonstration_workflow import file_application, submitted
from .test_expert_access import RESPONDENT, RESPONDENT_USCC, accepted, consult, reaches, reload

pytestmark = pytest.mark.django_db

REASON = "本人曾担任该企业的技术顾问，与其存在利害关系。"


def make_expert(username, employer="", employer_uscc=""):
    user = make_user(username, Role.EXPERT)
    ExpertProfile.objects.create(user=user, employer=employer, employer_uscc=employer_uscc)
    return reload(user)


@pytest.fixture
def panel(regions):
    return [make_expert(f"reviewer{n}", f"湖南第{n}大学") for n in range(3)]


@pytest.fixture
def under_review(enterprise_user, changsha_enterprise, changsha_officer, panel, province):
    application = file_application(enterprise_user, changsha_enterprise)
    submitted(application, enterprise_user)
    demonstrations.transition(application, "recommend", changsha_officer)
    return demonstrations.assign_experts(application, panel, province)


# Demonstrations ------------------------------------------------------------------------------


def test_an_expert_recuses_from_a_review_on_the_page_and_it_is_logged(
    under_review, panel, province, enterprise_user
):
    expert = panel[0]
    url = reverse("demonstrations:recuse", args=[under_review.pk])
    client = client_for(expert)
    assert client.get(url).status_code == 200

    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 200 and not ReviewRecusal.objects.exists()

    response = client.post(url, {"reason": REASON})
    assert response.status_code == 302

    recusal = ReviewRecusal.objects.get()
    assert (recusal.application, recusal.expert, recusal.reason) == (under_review, expert, REASON)
    assert not ExpertAssignment.objects.filter(application=under_review, expert=expert).exists()
    event = ApplicationEvent.objects.get(application=under_review, action="recusal")
    assert event.actor == expert and REASON in event.note
    grant = AccessGrant.objects.get(user=expert)
    assert grant.revoke_reason == AccessGrant.Ending.RECUSED
    # The expert no longer reaches the application; the province is told to replace them.
    detail = reverse("demonstrations:detail", args=[under_review.pk])
    assert client_for(reload(expert)).get(detail).status_code == 404
    assert Notification.objects.filter(recipient=province, kind="expert_recused").exists()

    # The province reads the recusal and its reason in the log; the applicant never learns who
    # reviews, nor who stepped aside.
    page = client_for(province).get(detail).content.decode()
    assert REASON in page
    applicant_page = client_for(enterprise_user).get(detail).content.decode()
    assert REASON not in applicant_page and str(expert) not in applicant_page


def test_an_expert_recuses_through_the_api(under_review, panel, enterprise_user):
    expert = panel[1]
    url = reverse("api:application-recusal", args=[under_review.pk])
    response = client_for(expert).post(url, {"reason": REASON}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["reason"] == REASON and body["expert"] == expert.username
    assert body["application"] == under_review.pk
    # Once recused the expert no longer finds the application.
    again = client_for(reload(expert)).post(
        url, {"reason": REASON}, content_type="application/json"
    )
    assert again.status_code == 404
    # The applicant has no assignment to leave.
    mine = client_for(enterprise_user).post(
        url, {"reason": REASON}, content_type="application/json"
    )
    assert mine.status_code == 403


def test_a_review_given_cannot_be_recused(under_review, panel):
    from .test_demonstration_workflow import scores

    assignment = ExpertAssignment.objects.get(application=under_review, expert=panel[2])
    demonstrations.submit_review(assignment, panel[2], scores(), "材料翔实。")
    with pytest.raises(ValidationError):
        demonstrations.declare_recusal(assignment, panel[2], REASON)
    assert not ReviewRecusal.objects.exists()


def test_an_assignment_refused_by_the_conflict_check_is_logged_with_its_reason(
    enterprise_user, changsha_enterprise, changsha_officer, panel, province
):
    application = file_application(enterprise_user, changsha_enterprise)
    submitted(application, enterprise_user)
    demonstrations.transition(application, "recommend", changsha_officer)
    insider = make_expert("insider", changsha_enterprise.name, changsha_enterprise.uscc)

    client = english_client_for(province)
    response = client.post(
        reverse("demonstrations:assign_experts", args=[application.pk]),
        {"experts": [panel[0].pk, panel[1].pk, insider.pk]},
    )
    assert response.status_code == 200  # the form again, with the refusal

    assert not ExpertAssignment.objects.filter(application=application).exists()
    event = ApplicationEvent.objects.get(application=application, action="assignment_refused")
    assert event.actor == province
    assert "insider" in event.note and "a party to the application" in event.note
    assert event.note in response.content.decode()


# Complaints ----------------------------------------------------------------------------------


def test_a_consulted_expert_recuses_on_the_page_and_it_is_logged(changsha_officer, regions):
    expert = make_expert("consultant", "湖南大学")
    complaint = accepted(changsha_officer)
    consult(complaint, changsha_officer, expert)
    assert reaches(expert, complaint)

    page = client_for(expert).get(complaint.get_absolute_url())
    assert reverse("complaints:recuse", args=[complaint.pk]) in page.content.decode()
    url = reverse("complaints:recuse", args=[complaint.pk])
    response = client_for(expert).post(url, {"reason": REASON})
    assert response.status_code == 302

    recusal = ConsultationRecusal.objects.get()
    assert (recusal.complaint_id, recusal.expert, recusal.reason) == (complaint.pk, expert, REASON)
    event = ComplaintEvent.objects.get(complaint=complaint, action="recusal")
    assert event.actor == expert and REASON in event.note and not event.public
    assert not reaches(expert, complaint)
    assert AccessGrant.objects.get(user=expert).revoke_reason == AccessGrant.Ending.RECUSED
    assert Notification.objects.filter(recipient=changsha_officer, kind="expert_recused").exists()
    # The officer handling it reads the recusal and its reason in the complaint's history.
    handler_page = client_for(changsha_officer).get(complaint.get_absolute_url())
    assert REASON in handler_page.content.decode()


def test_a_consulted_expert_recuses_through_the_api(changsha_officer, regions):
    expert = make_expert("consultant", "湖南大学")
    complaint = accepted(changsha_officer)
    consult(complaint, changsha_officer, expert)
    url = reverse("api:complaint-recusal", args=[complaint.pk])

    missing = client_for(expert).post(url, {}, content_type="application/json")
    assert missing.status_code == 400
    response = client_for(expert).post(url, {"reason": REASON}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["reason"] == REASON
    assert ComplaintEvent.objects.filter(complaint=complaint, action="recusal").count() == 1
    # The officer handling it is not consulted: nothing to recuse from.
    officer = client_for(changsha_officer).post(
        url, {"reason": REASON}, content_type="application/json"
    )
    assert officer.status_code == 403


def test_a_consultation_refused_by_the_conflict_check_is_logged_with_its_reason(
    changsha_officer, regions
):
    insider = make_expert("insider", RESPONDENT, RESPONDENT_USCC)
    complaint = accepted(changsha_officer)
    with pytest.raises(ValidationError):
        consult(complaint, changsha_officer, insider)

    assert not InvestigationStep.objects.filter(complaint=complaint).exists()
    event = ComplaintEvent.objects.get(complaint=complaint, action="consultation_refused")
    assert event.actor == changsha_officer and RESPONDENT in event.note
    assert not event.public
    assert not reaches(insider, complaint)


# One check for both --------------------------------------------------------------------------


def test_demonstrations_and_complaints_run_the_same_conflict_check(
    monkeypatch, under_review, panel, changsha_officer, changsha_enterprise
):
    """Each app states its parties and who is already on the matter; the decision is the core
    check's: what it answers is what both apps refuse."""
    calls = []
    real = conflicts.conflict_of_interest

    def spy(expert, parties, colleagues=(), *, matter):
        calls.append(matter)
        return real(expert, parties, colleagues, matter=matter)

    monkeypatch.setattr(conflicts, "conflict_of_interest", spy)
    outsider = make_expert("outsider", "湖南师范大学")
    demonstrations.conflict_of_interest(outsider, under_review, panel)
    complaints.conflict_of_interest(outsider, accepted(changsha_officer))
    assert calls == [conflicts.APPLICATION, conflicts.COMPLAINT]

    # The same expert, working for the same enterprise, is refused on both matters.
    insider = make_expert("insider", changsha_enterprise.name, changsha_enterprise.uscc)
    assert demonstrations.conflict_of_interest(insider, under_review)
    complaint = accepted(changsha_officer, complainant_enterprise=changsha_enterprise)
    assert complaints.conflict_of_interest(insider, complaint)
    # And two colleagues of one employer are kept apart on both.
    colleague = make_expert("colleague", panel[0].expert_profile.employer)
    assert demonstrations.conflict_of_interest(colleague, under_review, panel)
    consult(complaint, changsha_officer, panel[0])
    assert complaints.conflict_of_interest(colleague, complaint, [panel[0]])


def test_the_admin_shows_the_recusals_to_provincial_staff(
    under_review, panel, province, changsha_officer, regions
):
    demonstrations.declare_recusal(
        ExpertAssignment.objects.get(application=under_review, expert=panel[0]), panel[0], REASON
    )
    page = client_for(province).get(
        reverse("admin:demonstrations_demonstrationapplication_change", args=[under_review.pk])
    )
    assert page.status_code == 200 and REASON in page.content.decode()

    expert = make_expert("consultant", "湖南大学")
    complaint = accepted(changsha_officer)
    consult(complaint, changsha_officer, expert)
    complaints.declare_recusal(complaint, expert, REASON)
    listing = client_for(province).get(reverse("admin:complaints_recusal_changelist"))
    assert listing.status_code == 200 and complaint.reference in listing.content.decode()
