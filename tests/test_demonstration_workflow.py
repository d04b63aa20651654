"""The demonstration pipeline's rules, called as the pages, the API and the admin call them.

Who may file, submit, recommend, assign experts, score, decide, designate, renew, revoke and fund,
and what is written (states, events, assignments, permissions) when they may or may not.
"""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from guardian.models import UserObjectPermission

from demonstrations import services
from demonstrations.forms import ApplicationForm
from demonstrations.models import (
    ApplicationEvent,
    Batch,
    DemonstrationApplication,
    ExpertAssignment,
    FundingRecord,
)
from demonstrations.workflow import RUBRIC, State, Track
from tsprotect.accounts.models import ExpertProfile, Role
from tsprotect.core import scoping
from tsprotect.core.uploads import check_upload
from tsprotect.regions.models import HostOrganisation

from .conftest import make_enterprise, make_uscc, make_user

pytestmark = pytest.mark.django_db

PROVINCIAL = Track.PROVINCIAL_ENTERPRISE
FTZ = Track.FTZ_ENTERPRISE


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# Building blocks -----------------------------------------------------------------------------


def today():
    return timezone.localdate()


BATCH_NUMBERS = itertools.count(1)


def make_batch(track, *, quota=None, opens_in=-10, closes_in=10, name=None):
    """A batch of this year open today unless told otherwise (days relative to today)."""
    start = today() + timedelta(days=opens_in)
    deadline = today() + timedelta(days=closes_in)
    return Batch.objects.create(
        track=track,
        year=today().year,
        name=name or f"第{next(BATCH_NUMBERS)}批",
        opens_on=start,
        submission_deadline=deadline,
        recommendation_deadline=deadline + timedelta(days=20),
        quota=quota,
    )


MATERIALS = {
    "rules_system": "《商业秘密保护管理制度》，每年修订。",
    "organisation": "法务部牵头，各部门设保密专员。",
    "measures": "密级划分、保密协议、门禁与终端管控。",
    "contact_person": "王五",
    "contact_phone": "0731-88880000",
}


def new_application(user, *, track=PROVINCIAL, batch=None, enterprise=None, **fields):
    """An unsaved application with complete materials."""
    return DemonstrationApplication(
        track=track,
        batch=batch or make_batch(track),
        enterprise=enterprise,
        name=fields.pop("name", enterprise.name if enterprise else "示范单位"),
        **MATERIALS,
        **fields,
    )


def file_application(user, enterprise, *, track=PROVINCIAL, batch=None):
    return services.create_application(
        new_application(user, track=track, batch=batch, enterprise=enterprise), user
    )


def attach(application, user, name="r.pdf"):
    uploaded = SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
    )
    return services.add_attachment(
        application, uploaded, check_upload(uploaded), title="保密制度", user=user
    )


def submitted(application, user):
    attach(application, user)
    return services.transition(application, "submit", user)


def state_of(application):
    return DemonstrationApplication.objects.get(pk=application.pk).state


def events(application, action=None):
    queryset = ApplicationEvent.objects.filter(application=application)
    return queryset.filter(action=action) if action else queryset


def make_expert(username, employer, employer_uscc=""):
    user = make_user(username, Role.EXPERT)
    ExpertProfile.objects.create(user=user, employer=employer, employer_uscc=employer_uscc)
    return user


@pytest.fixture
def panel(regions):
    """Five experts of five different universities."""
    return [
        make_expert(f"expert{n}", f"湖南第{n}大学", make_uscc("430104", f"MA4Q0{n}X9Y"))
        for n in range(2, 7)
    ]


def scores(total_of_25=20, total_of_20=15, total_of_30=25, total_of_25b=20):
    return {
        "rules": total_of_25,
        "organisation": total_of_20,
        "measures": total_of_30,
        "effect": total_of_25b,
    }


def review_all(application, experts, **kwargs):
    for expert in experts:
        assignment = ExpertAssignment.objects.get(application=application, expert=expert)
        services.submit_review(assignment, expert, scores(**kwargs), "材料翔实，措施到位。")


