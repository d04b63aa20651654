"""seed_scale's synthetic complaints: a small load on the real PostgreSQL test database.

The rows must look like the real thing to the pages and the jobs: consistent milestones for
their state, unique references that a real intake continues, and clocks exactly as
``services.refresh_clocks`` would compute them.
"""

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, ComplaintClock, CreditPush, ReferenceCounter
from complaints.workflow import OPEN_STATES, OUTCOME_STATES, REFERENCE_PREFIX, State
from enterprises.models import Enterprise
from tsprotect.core.management.commands.seed_scale import SEED_USERNAME

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="seed_scale loads with PostgreSQL COPY"
)

COMPLAINTS = 300
REFERENCE = re.compile(r"^(.+)市监商秘〔(\d{4})〕(\d+)号$")


@pytest.fixture
def seeded(regions, changsha_officer):
    out = io.StringIO()
    call_command("seed_scale", enterprises=2000, complaints=COMPLAINTS, stdout=out)
    return out.getvalue()


def synthetic():
    return Complaint.objects.filter(registered_by__username=SEED_USERNAME)


def snapshot(complaint):
    clocks = sorted(
        (c.limit_id, c.started_at, c.due_on, c.due_at, c.met_at)
        for c in ComplaintClock.objects.filter(complaint=complaint)
    )
    fresh = Complaint.objects.get(pk=complaint.pk)
    return clocks, (fresh.next_deadline, fresh.next_limit_id, fresh.accept_deadline, fresh.paused)


def test_it_loads_complaints_spread_over_the_province(seeded):
    rows = synthetic()
    assert rows.count() == COMPLAINTS
    assert "Loaded 300 synthetic complaints" in seeded
    by_prefecture = {
        code: rows.filter(prefecture_id=code).count()
        for code in rows.values_list("prefecture_id", flat=True).distinct()
    }
    assert max(by_prefecture, key=by_prefecture.get) == "430100"
    assert len(by_prefecture) >= 10
    reports = rows.filter(kind="report").count()
    assert 0.1 * COMPLAINTS < reports < 0.3 * COMPLAINTS
    assert rows.values("channel").distinct().count() >= 5
    today = timezone.localdate()
    assert not rows.filter(received_on__gt=today).exists()
    assert not rows.filter(received_on__lt=today - dt.timedelta(days=731)).exists()
    open_count = rows.filter(state__in=OPEN_STATES).count()
    assert 0.02 * COMPLAINTS < open_count < 0.25 * COMPLAINTS
    assert rows.overdue().exists()
    assert rows.transfer_candidates().exists()
    directory = Enterprise.objects.filter(created_by__username=SEED_USERNAME)
    filed = rows.filter(complainant_enterprise__isnull=False)
    assert filed.count() > COMPLAINTS / 2
    assert filed.filter(complainant_enterprise__in=directory).count() == filed.count()
    assert not filed.exclude(prefecture=F("complainant_enterprise__prefecture")).exists()


