"""Every role's main pages pass the automated WCAG 2.1 AA checks and fit a 390-px phone.

axe-core (vendored under tests/vendor/axe-core, no network at test time) runs on each page as
each persona sees it, on a small realistic data set: a complaint, a demonstration application
recommended by the 长沙 officer, a designated unit and a published compliance tip. Serious and
critical violations fail the test; the minor ones are printed. On a phone (390 px wide) no page
scrolls sideways: wide tables scroll inside their ``.table-wrap``.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from assessments.models import ComplianceTip
from demonstrations import services as demonstration_services

from .matrix_complaints import make_complaint
from .test_browser_directory import log_in
from .test_demonstration_workflow import designated_directly, file_application, submitted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

STAFF_PAGES = [
    "/",
    "/enterprises/",
    "/enterprises/{enterprise}/",
    "/complaints/",
    "/complaints/{complaint}/",
    "/demonstrations/",
    "/demonstrations/{application}/",
    "/demonstrations/{ftz_application}/",
    "/assessments/",
    "/notifications/",
]
PAGES = {
    "officer_430100": STAFF_PAGES,
    "province": [
        *STAFF_PAGES,
        "/complaints/overview/",
        "/demonstrations/{ftz_application}/acceptance/",
    ],
    "enterprise1": [
        "/",
        "/enterprises/mine/",
        "/complaints/",
        "/complaints/{complaint}/",
        "/demonstrations/",
        "/assessments/",
        "/notifications/",
    ],
    "expert1": ["/", "/demonstrations/", "/notifications/"],
    None: [
        "/public/",
        "/public/designations/",
        "/public/guide/",
        "/public/notices/",
        "/public/trainings/",
        "/public/tips/",
        "/accounts/login/",
        "/accounts/register/",
    ],
}


@pytest.fixture
def data(personas, changsha_enterprise, enterprise_user, changsha_officer, province):
    complaint = make_complaint(personas["objects"], "accepted")
    application = file_application(enterprise_user, changsha_enterprise)
    submitted(application, enterprise_user)
    demonstration_services.transition(application, "recommend", changsha_officer)
    today = timezone.localdate()
    designated_directly(
        personas["objects"]["yueyang_enterprise"],
        province,
        certificate_number=f"HNSM-{today.year}-ENT-001",
        designated_on=today,
        valid_until=today + dt.timedelta(days=3 * 365),
    )
    ComplianceTip.objects.create(
        title="员工离职时的保密提示",
        body="<p>离职前办理涉密载体交接，重申保密义务。</p>",
        status="published",
        published_at=timezone.now(),
        created_by=province,
    )
    return {
        "enterprise": changsha_enterprise.pk,
        "complaint": complaint.pk,
        "application": application.pk,
        "ftz_application": _ftz_in_acceptance(personas, province).pk,
    }


def _ftz_in_acceptance(personas, province):
    """An FTZ pilot back in its acceptance after a first evaluation asked for rectification."""
    from demonstrations.models import (
        AcceptanceEvaluation,
        AcceptancePartyMember,
        Batch,
        DemonstrationApplication,
        PilotEntry,
    )

    enterprise = personas["objects"]["changsha_other_county_enterprise"]
    enterprise.ftz_area_id = "changsha"
    enterprise.save()
    application = DemonstrationApplication.objects.create(
        track="ftz_enterprise",
        batch=Batch.objects.get_or_create(
            track="ftz_enterprise",
            year=timezone.localdate().year,
            name="自贸试验区第一批",
            defaults={
                "opens_on": timezone.localdate(),
                "submission_deadline": timezone.localdate(),
                "recommendation_deadline": timezone.localdate(),
            },
        )[0],
        state="acceptance",
        name=enterprise.name,
        enterprise=enterprise,
        prefecture_id=enterprise.prefecture_id,
        county_id=enterprise.county_id,
        ftz_area_id="changsha",
        ftz_selection="special_project",
        rules_system="制度",
        organisation="机构",
        measures="措施",
        contact_person="周经理",
        contact_phone="0731-88886666",
        created_by=province,
    )
    PilotEntry.objects.create(
        application=application,
        kind="guidance",
        happened_on=timezone.localdate(),
        summary="指导企业建立涉密图纸分级标识制度。",
        recorded_by=province,
    )
    evaluation = AcceptanceEvaluation.objects.create(
        application=application,
        evaluated_on=timezone.localdate(),
        result="rectify",
        conclusion="分级管理尚未落实。",
        rectification="完成图纸密级标识后复验。",
        recorded_by=province,
    )
    AcceptancePartyMember.objects.create(
        evaluation=evaluation, kind="competition_bureau", organisation="省局价监竞争局"
    )
    return application


def audit(page):
    """axe's WCAG 2.1 A/AA results for the page as it stands."""
    # Evaluated through the browser's debugging protocol, not added as an inline <script>, which
    # the portal's Content-Security-Policy refuses.
    page.evaluate(AXE.read_text())
    return page.evaluate(
        """tags => axe
            .run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
            .then(r => r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => `${n.target.join(' ')} ${n.failureSummary}`),
            })))""",
        WCAG_AA,
    )


@pytest.mark.parametrize("username", list(PAGES), ids=lambda u: u or "anonymous")
def test_the_main_pages_pass_wcag_aa_and_fit_a_phone(browser, live_server, data, username):
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    if username:
        log_in(page, base, username)
    blocking, overflowing = [], []
    for template in PAGES[username]:
        url = template.format(**data)
        page.set_viewport_size(DESKTOP)
        response = page.goto(base + url)
        assert response.ok, f"{url}: {response.status}"
        for violation in audit(page):
            line = f"{username or 'anonymous'} {url} [{violation['impact']}] {violation['id']}: "
            line += violation["help"] + "\n    " + "\n    ".join(violation["nodes"])
            print(line)
            if violation["impact"] in BLOCKING:
                blocking.append(line)
        page.set_viewport_size(PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            overflowing.append(f"{url}: {width}px")
    context.close()
    assert not blocking and not overflowing, "\n".join(
        [*blocking, *(f"wider than a 390-px phone: {o}" for o in overflowing)]
    )