@pytest.fixture
def recommended(enterprise_user, changsha_enterprise, changsha_officer):
    """Changsha's provincial-track application, submitted and recommended."""
    application = file_application(enterprise_user, changsha_enterprise)
    submitted(application, enterprise_user)
    return services.transition(application, "recommend", changsha_officer)


@pytest.fixture
def under_review(recommended, panel, province):
    return services.assign_experts(recommended, panel[:3], province)


def designated_directly(enterprise, user, *, track=PROVINCIAL, batch=None, **fields):
    """A designated application written straight to the table, as earlier years left them."""
    return DemonstrationApplication.objects.create(
        track=track,
        batch=batch or Batch.objects.filter(track=track).first() or make_batch(track),
        enterprise=enterprise,
        name=fields.pop("name", enterprise.name if enterprise else "示范点"),
        prefecture_id=fields.pop("prefecture_id", enterprise.prefecture_id if enterprise else None),
        state=State.DESIGNATED,
        created_by=user,
        **MATERIALS,
        **fields,
    )


def host_park(name="长沙示范产业园"):
    return HostOrganisation.objects.create(
        name=name,
        kind=HostOrganisation.Kind.INDUSTRIAL_PARK,
        prefecture_id="430100",
        county_id="430104",
    )


# Creating an application ---------------------------------------------------------------------


def test_an_enterprise_user_files_a_draft_for_its_own_enterprise(
    enterprise_user, changsha_enterprise
):
    application = file_application(enterprise_user, changsha_enterprise)

    application.refresh_from_db()
    assert application.state == State.DRAFT
    assert application.prefecture_id == "430100" and application.county_id == "430104"
    assert application.created_by == enterprise_user
    assert list(events(application).values_list("action", "to_state")) == [("create", "draft")]


def test_no_one_files_for_an_enterprise_of_another_prefecture(
    enterprise_user, changsha_officer, yueyang_enterprise
):
    for user in (enterprise_user, changsha_officer):
        with pytest.raises(ValidationError) as refused:
            file_application(user, yueyang_enterprise)
        assert "enterprise" in refused.value.message_dict
    assert not DemonstrationApplication.objects.exists()


def test_the_ftz_track_is_refused_to_an_enterprise_outside_the_ftz(
    enterprise_user, changsha_enterprise
):
    assert changsha_enterprise.ftz_area_id is None
    with pytest.raises(ValidationError) as refused:
        file_application(enterprise_user, changsha_enterprise, track=FTZ)
    assert refused.value.message_dict["enterprise"]
    assert not DemonstrationApplication.objects.exists()


def test_a_batch_already_closed_takes_no_new_application(enterprise_user, changsha_enterprise):
    closed = make_batch(PROVINCIAL, opens_in=-30, closes_in=-1)
    with pytest.raises(ValidationError) as refused:
        file_application(enterprise_user, changsha_enterprise, batch=closed)
    assert closed.submission_deadline.isoformat() in refused.value.message_dict["batch"][0]


def test_a_second_live_application_on_the_same_track_is_refused_clearly(
    enterprise_user, changsha_enterprise
):
    first = file_application(enterprise_user, changsha_enterprise)
    batch = first.batch

    with pytest.raises(ValidationError) as refused:
        file_application(enterprise_user, changsha_enterprise, batch=batch)
    assert refused.value.message_dict["enterprise"]
    assert DemonstrationApplication.objects.count() == 1

    # The page's form says so on the form rather than failing on the database constraint.
    form = ApplicationForm(
        data={"batch": batch.pk, "enterprise": changsha_enterprise.pk, **MATERIALS},
        user=enterprise_user,
        track=PROVINCIAL,
    )
    assert not form.is_valid()
    assert form.non_field_errors() or form.errors.get("enterprise")

    # Once the first is rejected, the enterprise may apply again.
    DemonstrationApplication.objects.filter(pk=first.pk).update(state=State.REJECTED)
    again = file_application(enterprise_user, changsha_enterprise, batch=batch)
    assert again.state == State.DRAFT


# Submitting ----------------------------------------------------------------------------------


def test_submitting_needs_an_attachment(enterprise_user, changsha_enterprise):
    application = file_application(enterprise_user, changsha_enterprise)

    with pytest.raises(ValidationError) as refused:
        services.transition(application, "submit", enterprise_user)
    assert refused.value.messages
    assert state_of(application) == State.DRAFT
    assert not events(application, "submit").exists()


