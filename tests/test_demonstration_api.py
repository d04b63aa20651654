"""Demonstration applications through the JSON API, with the scoping and rules of the pages."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from demonstrations import services
from demonstrations.models import ApplicationEvent, Batch, DemonstrationApplication
from demonstrations.workflow import State, Track
from tsprotect.accounts.models import ExpertProfile, Role
from tsprotect.core.uploads import check_upload

from .conftest import client_for, make_user

pytestmark = pytest.mark.django_db

LIST = reverse("api:application-list")
MATERIALS = {
    "rules_system": "《商业秘密保护管理制度》",
    "organisation": "法务部牵头",
    "measures": "密级划分、保密协议、门禁管控",
    "contact_person": "王五",
    "contact_phone": "0731-88880000",
}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def batch(regions):
    today = timezone.localdate()
    return Batch.objects.create(
        track=Track.PROVINCIAL_ENTERPRISE,
        year=today.year,
        name="第一批",
        opens_on=today - timedelta(days=10),
        submission_deadline=today + timedelta(days=10),
        recommendation_deadline=today + timedelta(days=30),
    )


def file(user, enterprise, batch):
    return services.create_application(
        DemonstrationApplication(
            track=Track.PROVINCIAL_ENTERPRISE, batch=batch, enterprise=enterprise, **MATERIALS
        ),
        user,
    )


def recommend(application, filer, officer):
    uploaded = SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n")
    services.add_attachment(application, uploaded, check_upload(uploaded), title="制度", user=filer)
    services.transition(application, "submit", filer)
    return services.transition(application, "recommend", officer)


def make_expert(n, employer_uscc=""):
    user = make_user(f"expert{n}", Role.EXPERT)
    ExpertProfile.objects.create(user=user, employer=f"湖南第{n}大学", employer_uscc=employer_uscc)
    return user


@pytest.fixture
def panel(regions):
    return [make_expert(n) for n in range(2, 5)]


@pytest.fixture
def application(enterprise_user, changsha_enterprise, batch):
    return file(enterprise_user, changsha_enterprise, batch)


def url(application, action=None):
    if action:
        return reverse(f"api:application-{action}", args=[application.pk])
    return reverse("api:application-detail", args=[application.pk])


def post(user, address, data):
    return client_for(user).post(address, data, content_type="application/json")


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# Who sees what -------------------------------------------------------------------------------


def test_the_list_is_scoped_like_the_pages(
    application,
    enterprise_user,
    changsha_officer,
    yueyang_officer,
    province,
    changsha_other_county_enterprise,
    batch,
    panel,
):
    other = file(changsha_officer, changsha_other_county_enterprise, batch)

    assert ids(client_for(enterprise_user).get(LIST)) == {application.pk}
    assert ids(client_for(changsha_officer).get(LIST)) == {application.pk, other.pk}
    assert ids(client_for(province).get(LIST)) == {application.pk, other.pk}
    assert ids(client_for(yueyang_officer).get(LIST)) == set()
    assert client_for(yueyang_officer).get(url(application)).status_code == 404

    recommend(application, enterprise_user, changsha_officer)
    services.assign_experts(application, panel, province)
    assert ids(client_for(panel[0]).get(LIST)) == {application.pk}
    assert client_for(panel[0]).get(url(other)).status_code == 404


def test_an_unassigned_expert_and_an_anonymous_visitor_get_nothing(application, expert):
    assert client_for(expert).get(LIST).status_code == 403
    assert client_for(expert).get(url(application)).status_code == 404
    assert client_for(None).get(LIST).status_code in (401, 403)


# Filing --------------------------------------------------------------------------------------


def test_an_enterprise_user_files_an_application(enterprise_user, changsha_enterprise, batch):
    response = post(
        enterprise_user,
        LIST,
        {
            "track": Track.PROVINCIAL_ENTERPRISE,
            "batch": batch.pk,
            "enterprise": changsha_enterprise.pk,
            **MATERIALS,
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "draft" and body["prefecture"] == "430100"
    assert body["name"] == changsha_enterprise.name
    assert body["available_actions"] == ["submit"]
    created = DemonstrationApplication.objects.get(pk=body["id"])
    assert created.created_by == enterprise_user and created.enterprise == changsha_enterprise


def test_filing_for_another_enterprise_or_twice_is_a_clear_400(
    application, enterprise_user, changsha_enterprise, yueyang_enterprise, batch
):
    data = {"track": Track.PROVINCIAL_ENTERPRISE, "batch": batch.pk, **MATERIALS}

    foreign = post(enterprise_user, LIST, {**data, "enterprise": yueyang_enterprise.pk})
    assert foreign.status_code == 400 and foreign.json()["enterprise"]
    twice = post(enterprise_user, LIST, {**data, "enterprise": changsha_enterprise.pk})
    assert twice.status_code == 400
    assert twice.json().get("enterprise") or twice.json().get("non_field_errors")
    assert DemonstrationApplication.objects.count() == 1

    # The constraint is partial: once the first is rejected, the enterprise may apply again.
    DemonstrationApplication.objects.filter(pk=application.pk).update(state=State.REJECTED)
    again = post(enterprise_user, LIST, {**data, "enterprise": changsha_enterprise.pk})
    assert again.status_code == 201, again.json()


def test_the_state_cannot_be_written_directly(application, enterprise_user):
    response = client_for(enterprise_user).patch(
        url(application), {"state": "designated"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["state"] == "draft"
    application.refresh_from_db()
    assert application.state == State.DRAFT


# Transitions ---------------------------------------------------------------------------------


def test_an_illegal_action_is_a_400_with_a_message_and_changes_nothing(
    application, enterprise_user, province, yueyang_officer
):
    approve = post(province, url(application, "transition"), {"action": "approve"})
    assert approve.status_code == 400
    assert approve.json()["detail"]
    unknown = post(enterprise_user, url(application, "transition"), {"action": "fly"})
    assert unknown.status_code == 400 and unknown.json()["action"]
    without_attachment = post(enterprise_user, url(application, "transition"), {"action": "submit"})
    assert without_attachment.status_code == 400 and without_attachment.json()["detail"]
    elsewhere = post(yueyang_officer, url(application, "transition"), {"action": "return"})
    assert elsewhere.status_code == 404

    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert list(
        ApplicationEvent.objects.filter(application=application).values_list("action", flat=True)
    ) == ["create"]


def test_the_prefecture_recommends_through_the_api(application, enterprise_user, changsha_officer):
    uploaded = SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n")
    services.add_attachment(
        application, uploaded, check_upload(uploaded), title="制度", user=enterprise_user
    )
    submitted = post(enterprise_user, url(application, "transition"), {"action": "submit"})
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["state"] == "submitted"

    returned = post(changsha_officer, url(application, "transition"), {"action": "return"})
    assert returned.status_code == 400 and returned.json()["note"]
    recommended = post(changsha_officer, url(application, "transition"), {"action": "recommend"})
    assert recommended.status_code == 200 and recommended.json()["state"] == "recommended"


# Experts and reviews -------------------------------------------------------------------------


@pytest.fixture
def recommended(application, enterprise_user, changsha_officer):
    return recommend(application, enterprise_user, changsha_officer)


def test_a_conflicted_expert_is_a_400_and_nothing_is_assigned(
    recommended, panel, province, changsha_enterprise
):
    insider = make_expert(9, changsha_enterprise.uscc)

    response = post(
        province, url(recommended, "experts"), {"experts": [panel[0].pk, panel[1].pk, insider.pk]}
    )

    assert response.status_code == 400 and len(response.json()["experts"]) == 1
    recommended.refresh_from_db()
    assert recommended.state == State.RECOMMENDED and not recommended.assignments.exists()


def test_the_province_assigns_a_panel_and_the_same_expert_twice_counts_once(
    recommended, panel, province, changsha_officer
):
    not_province = post(
        changsha_officer, url(recommended, "experts"), {"experts": [e.pk for e in panel]}
    )
    assert not_province.status_code == 400

    doubled = post(
        province, url(recommended, "experts"), {"experts": [panel[0].pk, panel[0].pk, panel[1].pk]}
    )
    assert doubled.status_code == 400 and doubled.json()["experts"]

    response = post(province, url(recommended, "experts"), {"experts": [e.pk for e in panel]})
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "under_review"
    assert recommended.assignments.count() == 3


@pytest.fixture
def under_review(recommended, panel, province):
    return services.assign_experts(recommended, panel, province)


def test_a_score_out_of_range_is_a_400(under_review, panel):
    scores = {"rules": "26", "organisation": "15", "measures": "NaN", "effect": "20"}

    response = post(panel[0], url(under_review, "review"), {"scores": scores, "comment": "好"})

    assert response.status_code == 400
    assert set(response.json()) == {"rules", "measures"}
    assert not under_review.assignments.filter(scored_at__isnull=False).exists()


def test_an_expert_reviews_and_sees_only_their_own_review(
    under_review, panel, enterprise_user, province
):
    scores = {"rules": "20", "organisation": "15", "measures": "25", "effect": "20"}
    given = post(panel[0], url(under_review, "review"), {"scores": scores, "comment": "措施完整"})
    assert given.status_code == 200, given.json()
    assert given.json()["total"] == "80.0"
    again = post(panel[0], url(under_review, "review"), {"scores": scores, "comment": "再评"})
    assert again.status_code == 400

    own = client_for(panel[1]).get(url(under_review, "reviews")).json()
    assert [row["expert"] for row in own] == [panel[1].username]
    assert client_for(enterprise_user).get(url(under_review, "reviews")).json() == []
    assert len(client_for(province).get(url(under_review, "reviews")).json()) == 3
    not_assigned = post(
        enterprise_user, url(under_review, "review"), {"scores": scores, "comment": "x"}
    )
    assert not_assigned.status_code == 403


# Designations and the schema -----------------------------------------------------------------


def test_designations_show_public_fields_only(under_review, panel, province, enterprise_user):
    for expert in panel:
        post(
            expert,
            url(under_review, "review"),
            {
                "scores": {"rules": 20, "organisation": 15, "measures": 25, "effect": 20},
                "comment": "好",
            },
        )
    post(province, url(under_review, "transition"), {"action": "approve"})
    designated = post(province, url(under_review, "transition"), {"action": "designate"})
    assert designated.status_code == 200, designated.json()

    response = client_for(enterprise_user).get(reverse("api:designation-list"))

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["certificate_number"] == f"HNSM-{timezone.localdate().year}-ENT-001"
    assert row["status"] == "valid" and row["prefecture"] == "长沙市"
    for private in ("contact_phone", "contact_person", "measures", "rules_system", "enterprise"):
        assert private not in row
    assert client_for(None).get(reverse("api:designation-list")).status_code in (401, 403)


def test_the_schema_describes_the_applications(province):
    response = client_for(province).get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/applications/" in paths
    assert "/api/v1/applications/{id}/transition/" in paths
    assert "/api/v1/designations/" in paths
