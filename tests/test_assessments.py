"""Self-protection checklists: the risk rule on crafted answers, and who may fill, submit and
confirm what."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments import risk, services
from assessments.models import ChecklistAnswer, ChecklistSubmission, ChecklistTemplate, Tier
from enterprises.models import ServiceEvent

from .conftest import client_for, make_enterprise


@pytest.fixture
def template(regions):
    return services.current_template() or services.load_default_template()


def answer_all(submission, user, answer_for):
    """Answer every item: ``answer_for(item)`` gives the answer."""
    items = submission.template.items.all()
    services.save_answers(submission, user, {i.pk: (answer_for(i), "", None) for i in items})


def plain(enterprise):
    """No risk factor: nothing about staff or secrets on the record."""
    enterprise.holds_technical_information = False
    enterprise.holds_business_information = False
    enterprise.staff_count = enterprise.rd_staff_count = None
    enterprise.technical_departures_per_year = None
    enterprise.save()
    return enterprise


# The rule ------------------------------------------------------------------------------------


def pairs(template, answer_for):
    return [(item, answer_for(item)) for item in template.items.all()]


def test_all_yes_scores_100_and_is_low_risk(template, changsha_enterprise):
    result = risk.assess(plain(changsha_enterprise), pairs(template, lambda i: "yes"))
    assert result.score == 100
    assert result.risk_points == 0
    assert result.tier == Tier.LOW
    assert result.reasons == []


def test_all_no_scores_0_and_is_high_risk(template, changsha_enterprise):
    result = risk.assess(plain(changsha_enterprise), pairs(template, lambda i: "no"))
    assert result.score == 0
    assert result.risk_points == 100
    assert result.tier == Tier.HIGH
    assert {r.kind for r in result.reasons} == {"critical", "item"}


def test_one_critical_item_failed_is_high_risk_whatever_the_score(template, changsha_enterprise):
    critical = template.items.filter(critical=True).first()
    result = risk.assess(
        plain(changsha_enterprise),
        pairs(template, lambda i: "no" if i.pk == critical.pk else "yes"),
    )
    assert result.score > 90
    assert result.risk_points < risk.MEDIUM_FROM
    assert result.tier == Tier.HIGH
    assert result.reasons[0].kind == "critical"


def test_a_critical_item_partly_met_is_at_least_medium(template, changsha_enterprise):
    critical = template.items.filter(critical=True).first()
    result = risk.assess(
        plain(changsha_enterprise),
        pairs(template, lambda i: "partly" if i.pk == critical.pk else "yes"),
    )
    assert result.tier == Tier.MEDIUM


def test_not_applicable_items_leave_the_denominator(template, changsha_enterprise):
    items = list(template.items.filter(critical=False))
    first, second = items[0], items[1]
    # Only two items apply, one met and one not: the score is their weighted share.
    answers = [
        (item, "yes" if item == first else "no" if item == second else "na")
        for item in template.items.all()
    ]
    result = risk.assess(plain(changsha_enterprise), answers)
    expected = Decimal(first.weight * 100) / Decimal(first.weight + second.weight)
    assert result.score == expected.quantize(Decimal("0.1"))


def test_risk_factors_add_points_and_are_explained(template, changsha_enterprise):
    enterprise = plain(changsha_enterprise)
    enterprise.holds_technical_information = True
    enterprise.holds_business_information = True
    enterprise.staff_count, enterprise.rd_staff_count = 100, 40
    enterprise.technical_departures_per_year = 10
    enterprise.save()
    result = risk.assess(enterprise, pairs(template, lambda i: "yes"))
    factors = [r for r in result.reasons if r.kind == "factor"]
    assert len(factors) == 3  # departures 25% of R&D, both kinds of secrets, R&D share 40%
    assert result.risk_points == sum(r.points for r in factors) == Decimal(31)
    assert result.tier == Tier.MEDIUM


# The services --------------------------------------------------------------------------------


def test_an_enterprise_saves_half_comes_back_and_submits(template, enterprise_user):
    enterprise = enterprise_user_enterprise(enterprise_user)
    submission = services.start(enterprise, enterprise_user)
    items = list(template.items.all())
    half = {i.pk: ("yes", "", None) for i in items[: len(items) // 2]}
    services.save_answers(submission, enterprise_user, half)
    assert services.start(enterprise, enterprise_user) == submission  # resumed, not a new one
    with pytest.raises(ValidationError) as missing:
        services.submit(submission, enterprise_user)
    assert str(len(items) - len(half)) in missing.value.messages[0]
    answer_all(submission, enterprise_user, lambda i: "yes")
    submitted = services.submit(submission, enterprise_user)
    assert submitted.status == ChecklistSubmission.Status.SUBMITTED
    assert submitted.tier and submitted.score is not None


def enterprise_user_enterprise(user):
    from enterprises.models import Enterprise
    from tsprotect.core import scoping

    return Enterprise.objects.get(pk=next(iter(scoping.enterprise_ids(user))))


def test_a_second_tab_submitting_the_same_draft_is_told_and_nothing_changes(
    template, enterprise_user
):
    enterprise = enterprise_user_enterprise(enterprise_user)
    submission = services.start(enterprise, enterprise_user)
    answer_all(submission, enterprise_user, lambda i: "yes")
    other_tab = ChecklistSubmission.objects.get(pk=submission.pk)
    first = services.submit(submission, enterprise_user)
    with pytest.raises(ValidationError):
        services.submit(other_tab, enterprise_user)
    with pytest.raises(ValidationError):
        services.save_answers(other_tab, enterprise_user, {})
    assert ChecklistSubmission.objects.get(pk=submission.pk).submitted_at == first.submitted_at


def test_answers_for_items_of_another_version_are_refused_whole(template, enterprise_user):
    enterprise = enterprise_user_enterprise(enterprise_user)
    submission = services.start(enterprise, enterprise_user)
    other = services.new_version(template)
    mine, foreign = template.items.first(), other.items.first()
    with pytest.raises(ValidationError):
        services.save_answers(
            submission,
            enterprise_user,
            {mine.pk: ("yes", "", None), foreign.pk: ("yes", "", None)},
        )
    assert not submission.answers.exists()


def test_a_submission_on_a_retired_version_is_refused_and_can_move_on(template, enterprise_user):
    enterprise = enterprise_user_enterprise(enterprise_user)
    submission = services.start(enterprise, enterprise_user)
    answer_all(submission, enterprise_user, lambda i: "yes")
    draft = services.new_version(template)
    draft.items.filter(code=draft.items.last().code).delete()  # the new version drops one item
    services.publish_template(draft)
    with pytest.raises(ValidationError):
        services.submit(submission, enterprise_user)
    assert ChecklistTemplate.objects.get(pk=template.pk).status == "retired"
    moved = services.restart_on_current(submission, enterprise_user)
    assert moved.template == draft
    assert moved.answers.count() == draft.items.count()  # every kept item kept its answer
    assert services.submit(moved, enterprise_user).status == "submitted"
    # The old version's wording is untouched for the submissions made on it.
    assert template.items.count() == draft.items.count() + 1


def test_the_officer_confirms_and_the_directory_shows_the_tier(
    template, enterprise_user, changsha_officer, yueyang_officer
):
    enterprise = enterprise_user_enterprise(enterprise_user)
    submission = services.start(enterprise, enterprise_user)
    answer_all(submission, enterprise_user, lambda i: "no")
    services.submit(submission, enterprise_user)
    with pytest.raises(ValidationError):
        services.confirm(submission, enterprise_user)
    with pytest.raises(ValidationError):
        services.confirm(submission, yueyang_officer)
    services.confirm(submission, changsha_officer, "已核实")
    enterprise.refresh_from_db()
    assert enterprise.risk_tier == Tier.HIGH
    page = client_for(changsha_officer).get(reverse("enterprises:list") + "?risk_tier=high")
    assert enterprise.name in page.content.decode()
    page = client_for(changsha_officer).get(reverse("enterprises:list") + "?risk_tier=low")
    assert enterprise.name not in page.content.decode()


def test_an_officer_fills_in_on_the_enterprises_behalf(
    template, changsha_enterprise, changsha_officer
):
    submission = services.start(changsha_enterprise, changsha_officer)
    assert submission.on_behalf


def test_another_prefecture_may_not_fill_in(template, changsha_enterprise, yueyang_officer):
    with pytest.raises(ValidationError):
        services.start(changsha_enterprise, yueyang_officer)


def test_enterprises_due_a_visit_follow_their_tier(regions, changsha_officer, yueyang_officer):
    today = timezone.localdate()
    high = make_enterprise("430104", "MA4L7A1B1", "长沙高风险企业有限公司")
    low = make_enterprise("430104", "MA4L7A1B2", "长沙低风险企业有限公司")
    visited = make_enterprise("430104", "MA4L7A1B3", "长沙已走访企业有限公司")
    for enterprise, tier in ((high, "high"), (low, "low"), (visited, "high")):
        enterprise.risk_tier = tier
        enterprise.save()
    ServiceEvent.objects.create(
        enterprise=low, kind="visit", happened_on=today - dt.timedelta(days=200), summary="走访"
    )
    ServiceEvent.objects.create(
        enterprise=visited, kind="visit", happened_on=today - dt.timedelta(days=30), summary="走访"
    )
    due = list(services.due_visits(changsha_officer))
    assert due == [high]  # low was visited within a year, the other high one within 90 days
    assert list(services.due_visits(yueyang_officer)) == []


# Pages ---------------------------------------------------------------------------------------


def test_the_tips_pdf_carries_the_chinese_guidance(template, enterprise_user):
    enterprise = enterprise_user_enterprise(enterprise_user)
    submission = services.start(enterprise, enterprise_user)
    answer_all(submission, enterprise_user, lambda i: "no" if i.critical else "yes")
    services.submit(submission, enterprise_user)
    response = client_for(enterprise_user).get(
        reverse("assessments:tips_pdf", args=[submission.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    critical = template.items.filter(critical=True).first()
    assert enterprise.name in text
    assert critical.guidance[:12] in text.replace("\n", "")


def test_a_disguised_evidence_file_is_refused_and_nothing_saved(template, enterprise_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    enterprise = enterprise_user_enterprise(enterprise_user)
    submission = services.start(enterprise, enterprise_user)
    item = template.items.filter(evidence_expected=True).first()
    disguised = SimpleUploadedFile("制度.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    response = client_for(enterprise_user).post(
        reverse("assessments:fill", args=[submission.pk]),
        {f"answer_{item.pk}": "yes", f"evidence_{item.pk}": disguised, "action": "save"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ChecklistAnswer.objects.filter(submission=submission).exists()


def test_a_published_tip_is_sanitised_against_scripts(regions, province):
    client = client_for(province)
    client.post(
        reverse("assessments:tip_create"),
        {
            "title": "离职员工保密提示",
            "summary": "",
            "body": '<p onclick="x()">交接</p><script>alert(1)</script>'
            '<a href="javascript:x">链接</a>',
        },
    )
    from assessments.models import ComplianceTip

    tip = ComplianceTip.objects.get()
    assert "<script" not in tip.body and "onclick" not in tip.body and "javascript" not in tip.body
    client.post(reverse("assessments:tip_status", args=[tip.pk, "published"]))
    page = client_for(None).get(reverse("public:tip", args=[tip.pk])).content.decode()
    assert "交接" in page and "alert(1)" not in page


def test_risk_factors_are_shown_in_the_readers_language(template, enterprise_user, settings):
    enterprise = enterprise_user_enterprise(enterprise_user)
    enterprise.holds_technical_information = True
    enterprise.holds_business_information = False
    enterprise.save()
    submission = services.start(enterprise, enterprise_user)
    answer_all(submission, enterprise_user, lambda i: "yes")
    services.submit(submission, enterprise_user)
    client = client_for(enterprise_user)
    page = client.get(reverse("assessments:detail", args=[submission.pk])).content.decode()
    assert "掌握技术信息" in page  # Chinese by default
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("assessments:detail", args=[submission.pk])).content.decode()
    assert "Holds technical information" in page