def test_submitting_with_an_attachment_sends_it_to_the_prefecture(
    enterprise_user, changsha_enterprise
):
    application = file_application(enterprise_user, changsha_enterprise)
    attachment = attach(application, enterprise_user)
    assert attachment.content_type == "application/pdf" and attachment.size > 0

    result = services.transition(application, "submit", enterprise_user)

    assert result.state == State.SUBMITTED and state_of(application) == State.SUBMITTED
    assert result.submitted_at is not None
    event = events(application, "submit").get()
    assert (event.from_state, event.to_state, event.actor) == (
        "draft",
        "submitted",
        enterprise_user,
    )


def test_the_materials_are_locked_once_submitted(enterprise_user, changsha_enterprise):
    application = file_application(enterprise_user, changsha_enterprise)
    submitted(application, enterprise_user)

    application.measures = "改写后的措施"
    with pytest.raises(ValidationError):
        services.update_application(application, enterprise_user)
    with pytest.raises(ValidationError):
        attach(application, enterprise_user, "late.pdf")
    assert DemonstrationApplication.objects.get(pk=application.pk).measures == MATERIALS["measures"]
    assert application.attachments.count() == 1


def test_submitting_is_refused_before_the_batch_opens_and_after_it_closes(
    enterprise_user, changsha_enterprise
):
    early = make_batch(PROVINCIAL, opens_in=3, closes_in=10, name="not yet open")
    application = file_application(enterprise_user, changsha_enterprise, batch=early)
    attach(application, enterprise_user)
    with pytest.raises(ValidationError) as refused:
        services.transition(application, "submit", enterprise_user)
    assert early.opens_on.isoformat() in refused.value.messages[0]

    past = today() - timedelta(days=5)
    Batch.objects.filter(pk=early.pk).update(
        opens_on=past - timedelta(days=10), submission_deadline=past
    )
    with pytest.raises(ValidationError) as refused:
        services.transition(application, "submit", enterprise_user)
    assert past.isoformat() in refused.value.messages[0]
    assert state_of(application) == State.DRAFT
    assert not events(application, "submit").exists()


def test_the_second_ftz_application_of_an_area_beyond_the_quota_stays_a_draft(
    regions, changsha_officer
):
    batch = make_batch(FTZ, quota=1)
    first_enterprise = make_enterprise("430104", "MA4L1F1F1", "长沙自贸一号有限公司")
    second_enterprise = make_enterprise("430104", "MA4L2F2F2", "长沙自贸二号有限公司")
    for enterprise in (first_enterprise, second_enterprise):
        enterprise.ftz_area_id = "changsha"
        enterprise.save()
    first = file_application(changsha_officer, first_enterprise, track=FTZ, batch=batch)
    second = file_application(changsha_officer, second_enterprise, track=FTZ, batch=batch)
    assert second.ftz_area_id == "changsha"
    submitted(first, changsha_officer)

    attach(second, changsha_officer)
    with pytest.raises(ValidationError) as refused:
        services.transition(second, "submit", changsha_officer)

    assert "1" in refused.value.messages[0]
    assert state_of(second) == State.DRAFT
    assert not events(second, "submit").exists()
    # The quota, and nothing else, held it back.
    Batch.objects.filter(pk=batch.pk).update(quota=2)
    assert services.transition(second, "submit", changsha_officer).state == State.SUBMITTED


def test_two_tabs_submitting_at_once_submit_once(enterprise_user, changsha_enterprise):
    application = file_application(enterprise_user, changsha_enterprise)
    attach(application, enterprise_user)
    tab_a = DemonstrationApplication.objects.get(pk=application.pk)
    tab_b = DemonstrationApplication.objects.get(pk=application.pk)

    services.transition(tab_a, "submit", enterprise_user)
    with pytest.raises(ValidationError) as refused:
        services.transition(tab_b, "submit", enterprise_user)

    assert refused.value.messages
    assert state_of(application) == State.SUBMITTED
    assert events(application, "submit").count() == 1


# The prefecture's recommendation -------------------------------------------------------------


