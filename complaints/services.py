"""Every rule of complaint handling, for the pages, the API, the admin and the Celery jobs alike.

A complaint changes only through these functions: each locks the row, checks the step against
``workflow.TRANSITIONS`` and the data it needs, records a ``ComplaintEvent`` and recomputes the
statutory clocks, inside one transaction — a refusal leaves nothing half-written.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from tsprotect.accounts.models import Role
from tsprotect.core import conflicts, grants, scoping
from tsprotect.core.models import AccessGrant
from tsprotect.core.uploads import storing_files
from tsprotect.core.validators import normalise_ric, normalise_uscc, validate_ric, validate_uscc
from tsprotect.legal.services import provision_in_force
from tsprotect.notifications.services import bureau_officers, enterprise_users, notify

from . import clocks
from .models import (
    COMPLAINT_LABEL,
    CONSULT_PERMISSION,
    ClockExtension,
    ClockPause,
    Complaint,
    ComplaintClock,
    ComplaintEvent,
    CreditPush,
    EvidenceAccess,
    EvidenceFile,
    InvestigationStep,
    JurisdictionTransfer,
    Recusal,
    ReferenceCounter,
    StatutoryLimit,
)
from .workflow import (
    AUDIENCE_ORDER,
    AUDIENCES,
    AWAITING_POLICE,
    CRIMINAL_LOSS_THRESHOLD,
    INVESTIGATING_STATES,
    OPEN_STATES,
    TRANSFERABLE_STATES,
    TRANSITIONS_BY_ACTION,
    Channel,
    Conduct,
    FeedbackMethod,
    Kind,
    PartyKind,
    PoliceDecision,
    Remedy,
    State,
    TransferState,
    reference_number,
)

# The provision a trade secret penalty applies (AUCL 2019 第二十一条, 2025 第二十六条: the
# version in force on the day of the decision comes from ``legal.Provision``).
PENALTY_PROVISION = "aucl.trade_secret_penalty"

CONSULT_GRANT = f"complaints.{CONSULT_PERMISSION}"

# ---------------------------------------------------------------------------------------------
# Who may do what


def may_handle(user, complaint) -> bool:
    """The prefecture responsible (or its county), and provincial staff."""
    return Complaint.objects.restrict(user, "change").filter(pk=complaint.pk).exists()


def is_consulted_expert(user, complaint) -> bool:
    return complaint.pk in scoping.granted_ids(user, "complaints.complaint", CONSULT_PERMISSION)


def is_complainant(user, complaint) -> bool:
    return (
        complaint.complainant_enterprise_id is not None
        and complaint.complainant_enterprise_id in scoping.enterprise_ids(user)
    )


def audience(user, complaint) -> str:
    """What the user sees of a complaint it can reach (``workflow.AUDIENCES``): ``handler``
    (everything), ``expert`` (the facts, evidence, the investigation log; not the reporter),
    ``complainant`` (status and feedback) or ``trace`` (a bureau that handed it on: the facts,
    read only) — the first that applies, in ``AUDIENCE_ORDER``."""
    if may_handle(user, complaint):
        return "handler"
    if is_consulted_expert(user, complaint):
        return "expert"
    if is_complainant(user, complaint):
        return "complainant"
    return "trace"


def _audience_filters(user):
    """``[(audience, Q)]``: which rows of the user's scope each audience covers, in SQL, in
    ``AUDIENCE_ORDER`` (a row belongs to the first that matches, as in ``audience``)."""
    handled = scoping.scope_q(Complaint, user, "change")
    if handled is not None and not handled:
        return [("handler", Q())]  # every row is the user's to handle
    consulted = scoping.granted_ids(user, COMPLAINT_LABEL, CONSULT_PERMISSION)
    own = scoping.enterprise_ids(user)
    matches = {
        "handler": handled,
        "expert": Q(pk__in=sorted(consulted)) if consulted else None,
        "complainant": Q(complainant_enterprise__in=sorted(own)) if own else None,
        "trace": Q(),
    }
    filters, earlier = [], []
    for name in AUDIENCE_ORDER:
        match = matches[name]
        if match is None:
            continue
        condition = match
        for previous in earlier:
            condition &= ~previous
        if match:
            earlier.append(match)
        filters.append((name, condition))
    return filters


def with_audience(queryset, user):
    """Annotate each complaint with the user's ``audience`` (lists, the API, exports)."""
    whens, rest = [], "trace"
    for name, condition in _audience_filters(user):
        if condition:
            whens.append(When(condition, then=Value(name)))
        else:  # every row left over
            rest = name
            break
    if not whens:
        return queryset.annotate(audience=Value(rest, output_field=CharField()))
    return queryset.annotate(audience=Case(*whens, default=Value(rest), output_field=CharField()))


def search_q(user, value):
    """The queue search for ``value``: each row matched only on the fields its audience is
    shown, so a search by the complainant's name or the description finds nothing in a trace
    or a consultation rather than confirming it."""
    q = Q(pk__in=[])
    for name, condition in _audience_filters(user):
        matched = Q(pk__in=[])
        for lookup in AUDIENCES[name].search:
            matched |= Q(**{lookup: value})
        q |= condition & matched
    return q


def visible_events(complaint, audience_name):
    """The complaint's history as ``audience_name`` reads it (``AUDIENCES``): the events, and
    whether their notes are shown (``all``, ``public`` or not at all)."""
    rule = AUDIENCES[audience_name]
    events = complaint.events.select_related("actor").order_by("at", "pk")
    if rule.events == "public":
        events = events.filter(public=True)
    return events, rule.event_notes


def may_open_evidence(user, complaint) -> bool:
    return audience(user, complaint) in ("handler", "expert")


# ---------------------------------------------------------------------------------------------
# Intake


def _today():
    return timezone.localdate()


def check_received_on(received_on):
    if received_on and received_on > _today():
        raise ValidationError(
            {"received_on": _("The date of receipt cannot be in the future.")}, code="future"
        )


