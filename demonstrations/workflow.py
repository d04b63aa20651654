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
    # An FTZ enterprise in its acceptance evaluation is rejected by a failed acceptance, which is
    # recorded with its parties and findings (services.record_acceptance), not by a bare button.
    Transition(
        "reject",
        _("Reject"),
        (State.UNDER_REVIEW,),
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
    "ftz_selection": _("Selection basis recorded"),
    "pilot_entry": _("Pilot record added"),
    "acceptance": _("Acceptance evaluation recorded"),
    "acceptance_document": _("Acceptance document added"),
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
# §8: "争取用三年左右时间……形成3-5个湖南省商业秘密保护示范基地" — a target the progress is shown
# against, never a limit: a sixth base is welcome.
BASE_TARGET = (3, 5)
BASE_TARGET_BASIS = _(
    "§8 of the Implementation Opinions (湘市监价监〔2021〕122号): 3–5 provincial demonstration "
    "bases in about three years"
)
RENEWAL_WINDOW_DAYS = 365  # renewed in its last year, after that year's follow-up service


# The FTZ track (§5) -------------------------------------------------------------------------


class FtzSelection(models.TextChoices):
    """How an FTZ enterprise came to the pilot (§5): picked through the IP strategy special
    project's "trade secret protection demonstration" direction, or, where no enterprise of the
    area meets that project's conditions, named by the prefecture concerned."""

    SPECIAL_PROJECT = "special_project", _("Selected through the IP strategy special project")
    NAMED_BY_PREFECTURE = (
        "named_by_prefecture",
        _("Named by the prefecture (no enterprise meets the special project's conditions)"),
    )


FTZ_SELECTION_BASIS = _(
    "§5: 1–2 typical enterprises in each of the Changsha, Yueyang and Chenzhou FTZ areas; where "
    "none meets the special project's conditions, the prefecture concerned names 1–2."
)
# The prefecture records the basis before it recommends the enterprise.
FTZ_SELECTION_STATES = (State.SUBMITTED, State.RECOMMENDED)


class PilotEntryKind(models.TextChoices):
    GUIDANCE = "guidance", _("Guidance given by the bureau")
    PROGRESS = "progress", _("Progress of the enterprise")


# The bureau keeps the pilot record while the enterprise builds its system, and through the
# acceptance evaluation.
PILOT_STATES = (State.PILOT, State.ACCEPTANCE)


class AcceptanceResult(models.TextChoices):
    PASS = "pass", _("Passed")
    RECTIFY = "rectify", _("Rectify and re-evaluate")
    FAIL = "fail", _("Not passed")


# Where each result takes the application: a pass waits for the designation, a rectification
# goes back to the pilot until the next evaluation, a failure ends the application.
ACCEPTANCE_TARGETS = {
    AcceptanceResult.PASS: State.ACCEPTANCE,
    AcceptanceResult.RECTIFY: State.PILOT,
    AcceptanceResult.FAIL: State.REJECTED,
}


class FindingLevel(models.TextChoices):
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")


class AcceptanceParty(models.TextChoices):
    """Who takes part in the multi-party acceptance (§5 "经多方评估验收"; §17: the provincial
    bureau's 价监竞争局 leads the FTZ work, with its IP protection and IP promotion divisions and
    the Hunan IP Protection Center)."""

    COMPETITION_BUREAU = "competition_bureau", _("Price Supervision and Competition Bureau (lead)")
    IP_PROTECTION_DIVISION = "ip_protection_division", _("IP Protection Division")
    IP_PROMOTION_DIVISION = "ip_promotion_division", _("IP Promotion Division")
    IP_PROTECTION_CENTER = "ip_protection_center", _("Hunan IP Protection Center")
    FTZ_MANAGEMENT = "ftz_management", _("Management committee of the FTZ area")
    PREFECTURE_BUREAU = "prefecture_bureau", _("Prefecture bureau")
    EXPERT = "expert", _("Expert")


# §17 names the 价监竞争局 as the lead of the FTZ work, and §5 asks for several parties.
ACCEPTANCE_LEAD = AcceptanceParty.COMPETITION_BUREAU
ACCEPTANCE_MIN_PARTY_KINDS = 2
ACCEPTANCE_BASIS = _(
    "§5: designated after an evaluation and acceptance by several parties; §17: led by the "
    "provincial bureau's Price Supervision and Competition Bureau."
)