def test_only_the_officer_of_the_same_prefecture_recommends(
    enterprise_user, changsha_enterprise, changsha_officer, yueyang_officer, yuelu_officer, province
):
    application = file_application(enterprise_user, changsha_enterprise)
    submitted(application, enterprise_user)

    # The province decides later; the recommendation is the prefecture's own act.
    for outsider in (yueyang_officer, yuelu_officer, province, enterprise_user):
        with pytest.raises(ValidationError):
            services.transition(application, "recommend", outsider)
    assert state_of(application) == State.SUBMITTED
    assert not events(application, "recommend").exists()

    services.transition(application, "recommend", changsha_officer)
    assert state_of(application) == State.RECOMMENDED
    assert events(application, "recommend").get().actor == changsha_officer


def test_the_recommendation_deadline_is_kept(
    enterprise_user, changsha_enterprise, changsha_officer
):
    application = file_application(enterprise_user, changsha_enterprise)
    submitted(application, enterprise_user)
    past = today() - timedelta(days=1)
    Batch.objects.filter(pk=application.batch_id).update(
        opens_on=past - timedelta(days=30),
        submission_deadline=past - timedelta(days=10),
        recommendation_deadline=past,
    )

    with pytest.raises(ValidationError) as refused:
        services.transition(application, "recommend", changsha_officer)
    assert past.isoformat() in refused.value.messages[0]
    assert state_of(application) == State.SUBMITTED


def test_a_return_needs_a_reason_and_lets_the_applicant_correct_and_resubmit(
    enterprise_user, changsha_enterprise, changsha_officer
):
    application = file_application(enterprise_user, changsha_enterprise)
    submitted(application, enterprise_user)

    with pytest.raises(ValidationError) as refused:
        services.transition(application, "return", changsha_officer, note="   ")
    assert refused.value.message_dict["note"]
    assert state_of(application) == State.SUBMITTED

    services.transition(application, "return", changsha_officer, note="请补充保密协议样本。")
    assert state_of(application) == State.RETURNED
    assert events(application, "return").get().note == "请补充保密协议样本。"

    attach(application, enterprise_user, "agreement.pdf")
    services.transition(application, "submit", enterprise_user)
    assert state_of(application) == State.SUBMITTED
    assert application.attachments.count() == 2


def test_illegal_transitions_change_nothing_and_record_nothing(
    enterprise_user, changsha_enterprise, changsha_officer, province
):
    application = file_application(enterprise_user, changsha_enterprise)

    with pytest.raises(ValidationError) as not_now:
        services.transition(application, "approve", province)
    assert not_now.value.messages
    with pytest.raises(ValidationError):
        services.transition(application, "designate", province)
    with pytest.raises(ValidationError):
        services.transition(application, "fly", province)
    assert state_of(application) == State.DRAFT
    assert list(events(application).values_list("action", flat=True)) == ["create"]

    submitted(application, enterprise_user)
    services.transition(application, "recommend", changsha_officer)
    with pytest.raises(ValidationError) as again:
        services.transition(application, "recommend", changsha_officer)
    # "already …; nothing was changed" rather than a generic refusal.
    assert again.value.messages[0] != not_now.value.messages[0]
    assert state_of(application) == State.RECOMMENDED
    assert events(application, "recommend").count() == 1

    with pytest.raises(ValidationError):
        services.transition(application, "start_acceptance", province)  # FTZ track only
    assert state_of(application) == State.RECOMMENDED


def test_the_buttons_offered_follow_the_table(
    enterprise_user, changsha_enterprise, changsha_officer, yueyang_officer, province
):
    application = file_application(enterprise_user, changsha_enterprise)

    def offered(user):
        return [t.action for t in services.available_transitions(application, user)]

    assert offered(enterprise_user) == ["submit"]
    assert offered(yueyang_officer) == []
    assert offered(province) == []
    submitted(application, enterprise_user)
    application.refresh_from_db()
    assert offered(changsha_officer) == ["recommend", "return"]
    assert offered(enterprise_user) == []


# Assigning experts ---------------------------------------------------------------------------