def check_intake(complaint):
    """The facts every complaint needs, whoever types them in (page, API, enterprise form)."""
    errors = {}
    if not complaint.channel:
        errors["channel"] = _("Please say through which channel the complaint came in.")
    if not complaint.received_on:
        errors["received_on"] = _("Please give the date of receipt.")
    elif complaint.received_on > _today():
        errors["received_on"] = _("The date of receipt cannot be in the future.")
    has_complainant = complaint.complainant_enterprise_id or complaint.complainant_name.strip()
    if complaint.kind == Kind.COMPLAINT:
        if complaint.anonymous:
            errors["anonymous"] = _(
                "Only a report may be anonymous; a complaint has its rights holder."
            )
        elif not has_complainant:
            errors["complainant_name"] = _(
                "A complaint needs its complainant: the enterprise of the directory or the name "
                "of the rights holder."
            )
    elif not complaint.anonymous and not has_complainant:
        errors["complainant_name"] = _(
            "Please give the reporter's name, or mark the report as anonymous."
        )
    if not (
        complaint.respondent_enterprise_id
        or complaint.respondent_name.strip()
        or complaint.respondent_individuals.strip()
    ):
        errors["respondent_name"] = _(
            "Please name whom the complaint is about: a company and/or individuals."
        )
    unknown = [c for c in complaint.conduct or () if c not in Conduct.values]
    if not isinstance(complaint.conduct, list) or unknown:
        errors["conduct"] = _("Choose the alleged conduct among the acts offered.")
    if complaint.county_id and complaint.county.prefecture_id != complaint.prefecture_id:
        errors["county"] = _("This county is not in the chosen prefecture.")
    if errors:
        raise ValidationError(errors)


