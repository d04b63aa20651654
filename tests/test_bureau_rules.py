"""The bureau's own rules: values neither the policy nor a regulation sets (how long a designation
stands, the visit interval of each risk tier, the designated enterprises a site needs, the
experts' pass mark, when periodic reports are due). Provincial staff change them in the admin,
with history; each change changes what the portal does, and the pages show them as the bureau's
rule, never with a legal citation."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessments
from demonstrations import services as demonstrations
from demonstrations.models import DemonstrationApplication
from demonstrations.workflow import State, Track
from enterprises.models import ServiceEvent
from tsprotect.core import bureau_rules
from tsprotect.core.bureau_rules import bureau_rule
from tsprotect.core.models import BureauRule
from tsprotect.regions.calendar import add_workdays
from tsprotect.reports.periods import parse as parse_period

from .conftest import client_for, make_enterprise
from .test_demonstration_workflow import (
    attach,
    designated_directly,
    host_park,
    make_batch,
    new_application,
    review_all,
)

pytestmark = pytest.mark.django_db

SEEDED = {
    "designation_years": (3, "years"),
    "visit_interval_high": (90, "calendar_days"),
    "visit_interval_medium": (180, "calendar_days"),
    "visit_interval_low": (365, "calendar_days"),
    "site_min_designated_enterprises": (2, "enterprises"),
    "expert_pass_mark": (60, "points"),
    "report_due_month": (5, "working_days"),
    "report_due_quarter": (10, "working_days"),
    "report_due_year": (15, "working_days"),
}
LEGAL_CITATION = re.compile(r"第[0-9一二三四五六七八九十百]+条|art\.\s*\d")


def today():
    return timezone.localdate()


def change(code, value, in_force_from=None):
    """What provincial staff do in the admin, as the model's save."""
    rule = BureauRule.objects.get(code=code)
    rule.value = value
    rule.in_force_from = in_force_from or today()
    rule.save()


def test_the_current_values_are_seeded_as_the_bureaus_rules(regions):
    rules = {r.code: r for r in BureauRule.objects.all()}
    assert {code: (r.value, r.unit) for code, r in rules.items()} == SEEDED
    for rule in rules.values():
        assert "本局规定" in rule.explanation
        assert rule.in_force_from <= today()
        assert bureau_rule(rule.code) == rule.value


def test_a_change_is_read_at_once_and_kept_in_the_history(regions):
    assert bureau_rule("expert_pass_mark") == 60  # now in the cache
    change("expert_pass_mark", 70)
    assert bureau_rule("expert_pass_mark") == 70
    history = BureauRule.objects.get(code="expert_pass_mark").history.all()
    assert history.first().value == 70 and history.first().history_type == "~"


def test_a_value_applies_from_its_date_in_force(regions):
    change("visit_interval_high", 60, in_force_from=dt.date(2026, 1, 1))
    change("visit_interval_high", 45, in_force_from=today() + dt.timedelta(days=30))
    assert bureau_rule("visit_interval_high") == 60
    assert bureau_rule("visit_interval_high", on=today() + dt.timedelta(days=30)) == 45
    assert bureau_rule("visit_interval_high", on=dt.date(2025, 12, 31)) == 90
    rule = bureau_rules.rule("visit_interval_high")
    assert (rule.value, rule.in_force_from) == (60, dt.date(2026, 1, 1))


def test_an_unknown_rule_is_an_error_not_a_guess(regions):
    with pytest.raises(LookupError):
        bureau_rule("no_such_rule")


def test_a_mark_above_100_is_refused(regions):
    rule = BureauRule.objects.get(code="expert_pass_mark")
    rule.value = 120
    with pytest.raises(ValidationError):
        rule.full_clean()


# Each rule drives the portal ------------------------------------------------------------------


def test_the_designation_lasts_as_long_as_the_rule_says(
    enterprise_user, changsha_enterprise, changsha_officer, province, regions
):
    from .test_demonstration_workflow import file_application, make_expert, submitted

    experts = [make_expert(f"reviewer{n}", f"湖南第{n}大学") for n in range(3)]
    application = file_application(enterprise_user, changsha_enterprise)
    submitted(application, enterprise_user)
    demonstrations.transition(application, "recommend", changsha_officer)
    demonstrations.assign_experts(application, experts, province)
    review_all(application, experts)
    demonstrations.transition(application, "approve", province)

    change("designation_years", 5)
    designated = demonstrations.transition(application, "designate", province)

    assert designated.valid_until == today().replace(year=today().year + 5)


def test_the_pass_mark_is_the_rule_in_force(
    enterprise_user, changsha_enterprise, changsha_officer, province, regions
):
    from .test_demonstration_workflow import file_application, make_expert, submitted

    experts = [make_expert(f"reviewer{n}", f"湖南第{n}大学") for n in range(3)]
    application = file_application(enterprise_user, changsha_enterprise)
    submitted(application, enterprise_user)
    demonstrations.transition(application, "recommend", changsha_officer)
    demonstrations.assign_experts(application, experts, province)
    review_all(application, experts)  # 80 points each
    change("expert_pass_mark", 85)

    with pytest.raises(ValidationError) as refused:
        demonstrations.transition(application, "approve", province)
    assert "85" in refused.value.messages[0]
    assert DemonstrationApplication.objects.get(pk=application.pk).state == State.UNDER_REVIEW

    change("expert_pass_mark", 80)
    assert demonstrations.transition(application, "approve", province).state == State.APPROVED

    page = client_for(province).get(reverse("demonstrations:decision", args=[application.pk]))
    assert "80" in page.content.decode() and "本局规定" in page.content.decode()