def test_a_panel_has_three_to_five_experts(recommended, panel, province, changsha_officer):
    extra = make_expert("expert7", "湖南第七大学")
    # The same expert chosen twice counts once: two experts are not a panel.
    for experts in (panel[:2], [*panel, extra], [panel[0], panel[0], panel[1]]):
        with pytest.raises(ValidationError) as refused:
            services.assign_experts(recommended, experts, province)
        assert refused.value.message_dict["experts"]
    with pytest.raises(ValidationError):
        services.assign_experts(recommended, panel[:3], changsha_officer)  # the province assigns
    assert not ExpertAssignment.objects.exists()
    assert state_of(recommended) == State.RECOMMENDED


def test_an_expert_working_for_the_applicant_is_refused_and_nothing_is_written(
    recommended, panel, province, changsha_enterprise
):
    insider = make_expert("expert8", "另一个名字", changsha_enterprise.uscc.lower())

    with pytest.raises(ValidationError) as refused:
        services.assign_experts(recommended, [*panel[:2], insider], province)

    assert len(refused.value.message_dict["experts"]) == 1
    assert not ExpertAssignment.objects.exists()
    assert not UserObjectPermission.objects.filter(
        user__in=[*panel[:2], insider], permission__codename="review_application"
    ).exists()
    assert state_of(recommended) == State.RECOMMENDED
    assert not events(recommended, "assign_expert").exists()


def test_two_experts_of_the_same_employer_are_not_on_one_panel(recommended, panel, province):
    colleague = make_expert("expert9", panel[0].expert_profile.employer)

    with pytest.raises(ValidationError) as refused:
        services.assign_experts(recommended, [*panel[:2], colleague], province)

    assert refused.value.message_dict["experts"]
    assert not ExpertAssignment.objects.exists()
    assert not UserObjectPermission.objects.filter(
        permission__codename="review_application"
    ).exists()


def test_an_assigned_expert_reaches_that_application_only(
    recommended,
    panel,
    province,
    enterprise_user,
    changsha_other_county_enterprise,
    changsha_officer,
):
    other = file_application(changsha_officer, changsha_other_county_enterprise)
    reviewer = panel[0]
    assert not DemonstrationApplication.objects.restrict(reviewer, "view").exists()

    services.assign_experts(recommended, panel[:3], province)
    scoping.forget(reviewer)

    assert state_of(recommended) == State.UNDER_REVIEW
    assert reviewer.has_perm("demonstrations.review_application", recommended)
    assert not reviewer.has_perm("demonstrations.review_application", other)
    assert list(DemonstrationApplication.objects.restrict(reviewer, "view")) == [recommended]
    assert not DemonstrationApplication.objects.restrict(reviewer, "change").exists()
    # Each expert sees their own review only; the applicant sees none.
    own = ExpertAssignment.objects.restrict(reviewer, "view")
    assert list(own.values_list("expert", flat=True)) == [reviewer.pk]
    assert not ExpertAssignment.objects.restrict(enterprise_user, "view").exists()
    assert ExpertAssignment.objects.restrict(province, "view").count() == 3
    assert events(recommended, "assign_expert").count() == 1


def test_a_withdrawn_expert_loses_the_application(under_review, panel, province):
    reviewer = panel[0]
    assignment = ExpertAssignment.objects.get(application=under_review, expert=reviewer)

    services.unassign_expert(assignment, province)
    scoping.forget(reviewer)

    assert not DemonstrationApplication.objects.restrict(reviewer, "view").exists()
    assert ExpertAssignment.objects.filter(application=under_review).count() == 2


# Scoring -------------------------------------------------------------------------------------


def test_a_score_out_of_the_rubric_is_refused_per_criterion(under_review, panel):
    assignment = ExpertAssignment.objects.get(application=under_review, expert=panel[0])
    bad = {"rules": 26, "organisation": -1, "measures": "很好", "effect": 25}

    with pytest.raises(ValidationError) as refused:
        services.submit_review(assignment, panel[0], bad, "评语")

    assert set(refused.value.message_dict) == {"rules", "organisation", "measures"}
    assert "25" in refused.value.message_dict["rules"][0]
    assignment.refresh_from_db()
    assert not assignment.is_scored and assignment.scores == {}