def next_reference(prefecture_id, year) -> str:
    """The next reference number of the prefecture and year (the counter row stays locked until
    the transaction ends, so two intakes never get the same number)."""
    ReferenceCounter.objects.get_or_create(prefecture_id=prefecture_id, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(
        prefecture_id=prefecture_id, year=year
    )
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return reference_number(prefecture_id, year, counter.last)


@storing_files()
def create_complaint(complaint, user, *, evidence=()):
    """Register a complaint typed in by an officer, sent by another system, or filed by an
    enterprise online; ``evidence`` is a list of ``(uploaded, checked, title)``."""
    _check_placement(complaint, user)
    return _register(complaint, user, evidence)


def _register(complaint, user, evidence):
    """What every intake shares once its placement is settled: the checks, the number, the
    history, the evidence, the clocks and the officers' notification."""
    check_intake(complaint)
    complaint.reference = next_reference(complaint.prefecture_id, complaint.received_on.year)
    complaint.registered_by = user
    complaint.state = State.RECEIVED
    complaint.full_clean(exclude=["registered_by", "reference"])
    complaint.save()
    _record(complaint, "create", user, "", State.RECEIVED, public=True)
    for uploaded, checked, title in evidence:
        _store_evidence(complaint, uploaded, checked, title, user)
    refresh_clocks(complaint)
    _notify_officers(
        complaint,
        kind="complaint_received",
        title=_("New %(kind)s %(reference)s")
        % {"kind": complaint.get_kind_display(), "reference": complaint.reference},
        exclude=user,
    )
    return complaint


PUBLIC_PLATFORM_USERNAME = "public-platform"


def public_platform_user():
    """The system account that registers what the public sends: inactive, with no role and no
    usable password, so it can neither log in nor reach anything."""
    user, _created = get_user_model().objects.get_or_create(
        username=PUBLIC_PLATFORM_USERNAME,
        defaults={"is_active": False, "password": make_password(None)},
    )
    return user


def as_public_report(complaint):
    """Fill in what the public form does not ask: a report, online, received today, anonymous
    when the reporter left both their name and their contact empty."""
    complaint.kind = Kind.REPORT
    complaint.channel = Channel.ONLINE
    complaint.received_on = _today()
    complaint.complainant_enterprise = None
    complaint.complainant_name = (complaint.complainant_name or "").strip()
    complaint.complainant_contact = (complaint.complainant_contact or "").strip()
    complaint.anonymous = not (complaint.complainant_name or complaint.complainant_contact)
    return complaint


@storing_files()
def receive_public_report(complaint, *, evidence=()):
    """A report (举报) sent by anyone, without an account, through the public form.

    The public has no scope, so there is no placement check: the report goes to the bureau of
    the prefecture the reporter chose, registered by the platform's system account, numbered,
    clocked and notified like any other intake. A named reporter is owed the decision within 5
    working days (投诉举报处理暂行办法 art. 31); their identity stays with the bureau (art. 33).
    """
    as_public_report(complaint)
    return _register(complaint, public_platform_user(), evidence)


def _check_placement(complaint, user):
    own = scoping.enterprise_ids(user)
    if complaint.complainant_enterprise_id and complaint.complainant_enterprise_id in own:
        # An enterprise files its own complaint, handled where it is registered.
        enterprise = complaint.complainant_enterprise
        complaint.kind = Kind.COMPLAINT
        complaint.channel = Channel.ONLINE
        complaint.prefecture_id = enterprise.prefecture_id
        complaint.county_id = enterprise.county_id
        return
    scoping.check_placement(user, Complaint, "add", complaint.prefecture_id, complaint.county_id)


# ---------------------------------------------------------------------------------------------
# Evidence


def _store_evidence(complaint, uploaded, checked, title, user):
    return EvidenceFile.objects.create(
        complaint=complaint,
        title=(title or checked.name)[:200],
        file=uploaded,
        uploaded_by=user,
        **checked.stored_fields(),
    )


@storing_files()
def add_evidence(complaint, uploaded, checked, *, title, user):
    """Evidence from those handling it, or from the complainant while the complaint is open."""
    locked = _lock(complaint)
    if locked.state == State.CLOSED:
        raise ValidationError(_("This complaint is closed; it can no longer be changed."))
    if not (may_handle(user, locked) or is_complainant(user, locked)):
        raise ValidationError(_("You may not add evidence to this complaint."))
    evidence = _store_evidence(locked, uploaded, checked, title, user)
    _record(locked, "evidence", user, locked.state, locked.state, evidence.title)
    return evidence


def open_evidence(evidence, user, address=None):
    """Log the opening of an evidence file (before the view streams it)."""
    return EvidenceAccess.objects.create(evidence=evidence, user=user, address=address or None)


# ---------------------------------------------------------------------------------------------
# The lifecycle


def _lock(complaint):
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _record(
    complaint, action, user, from_state, to_state, note="", *, public=False, public_note=False
):
    return ComplaintEvent.objects.create(
        complaint=complaint,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=user,
        note=note,
        public=public,
        public_note=public_note,
    )


def _lock_to_change(complaint, user):
    """The complaint locked for a change by its handler; refused once it is closed."""
    locked = _lock(complaint)
    _refuse_if_closed(locked)
    _refuse_if_not_handler(user, locked)
    return locked


def _refuse_if_closed(complaint):
    if complaint.state == State.CLOSED:
        raise ValidationError(_("This complaint is closed; it can no longer be changed."))


def _refuse_if_not_handler(user, complaint):
    if not may_handle(user, complaint):
        raise ValidationError(_("Only the bureau handling this complaint may do this."))


def available_transitions(complaint, user):
    if not may_handle(user, complaint):
        return []
    return [t for t in TRANSITIONS_BY_ACTION.values() if t.allows(complaint)]


@transaction.atomic
def transition(complaint, action, user, note="", **data):
    """Take ``action`` on ``complaint`` as ``user``: the one way a complaint changes state.

    ``data`` holds what the action needs (``case_number``, ``on``, ``receiving_unit``,
    ``approved_by``, ``remedy``, ``penalty``, ``decision_number``, ``fine``, ``method``).
    Raises ValidationError with a message for the user; the complaint is then left as it was.
    """
    rule = TRANSITIONS_BY_ACTION.get(action)
    if rule is None:
        raise ValidationError(_("Unknown action."))
    locked = _lock_to_change(complaint, user)
    if locked.state not in rule.sources:
        raise ValidationError(
            _("This complaint is “%(state)s”: “%(action)s” is not possible now.")
            % {"state": locked.get_state_display(), "action": rule.label}
        )
    if not rule.allows(locked):
        raise ValidationError(
            _(
                "The transfer to public security stands at “%(state)s”: “%(action)s” is not "
                "possible now."
            )
            % {
                "state": locked.get_transfer_state_display() or _("not sent"),
                "action": rule.label,
            }
        )
    note = (note or "").strip()
    if rule.needs_note and not note:
        raise ValidationError({"note": _("Please write the reason or the content.")})
    missing = {
        name: _("This field is required for this step.")
        for name in rule.requires
        if data.get(name) in (None, "")
    }
    if missing:
        raise ValidationError(missing)
    from_state = locked.state
    now = timezone.now()
    EFFECTS[action](locked, user, now, note, data)
    if rule.target is not None:
        locked.state = rule.target
    locked.save()
    _record(
        locked,
        action,
        user,
        from_state,
        locked.state,
        note,
        public=rule.public,
        public_note=rule.public_note,
    )
    refresh_clocks(locked)
    if locked.state == State.CLOSED:
        # The experts' work on it is over: they no longer open the complaint or its evidence.
        grants.revoke(CONSULT_GRANT, locked, by=user, reason=AccessGrant.Ending.CLOSED)
    if rule.public and locked.complainant_enterprise_id:
        _notify_complainant(locked)
    return locked


def _check_date(value, field, *, not_before=None, not_before_message=""):
    if not isinstance(value, dt.date):
        raise ValidationError({field: _("Enter a valid date.")})
    if value > _today():
        raise ValidationError({field: _("This date cannot be in the future.")})
    if not_before and value < not_before:
        raise ValidationError({field: not_before_message})


def _on_accept(c, user, now, note, data):
    c.accept_decided_at = now
    c.handler = c.handler or user


def _on_refuse(c, user, now, note, data):
    c.accept_decided_at = c.filing_decided_at = c.outcome_at = now


def _on_file_case(c, user, now, note, data):
    _check_date(
        data["on"],
        "on",
        not_before=c.received_on,
        not_before_message=_("A case cannot be filed before the complaint was received."),
    )
    c.case_number = str(data["case_number"]).strip()[:60]
    c.case_filed_on = data["on"]
    c.filing_decided_at = now


def _on_propose_transfer(c, user, now, note, data):
    c.transfer_unit = str(data["receiving_unit"]).strip()[:200]
    c.transfer_proposed_at = now
    if c.state == State.CASE_FILED:
        c.case_concluded_at = now  # the administrative case ends in the transfer
    else:
        c.filing_decided_at = now


def _on_approve_transfer(c, user, now, note, data):
    c.transfer_approved_at = now
    c.transfer_approved_by = str(data["approved_by"]).strip()[:100]


def _on_send_transfer(c, user, now, note, data):
    if data.get("receiving_unit"):
        c.transfer_unit = str(data["receiving_unit"]).strip()[:200]
    c.transfer_sent_at = c.outcome_at = now
    c.transfer_state = TransferState.SENT


def _police_decision(data, field="police_decision"):
    decision = data["police_decision"]
    if decision not in PoliceDecision.values:
        raise ValidationError({field: _("Choose the police's decision: filed or refused.")})
    return decision


def _document_number(data):
    return str(data.get("document_number") or "").strip()[:60]


def _on_police_acceptance(c, user, now, note, data):
    """The police's acceptance of the transfer, dated by their receipt (回执): art. 8 counts
    their 3 days for a decision from it. Recorded again while they have not decided, it
    corrects the date."""
    _check_date(
        data["on"],
        "on",
        not_before=timezone.localdate(c.transfer_sent_at),
        not_before_message=_("The police cannot have accepted the transfer before it was sent."),
    )
    c.police_accepted_on = data["on"]
    c.police_receipt_number = str(data.get("receipt_number") or "").strip()[:60]


def _on_police_decision(c, user, now, note, data):
    """The police's decision on filing the case transferred (art. 8): its date and notice."""
    decision = _police_decision(data)
    if c.police_accepted_on:
        not_before = c.police_accepted_on
        message = _("The police cannot have decided before they accepted the transfer.")
    else:
        not_before = timezone.localdate(c.transfer_sent_at)
        message = _("The police cannot have decided before the transfer was sent.")
    _check_date(data["on"], "on", not_before=not_before, not_before_message=message)
    c.police_decision = decision
    c.police_decided_on = data["on"]
    c.police_document_number = _document_number(data)
    c.transfer_state = (
        TransferState.FILED if decision == PoliceDecision.FILED else TransferState.REFUSED
    )


def _on_request_reconsideration(c, user, now, note, data):
    """The bureau asks the police who refused to reconsider (art. 9 para. 1)."""
    _check_date(
        data["on"],
        "on",
        not_before=c.police_decided_on,
        not_before_message=_("Reconsideration cannot be requested before the refusal."),
    )
    c.reconsideration_requested_on = data["on"]
    c.reconsideration_request_number = _document_number(data)
    c.transfer_state = TransferState.RECONSIDERATION_ASKED


def _on_reconsideration_decision(c, user, now, note, data):
    """The police's answer to the request for reconsideration (art. 9 para. 2)."""
    decision = _police_decision(data)
    _check_date(
        data["on"],
        "on",
        not_before=c.reconsideration_requested_on,
        not_before_message=_("The police cannot have decided before reconsideration was asked."),
    )
    c.reconsideration_decision = decision
    c.reconsideration_decided_on = data["on"]
    c.reconsideration_document_number = _document_number(data)
    c.transfer_state = (
        TransferState.RECONSIDERATION_FILED
        if decision == PoliceDecision.FILED
        else TransferState.RECONSIDERATION_REFUSED
    )


def _on_request_supervision(c, user, now, note, data):
    """The bureau asks the people's procuratorate to supervise the filing: after the refusal,
    or after the refusal upheld on reconsideration (art. 9)."""
    refused_on = c.reconsideration_decided_on or c.police_decided_on
    _check_date(
        data["on"],
        "on",
        not_before=refused_on,
        not_before_message=_("Supervision cannot be requested before the refusal."),
    )
    procuratorate = str(data["procuratorate"]).strip()[:200]
    if not procuratorate:
        raise ValidationError({"procuratorate": _("This field is required for this step.")})
    c.supervision_requested_on = data["on"]
    c.procuratorate = procuratorate
    c.supervision_document_number = _document_number(data)
    c.transfer_state = TransferState.SUPERVISION_ASKED


def _on_guide(c, user, now, note, data):
    if data["remedy"] not in Remedy.values:
        raise ValidationError({"remedy": _("Choose one of the remedies offered.")})
    c.remedy = data["remedy"]
    c.filing_decided_at = c.outcome_at = now


def _on_outcome(c, user, now, note, data):
    c.filing_decided_at = c.outcome_at = now


def _on_decide_case(c, user, now, note, data):
    _check_date(
        data["on"],
        "on",
        not_before=c.case_filed_on,
        not_before_message=_("The case cannot be decided before it was filed."),
    )
    c.case_decided_on = data["on"]
    c.case_concluded_at = c.outcome_at = now
    c.penalty = bool(data.get("penalty"))
    if c.penalty:
        _decide_penalty(c, data)


def penalised_party(complaint, data):
    """``(kind, name, credit_code, id_number)`` of the party a penalty is against: what the
    decision gives, else the complaint's respondent company. A natural person (a former
    employee …) is named with an ID number and has no credit code."""
    kind = data.get("party_kind") or PartyKind.ORGANISATION
    name = str(data.get("party_name") or "").strip()
    if kind == PartyKind.NATURAL_PERSON:
        return kind, name, "", normalise_ric(data.get("party_id_number") or "")
    code = normalise_uscc(data.get("party_credit_code") or "")
    respondent_code = complaint.respondent_credit_code or (
        complaint.respondent_enterprise.uscc if complaint.respondent_enterprise_id else ""
    )
    if not name and code in ("", respondent_code):
        code, name = respondent_code, complaint.respondent_company
    return kind, name, code, ""


def _decide_penalty(c, data):
    """The penalty decision's own record (``CreditPush``): party, facts, the provision in force
    on the day of the decision, the penalty and its amounts — each in its own field, checked
    here for the page, the API and the admin alike."""
    c.decision_number = str(data.get("decision_number") or "").strip()[:60]
    c.fine = data.get("fine")
    c.confiscated = data.get("confiscated")
    facts = str(data.get("facts") or "").strip()
    content = str(data.get("content") or "").strip()
    kind, name, credit_code, id_number = penalised_party(c, data)
    errors = {}
    if not c.decision_number:
        errors["decision_number"] = _("A penalty needs the number of its decision.")
    if kind not in PartyKind.values:
        errors["party_kind"] = _("Choose one of the kinds of party offered.")
    if not name:
        errors["party_name"] = _("Name the party penalised.")
    if kind == PartyKind.NATURAL_PERSON:
        if not id_number:
            errors["party_id_number"] = _("A natural person is identified by the ID number.")
        else:
            try:
                validate_ric(id_number)
            except ValidationError as error:
                errors["party_id_number"] = error.messages
    elif not credit_code:
        errors["party_credit_code"] = _(
            "The credit platform needs the penalised party's unified social credit code: give "
            "it, or add it to the respondent first."
        )
    else:
        try:
            validate_uscc(credit_code)
        except ValidationError as error:
            errors["party_credit_code"] = error.messages
    if not facts:
        errors["facts"] = _("Please state the facts of the violation.")
    if not content:
        errors["content"] = _("Please state the penalty imposed.")
    for field in ("fine", "confiscated"):
        if getattr(c, field) is not None and getattr(c, field) < 0:
            errors[field] = _("An amount cannot be negative.")
    provision = provision_in_force("aucl", PENALTY_PROVISION, on=c.case_decided_on)
    if provision is None:
        errors["on"] = _(
            "The table of provisions has no penalty provision in force on that day; provincial "
            "staff keep it in the admin."
        )
    if errors:
        raise ValidationError(errors)
    CreditPush.objects.create(
        complaint=c,
        party_kind=kind,
        respondent_name=name[:200],
        respondent_credit_code=credit_code,
        id_number=id_number,
        decision_number=c.decision_number,
        decided_on=c.case_decided_on,
        facts=facts,
        provision=provision,
        basis=provision.citation,
        confiscated=c.confiscated,
        fine=c.fine,
        content=content,
        authority=_("%(prefecture)s Administration for Market Regulation")
        % {"prefecture": c.prefecture.name},
    )


def _on_feedback(c, user, now, note, data):
    if data["method"] not in FeedbackMethod.values:
        raise ValidationError({"method": _("Choose how the complainant was told.")})
    if data["method"] == FeedbackMethod.IMPOSSIBLE and not c.anonymous and c.real_name:
        raise ValidationError(
            {"method": _("The complainant gave a name and contact: tell them and say how.")}
        )
    c.feedback_method = data["method"]
    c.feedback = note
    c.feedback_at = now
    if c.filing_decided_at and not c.reporter_notified_at:
        c.reporter_notified_at = now


def _on_close(c, user, now, note, data):
    if not c.feedback_at or (c.outcome_at and c.feedback_at < c.outcome_at):
        raise ValidationError(
            _("Record the feedback to the complainant on the outcome before closing.")
        )
    if c.transfer_state in AWAITING_POLICE:
        raise ValidationError(
            _(
                "The police have not answered the transfer yet: record their decision before "
                "closing."
            )
        )
    if c.penalty and not c.penalty_published_at:
        raise ValidationError(
            _("Publish the penalty to the credit platform before closing the case.")
        )
    c.closed_at = now


EFFECTS = {
    "accept": _on_accept,
    "refuse": _on_refuse,
    "file_case": _on_file_case,
    "propose_transfer": _on_propose_transfer,
    "approve_transfer": _on_approve_transfer,
    "send_transfer": _on_send_transfer,
    "police_acceptance": _on_police_acceptance,
    "police_decision": _on_police_decision,
    "request_reconsideration": _on_request_reconsideration,
    "reconsideration_decision": _on_reconsideration_decision,
    "request_supervision": _on_request_supervision,
    "guide": _on_guide,
    "mediate": _on_outcome,
    "not_substantiated": _on_outcome,
    "decide_case": _on_decide_case,
    "feedback": _on_feedback,
    "close": _on_close,
}


@transaction.atomic
def transfer_jurisdiction(complaint, to_prefecture, user, reason):
    """Hand the complaint to another prefecture; the sender keeps a read-only trace."""
    locked = _lock_to_change(complaint, user)
    reason = (reason or "").strip()
    if locked.state not in TRANSFERABLE_STATES:
        raise ValidationError(
            _("Once a case is filed or an outcome reached, the complaint stays with its bureau.")
        )
    if to_prefecture is None or to_prefecture.pk == locked.prefecture_id:
        raise ValidationError({"to_prefecture": _("Choose another prefecture.")})
    if not reason:
        raise ValidationError({"reason": _("Please give the reason for the transfer.")})
    JurisdictionTransfer.objects.create(
        complaint=locked,
        from_prefecture_id=locked.prefecture_id,
        from_county_id=locked.county_id or scoping.county_limit(user),
        to_prefecture=to_prefecture,
        reason=reason,
        by=user,
    )
    from_name = locked.prefecture.name
    locked.prefecture = to_prefecture
    locked.county = None
    locked.handler = None
    locked.save()
    _record(
        locked,
        "transfer_jurisdiction",
        user,
        locked.state,
        locked.state,
        f"{from_name} → {to_prefecture.name}: {reason}",
    )
    _notify_officers(
        locked,
        kind="complaint_transferred",
        title=_("%(reference)s handed to your bureau by %(prefecture)s")
        % {"reference": locked.reference, "prefecture": from_name},
    )
    return locked


def log_step(complaint, user, *, kind, happened_on, actions, findings="", experts=()):
    """An entry of the investigation log; the experts consulted may then open the evidence.

    Nothing is logged when an expert is refused for a conflict of interest, but the refusal
    stays in the complaint's log with its reason.
    """
    with transaction.atomic():
        step, refused = _log_step(
            complaint,
            user,
            kind=kind,
            happened_on=happened_on,
            actions=actions,
            findings=findings,
            experts=experts,
        )
    if refused:
        raise ValidationError({"experts": refused})
    return step


def _log_step(complaint, user, *, kind, happened_on, actions, findings, experts):
    locked = _lock_to_change(complaint, user)
    if locked.state not in INVESTIGATING_STATES:
        raise ValidationError(
            _("Investigation steps are logged from acceptance until the outcome.")
        )
    _check_date(
        happened_on,
        "happened_on",
        not_before=locked.received_on,
        not_before_message=_("A step cannot predate the receipt of the complaint."),
    )
    if not (actions or "").strip():
        raise ValidationError({"actions": _("Please say what was done.")})
    experts = list({e.pk: e for e in experts}.values())
    not_experts = [e for e in experts if e.role != Role.EXPERT or not e.is_active]
    if not_experts:
        raise ValidationError({"experts": _("Only members of the expert pool can be consulted.")})
    refused = conflict_refusals(locked, experts)
    if refused:
        for _expert, reason in refused:
            _record(locked, "consultation_refused", user, locked.state, locked.state, reason)
        return None, [reason for _expert, reason in refused]
    step = InvestigationStep.objects.create(
        complaint=locked,
        kind=kind,
        happened_on=happened_on,
        actions=actions.strip(),
        findings=(findings or "").strip(),
        recorded_by=user,
    )
    if experts:
        step.experts.set(experts)
        for expert in experts:
            grants.grant(expert, CONSULT_GRANT, locked, by=user)
        notify(
            experts,
            kind="expert_consulted",
            title=_("You are consulted on %(reference)s") % {"reference": locked.reference},
            url=locked.get_absolute_url(),
            key=f"expert_consulted:{locked.pk}",
        )
    _record(locked, "investigation", user, locked.state, locked.state, step.get_kind_display())
    return step, []


def complaint_parties(complaint):
    """The complainant and the respondent, as the conflict-of-interest rules compare them."""
    parties = []
    c = complaint
    for enterprise, name, uscc in (
        (c.complainant_enterprise, c.complainant_name, ""),
        (c.respondent_enterprise, c.respondent_name, c.respondent_credit_code),
    ):
        if enterprise is not None:
            parties.append(conflicts.Party(enterprise.name, enterprise.uscc, enterprise.pk))
        if (name or "").strip() or uscc:
            parties.append(conflicts.Party((name or "").strip(), uscc or ""))
    return parties


def conflict_of_interest(expert, complaint, consulted=()):
    """Why ``expert`` may not be consulted on ``complaint``, or None: the check of the
    demonstration reviews (``tsprotect.core.conflicts``) — not acting or working for the
    complainant or the respondent, no colleague of the same employer already consulted on it."""
    return conflicts.conflict_of_interest(
        expert, complaint_parties(complaint), consulted, matter=conflicts.COMPLAINT
    )


def consulted_experts(complaint):
    """The experts consulted on the complaint now (their access not withdrawn)."""
    User = get_user_model()
    ids = grants.holders(CONSULT_GRANT, complaint)
    return list(User.objects.filter(pk__in=ids).select_related("expert_profile"))


def conflict_refusals(complaint, experts):
    """``(expert, reason)`` for each of ``experts`` the conflict check refuses on
    ``complaint``, beside those consulted on it now."""
    return conflicts.refusals(
        experts,
        complaint_parties(complaint),
        consulted_experts(complaint),
        matter=conflicts.COMPLAINT,
    )


@transaction.atomic
def declare_recusal(complaint, user, reason):
    """An expert consulted on the complaint declares a conflict of interest (回避): the
    consultation ends — no more access to the complaint or its evidence — and the recusal,
    with its reason, stays in the complaint's log; the officers handling it are told."""
    locked = _lock(complaint)
    if user.pk not in grants.holders(CONSULT_GRANT, locked):
        raise ValidationError(_("You are not consulted on this complaint."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give the reason for the recusal.")})
    recusal = Recusal.objects.create(complaint=locked, expert=user, reason=reason)
    grants.revoke(CONSULT_GRANT, locked, users=[user], by=user, reason=AccessGrant.Ending.RECUSED)
    _record(locked, "recusal", user, locked.state, locked.state, f"{user}: {reason}")
    _notify_officers(
        locked,
        kind="expert_recused",
        title=_("An expert recused themselves from %(reference)s")
        % {"reference": locked.reference},
        key=f"expert_recused:{recusal.pk}",
    )
    return recusal


@transaction.atomic
def end_consultation(complaint, expert, user):
    """The officer in charge ends an expert's consultation: the expert no longer reaches the
    complaint or its evidence; the record of the consultation stays."""
    locked = _lock_to_change(complaint, user)
    if expert is None or expert.pk not in grants.holders(CONSULT_GRANT, locked):
        raise ValidationError(_("This expert is not consulted on this complaint."))
    grants.revoke(CONSULT_GRANT, locked, users=[expert], by=user, reason=AccessGrant.Ending.ENDED)
    _record(locked, "consult_expert_end", user, locked.state, locked.state, str(expert))
    return locked


def access_history(complaint):
    """Who was consulted on the complaint, from when to when, for those handling it."""
    return grants.history(complaint, CONSULT_GRANT)


@transaction.atomic
def start_pause(complaint, user, *, reason, started_on, note=""):
    locked = _lock_to_change(complaint, user)
    if reason not in StatutoryLimit.Pause.values:
        raise ValidationError({"reason": _("Choose one of the reasons offered.")})
    _check_date(
        started_on,
        "started_on",
        not_before=locked.received_on,
        not_before_message=_("A pause cannot start before the complaint was received."),
    )
    if locked.pauses.filter(reason=reason, ended_on__isnull=True).exists():
        raise ValidationError({"reason": _("A pause for this reason is already running.")})
    pause = ClockPause.objects.create(
        complaint=locked, reason=reason, started_on=started_on, note=(note or "").strip(), by=user
    )
    _record(locked, "pause", user, locked.state, locked.state, pause.get_reason_display())
    refresh_clocks(locked)
    return pause


@transaction.atomic
def end_pause(pause, user, *, ended_on):
    locked = _lock_to_change(pause.complaint, user)
    pause = ClockPause.objects.select_for_update().get(pk=pause.pk)
    if pause.ended_on is not None:
        raise ValidationError(_("This pause has already ended."))
    _check_date(
        ended_on,
        "ended_on",
        not_before=pause.started_on,
        not_before_message=_("A pause cannot end before it started."),
    )
    pause.ended_on = ended_on
    pause.save(update_fields=["ended_on"])
    _record(locked, "resume", user, locked.state, locked.state, pause.get_reason_display())
    refresh_clocks(locked)
    return pause


def extendable(clock) -> list[str]:
    """The kinds of extension ``clock`` may take now (``ClockExtension.Kind``): the head's
    approval once, where the limit has one; then, where the rule allows, collective decisions
    of the heads (行政处罚程序规定 art. 64: "经延期仍不能作出处理决定的 …")."""
    limit = clock.limit
    if not clock.running or not limit.extension:
        return []
    if clock.approved_extension is None:
        return [ClockExtension.Kind.APPROVAL]
    return [ClockExtension.Kind.COLLECTIVE] if limit.further_extensions else []


def _extension_note(extension):
    """The extension as the complaint's log tells it: what, by how much, who, when, which
    document, why."""
    limit = extension.clock.limit
    values = {
        "limit": limit.label,
        "period": extension.period,
        "unit": limit.get_unit_display(),
        "kind": extension.get_kind_display(),
        "by": extension.approved_by,
        "on": extension.decided_on.isoformat(),
        "document": extension.document_number
        or (extension.document.original_name if extension.document_id else ""),
        "reason": extension.reason,
    }
    return (
        _(
            "%(limit)s +%(period)s %(unit)s — %(kind)s: %(by)s, %(on)s, "
            "document %(document)s. %(reason)s"
        )
        % values
    )


@storing_files()
def extend(
    complaint,
    user,
    *,
    limit_code,
    approved_by,
    decided_on,
    reason,
    kind=ClockExtension.Kind.APPROVAL,
    period=None,
    document_number="",
    document=None,
):
    """Extend a running limit, with the approval or decision recorded: who, when, the document
    (its number and/or the uploaded file, ``(uploaded, checked)``) and why.

    The head's approval extends it once by the limit's own extension; where the limit allows
    further extensions, each is a collective decision of the heads stating its ``period``, and
    only after the head's approval has been used (行政处罚程序规定 arts. 18 and 64)."""
    locked = _lock_to_change(complaint, user)
    clock = (
        ComplaintClock.objects.select_for_update()
        .select_related("limit")
        .filter(complaint=locked, limit__code=limit_code, met_at__isnull=True)
        .first()
    )
    if clock is None:
        raise ValidationError({"limit": _("This time limit is not running on this complaint.")})
    limit = clock.limit
    if not limit.active:
        raise ValidationError({"limit": _("This time limit is no longer in force.")})
    if not limit.extension:
        raise ValidationError({"limit": _("The law allows no extension of this time limit.")})
    if kind not in ClockExtension.Kind.values:
        raise ValidationError({"kind": _("Choose one of the kinds of extension offered.")})
    allowed = extendable(clock)
    if kind not in allowed:
        if kind == ClockExtension.Kind.APPROVAL and allowed:
            message = _(
                "The head's approval has been used; a further extension is a collective decision "
                "of the bureau's heads."
            )
        elif kind == ClockExtension.Kind.APPROVAL:
            message = _("This time limit has already been extended once.")
        elif clock.approved_extension is None and limit.further_extensions:
            message = _(
                "A collective decision extends a time limit already extended with the head's "
                "approval."
            )
        else:
            message = _("The law allows no further extension of this time limit.")
        raise ValidationError({"kind": message})
    errors = {}
    if kind == ClockExtension.Kind.APPROVAL:
        if period not in (None, "", limit.extension):
            errors["period"] = _(
                "The head's approval extends this time limit by %(length)s %(unit)s."
            ) % {"length": limit.extension, "unit": limit.get_unit_display()}
        period = limit.extension
    elif not isinstance(period, int) or period < 1:
        errors["period"] = _("A collective decision states the period of the extension.")
    approved_by = (approved_by or "").strip()
    if not approved_by:
        errors["approved_by"] = _("Please say who approved the extension.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Please give the reason for the extension.")
    document_number = (document_number or "").strip()
    if not document_number and document is None:
        errors["document_number"] = _(
            "Give the number of the approval or decision, or upload the document."
        )
    try:
        _check_date(
            decided_on,
            "decided_on",
            not_before=timezone.localdate(clock.started_at),
            not_before_message=_("An extension cannot be decided before the time limit started."),
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    stored = None
    if document is not None:
        uploaded, checked = document
        title = _("Extension: %(limit)s %(number)s") % {
            "limit": limit.label,
            "number": document_number,
        }
        stored = _store_evidence(locked, uploaded, checked, title.strip(), user)
    extension = ClockExtension.objects.create(
        complaint=locked,
        clock=clock,
        kind=kind,
        period=period,
        approved_by=approved_by[:200],
        decided_on=decided_on,
        document_number=document_number[:60],
        document=stored,
        reason=reason,
        recorded_by=user,
    )
    action = "extend" if kind == ClockExtension.Kind.APPROVAL else "extend_collective"
    _record(locked, action, user, locked.state, locked.state, _extension_note(extension))
    refresh_clocks(locked)
    extension.clock.refresh_from_db()
    return extension


@transaction.atomic
def publish_penalty(complaint, user, *, published_on):
    locked = _lock_to_change(complaint, user)
    push = CreditPush.objects.select_for_update().filter(complaint=locked).first()
    if push is None:
        raise ValidationError(_("This case has no penalty to publish."))
    if push.published_on:
        raise ValidationError(_("This penalty has already been published."))
    _check_date(
        published_on,
        "published_on",
        not_before=push.decided_on,
        not_before_message=_("A penalty cannot be published before it was decided."),
    )
    push.published_on = published_on
    push.save(update_fields=["published_on"])
    locked.penalty_published_at = timezone.now()
    locked.save(update_fields=["penalty_published_at", "updated_at"])
    _record(locked, "publish_penalty", user, locked.state, locked.state, push.decision_number)
    refresh_clocks(locked)
    return push


# ---------------------------------------------------------------------------------------------
# Statutory clocks

# The complaint's value for each start and end event of ``StatutoryLimit``.
START_EVENTS = {
    StatutoryLimit.Start.RECEIVED: lambda c: c.received_on,
    StatutoryLimit.Start.FILING_DECISION: lambda c: c.filing_decided_at,
    StatutoryLimit.Start.CASE_FILED: lambda c: c.case_filed_on,
    StatutoryLimit.Start.TRANSFER_PROPOSED: lambda c: c.transfer_proposed_at,
    StatutoryLimit.Start.TRANSFER_APPROVED: lambda c: c.transfer_approved_at,
    StatutoryLimit.Start.TRANSFER_SENT: lambda c: c.transfer_sent_at,
    # Art. 8 counts from the police's acceptance; until its receipt is recorded, the sending.
    StatutoryLimit.Start.POLICE_ACCEPTED: lambda c: c.police_accepted_on or c.transfer_sent_at,
    StatutoryLimit.Start.RECONSIDERATION_REQUESTED: lambda c: c.reconsideration_requested_on,
    StatutoryLimit.Start.PENALTY_DECIDED: lambda c: c.case_decided_on if c.penalty else None,
}
END_EVENTS = {
    StatutoryLimit.End.ACCEPT_DECISION: "accept_decided_at",
    StatutoryLimit.End.FILING_DECISION: "filing_decided_at",
    StatutoryLimit.End.REPORTER_NOTIFIED: "reporter_notified_at",
    StatutoryLimit.End.CASE_CONCLUDED: "case_concluded_at",
    StatutoryLimit.End.TRANSFER_APPROVED: "transfer_approved_at",
    StatutoryLimit.End.TRANSFER_SENT: "transfer_sent_at",
    StatutoryLimit.End.POLICE_DECISION: "police_decided_on",
    StatutoryLimit.End.RECONSIDERATION_DECISION: "reconsideration_decided_on",
    StatutoryLimit.End.PENALTY_PUBLISHED: "penalty_published_at",
}
# The first decision owed on a complaint of each kind: its due date is ``accept_deadline``.
FIRST_DECISION = {
    Kind.COMPLAINT: StatutoryLimit.End.ACCEPT_DECISION,
    Kind.REPORT: StatutoryLimit.End.FILING_DECISION,
}


def _as_moment(value):
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


def refresh_clocks(complaint):
    """Recompute the complaint's clocks from its milestones, pauses and extensions, and keep
    its next deadline (for lists, sorting and reminders) in step."""
    pauses = [clocks.Pause(p.reason, p.started_on, p.ended_on) for p in complaint.pauses.all()]
    existing = {c.limit_id: c for c in complaint.clocks.all()}
    extensions = {}
    for clock_id, period in ClockExtension.objects.filter(complaint=complaint).values_list(
        "clock_id", "period"
    ):
        extensions.setdefault(clock_id, []).append(period)
    running = []
    complaint.accept_deadline = None
    for limit in clocks.limits_for(complaint.kind, real_name=complaint.real_name):
        start = START_EVENTS[limit.starts_at](complaint)
        if start is None:
            continue
        clock = existing.get(limit.pk) or ComplaintClock(complaint=complaint, limit=limit)
        clock.started_at = _as_moment(start)
        hours = limit.unit == StatutoryLimit.Unit.HOURS
        due = clocks.due(
            limit,
            clock.started_at if hours else start,
            pauses=pauses,
            extensions=extensions.get(clock.pk, ()),
        )
        clock.due_at = due if hours else None
        clock.due_on = timezone.localdate(due) if hours and due else due
        met = getattr(complaint, END_EVENTS[limit.ends_at])
        # The police's answers are dated days: met at the start of their day.
        clock.met_at = None if met is None else _as_moment(met)
        clock.save()
        if limit.ends_at == FIRST_DECISION[complaint.kind]:
            complaint.accept_deadline = clock.due_on
        if clock.met_at is None:
            running.append(clock)
    dated = [c for c in running if c.due_on is not None]
    first = min(dated, key=lambda c: (c.due_on, c.pk), default=None)
    closed = complaint.state == State.CLOSED
    complaint.next_deadline = None if closed or first is None else first.due_on
    complaint.next_limit = None if closed or first is None else first.limit
    complaint.paused = not closed and any(c.due_on is None for c in running)
    Complaint.objects.filter(pk=complaint.pk).update(
        next_deadline=complaint.next_deadline,
        next_limit=complaint.next_limit,
        accept_deadline=complaint.accept_deadline,
        paused=complaint.paused,
    )


def refresh_open_clocks() -> int:
    """Recompute every open complaint's clocks (after a change of the official calendar)."""
    count = 0
    for complaint in Complaint.objects.filter(state__in=OPEN_STATES).iterator(chunk_size=500):
        with transaction.atomic():
            refresh_clocks(_lock(complaint))
        count += 1
    return count


def current_clocks(complaint):
    """The complaint's clocks, oldest first, with their extensions, for its page and the API."""
    return list(
        complaint.clocks.select_related("limit").prefetch_related(
            Prefetch(
                "extensions",
                queryset=ClockExtension.objects.select_related("recorded_by", "document"),
            )
        )
    )


# ---------------------------------------------------------------------------------------------
# Queues, roll-ups and reminders


def responsible_officers(complaint):
    """The officer in charge, or else every officer of the bureau (and of its county)."""
    User = get_user_model()
    if complaint.handler_id and complaint.handler.is_active:
        return [complaint.handler]
    officers = bureau_officers(complaint.prefecture_id)
    if complaint.county_id:
        officers = officers | User.objects.filter(
            is_active=True, role=Role.COUNTY_OFFICER, county_id=complaint.county_id
        )
    return list(officers)


def _notify_officers(complaint, *, kind, title, exclude=None, key=""):
    recipients = [u for u in responsible_officers(complaint) if u != exclude]
    return notify(recipients, kind=kind, title=title, url=complaint.get_absolute_url(), key=key)


def _notify_complainant(complaint):
    notify(
        enterprise_users(complaint.complainant_enterprise_id),
        kind="complaint_status",
        title=_("Your complaint %(reference)s: %(status)s")
        % {
            "reference": complaint.reference,
            "status": complaint.get_complainant_status_display(),
        },
        url=complaint.get_absolute_url(),
    )


def send_reminders(today=None) -> int:
    """Remind the officers responsible of every clock due today or tomorrow, or overdue; one
    reminder per clock and day, however often the job runs. Returns how many were sent.

    A clock whose limit provincial staff took out of force keeps its row (its history), but
    no longer counts as a deadline: it is not reminded."""
    today = today or _today()
    due = (
        ComplaintClock.objects.filter(
            met_at__isnull=True,
            limit__active=True,
            due_on__lte=today + dt.timedelta(days=1),
            complaint__state__in=OPEN_STATES,
        )
        .select_related("limit", "complaint__handler", "complaint__prefecture")
        .order_by("due_on", "pk")
    )
    sent = 0
    for clock in due:
        complaint = clock.complaint
        values = {
            "reference": complaint.reference,
            "limit": clock.limit.label,
            "date": clock.due_on.isoformat(),
        }
        if clock.due_on < today:
            title = _("Overdue: %(reference)s — %(limit)s was due on %(date)s") % values
        else:
            title = _("Due on %(date)s: %(reference)s — %(limit)s") % values
        sent += _notify_officers(
            complaint,
            kind="complaint_deadline",
            title=title,
            key=f"complaint_deadline:{clock.pk}:{today.isoformat()}",
        )
    return sent


def queue_counts(queryset, today=None):
    """Open, overdue and due-soon counts of a scoped queryset, in one query."""
    today = today or _today()
    return queryset.aggregate(
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("pk", filter=Q(state__in=OPEN_STATES, next_deadline__lt=today)),
        due_soon=Count(
            "pk",
            filter=Q(
                state__in=OPEN_STATES,
                next_deadline__gte=today,
                next_deadline__lte=today + dt.timedelta(days=7),
            ),
        ),
        received=Count("pk"),
    )


def roll_up(user, today=None):
    """Per prefecture (the province sees all 14): received, open, overdue, due within a week,
    candidates for transfer to public security — one grouped query through the scope."""
    today = today or _today()
    # What each bureau handles (a bureau's read-only traces of complaints it handed on are
    # counted where they are handled now).
    scoped = Complaint.objects.restrict(user, "change")
    return list(
        scoped.values("prefecture", "prefecture__name")
        .annotate(
            received=Count("pk"),
            open=Count("pk", filter=Q(state__in=OPEN_STATES)),
            overdue=Count("pk", filter=Q(state__in=OPEN_STATES, next_deadline__lt=today)),
            due_soon=Count(
                "pk",
                filter=Q(
                    state__in=OPEN_STATES,
                    next_deadline__gte=today,
                    next_deadline__lte=today + dt.timedelta(days=7),
                ),
            ),
            candidates=Count(
                "pk",
                filter=Q(state__in=OPEN_STATES, estimated_loss__gte=CRIMINAL_LOSS_THRESHOLD),
            ),
        )
        .order_by("prefecture")
    )


def with_overdue_flag(queryset, today=None):
    """Annotate ``overdue`` for list pages and the API (no query per row)."""
    today = today or _today()
    overdue = Q(state__in=OPEN_STATES, next_deadline__lt=today)
    return queryset.annotate(overdue=ExpressionWrapper(overdue, output_field=BooleanField()))


# ---------------------------------------------------------------------------------------------
# Transfers to public security and the police's answers

# The clocks of the police's answers to a transfer (行政执法机关移送涉嫌犯罪案件的规定 arts. 8–9):
# their lateness is the police's, shown on the transfers list.
POLICE_ANSWERS = (
    StatutoryLimit.End.POLICE_DECISION,
    StatutoryLimit.End.RECONSIDERATION_DECISION,
)


def police_transfers(user, today=None):
    """The complaints sent to public security that ``user`` handles (provincial staff: every
    prefecture's), each annotated with ``police_late`` — an answer of the police given after its
    clock's due day, or still awaited past it — and ``police_due``, the due day of the answer
    awaited: computed in the query, from the clocks, with no query per row."""
    today = today or _today()
    police_clocks = ComplaintClock.objects.filter(
        complaint=OuterRef("pk"), limit__ends_at__in=POLICE_ANSWERS
    )
    late = police_clocks.filter(
        Q(met_at__isnull=False, met_at__date__gt=F("due_on"))
        | Q(met_at__isnull=True, limit__active=True, due_on__lt=today)
    )
    awaited = police_clocks.filter(met_at__isnull=True, limit__active=True).order_by("due_on")
    return (
        Complaint.objects.restrict(user, "change")
        .filter(transfer_sent_at__isnull=False)
        .annotate(police_late=Exists(late), police_due=Subquery(awaited.values("due_on")[:1]))
    )
