"""The rules of the demonstration pipeline; the pages, the API, the admin and the tasks call these.

Every write locks the application row first (``select_for_update``), so two tabs or two users
acting at once cannot both move it: the second finds the new state and is refused clearly.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from tsprotect.accounts.models import Role, User
from tsprotect.core import conflicts, grants, relations, scoping
from tsprotect.core.bureau_rules import bureau_rule
from tsprotect.core.models import AccessGrant
from tsprotect.core.uploads import storing_files
from tsprotect.notifications.services import bureau_officers, enterprise_users, notify

from .models import (
    LIVE_APPLICATION_MESSAGE,
    REVIEW_PERMISSION,
    AcceptanceDocument,
    AcceptanceEvaluation,
    AcceptanceFinding,
    AcceptancePartyMember,
    ApplicationAttachment,
    ApplicationEvent,
    Batch,
    DemonstrationApplication,
    ExpertAssignment,
    FollowUpRecord,
    FundingRecord,
    PilotEntry,
    Recusal,
)
from .workflow import (
    ACCEPTANCE_LEAD,
    ACCEPTANCE_MIN_PARTY_KINDS,
    ACCEPTANCE_TARGETS,
    ACTIVE_STATES,
    ASSIGNABLE_STATES,
    BASE_MIN_SITES,
    BASE_TARGET,
    ENTERPRISE_TRACKS,
    FTZ_SELECTION_STATES,
    FUNDED_TRACKS,
    MAX_EXPERTS,
    MIN_EXPERTS,
    PILOT_STATES,
    RENEWAL_WINDOW_DAYS,
    RUBRIC,
    TRANSITIONS,
    TRANSITIONS_BY_ACTION,
    AcceptanceParty,
    AcceptanceResult,
    Actor,
    FindingLevel,
    FtzSelection,
    PilotEntryKind,
    State,
    Track,
)

REVIEW_GRANT = f"demonstrations.{REVIEW_PERMISSION}"
# Events that name or betray a reviewer: for the bureaus' eyes only.
REVIEWER_EVENTS = ("score", "unassign_expert", "recusal", "assignment_refused")
MATERIAL_FIELDS = [
    "batch",
    "name",
    "enterprise",
    "host_organisation",
    "partner_organisations",
    "prefecture",
    "county",
    "ftz_area",
    "rules_system",
    "organisation",
    "measures",
    "achievements",
    "contact_person",
    "contact_phone",
    "updated_at",
]
CERTIFICATE_CODES = {
    Track.FTZ_ENTERPRISE: "FTZ",
    Track.PROVINCIAL_ENTERPRISE: "ENT",
    Track.SITE: "SITE",
    Track.BASE: "BASE",
}


# Who may act ---------------------------------------------------------------------------------


def is_bureau_of(user, application) -> bool:
    """An officer of the application's prefecture bureau who may recommend candidates."""
    if not user.is_authenticated or user.role != Role.PREFECTURE_OFFICER:
        return False
    codes = scoping.prefecture_codes(user, "recommend_demonstrations")
    return codes is scoping.ALL or application.prefecture_id in codes


def is_province(user) -> bool:
    return user.is_authenticated and user.has_perm("demonstrations.decide_application")


def acts_for_applicant(user, application) -> bool:
    if application.track in ENTERPRISE_TRACKS and application.enterprise_id in (
        scoping.enterprise_ids(user)
    ):
        return True
    if application.track == Track.BASE:
        # A base may bring together the sites of several prefectures: the province files it,
        # and it alone acts on a base citing sites beyond the filing bureau's prefecture (a
        # bureau could not even name them, and would drop them by saving its own choice).
        if is_province(user):
            return True
        if _beyond_bureau(user, application):
            return False
    # The bureau files its own sites and bases, and may file for an enterprise it accompanies.
    return is_bureau_of(user, application)


def _beyond_bureau(user, application) -> bool:
    """A base citing sites of prefectures other than the user's own."""
    return bool(
        application.track == Track.BASE
        and application.pk
        and application.concerned_prefectures.exclude(pk=user.prefecture_id).exists()
    )


def may_act_as(user, application, actor) -> bool:
    if actor == Actor.APPLICANT:
        return acts_for_applicant(user, application)
    if actor == Actor.PREFECTURE:
        return is_bureau_of(user, application) and not _beyond_bureau(user, application)
    return is_province(user)


def available_transitions(application, user):
    """The transitions ``user`` may take on ``application`` now (the buttons of the page)."""
    offered = [
        t
        for t in TRANSITIONS
        if application.state in t.sources
        and application.track in t.tracks
        and may_act_as(user, application, t.actor)
    ]
    if any(t.action == "designate" for t in offered) and not may_designate(application):
        offered = [t for t in offered if t.action != "designate"]
    return offered


def may_designate(application) -> bool:
    """Whether the designation's own precondition holds (an FTZ pilot's passing acceptance)."""
    if application.track != Track.FTZ_ENTERPRISE:
        return True
    latest = latest_acceptance(application)
    return latest is not None and latest.result == AcceptanceResult.PASS


# Creating and editing ------------------------------------------------------------------------


def applicant_enterprises(user):
    """The enterprises ``user`` may file an enterprise-track application for."""
    ids = scoping.enterprise_ids(user)
    queryset = Enterprise.objects.restrict(user, "view").filter(status=Enterprise.Status.ACTIVE)
    if ids:
        return queryset.filter(pk__in=sorted(ids))
    if user.role != Role.PREFECTURE_OFFICER:
        return queryset.none()
    return queryset