def test_a_review_needs_a_comment_and_is_final_once_given(under_review, panel):
    reviewer = panel[0]
    assignment = ExpertAssignment.objects.get(application=under_review, expert=reviewer)

    with pytest.raises(ValidationError) as refused:
        services.submit_review(assignment, reviewer, scores(), "  ")
    assert refused.value.message_dict["comment"]
    with pytest.raises(ValidationError):
        services.submit_review(assignment, panel[1], scores(), "不是我的")

    services.submit_review(assignment, reviewer, scores(), "措施完整。")
    assignment.refresh_from_db()
    assert assignment.total == Decimal("80.0")
    assert assignment.scores == {
        "rules": "20.0",
        "organisation": "15.0",
        "measures": "25.0",
        "effect": "20.0",
    }

    with pytest.raises(ValidationError):
        services.submit_review(assignment, reviewer, scores(25, 20, 30, 25), "改分")
    assignment.refresh_from_db()
    assert assignment.total == Decimal("80.0")
    assert events(under_review, "score").count() == 1


def test_a_score_that_is_not_a_number_is_refused(under_review, panel):
    assignment = ExpertAssignment.objects.get(application=under_review, expert=panel[0])
    for value in ("NaN", "Infinity", None, ""):
        with pytest.raises(ValidationError) as refused:
            services.submit_review(assignment, panel[0], scores(total_of_25=value), "评语")
        assert list(refused.value.message_dict) == ["rules"]


def test_the_rubric_adds_up_to_a_hundred():
    assert sum(c.max_points for c in RUBRIC) == 100


# Deciding ------------------------------------------------------------------------------------


def test_the_approval_waits_for_every_review(under_review, panel, province):
    review_all(under_review, panel[:2])

    with pytest.raises(ValidationError) as refused:
        services.transition(under_review, "approve", province)
    assert "2" in refused.value.messages[0] and "3" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        services.transition(under_review, "reject", province, note="不符合条件")
    assert state_of(under_review) == State.UNDER_REVIEW

    review_all(under_review, panel[2:3])
    approved = services.transition(under_review, "approve", province)
    assert approved.state == State.APPROVED and approved.decided_at is not None


def test_an_average_below_the_pass_mark_cannot_be_approved(under_review, panel, province):
    review_all(
        under_review, panel[:3], total_of_25=10, total_of_20=10, total_of_30=15, total_of_25b=10
    )

    with pytest.raises(ValidationError) as refused:
        services.transition(under_review, "approve", province)
    assert "45" in refused.value.messages[0] and "60" in refused.value.messages[0]
    assert state_of(under_review) == State.UNDER_REVIEW

    with pytest.raises(ValidationError):
        services.transition(under_review, "reject", province)
    rejected = services.transition(under_review, "reject", province, note="平均分未达标。")
    assert rejected.state == State.REJECTED


def test_only_the_province_decides(under_review, panel, changsha_officer):
    review_all(under_review, panel[:3])
    with pytest.raises(ValidationError):
        services.transition(under_review, "approve", changsha_officer)
    assert state_of(under_review) == State.UNDER_REVIEW


def test_the_ftz_track_pilots_and_is_evaluated_before_its_designation(
    regions, changsha_officer, panel, province
):
    enterprise = make_enterprise("430104", "MA4L3F3F3", "长沙自贸三号有限公司")
    enterprise.ftz_area_id = "changsha"
    enterprise.save()
    application = file_application(changsha_officer, enterprise, track=FTZ)
    submitted(application, changsha_officer)
    services.record_ftz_selection(application, changsha_officer, basis="special_project")
    services.transition(application, "recommend", changsha_officer)
    services.assign_experts(application, panel[:3], province)
    review_all(application, panel[:3])

    assert services.transition(application, "approve", province).state == State.PILOT
    with pytest.raises(ValidationError):
        services.transition(application, "designate", province)
    assert services.transition(application, "start_acceptance", province).state == State.ACCEPTANCE
    # The acceptance evaluation is a record (test_ftz_acceptance.py); here it passes.
    services.record_acceptance(
        application,
        province,
        evaluated_on=today(),
        result="pass",
        conclusion="同意通过验收。",
        parties=[
            {"kind": "competition_bureau", "organisation": "省局价监竞争局"},
            {"kind": "expert", "organisation": "湖南大学", "names": "李教授"},
        ],
        findings={c.key: ("met", "") for c in RUBRIC},
    )
    designated = services.transition(application, "designate", province)

    assert designated.state == State.DESIGNATED
    assert designated.certificate_number == f"HNSM-{today().year}-FTZ-001"
    assert list(events(application).values_list("to_state", flat=True)) == [
        "draft",
        "submitted",
        "submitted",
        "recommended",
        "under_review",
        "under_review",
        "under_review",
        "under_review",
        "pilot",
        "acceptance",
        "acceptance",
        "designated",
    ]


