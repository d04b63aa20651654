"""A row that hangs off a scoped parent (a complaint's evidence, an application's attachment, a
report's history) is seen where its parent is: ``core.children.child_scope``."""

import pytest

from complaints.models import ClockPause, Complaint, ComplaintEvent, EvidenceFile
from demonstrations.models import AcceptanceDocument, DemonstrationApplication, ExpertAssignment
from enterprises.models import DOSSIER_SCOPE
from tsprotect.core.children import child_scope
from tsprotect.reports.models import ReportEvent

from .matrix_complaints import make_complaint


def fields(scope):
    return (
        scope.prefecture_field,
        scope.county_field,
        scope.enterprise_field,
        scope.enterprise_actions,
    )


def test_it_reaches_the_parents_prefecture_county_and_enterprise_through_the_path():
    scope = child_scope(
        DemonstrationApplication, "evaluation__application", enterprise_actions=("view",)
    )
    assert fields(scope) == (
        "evaluation__application__prefecture",
        "evaluation__application__county",
        "evaluation__application__enterprise",
        ("view",),
    )
    assert scope.permissions == DemonstrationApplication.scope.permissions


def test_the_parents_enterprise_reaches_the_rows_only_for_the_actions_named():
    assert fields(child_scope(Complaint, "complaint")) == (
        "complaint__prefecture",
        "complaint__county",
        None,
        (),
    )


def test_it_inherits_no_extra_access_and_takes_its_own_permissions():
    """A bureau that handed a complaint on still reads the complaint, not what hangs off it."""
    assert Complaint.scope.extra_access is not None
    assert child_scope(Complaint, "complaint").extra_access is None
    only_view = {"view": "view_prefecture_records"}
    assert child_scope(Complaint, "complaint", permissions=only_view).permissions == only_view


def test_a_parent_without_a_county_gives_children_without_one():
    assert ReportEvent.scope.prefecture_field == "report__prefecture"
    assert ReportEvent.scope.county_field is None


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (ClockPause.scope, ("complaint__prefecture", "complaint__county", None, ())),
        (
            EvidenceFile.scope,
            (
                "complaint__prefecture",
                "complaint__county",
                "complaint__complainant_enterprise",
                ("add",),
            ),
        ),
        (
            AcceptanceDocument.scope,
            (
                "evaluation__application__prefecture",
                "evaluation__application__county",
                "evaluation__application__enterprise",
                ("view",),
            ),
        ),
        (ExpertAssignment.scope, ("application__prefecture", "application__county", None, ())),
        (DOSSIER_SCOPE, ("enterprise__prefecture", "enterprise__county", None, ())),
    ],
)
def test_the_children_of_complaints_applications_and_enterprises_keep_their_scope(scope, expected):
    assert fields(scope) == expected


@pytest.mark.django_db
def test_it_shows_a_complaints_rows_where_the_complaint_is_seen(personas):
    complaint = make_complaint(personas["objects"])
    evidence = EvidenceFile.objects.filter(complaint=complaint)
    events = ComplaintEvent.objects.filter(complaint=complaint)
    assert evidence.restrict(personas["same_officer"], "view").exists()
    assert events.restrict(personas["same_officer"], "view").exists()
    assert not evidence.restrict(personas["other_officer"], "view").exists()
    assert not events.restrict(personas["other_officer"], "view").exists()
    # The complainant adds evidence to its complaint; it does not open the bureau's files.
    assert evidence.restrict(personas["enterprise"], "add").exists()
    assert not evidence.restrict(personas["enterprise"], "view").exists()
    assert not events.restrict(personas["enterprise"], "view").exists()