def check_application(application, user):
    """Where and on what the applicant may apply; raises ValidationError keyed by field.

    Sets the application's prefecture, county and FTZ area from its enterprise or host, so the
    scoping of the application always follows the unit it is about.
    """
    errors = {}
    batch = application.batch if application.batch_id else None
    if batch is not None:
        if batch.track != application.track:
            errors["batch"] = _("This batch is for another track.")
        elif batch.submission_deadline < timezone.localdate():
            errors["batch"] = _("This batch closed on %(date)s.") % {
                "date": batch.submission_deadline.isoformat()
            }
    if application.track in ENTERPRISE_TRACKS:
        enterprise = application.enterprise
        if enterprise is None:
            errors["enterprise"] = _("Choose the enterprise that applies.")
        elif not applicant_enterprises(user).filter(pk=enterprise.pk).exists():
            errors["enterprise"] = _("You may not apply for this enterprise.")
        else:
            application.prefecture_id = enterprise.prefecture_id
            application.county_id = enterprise.county_id
            application.ftz_area_id = enterprise.ftz_area_id
            if application.track == Track.FTZ_ENTERPRISE and not enterprise.ftz_area_id:
                errors["enterprise"] = _(
                    "Only enterprises inside the Changsha, Yueyang or Chenzhou FTZ areas can apply "
                    "on the FTZ track; set the enterprise's FTZ area in the directory first."
                )
            elif _other_live_application(application, enterprise).exists():
                # Said here, before the database constraint would refuse it with an error page.
                errors["enterprise"] = LIVE_APPLICATION_MESSAGE
        application.host_organisation = None
    else:
        if application.track == Track.BASE and is_province(user):
            if not application.prefecture_id:
                errors["prefecture"] = _("Choose the prefecture that leads the base.")
        elif user.role != Role.PREFECTURE_OFFICER or not user.prefecture_id:
            errors["track"] = _(
                "Demonstration sites are set up by a prefecture bureau, bases by a prefecture "
                "bureau or the provincial bureau."
            )
        else:
            application.prefecture_id = user.prefecture_id
        application.enterprise = None
        host = application.host_organisation
        if application.track == Track.SITE:
            if host is None:
                errors["host_organisation"] = _("Choose the park or industry association.")
            elif host.prefecture_id != user.prefecture_id:
                errors["host_organisation"] = _("The host must be in your prefecture.")
            else:
                application.county_id = host.county_id
                application.ftz_area_id = host.ftz_area_id
    if errors:
        raise ValidationError(errors)


def _other_live_application(application, enterprise):
    """The enterprise's other application on this track that is neither rejected nor revoked."""
    return (
        DemonstrationApplication.objects.filter(enterprise=enterprise, track=application.track)
        .exclude(state__in=[State.REJECTED, State.REVOKED])
        .exclude(pk=application.pk)
    )


@transaction.atomic
def create_application(application, user, *, members=(), sites=()):
    check_application(application, user)
    _check_relations(application, user, members, sites)
    application.created_by = user
    application.state = State.DRAFT
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:  # the same enterprise filed at the same instant from elsewhere
        raise ValidationError({"enterprise": LIVE_APPLICATION_MESSAGE}) from None
    _set_relations(application, members, sites)
    _record(application, "create", user, "", State.DRAFT)
    return application


@transaction.atomic
def update_application(application, user, *, members=(), sites=()):
    locked = _lock(application)
    if not locked.is_editable:
        raise ValidationError(
            _("This application is “%(state)s”; its materials can no longer be changed.")
            % {"state": locked.get_state_display()}
        )
    if not acts_for_applicant(user, locked):
        raise ValidationError(_("Only the applicant may change the materials."))
    check_application(application, user)
    _check_relations(application, user, members, sites)
    # Only the materials: the state and what the workflow set stay as the locked row has them.
    application.save(update_fields=MATERIAL_FIELDS)
    _set_relations(application, members, sites)
    return application


def _check_relations(application, user, members, sites):
    """What the application names must be the applicant's to name, whoever called."""
    relations.check_choices(user, "host_organisation", application.host_organisation)
    relations.check_choices(user, "member_enterprises", members)
    relations.check_choices(user, "sites", sites)
    if application.track == Track.BASE and sites:
        _check_lead_prefecture(application, {site.prefecture_id for site in sites})


def _check_lead_prefecture(application, prefectures):
    if application.prefecture_id not in prefectures:
        raise ValidationError(
            {"prefecture": _("The prefecture that leads the base must have one of its sites.")}
        )


def _set_relations(application, members, sites):
    if application.track == Track.SITE:
        application.member_enterprises.set(members)
    if application.track == Track.BASE:
        application.sites.set(sites)
        # The prefectures whose sites the base cites are concerned by it (§8): they see it.
        application.concerned_prefectures.set(sorted({site.prefecture_id for site in sites}))


@storing_files()
def add_attachment(application, uploaded, checked, *, title, user):
    locked = _lock(application)
    if not locked.is_editable or not acts_for_applicant(user, locked):
        raise ValidationError(
            _("Attachments can be added by the applicant while the application is a draft.")
        )
    return ApplicationAttachment.objects.create(
        application=locked,
        title=title,
        file=uploaded,
        uploaded_by=user,
        **checked.stored_fields(),
    )


# Transitions ---------------------------------------------------------------------------------


def _lock(application):
    return DemonstrationApplication.objects.select_for_update().get(pk=application.pk)


def _record(application, action, user, from_state, to_state, note=""):
    return ApplicationEvent.objects.create(
        application=application,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=user,
        note=note,
    )