# Designation and after -----------------------------------------------------------------------


def approved_for(enterprise, filer, officer, experts, province, batch):
    application = file_application(filer, enterprise, batch=batch)
    submitted(application, filer)
    services.transition(application, "recommend", officer)
    services.assign_experts(application, experts, province)
    review_all(application, experts)
    return services.transition(application, "approve", province)


def test_designation_numbers_certificates_in_order_for_three_years(
    enterprise_user,
    changsha_enterprise,
    changsha_other_county_enterprise,
    changsha_officer,
    panel,
    province,
):
    batch = make_batch(PROVINCIAL)
    first = approved_for(
        changsha_enterprise, enterprise_user, changsha_officer, panel[:3], province, batch
    )
    second = approved_for(
        changsha_other_county_enterprise,
        changsha_officer,
        changsha_officer,
        panel[2:],
        province,
        batch,
    )

    first = services.transition(first, "designate", province)
    second = services.transition(second, "designate", province)

    year = today().year
    assert first.certificate_number == f"HNSM-{year}-ENT-001"
    assert second.certificate_number == f"HNSM-{year}-ENT-002"
    assert first.designated_on == today()
    assert first.valid_until == today().replace(year=year + 3)
    assert first.public_status() == "valid"
    assert set(services.designations()) == {first, second}


@pytest.fixture
def designated(under_review, panel, province):
    review_all(under_review, panel[:3])
    services.transition(under_review, "approve", province)
    return services.transition(under_review, "designate", province)


def test_a_renewal_needs_a_follow_up_in_the_last_year(designated, province, changsha_officer):
    with pytest.raises(ValidationError):  # not in its last year yet
        services.transition(designated, "renew", province)
    DemonstrationApplication.objects.filter(pk=designated.pk).update(
        valid_until=today() + timedelta(days=100)
    )
    designated.refresh_from_db()
    old_follow_up = today() - timedelta(days=400)
    designated.follow_ups.create(
        kind="visit", happened_on=old_follow_up, summary="上年走访", recorded_by=province
    )
    with pytest.raises(ValidationError) as refused:
        services.transition(designated, "renew", province)
    assert refused.value.messages
    assert (
        DemonstrationApplication.objects.get(pk=designated.pk).valid_until == designated.valid_until
    )

    with pytest.raises(ValidationError):
        services.record_follow_up(
            designated,
            changsha_officer,
            kind="visit",
            happened_on=today() + timedelta(days=1),
            summary="x",
        )
    services.record_follow_up(
        designated, changsha_officer, kind="visit", happened_on=today(), summary="年度走访"
    )
    renewed = services.transition(designated, "renew", province)

    assert renewed.state == State.DESIGNATED
    assert renewed.valid_until == designated.valid_until.replace(
        year=designated.valid_until.year + 3
    )
    assert renewed.certificate_number == designated.certificate_number
    assert events(designated, "renew").count() == 1
    with pytest.raises(ValidationError):  # renewing again would stack three more years
        services.transition(renewed, "renew", province)


def test_a_revocation_needs_a_reason(designated, province, changsha_officer):
    with pytest.raises(ValidationError) as refused:
        services.transition(designated, "revoke", province)
    assert refused.value.message_dict["note"]
    with pytest.raises(ValidationError):
        services.transition(designated, "revoke", changsha_officer, note="泄密事件")
    assert state_of(designated) == State.DESIGNATED

    revoked = services.transition(designated, "revoke", province, note="发生重大泄密事件。")
    assert revoked.state == State.REVOKED and revoked.public_status() == "revoked"
    assert events(designated, "revoke").get().note == "发生重大泄密事件。"