def test_a_site_needs_as_many_designated_enterprises_as_the_rule_says(
    regions, changsha_officer, province
):
    park = host_park()
    member = make_enterprise("430104", "MA4P0K0T0", "园区甲公司")
    member.park = park
    member.save()
    designated_directly(member, province)
    batch = make_batch(Track.SITE)
    site = demonstrations.create_application(
        new_application(
            changsha_officer, track=Track.SITE, batch=batch, host_organisation=park, name="示范点"
        ),
        changsha_officer,
        members=[member],
    )
    attach(site, changsha_officer)
    with pytest.raises(ValidationError) as refused:
        demonstrations.transition(site, "submit", changsha_officer)
    assert "本局规定" in refused.value.messages[0]

    change("site_min_designated_enterprises", 1)
    assert demonstrations.transition(site, "submit", changsha_officer).state == State.RECOMMENDED


def test_the_visit_interval_of_a_tier_is_the_rule_in_force(regions, changsha_officer):
    enterprise = make_enterprise("430104", "MA4L7A1B1", "长沙高风险企业有限公司")
    enterprise.risk_tier = "high"
    enterprise.save()
    ServiceEvent.objects.create(
        enterprise=enterprise,
        kind="visit",
        happened_on=today() - dt.timedelta(days=100),
        summary="走访",
    )
    assert list(assessments.due_visits(changsha_officer)) == [enterprise]

    change("visit_interval_high", 120)
    assert list(assessments.due_visits(changsha_officer)) == []

    page = client_for(changsha_officer).get(reverse("assessments:due_visits"))
    text = page.content.decode()
    assert "120" in text and "本局规定" in text


def test_reports_fall_due_after_the_working_days_the_rule_says(regions):
    september = parse_period("2026-09")
    assert september.due_on == add_workdays(dt.date(2026, 9, 30), 5)
    change("report_due_month", 8, in_force_from=dt.date(2026, 9, 1))
    assert september.due_on == add_workdays(dt.date(2026, 9, 30), 8)
    assert september.due_on > add_workdays(dt.date(2026, 9, 30), 5)
    # A value in force only later leaves a period that ended before it as it was.
    change("report_due_quarter", 20, in_force_from=dt.date(2027, 1, 1))
    assert parse_period("2026-Q3").due_on == add_workdays(dt.date(2026, 9, 30), 10)
    assert parse_period("2026-Q4").due_on == add_workdays(dt.date(2026, 12, 31), 10)
    assert parse_period("2027-Q1").due_on == add_workdays(dt.date(2027, 3, 31), 20)


# Shown as the bureau's rule, never as law -----------------------------------------------------


def test_the_pages_show_the_rules_as_the_bureaus_never_with_a_citation(
    regions, province, enterprise_user, changsha_enterprise
):
    from tsprotect.core.templatetags.bureau_rules import bureau_rule_mark

    for code in SEEDED:
        mark = str(bureau_rule_mark(code))
        shown = re.sub(r'title="[^"]*"', "", mark)
        assert "本局规定" in shown
        assert not LEGAL_CITATION.search(shown)

    designated = designated_directly(
        changsha_enterprise,
        province,
        certificate_number="HNSM-2026-ENT-901",
        designated_on=today(),
        valid_until=today().replace(year=today().year + 3),
    )
    page = client_for(province).get(reverse("demonstrations:detail", args=[designated.pk]))
    text = page.content.decode()
    assert "3 年" in text and "本局规定" in text


def test_provincial_staff_change_a_rule_in_the_admin_with_its_history(regions, province):
    rule = BureauRule.objects.get(code="visit_interval_low")
    client = client_for(province)
    url = reverse("admin:core_bureaurule_change", args=[rule.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "label": rule.label,
            "value": 300,
            "explanation": rule.explanation,
            "in_force_from": today().isoformat(),
        },
    )
    assert response.status_code == 302
    assert bureau_rule("visit_interval_low") == 300
    changed = BureauRule.history.filter(code="visit_interval_low", history_type="~").get()
    assert (changed.value, changed.history_user) == (300, province)
    history = client.get(reverse("admin:core_bureaurule_history", args=[rule.pk]))
    assert history.status_code == 200
    # The code and the unit are what the portal reads: not changed from the admin.
    assert BureauRule.objects.get(pk=rule.pk).unit == "calendar_days"
    assert client.get(reverse("admin:core_bureaurule_add")).status_code == 403


def test_officers_do_not_change_the_rules(regions, changsha_officer):
    rule = BureauRule.objects.get(code="visit_interval_low")
    response = client_for(changsha_officer).get(
        reverse("admin:core_bureaurule_change", args=[rule.pk])
    )
    assert response.status_code in (302, 403)