@transaction.atomic
def transition(application, action, user, note=""):
    """Take ``action`` on ``application`` as ``user``; the one way an application changes state.

    Raises ValidationError with a message for the user when the action is not possible now; the
    application is then left exactly as it was.
    """
    rule = TRANSITIONS_BY_ACTION.get(action)
    if rule is None:
        raise ValidationError(_("Unknown action."))
    locked = _lock(application)
    state_label = locked.get_state_display()
    if locked.track not in rule.tracks:
        raise ValidationError(
            _("“%(action)s” does not apply to a %(track)s.")
            % {"action": rule.label, "track": locked.get_track_display()}
        )
    if locked.state not in rule.sources:
        if locked.state == rule.target_for(locked.track) and action != "renew":
            raise ValidationError(
                _("This application is already “%(state)s”; nothing was changed.")
                % {"state": state_label}
            )
        raise ValidationError(
            _("This application is “%(state)s”: “%(action)s” is not possible now.")
            % {"state": state_label, "action": rule.label}
        )
    if not may_act_as(user, locked, rule.actor):
        raise ValidationError(
            _("“%(action)s” is for the %(actor)s.")
            % {"action": rule.label, "actor": Actor(rule.actor).label}
        )
    note = (note or "").strip()
    if rule.needs_note and not note:
        raise ValidationError({"note": _("Please give the reason; the applicant will see it.")})
    guard = GUARDS.get(action)
    if guard:
        guard(locked, user)
    from_state = locked.state
    locked.state = rule.target_for(locked.track)
    EFFECTS.get(action, _no_effect)(locked, user)
    locked.save()
    _record(locked, action, user, from_state, locked.state, note)
    if from_state == State.UNDER_REVIEW and locked.state != State.UNDER_REVIEW:
        # The review is over: the reviewers' scores stay, their access to the file does not.
        grants.revoke(REVIEW_GRANT, locked, by=user, reason=AccessGrant.Ending.REVIEW_ENDED)
    return locked


def _no_effect(application, user):
    pass


def _check_submission(application, user):
    # Lock the batch so that two submissions at once cannot both pass its quota.
    batch = Batch.objects.select_for_update().get(pk=application.batch_id)
    today = timezone.localdate()
    if not batch.is_open(today):
        raise ValidationError(
            _("The batch “%(batch)s” takes applications from %(start)s to %(end)s.")
            % {
                "batch": batch,
                "start": batch.opens_on.isoformat(),
                "end": batch.submission_deadline.isoformat(),
            }
        )
    if not application.attachments.exists():
        raise ValidationError(
            _("Attach at least one supporting document (rules, agreements, records) first.")
        )
    CHECKS_BY_TRACK[application.track](application, user)


def _live_in_batch(application):
    return DemonstrationApplication.objects.filter(
        batch=application.batch, state__in=ACTIVE_STATES
    ).exclude(pk=application.pk)


def _check_quota(queryset, quota, message):
    if quota is not None:
        count = queryset.count()
        if count >= quota:
            raise ValidationError(message % {"count": count, "quota": quota})


def _check_ftz(application, user):
    enterprise = application.enterprise
    if not enterprise.ftz_area_id:
        raise ValidationError(
            _("The enterprise is not inside an FTZ area; it can apply on the provincial track.")
        )
    application.ftz_area_id = enterprise.ftz_area_id
    _check_quota(
        _live_in_batch(application).filter(ftz_area_id=enterprise.ftz_area_id),
        application.batch.quota,
        _(
            "The FTZ area already has %(count)s application(s) in this batch; its quota is "
            "%(quota)s."
        ),
    )
    _check_enterprise(application, user)


def _check_enterprise(application, user):
    if application.enterprise.status != Enterprise.Status.ACTIVE:
        raise ValidationError(_("The enterprise has been removed from the directory."))
    if application.track == Track.PROVINCIAL_ENTERPRISE:
        _check_quota(
            _live_in_batch(application).filter(prefecture_id=application.prefecture_id),
            application.batch.quota,
            _(
                "The prefecture already has %(count)s application(s) in this batch; its quota "
                "is %(quota)s."
            ),
        )


def designated_enterprises():
    return Enterprise.objects.filter(
        demonstration_applications__track__in=ENTERPRISE_TRACKS,
        demonstration_applications__state=State.DESIGNATED,
    )


def _check_site(application, user):
    host = application.host_organisation
    members = application.member_enterprises.filter(prefecture_id=application.prefecture_id)
    if host.is_park:
        members = members.filter(park_id=host.pk)
    clustered = members.filter(pk__in=designated_enterprises().values("pk")).count()
    needed = bureau_rule("site_min_designated_enterprises")
    if clustered < needed:
        raise ValidationError(
            _(
                "A demonstration site is set up where demonstration enterprises cluster: name at "
                "least %(needed)s designated demonstration enterprises of %(host)s (now "
                "%(count)s; the number is the bureau's rule)."
            )
            % {"needed": needed, "host": host, "count": clustered}
        )
    _check_quota(
        _live_in_batch(application).filter(prefecture_id=application.prefecture_id),
        application.batch.quota,
        _(
            "The prefecture already has %(count)s site application(s) in this batch; its quota "
            "is %(quota)s."
        ),
    )


def _check_base(application, user):
    # A base is built on designated sites (§8), which may lie in several prefectures; the
    # province-wide aim of 3–5 bases is a target shown as progress (base_progress), no limit.
    # Only the sites the submitter may name count: a site written behind the services' back
    # from outside its scope does not make a base.
    designated = application.sites.filter(track=Track.SITE, state=State.DESIGNATED)
    sites = list(relations.choices(user, designated))
    if len(sites) < BASE_MIN_SITES:
        raise ValidationError(
            _(
                "A demonstration base is built on at least %(needed)s designated sites (now "
                "%(count)s)."
            )
            % {"needed": BASE_MIN_SITES, "count": len(sites)}
        )
    _check_lead_prefecture(application, {site.prefecture_id for site in sites})
    _check_quota(
        _live_in_batch(application),
        application.batch.quota,
        _("This batch already has %(count)s base application(s); its quota is %(quota)s."),
    )


