"""Complaint handling declared once (§13, §15): kinds, channels, states and their transitions.

有诉必应，有案必查: received → accepted or not accepted → investigation → an outcome → feedback to
the complainant → closed. The pages offer, the API accepts and the admin applies only what this
table allows; the checks beyond "which state" (feedback before closing, a transfer's receiving
unit, a case number) live in ``services.py`` and run for every caller.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Losses from this amount on meet the criminal threshold for trade secret infringement
# (最高人民法院、最高人民检察院 知识产权刑事案件解释（三）第四条): a candidate for transfer to
# public security.
CRIMINAL_LOSS_THRESHOLD = Decimal(300_000)


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report")


class Channel(models.TextChoices):
    HOTLINE_12315 = "12315", _("12315 hotline and platform")
    HOTLINE_12345 = "12345", _("12345 government service hotline")
    ONLINE = "online", _("Online form")
    LIAISON = "liaison", _("Enterprise liaison officer")
    PARK = "park", _("Park management")
    OPINION = "opinion", _("Public opinion monitoring")
    REFERRAL = "referral", _("Referral from another authority")
    WALK_IN = "walk_in", _("Walk-in or letter")


class SecretKind(models.TextChoices):
    TECHNICAL = "technical", _("Technical information")
    CUSTOMER = "customer", _("Customer information")
    FORMULA = "formula", _("Formula")
    PROCESS = "process", _("Process")
    OTHER_BUSINESS = "other_business", _("Other business information")


class Conduct(models.TextChoices):
    # The acts of Anti-Unfair Competition Law art. 9 (2019 text; art. 10 since 15 Oct 2025) …
    IMPROPER_ACQUISITION = (
        "improper_acquisition",
        _("Obtained by theft, bribery, fraud, coercion or other improper means"),
    )
    DISCLOSURE_OF_ACQUIRED = (
        "disclosure_of_acquired",
        _("Disclosed or used a secret obtained by improper means"),
    )
    BREACH_OF_CONFIDENCE = (
        "breach_of_confidence",
        _("Disclosed or used in breach of a duty of confidentiality"),
    )
    INDUCEMENT = "inducement", _("Induced or helped others to breach confidentiality")
    THIRD_PARTY = "third_party", _("Obtained or used knowing of the infringement")
    # … and the means the policy names (§15).
    JOB_HOPPING = "job_hopping", _("Frequent job-hopping of key staff")
    COMPETING_COMPANY = "competing_company", _("Setting up a competing company")
    DATA_SELLING = "data_selling", _("Selling data")
    INTRUSION = "intrusion", _("Network intrusion")


class Remedy(models.TextChoices):
    LABOUR_ARBITRATION = "labour_arbitration", _("Labour arbitration")
    COMMERCIAL_ARBITRATION = "commercial_arbitration", _("Commercial arbitration")
    CIVIL_LITIGATION = "civil_litigation", _("Civil litigation")
    PROCURATORATE = "procuratorate", _("Procuratorate supervision")


class PartyKind(models.TextChoices):
    """Who a penalty decision is against. AUCL art. 9 para. 2 (2019; art. 10 para. 2 since
    2025) makes natural persons and organisations that are not business operators infringers too
    (former employees above all): a person has a name and an ID number, not a credit code."""

    ORGANISATION = "organisation", _("Legal person or unincorporated organisation")
    NATURAL_PERSON = "natural_person", _("Natural person")
    INDIVIDUAL_BUSINESS = "individual_business", _("Individual business")


class FeedbackMethod(models.TextChoices):
    PHONE = "phone", _("Telephone")
    PORTAL = "portal", _("Through the portal")
    LETTER = "letter", _("Letter")
    IN_PERSON = "in_person", _("In person")
    SMS = "sms", _("Text message")
    IMPOSSIBLE = "impossible", _("Not possible (anonymous, no contact)")


class ExtensionKind(models.TextChoices):
    """How a statutory time limit is extended (行政处罚程序规定 arts. 18, 64)."""

    APPROVAL = "approval", _("Approved by the head of the bureau")
    COLLECTIVE = "collective", _("Collective decision of the bureau's heads")


class StepKind(models.TextChoices):
    INSPECTION = "inspection", _("On-site inspection")
    INTERVIEW = "interview", _("Interview")
    EVIDENCE = "evidence", _("Evidence collected")
    APPRAISAL = "appraisal", _("Appraisal or testing requested")
    EXPERT = "expert", _("Expert consultation")
    OTHER = "other", _("Other")


class State(models.TextChoices):
    RECEIVED = "received", _("Received, awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted, under investigation")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    CASE_FILED = "case_filed", _("Case filed")
    TRANSFER_PROPOSED = "transfer_proposed", _("Transfer to public security proposed")
    TRANSFER_APPROVED = "transfer_approved", _("Transfer approved, to be sent")
    TRANSFERRED = "transferred", _("Transferred to public security")
    GUIDED = "guided", _("Guided to another remedy")
    MEDIATED = "mediated", _("Mediated")
    NOT_SUBSTANTIATED = "not_substantiated", _("Not substantiated")
    CASE_DECIDED = "case_decided", _("Case decided")
    CLOSED = "closed", pgettext_lazy("complaint", "Closed")


class TransferState(models.TextChoices):
    """Where a transfer to public security stands once sent: the police's answer and what the
    bureau did about a refusal (行政执法机关移送涉嫌犯罪案件的规定 arts. 8–9)."""

    SENT = "sent", _("Sent, awaiting the police's decision")
    FILED = "filed", _("Case filed by the police")
    REFUSED = "refused", _("Filing refused by the police")
    RECONSIDERATION_ASKED = "reconsideration_asked", _("Reconsideration requested")
    RECONSIDERATION_FILED = "reconsideration_filed", _("Case filed on reconsideration")
    RECONSIDERATION_REFUSED = "reconsideration_refused", _("Refusal upheld on reconsideration")
    SUPERVISION_ASKED = "supervision_asked", _("Procuratorate supervision requested")


class PoliceDecision(models.TextChoices):
    FILED = "filed", _("Case filed (立案)")
    REFUSED = "refused", _("Filing refused (不予立案)")


# The police owe an answer: the complaint stays open until it is recorded.
AWAITING_POLICE = (TransferState.SENT, TransferState.RECONSIDERATION_ASKED)
# A refusal the bureau may still contest (art. 9).
CONTESTABLE = (TransferState.REFUSED, TransferState.RECONSIDERATION_REFUSED)

# Where the complaint has its answer; feedback to the complainant may be recorded, then closed.
OUTCOME_STATES = (
    State.NOT_ACCEPTED,
    State.TRANSFERRED,
    State.GUIDED,
    State.MEDIATED,
    State.NOT_SUBSTANTIATED,
    State.CASE_DECIDED,
)
# Still to be handled: counted as open in queues and reminders.
OPEN_STATES = tuple(s for s in State if s != State.CLOSED)
# A jurisdiction may be handed to another prefecture before the case is taken up.
TRANSFERABLE_STATES = (State.RECEIVED, State.ACCEPTED)
# Investigation steps, pauses and expert consultations belong to a live investigation.
INVESTIGATING_STATES = (
    State.ACCEPTED,
    State.CASE_FILED,
    State.TRANSFER_PROPOSED,
    State.TRANSFER_APPROVED,
)

# What the complainant sees of each state: no more than where its complaint stands.
COMPLAINANT_STATUS = {
    State.RECEIVED: _("Received"),
    State.ACCEPTED: _("Accepted, being handled"),
    State.CASE_FILED: _("Accepted, being handled"),
    State.TRANSFER_PROPOSED: _("Accepted, being handled"),
    State.TRANSFER_APPROVED: _("Accepted, being handled"),
    State.NOT_ACCEPTED: _("Not accepted"),
    State.TRANSFERRED: _("Transferred to public security"),
    State.GUIDED: _("Guided to another remedy"),
    State.MEDIATED: _("Mediated"),
    State.NOT_SUBSTANTIATED: _("Not substantiated"),
    State.CASE_DECIDED: _("Case decided"),
    State.CLOSED: pgettext_lazy("complaint", "Closed"),
}


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple
    target: State | None  # None: the state stays (feedback)
    needs_note: bool = False
    # Fields of ``ActionForm`` / the API body this action requires.
    requires: tuple = ()
    # Also offered as a plain field when present.
    optional: tuple = ()
    style: str = ""
    # Shown to the complainant in its timeline (with the note when ``public_note``).
    public: bool = False
    public_note: bool = False
    # Where the transfer to public security must stand as well (``TransferState``); empty: any.
    transfer_states: tuple = ()

    def allows(self, complaint) -> bool:
        """Whether the step may be taken on ``complaint`` as it stands."""
        if complaint.state not in self.sources:
            return False
        return not self.transfer_states or complaint.transfer_state in self.transfer_states


TRANSITIONS = (
    Transition(
        "accept", _("Accept"), (State.RECEIVED,), State.ACCEPTED, style="primary", public=True
    ),
    Transition(
        "refuse",
        _("Do not accept"),
        (State.RECEIVED,),
        State.NOT_ACCEPTED,
        needs_note=True,
        style="danger",
        public=True,
        public_note=True,
    ),
    Transition(
        "file_case",
        _("File a case"),
        (State.ACCEPTED,),
        State.CASE_FILED,
        requires=("case_number", "on"),
        style="primary",
    ),
    Transition(
        "propose_transfer",
        _("Propose transfer to public security"),
        (State.ACCEPTED, State.CASE_FILED),
        State.TRANSFER_PROPOSED,
        needs_note=True,
        requires=("receiving_unit",),
    ),
    Transition(
        "approve_transfer",
        _("Approve the transfer"),
        (State.TRANSFER_PROPOSED,),
        State.TRANSFER_APPROVED,
        requires=("approved_by",),
        style="primary",
    ),
    Transition(
        "send_transfer",
        _("Send to public security"),
        (State.TRANSFER_APPROVED,),
        State.TRANSFERRED,
        optional=("receiving_unit",),
        style="primary",
        public=True,
    ),
    # What comes back from the police (行政执法机关移送涉嫌犯罪案件的规定 arts. 8–9): internal
    # steps, the complainant's status stays "transferred".
    # The police sign a receipt (回执) on accepting the transfer: their 3 days of art. 8 count
    # from that day. Optional: until it is recorded the clock counts from the sending.
    Transition(
        "police_acceptance",
        _("Record the police's acceptance of the transfer"),
        (State.TRANSFERRED,),
        None,
        requires=("on",),
        optional=("receipt_number",),
        transfer_states=(TransferState.SENT,),
    ),
    Transition(
        "police_decision",
        _("Record the police's decision on filing"),
        (State.TRANSFERRED,),
        None,
        requires=("police_decision", "on", "document_number"),
        style="primary",
        transfer_states=(TransferState.SENT,),
    ),
    Transition(
        "request_reconsideration",
        _("Request the police to reconsider the refusal"),
        (State.TRANSFERRED,),
        None,
        needs_note=True,
        requires=("on", "document_number"),
        transfer_states=(TransferState.REFUSED,),
    ),
    Transition(
        "reconsideration_decision",
        _("Record the police's reconsideration decision"),
        (State.TRANSFERRED,),
        None,
        requires=("police_decision", "on", "document_number"),
        style="primary",
        transfer_states=(TransferState.RECONSIDERATION_ASKED,),
    ),
    Transition(
        "request_supervision",
        _("Ask the procuratorate to supervise the filing"),
        (State.TRANSFERRED,),
        None,
        needs_note=True,
        requires=("on", "procuratorate"),
        optional=("document_number",),
        transfer_states=CONTESTABLE,
    ),
    Transition(
        "guide",
        _("Guide to another remedy"),
        (State.ACCEPTED,),
        State.GUIDED,
        needs_note=True,
        requires=("remedy",),
        public=True,
        public_note=True,
    ),
    Transition(
        "mediate",
        _("Record a mediation"),
        (State.ACCEPTED,),
        State.MEDIATED,
        needs_note=True,
        public=True,
        public_note=True,
    ),
    Transition(
        "not_substantiated",
        _("Close as not substantiated"),
        (State.ACCEPTED,),
        State.NOT_SUBSTANTIATED,
        needs_note=True,
        public=True,
        public_note=True,
    ),
    Transition(
        "decide_case",
        _("Record the case decision"),
        (State.CASE_FILED,),
        State.CASE_DECIDED,
        needs_note=True,
        requires=("on",),
        optional=(
            "penalty",
            "decision_number",
            "party_kind",
            "party_name",
            "party_credit_code",
            "party_id_number",
            "facts",
            "content",
            "confiscated",
            "fine",
        ),
        style="primary",
        public=True,
    ),
    Transition(
        "feedback",
        _("Record feedback to the complainant"),
        OUTCOME_STATES + (State.CASE_FILED,),
        None,
        needs_note=True,
        requires=("method",),
        public=True,
        public_note=True,
    ),
    Transition(
        "close",
        _("Close"),
        OUTCOME_STATES,
        State.CLOSED,
        style="primary",
        public=True,
    ),
)
TRANSITIONS_BY_ACTION = {t.action: t for t in TRANSITIONS}

# Actions not in the table but recorded in the same history.
EVENT_LABELS = {
    "create": _("Received"),
    "transfer_jurisdiction": _("Handed to another prefecture"),
    "investigation": _("Investigation step logged"),
    "consult_expert": _("Expert consulted"),
    "consult_expert_end": _("Expert consultation ended"),
    "recusal": _("Expert recused (conflict of interest declared)"),
    "consultation_refused": _("Expert consultation refused (conflict of interest)"),
    "pause": _("Clock paused"),
    "resume": _("Clock resumed"),
    "extend": _("Time limit extended"),
    "extend_collective": _("Time limit extended by the heads' collective decision"),
    "publish_penalty": _("Penalty published to the credit platform"),
    "evidence": _("Evidence added"),
    **{t.action: t.label for t in TRANSITIONS},
}

# Abbreviations of the prefecture bureaus in document numbers (长市监商秘〔2026〕12号).
REFERENCE_PREFIX = {
    "430100": "长",
    "430200": "株",
    "430300": "潭",
    "430400": "衡",
    "430500": "邵",
    "430600": "岳",
    "430700": "常",
    "430800": "张",
    "430900": "益",
    "431000": "郴",
    "431100": "永",
    "431200": "怀",
    "431300": "娄",
    "433100": "湘西",
}


def reference_number(prefecture_code: str, year: int, number: int) -> str:
    prefix = REFERENCE_PREFIX.get(prefecture_code, prefecture_code)
    return f"{prefix}市监商秘〔{year}〕{number}号"


# ---------------------------------------------------------------------------------------------
# Audiences: who sees what of a complaint


@dataclass(frozen=True)
class Audience:
    """What one audience of a complaint receives, wherever it reads it (page, API, export, the
    queue search): its fields, the events of the history (``all`` or the ``public`` timeline)
    with their notes (``all``, ``public`` ones, or none), and the fields its search looks into
    — never one it is not shown, so that a search cannot confirm what the page withholds."""

    name: str
    fields: tuple
    events: str
    event_notes: str
    search: tuple


# The case as it stands, without who complained: what experts and traces may know.
_FACTS = (
    "id",
    "audience",
    "reference",
    "kind",
    "channel",
    "status",
    "status_display",
    "received_on",
    "prefecture",
    "county",
    "respondent_name",
    "respondent_credit_code",
    "secret_kind",
    "conduct",
    "closed_at",
)
# The handling of the case: deadlines, outcome, what the complaint is about in detail.
_HANDLING = (
    "accept_deadline",
    "next_deadline",
    "next_limit",
    "overdue",
    "paused",
    "transfer_candidate",
    "estimated_loss",
    "description",
    "case_number",
    "case_filed_on",
    "transfer_unit",
    "transfer_sent_at",
    "transfer_state",
    "police_accepted_on",
    "police_receipt_number",
    "police_decision",
    "police_decided_on",
    "police_document_number",
    "reconsideration_requested_on",
    "reconsideration_request_number",
    "reconsideration_decision",
    "reconsideration_decided_on",
    "reconsideration_document_number",
    "supervision_requested_on",
    "procuratorate",
    "supervision_document_number",
    "remedy",
    "case_decided_on",
    "penalty",
    "decision_number",
    "confiscated",
    "fine",
)
# Who complained, the individuals named, what the complainant was told: the bureau's alone
# (投诉举报处理暂行办法 art. 33; the individuals are personal data).
_CONFIDENTIAL = (
    "complainant_name",
    "complainant_contact",
    "complainant_credit_code",
    "anonymous",
    "respondent_individuals",
    "penalty_decision",
    "feedback",
    "feedback_at",
)
_RESPONDENT_SEARCH = ("respondent_name__icontains", "respondent_enterprise__name__icontains")

AUDIENCES = {
    a.name: a
    for a in (
        # The bureau handling it (its county) and provincial staff.
        Audience(
            "handler",
            fields=_FACTS + _HANDLING + _CONFIDENTIAL + ("available_actions",),
            events="all",
            event_notes="all",
            search=(
                "reference",
                "case_number",
                *_RESPONDENT_SEARCH,
                "complainant_enterprise__name__icontains",
                "complainant_name__icontains",
                "description__icontains",
            ),
        ),
        # An expert consulted on it: the facts to give an opinion on, not who complained.
        Audience(
            "expert",
            fields=_FACTS + _HANDLING,
            events="all",
            event_notes="",
            search=("reference", "case_number", *_RESPONDENT_SEARCH),
        ),
        # A bureau that handed it on: where it went and how it stands, read only.
        Audience(
            "trace",
            fields=_FACTS,
            events="all",
            event_notes="",
            search=("reference", *_RESPONDENT_SEARCH),
        ),
        # The enterprise that complained: where its complaint stands and the answer.
        Audience(
            "complainant",
            fields=(
                "id",
                "audience",
                "reference",
                "kind",
                "received_on",
                "status",
                "status_display",
                "feedback",
                "closed_at",
            ),
            events="public",
            event_notes="public",
            search=("reference",),
        ),
    )
}
# Which audience a user is for a complaint it reaches: the first that applies.
AUDIENCE_ORDER = ("handler", "expert", "complainant", "trace")
