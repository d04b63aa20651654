"""The demonstration pipeline declared once (§5–8): tracks, states, transitions, the rubric.

The pages offer, the API accepts and the admin applies only what this table allows; the checks
that go beyond "which state, which actor" (quota, eligibility, scores complete) live in
``services.py`` and run for every caller.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Track(models.TextChoices):
    FTZ_ENTERPRISE = "ftz_enterprise", _("FTZ demonstration enterprise")
    PROVINCIAL_ENTERPRISE = "provincial_enterprise", _("Provincial demonstration enterprise")
    SITE = "site", _("Demonstration site")
    BASE = "base", _("Demonstration base")


ENTERPRISE_TRACKS = (Track.FTZ_ENTERPRISE, Track.PROVINCIAL_ENTERPRISE)
# Sites and bases are set up by the prefecture bureau itself (§7, §8), not by an enterprise.
BUREAU_TRACKS = (Track.SITE, Track.BASE)
# Special funding goes to designated enterprises and sites (§14).
FUNDED_TRACKS = (Track.FTZ_ENTERPRISE, Track.PROVINCIAL_ENTERPRISE, Track.SITE)


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting the prefecture's recommendation")
    RETURNED = "returned", _("Returned for correction")
    RECOMMENDED = "recommended", _("Recommended, awaiting expert review")
    UNDER_REVIEW = "under_review", _("Under expert review")
    APPROVED = "approved", _("Approved, awaiting designation")
    PILOT = "pilot", _("Pilot")
    ACCEPTANCE = "acceptance", _("Acceptance evaluation")
    REJECTED = "rejected", _("Not approved")
    DESIGNATED = "designated", _("Designated")
    REVOKED = "revoked", _("Revoked")


# States in which an application counts against a quota or blocks a second one.
ACTIVE_STATES = (
    State.SUBMITTED,
    State.RECOMMENDED,
    State.UNDER_REVIEW,
    State.APPROVED,
    State.PILOT,
    State.ACCEPTANCE,
    State.DESIGNATED,
)
# The applicant may edit its materials only while the application is with it.
EDITABLE_STATES = (State.DRAFT, State.RETURNED)
# Experts are assigned after the recommendation, and may be changed until scores are final.
ASSIGNABLE_STATES = (State.RECOMMENDED, State.UNDER_REVIEW)


class Actor(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    PREFECTURE = "prefecture", _("Prefecture bureau")
    PROVINCE = "province", _("Provincial bureau")


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple
    target: State
    actor: Actor
    tracks: tuple = tuple(Track)
    needs_note: bool = False
    # A different target on some tracks (the FTZ track pilots before its designation).
    target_by_track: tuple = ()
    style: str = ""

    def target_for(self, track) -> State:
        return dict(self.target_by_track).get(track, self.target)


TRANSITIONS = (
    Transition(
        "submit",
        _("Submit"),
        (State.DRAFT, State.RETURNED),
        State.SUBMITTED,
        Actor.APPLICANT,
        # A bureau's own site or base needs no recommendation by itself.
        target_by_track=((Track.SITE, State.RECOMMENDED), (Track.BASE, State.RECOMMENDED)),
        style="primary",
    ),
    Transition(
        "recommend",
        _("Recommend to the province"),
        (State.SUBMITTED,),
        State.RECOMMENDED,
        Actor.PREFECTURE,
        tracks=ENTERPRISE_TRACKS,
        style="primary",
    ),
    Transition(
        "return",
        _("Return for correction"),
        (State.SUBMITTED, State.RECOMMENDED),
        State.RETURNED,
        Actor.PREFECTURE,
        needs_note=True,
    ),
    Transition(
        "approve",
        _("Approve"),
        (State.UNDER_REVIEW,),
        State.APPROVED,
        Actor.PROVINCE,
        target_by_track=((Track.FTZ_ENTERPRISE, State.PILOT),),
        style="primary",
    ),
    Transition(
        "reject",
        _("Reject"),
        (State.UNDER_REVIEW, State.ACCEPTANCE),
        State.REJECTED,
        Actor.PROVINCE,
        needs_note=True,
        style="danger",
    ),
    Transition(
        "start_acceptance",
        _("Start the acceptance evaluation"),
        (State.PILOT,),
        State.ACCEPTANCE,
        Actor.PROVINCE,
        tracks=(Track.FTZ_ENTERPRISE,),
    ),
    Transition(
        "designate",
        _("Designate and issue the certificate"),
        (State.APPROVED, State.ACCEPTANCE),
        State.DESIGNATED,
        Actor.PROVINCE,
        style="primary",
    ),
    Transition(
        "renew",
        _("Renew the designation"),
        (State.DESIGNATED,),
        State.DESIGNATED,
        Actor.PROVINCE,
    ),
    Transition(
        "revoke",
        _("Revoke the designation"),
        (State.DESIGNATED,),
        State.REVOKED,
        Actor.PROVINCE,
        needs_note=True,
        style="danger",
    ),
)
TRANSITIONS_BY_ACTION = {t.action: t for t in TRANSITIONS}

# Actions not in the table but recorded in the same history.
EVENT_LABELS = {
    "create": _("Application created"),
    "assign_expert": _("Expert assigned"),
    "unassign_expert": _("Expert assignment withdrawn"),
    "score": _("Expert review submitted"),
    "recusal": _("Expert recused (conflict of interest declared)"),
    "assignment_refused": _("Expert assignment refused (conflict of interest)"),
    "follow_up": _("Follow-up service recorded"),
    "funding": _("Special funding recorded"),
    "national_candidate": _("Marked as a national base candidate"),
    **{t.action: t.label for t in TRANSITIONS},
}


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    max_points: int


# The weighted rubric of the expert review: the points of each criterion are its weight, and a
# review's total is out of 100.
RUBRIC = (
    Criterion("rules", _("System of confidentiality rules"), 25),
    Criterion("organisation", _("Organisation and responsibilities"), 20),
    Criterion("measures", _("Protection measures taken"), 30),
    Criterion("effect", _("Results and demonstration value"), 25),
)
RUBRIC_TOTAL = sum(c.max_points for c in RUBRIC)
MIN_EXPERTS, MAX_EXPERTS = 3, 5
# The pass mark of an approval, the validity of a designation and the designated enterprises a
# site needs are the bureau's own rules: ``tsprotect.core.bureau_rules``.

# Quota and eligibility (§5, §7, §8).
FTZ_DEFAULT_QUOTA = 2  # 1–2 enterprises per FTZ area and batch
BASE_MIN_SITES = 2  # a base is built on designated sites
BASE_PROVINCE_LIMIT = 5  # the province aims at 3–5 bases
RENEWAL_WINDOW_DAYS = 365  # renewed in its last year, after that year's follow-up service