CHECKS_BY_TRACK = {
    Track.FTZ_ENTERPRISE: _check_ftz,
    Track.PROVINCIAL_ENTERPRISE: _check_enterprise,
    Track.SITE: _check_site,
    Track.BASE: _check_base,
}


def _check_recommendation(application, user):
    deadline = application.batch.recommendation_deadline
    if timezone.localdate() > deadline:
        raise ValidationError(
            _("The recommendation deadline of this batch was %(date)s.")
            % {"date": deadline.isoformat()}
        )
    if application.track == Track.FTZ_ENTERPRISE and not application.ftz_selection:
        raise ValidationError(
            _(
                "Record first how the enterprise was selected for the FTZ pilot (§5): through "
                "the special project, or named by the prefecture with the reason."
            )
        )


def review_summary(application):
    """Count of assigned experts, of reviews given, and the average total."""
    return application.assignments.aggregate(
        assigned=Count("pk"),
        scored=Count("pk", filter=Q(scored_at__isnull=False)),
        average=Avg("total", filter=Q(scored_at__isnull=False)),
    )


def _check_reviews(application, user):
    if application.state != State.UNDER_REVIEW:
        return
    summary = review_summary(application)
    if summary["assigned"] < MIN_EXPERTS or summary["scored"] < summary["assigned"]:
        raise ValidationError(
            _(
                "The decision waits for every assigned expert's review (%(scored)s of "
                "%(assigned)s given; at least %(minimum)s experts)."
            )
            % {**summary, "minimum": MIN_EXPERTS}
        )


def _check_approval(application, user):
    _check_reviews(application, user)
    average = review_summary(application)["average"]
    mark = bureau_rule("expert_pass_mark")
    if average is not None and average < mark:
        raise ValidationError(
            _(
                "The experts' average is %(average)s, below the pass mark of %(mark)s (the "
                "bureau's rule)."
            )
            % {"average": round(average, 1), "mark": mark}
        )


def _check_renewal(application, user):
    opens = application.valid_until - timedelta(days=RENEWAL_WINDOW_DAYS)
    if timezone.localdate() < opens:
        # Renewal is the yearly review before expiry; earlier it would stack extra years.
        raise ValidationError(
            _("The designation is valid until %(until)s; it can be renewed from %(opens)s.")
            % {"until": application.valid_until.isoformat(), "opens": opens.isoformat()}
        )
    since = timezone.localdate() - timedelta(days=366)
    if not application.follow_ups.filter(happened_on__gte=since).exists():
        raise ValidationError(
            _("Record this year's follow-up service before renewing the designation.")
        )


def _check_designation(application, user):
    if application.track != Track.FTZ_ENTERPRISE:
        return
    latest = latest_acceptance(application)
    if latest is None or latest.result != AcceptanceResult.PASS:
        # §5: an FTZ enterprise is designated after its multi-party acceptance evaluation.
        raise ValidationError(
            _(
                "An FTZ demonstration enterprise is designated only after a passing acceptance "
                "evaluation (§5); record the evaluation first."
            )
        )


GUARDS = {
    "submit": _check_submission,
    "recommend": _check_recommendation,
    "approve": _check_approval,
    "reject": _check_reviews,
    "designate": _check_designation,
    "renew": _check_renewal,
}


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _on_submit(application, user):
    application.submitted_at = timezone.now()
    if application.track == Track.BASE:
        # The prefectures whose sites the base cites take part in it (§8): they are told.
        others = application.concerned_prefectures.exclude(pk=application.prefecture_id)
        for prefecture_id in others.values_list("pk", flat=True):
            notify(
                bureau_officers(prefecture_id),
                kind="base_concerns_prefecture",
                title=_("A demonstration base cites your sites: %(name)s")
                % {"name": application.name},
                url=application.get_absolute_url(),
                key=f"base_concerns:{application.pk}:{prefecture_id}",
            )


def _on_decision(application, user):
    application.decided_at = timezone.now()


def _on_designate(application, user):
    today = timezone.localdate()
    application.certificate_number = next_certificate_number(application.track, today.year)
    application.designated_on = today
    application.valid_until = _add_years(today, bureau_rule("designation_years"))


def _on_renew(application, user):
    start = max(application.valid_until or timezone.localdate(), timezone.localdate())
    application.valid_until = _add_years(start, bureau_rule("designation_years"))


def _on_return(application, user):
    # No key: the workflow itself refuses a second return of the same submission.
    if application.enterprise_id:
        notify(
            enterprise_users(application.enterprise_id),
            kind="application_returned",
            title=_("Application returned for correction: %(name)s") % {"name": application.name},
            body=_("Open the application to read the reason, correct it and submit it again."),
            url=application.get_absolute_url(),
        )


EFFECTS = {
    "submit": _on_submit,
    "approve": _on_decision,
    "reject": _on_decision,
    "designate": _on_designate,
    "renew": _on_renew,
    "return": _on_return,
}


