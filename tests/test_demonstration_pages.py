"""The demonstration pages: who sees which buttons, what the public sees, the certificate."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from demonstrations.models import Batch, DemonstrationApplication, ExpertAssignment
from tsprotect.accounts.models import User

from .conftest import client_for, make_enterprise


@pytest.fixture
def batch(regions):
    today = timezone.localdate()
    return Batch.objects.create(
        track="provincial_enterprise",
        year=today.year,
        name=f"{today.year}年第一批",
        opens_on=today - dt.timedelta(days=5),
        submission_deadline=today + dt.timedelta(days=20),
        recommendation_deadline=today + dt.timedelta(days=30),
    )


def application_of(enterprise, batch, user, state="submitted", **extra):
    return DemonstrationApplication.objects.create(
        track=batch.track,
        batch=batch,
        state=state,
        name=enterprise.name,
        enterprise=enterprise,
        prefecture_id=enterprise.prefecture_id,
        county_id=enterprise.county_id,
        rules_system="保密管理制度",
        organisation="保密领导小组",
        measures="分级授权",
        contact_person="周经理",
        contact_phone="13900001111",
        created_by=user,
        **extra,
    )


def designated(enterprise, batch, user, number="HNSM-2026-ENT-001"):
    today = timezone.localdate()
    return application_of(
        enterprise,
        batch,
        user,
        state="designated",
        certificate_number=number,
        designated_on=today,
        valid_until=today + dt.timedelta(days=1095),
    )


def test_the_officer_sees_recommend_and_the_enterprise_does_not(
    batch, changsha_enterprise, enterprise_user, changsha_officer
):
    application = application_of(changsha_enterprise, batch, enterprise_user)
    url = application.get_absolute_url()
    officer_page = client_for(changsha_officer).get(url).content.decode()
    enterprise_page = client_for(enterprise_user).get(url).content.decode()
    assert "/act/recommend/" in officer_page and "/act/return/" in officer_page
    assert "/act/recommend/" not in enterprise_page


def test_a_refused_step_leaves_a_message_in_chinese_and_the_state_unchanged(
    batch, changsha_enterprise, enterprise_user, yuelu_officer
):
    application = application_of(changsha_enterprise, batch, enterprise_user)
    url = reverse("demonstrations:act", args=[application.pk, "recommend"])
    response = client_for(yuelu_officer).post(url, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages and "市州局" in messages[0]
    application.refresh_from_db()
    assert application.state == "submitted"
    assert not application.events.exists()


def test_the_list_runs_a_constant_number_of_queries(
    batch, changsha_enterprise, enterprise_user, province
):
    url = reverse("demonstrations:list")
    client = client_for(province)
    application_of(changsha_enterprise, batch, enterprise_user)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for index in range(12):
        name = f"长沙测试企业{index}有限公司"
        enterprise = make_enterprise("430102", f"MA4L9{index:02d}X1", name)
        application_of(enterprise, batch, enterprise_user)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_the_expert_list_shows_only_assignments_with_the_review_to_give(
    batch, changsha_enterprise, yueyang_enterprise, enterprise_user, expert, province
):
    from guardian.shortcuts import assign_perm

    mine = application_of(changsha_enterprise, batch, enterprise_user, state="under_review")
    application_of(yueyang_enterprise, batch, province, state="under_review")
    ExpertAssignment.objects.create(application=mine, expert=expert, assigned_by=province)
    assign_perm("demonstrations.review_application", expert, mine)
    page = client_for(expert).get(reverse("demonstrations:list")).content.decode()
    assert changsha_enterprise.name in page
    assert yueyang_enterprise.name not in page
    assert reverse("demonstrations:review", args=[mine.pk]) in page


def test_the_certificate_is_a_pdf_with_the_chinese_text_embedded(
    batch, changsha_enterprise, enterprise_user
):
    application = designated(changsha_enterprise, batch, enterprise_user)
    response = client_for(enterprise_user).get(
        reverse("demonstrations:certificate", args=[application.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "长沙麓谷芯片科技有限公司" in text
    assert "湖南省市场监督管理局" in text
    assert application.certificate_number in text
    fonts = {
        str(font.get("/BaseFont"))
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        for font in [font.get_object()]
    }
    assert any("CJK" in name for name in fonts), fonts  # embedded, not left to the reader


def test_the_public_list_shows_no_private_data(batch, changsha_enterprise, enterprise_user):
    application = designated(changsha_enterprise, batch, enterprise_user)
    application_of(
        make_enterprise("430102", "MA4L8A1B2", "长沙未认定企业有限公司"), batch, enterprise_user
    )
    page = client_for(None).get(reverse("public:designations")).content.decode()
    assert changsha_enterprise.name in page
    assert application.certificate_number in page
    assert "长沙未认定企业有限公司" not in page
    for private in ("13900001111", "周经理", "保密管理制度", changsha_enterprise.uscc):
        assert private not in page


def test_a_revoked_certificate_is_shown_as_revoked(batch, changsha_enterprise, enterprise_user):
    application = designated(changsha_enterprise, batch, enterprise_user)
    application.state = "revoked"
    application.save()
    page = (
        client_for(None)
        .get(reverse("public:verify", args=[application.certificate_number]))
        .content.decode()
    )
    assert "status-revoked" in page


def test_the_enterprise_record_shows_its_demonstration_status(
    batch, changsha_enterprise, enterprise_user, changsha_officer
):
    designated(changsha_enterprise, batch, enterprise_user)
    page = client_for(changsha_officer).get(changsha_enterprise.get_absolute_url())
    assert "HNSM-2026-ENT-001" in page.content.decode()


def test_the_admin_refuses_an_illegal_transition_on_the_form(
    batch, changsha_enterprise, enterprise_user, province
):
    application = application_of(changsha_enterprise, batch, enterprise_user, state="draft")
    url = reverse("admin:demonstrations_demonstrationapplication_change", args=[application.pk])
    response = client_for(province).post(url, {"take_action": "designate", "action_note": ""})
    assert response.status_code == 200  # the form again, with the refusal
    assert response.context["adminform"].form.errors
    application.refresh_from_db()
    assert application.state == "draft"


def test_the_workbench_counts_what_waits_for_each_role(
    batch, changsha_enterprise, enterprise_user, changsha_officer
):
    application_of(changsha_enterprise, batch, enterprise_user)
    page = client_for(changsha_officer).get(reverse("home")).content.decode()
    assert f"{reverse('demonstrations:list')}?state=submitted" in page


def test_seed_demo_shows_every_stage_with_expert1_assigned(regions, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    states = set(DemonstrationApplication.objects.values_list("state", flat=True))
    assert {"draft", "submitted", "returned", "recommended", "under_review", "designated"} <= (
        states
    )
    expert1 = User.objects.get(username="expert1")
    assert ExpertAssignment.objects.filter(expert=expert1, scored_at__isnull=True).count() == 1
    assert DemonstrationApplication.objects.restrict(expert1, "view").count() == 1
    # The FTZ track: one pilot sent back to rectify by its acceptance, one designated after a
    # passing one.
    ftz = DemonstrationApplication.objects.filter(track="ftz_enterprise")
    pilot = ftz.get(state="pilot")
    assert list(pilot.acceptance_evaluations.values_list("result", flat=True)) == ["rectify"]
    assert pilot.acceptance_evaluations.get().documents.exists()
    assert pilot.pilot_entries.count() == 2 and pilot.ftz_selection == "named_by_prefecture"
    designated = ftz.get(state="designated")
    assert designated.acceptance_evaluations.get().result == "pass"


def test_the_batch_list_counts_only_the_applications_in_scope(
    batch, changsha_enterprise, enterprise_user, changsha_officer, yueyang_officer
):
    application_of(changsha_enterprise, batch, enterprise_user)
    url = reverse("demonstrations:batches")
    counts = {
        officer: list(client_for(officer).get(url).context["batches"])[0].application_count
        for officer in (changsha_officer, yueyang_officer)
    }
    assert counts == {changsha_officer: 1, yueyang_officer: 0}