def test_funding_goes_only_to_designated_units_and_is_recorded_by_the_province(
    designated, province, changsha_officer, enterprise_user, changsha_other_county_enterprise
):
    draft = file_application(changsha_officer, changsha_other_county_enterprise)
    grant = {
        "year": today().year,
        "amount": Decimal("20.00"),
        "purpose": "体系建设",
        "granted_on": today(),
    }

    with pytest.raises(ValidationError):
        services.record_funding(draft, province, **grant)
    with pytest.raises(ValidationError):
        services.record_funding(designated, changsha_officer, **grant)
    with pytest.raises(ValidationError):
        services.record_funding(designated, enterprise_user, **grant)
    assert not FundingRecord.objects.exists()

    record = services.record_funding(designated, province, **grant)
    assert record.application == designated and record.amount == Decimal("20.00")
    assert events(designated, "funding").count() == 1


# Sites and bases -----------------------------------------------------------------------------


def test_a_site_needs_two_designated_enterprises_of_its_park(
    regions, changsha_officer, province, enterprise_user
):
    park = host_park()
    members = []
    for n, name in enumerate(("园区甲公司", "园区乙公司", "园区外丙公司")):
        enterprise = make_enterprise("430104", f"MA4P{n}K{n}T{n}", name)
        if n < 2:
            enterprise.park = park
            enterprise.save()
        designated_directly(enterprise, province)
        members.append(enterprise)
    batch = make_batch(Track.SITE)

    with pytest.raises(ValidationError) as not_bureau:
        services.create_application(
            new_application(enterprise_user, track=Track.SITE, batch=batch, host_organisation=park),
            enterprise_user,
        )
    assert not_bureau.value.message_dict["track"]

    site = services.create_application(
        new_application(
            changsha_officer, track=Track.SITE, batch=batch, host_organisation=park, name="示范点"
        ),
        changsha_officer,
        members=[members[0], members[2]],  # the third is outside the park
    )
    assert site.prefecture_id == "430100" and site.enterprise is None
    attach(site, changsha_officer)
    with pytest.raises(ValidationError) as refused:
        services.transition(site, "submit", changsha_officer)
    assert "2" in refused.value.messages[0] and "1" in refused.value.messages[0]
    assert state_of(site) == State.DRAFT

    services.update_application(site, changsha_officer, members=members)
    result = services.transition(site, "submit", changsha_officer)
    # A bureau's own site needs no recommendation by itself.
    assert result.state == State.RECOMMENDED


def test_a_base_needs_two_designated_sites_and_a_sixth_base_is_welcome(
    regions, changsha_officer, yueyang_officer, province
):
    park = host_park()
    site_batch = make_batch(Track.SITE)
    sites = [
        designated_directly(
            None,
            changsha_officer,
            track=Track.SITE,
            batch=site_batch,
            name=f"示范点{n}",
            prefecture_id="430100",
            host_organisation=park,
        )
        for n in range(2)
    ]
    batch = make_batch(Track.BASE)
    base = services.create_application(
        new_application(changsha_officer, track=Track.BASE, batch=batch, name="长沙示范基地"),
        changsha_officer,
        sites=sites[:1],
    )
    attach(base, changsha_officer)
    with pytest.raises(ValidationError) as too_few:
        services.transition(base, "submit", changsha_officer)
    assert "2" in too_few.value.messages[0]
    assert state_of(base) == State.DRAFT

    services.update_application(base, changsha_officer, sites=sites)
    for n in range(5):
        designated_directly(
            None,
            province,
            track=Track.BASE,
            batch=batch,
            name=f"已有基地{n}",
            prefecture_id="430600",
        )
    # §8's 3–5 bases are a target: the sixth is filed like the first.
    assert services.transition(base, "submit", changsha_officer).state == State.RECOMMENDED


def test_a_base_is_no_funding_track(regions, changsha_officer, province):
    base = designated_directly(
        None, changsha_officer, track=Track.BASE, name="示范基地", prefecture_id="430100"
    )
    with pytest.raises(ValidationError):
        services.record_funding(
            base, province, year=today().year, amount=Decimal("5"), purpose="x", granted_on=today()
        )
    assert not FundingRecord.objects.exists()