def next_certificate_number(track, year):
    """``HNSM-2026-ENT-001``: numbered per track and year, in the order of designation."""
    # Serialise designations of one track: lock its batches (few rows) before counting.
    list(Batch.objects.select_for_update().filter(track=track).values_list("pk", flat=True))
    prefix = f"HNSM-{year}-{CERTIFICATE_CODES[track]}-"
    numbers = DemonstrationApplication.objects.filter(
        certificate_number__startswith=prefix
    ).values_list("certificate_number", flat=True)
    last = max((int(n.rsplit("-", 1)[1]) for n in numbers), default=0)
    return f"{prefix}{last + 1:03d}"


# Expert review -------------------------------------------------------------------------------


def parties(application):
    """The enterprises whose interests the application concerns."""
    if application.track in ENTERPRISE_TRACKS:
        return Enterprise.objects.filter(pk=application.enterprise_id)
    if application.track == Track.SITE:
        return application.member_enterprises.all()
    return Enterprise.objects.filter(demonstration_sites__bases=application).distinct()


def application_parties(application):
    """The application's parties, as the conflict-of-interest check compares them."""
    return [
        conflicts.Party(name=name, uscc=uscc, enterprise_id=pk)
        for pk, uscc, name in parties(application).values_list("pk", "uscc", "name")
    ]


def conflict_of_interest(expert, application, panel=()):
    """Why ``expert`` may not review ``application``, or None: not the applicant (nor acting
    for it), not working for it, no colleague of the same employer already on the panel — the
    check complaints use too (``tsprotect.core.conflicts``)."""
    return conflicts.conflict_of_interest(
        expert, application_parties(application), panel, matter=conflicts.APPLICATION
    )


def expert_pool():
    return (
        User.objects.filter(role=Role.EXPERT, is_active=True)
        .select_related("expert_profile", "expert_profile__prefecture")
        .annotate(
            open_reviews=Count(
                "review_assignments",
                filter=Q(
                    review_assignments__scored_at__isnull=True,
                    review_assignments__application__state=State.UNDER_REVIEW,
                ),
            )
        )
        .order_by("display_name", "username")
    )


def assign_experts(application, experts, user):
    """Put experts on the application's panel (3 to 5 in all), refusing conflicts of interest.

    Each expert gets a guardian object permission on this application only. Nothing is
    assigned unless every expert can be; a refusal for a conflict of interest stays in the
    application's log, with its reason, even so.
    """
    with transaction.atomic():
        locked, refused = _assign_experts(application, experts, user)
    if refused:
        raise ValidationError({"experts": refused})
    return locked


def _assign_experts(application, experts, user):
    if not is_province(user):
        raise ValidationError(_("Experts are assigned by the provincial bureau."))
    relations.check_choices(user, "experts", experts)
    locked = _lock(application)
    if locked.state not in ASSIGNABLE_STATES:
        raise ValidationError(
            _("Experts are assigned once the application is recommended (it is “%(state)s”).")
            % {"state": locked.get_state_display()}
        )
    current = list(
        User.objects.filter(review_assignments__application=locked).select_related("expert_profile")
    )
    current_ids = {e.pk for e in current}
    # The same expert chosen twice (a repeated id in an API call) counts once.
    new = list({e.pk: e for e in experts if e.pk not in current_ids}.values())
    if not new:
        raise ValidationError({"experts": _("Choose at least one expert not yet on the panel.")})
    total = len(current) + len(new)
    if not MIN_EXPERTS <= total <= MAX_EXPERTS:
        raise ValidationError(
            {
                "experts": _(
                    "An application is reviewed by %(min)s to %(max)s experts; with your choice "
                    "it would have %(total)s."
                )
                % {"min": MIN_EXPERTS, "max": MAX_EXPERTS, "total": total}
            }
        )
    not_in_pool = [
        _("%(user)s is not in the expert pool.") % {"user": e}
        for e in new
        if e.role != Role.EXPERT or not e.is_active
    ]
    if not_in_pool:
        raise ValidationError({"experts": not_in_pool})
    refused = conflicts.refusals(
        new, application_parties(locked), current, matter=conflicts.APPLICATION
    )
    if refused:
        for _expert, reason in refused:
            _record(locked, "assignment_refused", user, locked.state, locked.state, reason)
        return locked, [reason for _expert, reason in refused]
    from_state = locked.state
    for expert in new:
        assignment = ExpertAssignment.objects.create(
            application=locked, expert=expert, assigned_by=user
        )
        grants.grant(expert, REVIEW_GRANT, locked, by=user)
        notify(
            [expert],
            kind="expert_assigned",
            title=_("Application to review: %(name)s") % {"name": locked.name},
            url=locked.get_absolute_url(),
            key=f"expert_assigned:{assignment.pk}",
        )
    locked.state = State.UNDER_REVIEW
    locked.save(update_fields=["state", "updated_at"])
    # The history is shown to the applicant: it records the step, never who reviews.
    _record(locked, "assign_expert", user, from_state, locked.state)
    return locked, []


def access_history(application):
    """Who had access to the application as a reviewer, from when to when."""
    return grants.history(application, REVIEW_GRANT)


@transaction.atomic
def unassign_expert(assignment, user):
    if not is_province(user):
        raise ValidationError(_("Experts are assigned by the provincial bureau."))
    locked = _lock(assignment.application)
    assignment = ExpertAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.is_scored or locked.state != State.UNDER_REVIEW:
        raise ValidationError(_("A review already given stays on the application."))
    grants.revoke(
        REVIEW_GRANT,
        locked,
        users=[assignment.expert],
        by=user,
        reason=AccessGrant.Ending.WITHDRAWN,
    )
    assignment.delete()
    _record(locked, "unassign_expert", user, locked.state, locked.state)