def test_it_gives_milestones_consistent_with_the_state(seeded):
    for c in synthetic():
        decided = c.accept_decided_at is not None
        assert decided == (c.state != State.RECEIVED), c.reference
        if c.state in (State.RECEIVED, State.ACCEPTED):
            assert c.outcome_at is None and c.closed_at is None, c.reference
        if c.state == State.ACCEPTED:
            assert c.case_filed_on is None and c.transfer_proposed_at is None, c.reference
        if c.state == State.CASE_FILED:
            assert c.case_filed_on and c.case_number and c.filing_decided_at, c.reference
            assert c.case_concluded_at is None, c.reference
        if c.state in (State.TRANSFER_PROPOSED, State.TRANSFER_APPROVED, State.TRANSFERRED):
            assert c.transfer_proposed_at and c.transfer_unit, c.reference
        if c.state in (State.TRANSFER_APPROVED, State.TRANSFERRED):
            assert c.transfer_approved_at >= c.transfer_proposed_at, c.reference
        if c.state == State.TRANSFERRED:
            assert c.transfer_sent_at == c.outcome_at, c.reference
        if c.transfer_sent_at:
            # Sent, then answered by the police (a closed transfer always was).
            assert c.transfer_state, c.reference
            if c.state == State.CLOSED:
                assert c.police_decided_on >= timezone.localdate(c.transfer_sent_at), c.reference
        if c.state == State.GUIDED:
            assert c.remedy, c.reference
        if c.state == State.CASE_DECIDED:
            assert c.case_decided_on >= c.case_filed_on, c.reference
        if c.state in OUTCOME_STATES:
            assert c.outcome_at and c.closed_at is None, c.reference
        if c.state == State.CLOSED:
            assert c.closed_at and c.outcome_at and c.feedback_at, c.reference
            assert c.outcome_at <= c.feedback_at <= c.closed_at, c.reference
            assert not c.penalty or c.penalty_published_at, c.reference
        if c.penalty:
            assert CreditPush.objects.filter(complaint=c, decision_number=c.decision_number)
        moments = [
            c.accept_decided_at,
            c.filing_decided_at,
            c.outcome_at,
            c.feedback_at,
            c.closed_at,
        ]
        assert all(m <= timezone.now() for m in moments if m), c.reference
        assert c.registered_at.date() >= c.received_on - dt.timedelta(days=1), c.reference
    states = set(synthetic().values_list("state", flat=True))
    assert {State.CLOSED, State.RECEIVED, State.ACCEPTED} <= states


def test_it_numbers_references_in_sequence_and_a_real_intake_continues(seeded, changsha_officer):
    numbers = {}
    for reference, prefecture, received_on in synthetic().values_list(
        "reference", "prefecture_id", "received_on"
    ):
        prefix, year, number = REFERENCE.match(reference).groups()
        assert prefix == REFERENCE_PREFIX[prefecture] and int(year) == received_on.year
        numbers.setdefault((prefecture, int(year)), []).append(int(number))
    for key, used in numbers.items():
        assert sorted(used) == list(range(1, len(used) + 1)), key
        assert ReferenceCounter.objects.get(prefecture_id=key[0], year=key[1]).last == len(used)
    year = timezone.localdate().year
    before = len(numbers.get(("430100", year), []))
    complaint = services.create_complaint(
        Complaint(
            kind="complaint",
            channel="12315",
            prefecture_id="430100",
            county_id="430104",
            received_on=timezone.localdate(),
            complainant_name="长沙湘江新材料有限公司",
            respondent_name="长沙某某科技有限公司",
            secret_kind="technical",
            conduct=["job_hopping"],
            description="前技术总监离职后带走工艺图纸。",
        ),
        changsha_officer,
    )
    assert complaint.reference == f"长市监商秘〔{year}〕{before + 1}号"


def test_refresh_clocks_changes_nothing_on_seeded_rows(seeded):
    rows = list(synthetic().order_by("pk"))
    sample = rows[::7] + [c for c in rows if c.state != State.CLOSED]
    assert ComplaintClock.objects.filter(complaint__in=rows).count() >= COMPLAINTS
    for complaint in sample:
        before = snapshot(complaint)
        services.refresh_clocks(Complaint.objects.get(pk=complaint.pk))
        assert snapshot(complaint) == before, complaint.reference


def test_reset_deletes_only_the_synthetic_complaints(seeded, changsha_officer):
    real = services.create_complaint(
        Complaint(
            kind="report",
            channel="12345",
            prefecture_id="430100",
            received_on=timezone.localdate(),
            anonymous=True,
            respondent_name="长沙某某科技有限公司",
            secret_kind="customer",
            conduct=[],
            description="匿名举报。",
        ),
        changsha_officer,
    )
    with pytest.raises(CommandError, match="already exist"):
        call_command("seed_scale", enterprises=0, complaints=10, stdout=io.StringIO())
    call_command("seed_scale", enterprises=0, complaints=10, reset=True, stdout=io.StringIO())
    assert synthetic().count() == 10
    assert Complaint.objects.filter(pk=real.pk).exists()
    assert Enterprise.objects.filter(created_by__username=SEED_USERNAME).count() == 2000