@transaction.atomic
def declare_recusal(assignment, user, reason):
    """The assigned expert declares a conflict of interest (回避) and leaves the panel before
    scoring: the access ends, the recusal and its reason stay in the application's log, and the
    province assigns another expert to keep the panel at 3 to 5."""
    locked = _lock(assignment.application)
    assignment = ExpertAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
    if assignment is None or assignment.expert_id != user.pk:
        raise ValidationError(_("Only the assigned expert can declare a conflict of interest."))
    if assignment.is_scored or locked.state != State.UNDER_REVIEW:
        raise ValidationError(_("A review already given stays on the application."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Please give the reason for the recusal.")})
    recusal = Recusal.objects.create(application=locked, expert=user, reason=reason)
    grants.revoke(REVIEW_GRANT, locked, users=[user], by=user, reason=AccessGrant.Ending.RECUSED)
    assignment.delete()
    _record(locked, "recusal", user, locked.state, locked.state, f"{user}: {reason}")
    notify(
        User.objects.filter(role=Role.PROVINCE, is_active=True),
        kind="expert_recused",
        title=_("An expert recused themselves from %(name)s") % {"name": locked.name},
        body=_("Assign another expert to keep the panel at 3 to 5."),
        url=reverse("demonstrations:assign_experts", args=[locked.pk]),
        key=f"expert_recused:{recusal.pk}",
    )
    return recusal


def check_scores(raw: dict) -> dict:
    """Scores for every criterion of the rubric, each within its points; raises otherwise."""
    errors = {}
    scores = {}
    for criterion in RUBRIC:
        value = raw.get(criterion.key)
        try:
            number = Decimal(str(value)).quantize(Decimal("0.1"))
        except Exception:  # noqa: BLE001 — any unparsable value is the same user error
            errors[criterion.key] = _("Give a score for “%(criterion)s”.") % {
                "criterion": criterion.label
            }
            continue
        if value in (None, "") or not number.is_finite() or not 0 <= number <= criterion.max_points:
            errors[criterion.key] = _(
                "The score for “%(criterion)s” must be between 0 and %(max)s."
            ) % {"criterion": criterion.label, "max": criterion.max_points}
            continue
        scores[criterion.key] = str(number)
    if errors:
        raise ValidationError(errors)
    return scores


@transaction.atomic
def submit_review(assignment, user, scores: dict, comment: str):
    """The expert's scores against the rubric, with comments; final once given."""
    locked = _lock(assignment.application)
    assignment = ExpertAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.expert_id != user.pk:
        raise ValidationError(_("Only the assigned expert can give this review."))
    if assignment.is_scored:
        raise ValidationError(_("You have already given your review of this application."))
    if locked.state != State.UNDER_REVIEW:
        raise ValidationError(
            _("The application is “%(state)s”; reviews are no longer taken.")
            % {"state": locked.get_state_display()}
        )
    checked = check_scores(scores)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Please explain your scores in a comment.")})
    assignment.scores = checked
    assignment.total = sum(Decimal(v) for v in checked.values())
    assignment.comment = comment
    assignment.scored_at = timezone.now()
    assignment.save()
    _record(locked, "score", user, locked.state, locked.state)
    return assignment


# The FTZ pilot and its acceptance evaluation (§5) ----------------------------------------------


def _may_guide(user, application) -> bool:
    return is_province(user) or is_bureau_of(user, application)


@transaction.atomic
def record_ftz_selection(application, user, *, basis, reason=""):
    """How the FTZ enterprise was selected (§5), recorded by its bureau before recommending it.

    Where no enterprise of the area meets the special project's conditions, the prefecture names
    1–2 enterprises itself: that choice is kept with its reason.
    """
    locked = _lock(application)
    if locked.track != Track.FTZ_ENTERPRISE:
        raise ValidationError(_("The selection basis is recorded for FTZ enterprises only."))
    if not _may_guide(user, locked):
        raise ValidationError(_("The selection basis is recorded by the prefecture bureau."))
    if locked.state not in FTZ_SELECTION_STATES:
        raise ValidationError(
            _("The selection basis is recorded before the recommendation (it is “%(state)s”).")
            % {"state": locked.get_state_display()}
        )
    if basis not in FtzSelection.values:
        raise ValidationError({"basis": _("Choose how the enterprise was selected.")})
    reason = (reason or "").strip()
    if basis == FtzSelection.NAMED_BY_PREFECTURE and not reason:
        raise ValidationError(
            {
                "reason": _(
                    "Say why no enterprise of the area meets the special project's conditions "
                    "and why the prefecture names this one."
                )
            }
        )
    locked.ftz_selection = basis
    locked.ftz_selection_reason = reason
    locked.save(update_fields=["ftz_selection", "ftz_selection_reason", "updated_at"])
    label = FtzSelection(basis).label
    _record(locked, "ftz_selection", user, locked.state, locked.state, f"{label}\n{reason}".strip())
    return locked


@transaction.atomic
def record_pilot_entry(application, user, *, kind, happened_on, summary):
    """A dated entry of the pilot record: the bureau's guidance or the enterprise's progress."""
    locked = _lock(application)
    if locked.track != Track.FTZ_ENTERPRISE or locked.state not in PILOT_STATES:
        raise ValidationError(_("The pilot record is kept while an FTZ enterprise is piloting."))
    if not _may_guide(user, locked):
        raise ValidationError(_("The pilot record is kept by the bureaus."))
    if kind not in PilotEntryKind.values:
        raise ValidationError({"kind": _("Choose guidance or progress.")})
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("An entry cannot be dated in the future.")})
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Say what was done.")})
    entry = PilotEntry.objects.create(
        application=locked, kind=kind, happened_on=happened_on, summary=summary, recorded_by=user
    )
    note = f"{PilotEntryKind(kind).label} {happened_on.isoformat()}: {summary}"
    _record(locked, "pilot_entry", user, locked.state, locked.state, note)
    return entry


def latest_acceptance(application):
    return (
        AcceptanceEvaluation.objects.filter(application=application)
        .order_by("-evaluated_on", "-pk")
        .first()
    )


def acceptance_criteria():
    """The criteria an acceptance finds on: the FTZ track's own rubric."""
    return RUBRIC


def check_acceptance(
    application, *, evaluated_on, result, conclusion, rectification, parties, findings
):
    """The acceptance evaluation as given; raises ValidationError keyed by field.

    ``parties``: dicts of kind, organisation, names; ``findings``: {criterion key: (level,
    remarks)} for every criterion of ``acceptance_criteria()``.
    """
    errors = {}
    if result not in AcceptanceResult.values:
        errors["result"] = _("Choose the result of the evaluation.")
    if evaluated_on > timezone.localdate():
        errors["evaluated_on"] = _("An evaluation cannot be dated in the future.")
    previous = latest_acceptance(application)
    if previous is not None and evaluated_on < previous.evaluated_on:
        errors["evaluated_on"] = _(
            "The previous evaluation was on %(date)s; a later one cannot be dated before it."
        ) % {"date": previous.evaluated_on.isoformat()}
    if not (conclusion or "").strip():
        errors["conclusion"] = _("Give the conclusion of the evaluation.")
    if result == AcceptanceResult.RECTIFY and not (rectification or "").strip():
        errors["rectification"] = _(
            "Say what the enterprise must rectify before the re-evaluation."
        )
    kinds = set()
    for party in parties:
        if party.get("kind") not in AcceptanceParty.values or not party.get("organisation"):
            errors["parties"] = _("Give each party's kind and organisation.")
            break
        kinds.add(party["kind"])
    if "parties" not in errors and (
        ACCEPTANCE_LEAD not in kinds or len(kinds) < ACCEPTANCE_MIN_PARTY_KINDS
    ):
        errors["parties"] = _(
            "The acceptance is evaluated by several parties, led by the provincial bureau's "
            "Price Supervision and Competition Bureau (§5, §17): name it and at least one other "
            "party."
        )
    levels = {}
    for criterion in acceptance_criteria():
        level = (findings.get(criterion.key) or (None, ""))[0]
        if level not in FindingLevel.values:
            errors[criterion.key] = _("Give the finding on “%(criterion)s”.") % {
                "criterion": criterion.label
            }
        levels[criterion.key] = level
    if result == AcceptanceResult.PASS and FindingLevel.NOT_MET in levels.values():
        errors["result"] = _("An evaluation that finds a criterion not met cannot be a pass.")
    if errors:
        raise ValidationError(errors)


@storing_files()
def record_acceptance(
    application,
    user,
    *,
    evaluated_on,
    result,
    conclusion,
    rectification="",
    parties,
    findings,
    documents=(),
):
    """Record a multi-party acceptance evaluation of an FTZ pilot, and act on its result.

    A pass leaves the enterprise awaiting its designation, a rectification sends it back to the
    pilot until the next evaluation, a failure ends the application. ``documents`` are
    ``(uploaded, checked, title)`` triples, stored with the record or not at all.
    """
    locked = _lock(application)
    if not is_province(user):
        raise ValidationError(_("The acceptance evaluation is recorded by the provincial bureau."))
    if locked.track != Track.FTZ_ENTERPRISE or locked.state != State.ACCEPTANCE:
        raise ValidationError(
            _(
                "An acceptance evaluation is recorded once the evaluation has started (it is "
                "“%(state)s”)."
            )
            % {"state": locked.get_state_display()}
        )
    previous = latest_acceptance(locked)
    if previous is not None and previous.result == AcceptanceResult.PASS:
        raise ValidationError(
            _("The enterprise passed its acceptance on %(date)s; it now awaits its designation.")
            % {"date": previous.evaluated_on.isoformat()}
        )
    check_acceptance(
        locked,
        evaluated_on=evaluated_on,
        result=result,
        conclusion=conclusion,
        rectification=rectification,
        parties=parties,
        findings=findings,
    )
    evaluation = AcceptanceEvaluation.objects.create(
        application=locked,
        evaluated_on=evaluated_on,
        result=result,
        conclusion=conclusion.strip(),
        rectification=(rectification or "").strip() if result == AcceptanceResult.RECTIFY else "",
        recorded_by=user,
    )
    AcceptancePartyMember.objects.bulk_create(
        AcceptancePartyMember(
            evaluation=evaluation,
            kind=party["kind"],
            organisation=party["organisation"].strip(),
            names=(party.get("names") or "").strip(),
        )
        for party in parties
    )
    AcceptanceFinding.objects.bulk_create(
        AcceptanceFinding(
            evaluation=evaluation,
            criterion=criterion.key,
            level=findings[criterion.key][0],
            remarks=(findings[criterion.key][1] or "").strip(),
        )
        for criterion in acceptance_criteria()
    )
    for uploaded, checked, title in documents:
        _store_acceptance_document(evaluation, uploaded, checked, title=title, user=user)
    from_state = locked.state
    locked.state = ACCEPTANCE_TARGETS[result]
    if locked.state == State.REJECTED:
        locked.decided_at = timezone.now()
    locked.save()
    note = f"{AcceptanceResult(result).label} ({evaluated_on.isoformat()}): {evaluation.conclusion}"
    if evaluation.rectification:
        note += f"\n{evaluation.rectification}"
    _record(locked, "acceptance", user, from_state, locked.state, note)
    if result != AcceptanceResult.PASS and locked.enterprise_id:
        notify(
            enterprise_users(locked.enterprise_id),
            kind="acceptance_result",
            title=_("Acceptance evaluation: %(result)s — %(name)s")
            % {"result": AcceptanceResult(result).label, "name": locked.name},
            body=evaluation.rectification or evaluation.conclusion,
            url=locked.get_absolute_url(),
            key=f"acceptance_result:{evaluation.pk}",
        )
    return evaluation


def _store_acceptance_document(evaluation, uploaded, checked, *, title, user):
    return AcceptanceDocument.objects.create(
        evaluation=evaluation,
        title=title,
        file=uploaded,
        uploaded_by=user,
        **checked.stored_fields(),
    )


@storing_files()
def add_acceptance_document(evaluation, uploaded, checked, *, title, user):
    """A document of a recorded evaluation (its signed minutes, the report), added later."""
    locked = _lock(evaluation.application)
    if not is_province(user):
        raise ValidationError(_("The acceptance documents are kept by the provincial bureau."))
    document = _store_acceptance_document(evaluation, uploaded, checked, title=title, user=user)
    _record(locked, "acceptance_document", user, locked.state, locked.state, title)
    return document


def base_progress(user):
    """The province's bases against the target of §8 (3–5 in about three years).

    The designated bases are counted province-wide (a designation is public, §9); those under
    way are counted within what ``user`` may see.
    """
    designated = DemonstrationApplication.objects.filter(
        track=Track.BASE, state=State.DESIGNATED
    ).count()
    under_way = (
        DemonstrationApplication.objects.restrict(user, "view")
        .filter(track=Track.BASE, state__in=ACTIVE_STATES)
        .exclude(state=State.DESIGNATED)
        .count()
    )
    low, high = BASE_TARGET
    return {
        "designated": designated,
        "under_way": under_way,
        "target_min": low,
        "target_max": high,
        "reached": designated >= low,
        "beyond": max(designated - high, 0),
    }


# After the designation -----------------------------------------------------------------------


@transaction.atomic
def record_follow_up(application, user, *, kind, happened_on, summary):
    locked = _lock(application)
    if locked.state != State.DESIGNATED:
        raise ValidationError(_("Follow-up services are recorded for designated units."))
    if not (is_province(user) or is_bureau_of(user, locked)):
        raise ValidationError(_("Follow-up services are recorded by the bureaus."))
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("A service cannot be recorded in the future.")})
    record = FollowUpRecord.objects.create(
        application=locked, kind=kind, happened_on=happened_on, summary=summary, recorded_by=user
    )
    _record(locked, "follow_up", user, locked.state, locked.state, summary)
    return record


@transaction.atomic
def record_funding(application, user, *, year, amount, purpose, granted_on):
    locked = _lock(application)
    if not is_province(user):
        raise ValidationError(_("Special funding is recorded by the provincial bureau."))
    if locked.state != State.DESIGNATED or locked.track not in FUNDED_TRACKS:
        raise ValidationError(
            _("Special funding supports designated demonstration enterprises and sites (§14).")
        )
    record = FundingRecord.objects.create(
        application=locked,
        year=year,
        amount=amount,
        purpose=purpose,
        granted_on=granted_on,
        recorded_by=user,
    )
    _record(locked, "funding", user, locked.state, locked.state, f"{year}: {amount} · {purpose}")
    return record


@transaction.atomic
def mark_national_candidate(application, user, candidate=True):
    locked = _lock(application)
    if not is_province(user):
        raise ValidationError(_("Only the provincial bureau proposes national candidates."))
    if locked.track != Track.BASE or locked.state != State.DESIGNATED:
        raise ValidationError(
            _("Only a designated demonstration base can be a national candidate.")
        )
    locked.national_candidate = candidate
    locked.save(update_fields=["national_candidate", "updated_at"])
    mark = "✓" if candidate else "✗"
    _record(locked, "national_candidate", user, locked.state, locked.state, mark)
    return locked


def designations():
    """Designated and revoked units, as the public and the enterprise record show them."""
    return DemonstrationApplication.objects.filter(
        state__in=[State.DESIGNATED, State.REVOKED], certificate_number__isnull=False
    )


def work_queue(user):
    """What waits for ``user`` in the pipeline, for the workbench: (label, count, list URL)."""
    from django.urls import reverse

    base = reverse("demonstrations:list")
    scoped = DemonstrationApplication.objects.restrict(user, "view")
    items = []
    if user.role == Role.PREFECTURE_OFFICER:
        items.append((_("Applications to recommend"), State.SUBMITTED))
        items.append((_("FTZ enterprises in their pilot"), State.PILOT))
    if is_province(user):
        items.append((_("Applications awaiting experts"), State.RECOMMENDED))
        items.append((_("Applications under expert review"), State.UNDER_REVIEW))
        items.append((_("Approved applications to designate"), State.APPROVED))
        items.append((_("FTZ enterprises in their acceptance evaluation"), State.ACCEPTANCE))
    if scoping.enterprise_ids(user):
        items.append((_("Applications returned for correction"), State.RETURNED))
    counts = scoped.aggregate(
        **{state.value: Count("pk", filter=Q(state=state)) for _label, state in items}
    )
    queue = [(label, counts[state.value], f"{base}?state={state.value}") for label, state in items]
    if user.role == Role.EXPERT:
        pending = ExpertAssignment.objects.filter(
            expert=user, scored_at__isnull=True, application__state=State.UNDER_REVIEW
        ).count()
        queue.append((_("Applications waiting for my review"), pending, base))
    return queue
