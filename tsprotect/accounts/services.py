"""Account operations shared by the admin, the account pages, seed data and self-service
registration."""

import copy
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from guardian.shortcuts import assign_perm, remove_perm

from tsprotect.core import scoping
from tsprotect.core.validators import normalise_uscc, uscc_division_code
from tsprotect.notifications.services import notify
from tsprotect.regions.models import County, Prefecture

from .models import SUPERUSER_MANAGED_ROLES, ClaimEvent, EnterpriseClaim, Role, User

# Why an account's history has a row that shows no field change: the password is kept out of
# the history (a hash is still a secret) and groups are not a field of the row. Stored in
# English, shown translated (``history_reason``).
ACCOUNT_CREATED = gettext_noop("Account created")
PASSWORD_CHANGED = gettext_noop("Password changed")
TEMPORARY_PASSWORD = gettext_noop("Temporary password issued")
GROUPS_PREFIX = "groups: "


def history_reason(reason):
    """A history row's recorded reason in the reader's language."""
    if not reason:
        return ""
    if reason.startswith(GROUPS_PREFIX):
        return _("Groups: %(names)s") % {"names": reason[len(GROUPS_PREFIX) :] or "—"}
    return _(reason)


def save_account(account, *, by, reason=None, update_fields=None):
    """Save ``account`` with ``by`` (and ``reason``) on its history row, whatever the caller
    (a page, the admin, a Celery task or a command, where no request names the user)."""
    account._history_user = by
    if reason:
        account._change_reason = reason
    try:
        account.save(update_fields=update_fields)
    finally:
        del account._history_user
        account.__dict__.pop("_change_reason", None)


def record_groups(account):
    """A history row naming the account's groups now (after they changed)."""
    row = copy.copy(account)
    names = ", ".join(sorted(account.groups.values_list("name", flat=True)))
    row._change_reason = f"{GROUPS_PREFIX}{names}"[:100]
    User.history.bulk_history_create([row], update=True)


@transaction.atomic
def grant_enterprise_access(user, enterprise):
    """Let an enterprise user act for ``enterprise`` (see and keep its own record)."""
    user.role = Role.ENTERPRISE
    user.enterprise = enterprise
    user.save(update_fields=["role", "enterprise"])
    assign_perm("enterprises.act_for_enterprise", user, enterprise)
    scoping.forget(user)


@transaction.atomic
def revoke_enterprise_access(user, enterprise):
    remove_perm("enterprises.act_for_enterprise", user, enterprise)
    if user.enterprise_id == enterprise.pk:
        user.enterprise = None
        user.save(update_fields=["enterprise"])
    scoping.forget(user)


# Self-service registration -------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimTarget:
    """Where a credit code's claim goes: the directory record, or a new record's prefecture."""

    enterprise: object  # the matched Enterprise, or None for a new record
    prefecture: object
    county: object  # may be None


def claim_target(uscc):
    """The directory record with this credit code, else the prefecture (and county) its division
    digits point to. Raises ValidationError when the digits name no division of Hunan."""
    from enterprises.models import Enterprise

    code = normalise_uscc(uscc)
    # Matching needs the whole directory: nothing of the record is shown to the registrant.
    enterprise = Enterprise.objects.select_related("prefecture", "county").filter(uscc=code).first()
    if enterprise is not None:
        return ClaimTarget(enterprise, enterprise.prefecture, enterprise.county)
    division = uscc_division_code(code)
    county = County.objects.select_related("prefecture").filter(pk=division).first()
    if county is not None:
        return ClaimTarget(None, county.prefecture, county)
    # A prefecture-level registration authority, or a county code since renamed: the first four
    # digits still name the prefecture.
    prefecture = Prefecture.objects.filter(pk=f"{division[:4]}00").first()
    if prefecture is not None:
        return ClaimTarget(None, prefecture, None)
    raise ValidationError(
        _(
            "The division digits of this credit code (%(code)s) do not name a prefecture of "
            "Hunan Province, so no bureau can verify the registration here. Please check the "
            "code, or contact the market regulation bureau where the enterprise is registered."
        )
        % {"code": division},
        code="uscc_division",
    )


@transaction.atomic
def register_enterprise_user(*, user, uscc, enterprise_name, contact_person, phone):
    """Create the claim of a newly registered account; the account sees no enterprise yet."""
    target = claim_target(uscc)
    user.role = Role.ENTERPRISE
    user.display_name = contact_person
    user.phone = phone
    user.save()
    claim = EnterpriseClaim.objects.create(
        user=user,
        uscc=normalise_uscc(uscc),
        enterprise_name=enterprise_name,
        contact_person=contact_person,
        phone=phone,
        enterprise=target.enterprise,
        prefecture=target.prefecture,
        county=target.county,
    )
    ClaimEvent.objects.create(claim=claim, action=ClaimEvent.Action.SUBMITTED, by=user)
    return claim


def managed_enterprise_ids(user) -> frozenset:
    """The enterprises whose users ``user`` manages (first verified user, still acting for it)."""
    acting = scoping.enterprise_ids(user)
    if not acting:
        return frozenset()
    return frozenset(
        EnterpriseClaim.objects.filter(
            user=user,
            is_manager=True,
            status=EnterpriseClaim.Status.VERIFIED,
            enterprise_id__in=sorted(acting),
        ).values_list("enterprise_id", flat=True)
    )


def decidable_claim(user, pk):
    """The claim ``pk`` if ``user`` may decide it — an officer in scope, or the manager of its
    enterprise — else 404."""
    officer_claims = EnterpriseClaim.objects.restrict(user, "change").filter(pk=pk)
    claim = officer_claims.select_related("user", "enterprise").first()
    if claim is None:
        managed = managed_enterprise_ids(user)
        claim = (
            EnterpriseClaim.objects.restrict(user, "team")
            .filter(pk=pk, enterprise_id__in=sorted(managed))
            .exclude(user=user)
            .select_related("user", "enterprise")
            .first()
        )
    if claim is None:
        raise Http404
    return claim


def _locked_pending(claim):
    claim = EnterpriseClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != EnterpriseClaim.Status.PENDING:
        raise ValidationError(_("This registration has already been decided."))
    return claim


def _bindable_enterprises(user):
    """The records ``user`` may bind accounts to: those whose directory they manage, and the
    enterprises they manage the users of."""
    from enterprises.models import Enterprise

    records = Enterprise.objects.restrict(user, "change")
    managed = managed_enterprise_ids(user)
    if managed:
        records = records | Enterprise.objects.filter(pk__in=sorted(managed))
    return records


@transaction.atomic
def verify_claim(claim, *, by):
    """Verify a claim: the account may act for the enterprise from now on.

    The account is bound only to a record ``by`` reaches: a record out of their reach answers
    as filing its code by hand would (the code is taken), and nothing of it is told. A claim
    for a code not in the directory creates the record from the claim's data (the bureau
    completes it later). The enterprise's first verified user becomes its manager. Other claims
    waiting with the same credit code are attached to the record, so its manager sees them.

    Two verifications of one credit code queue on the record's row, taken before the claim's:
    the second finds the manager the first made, or the record the first filed.
    """
    from enterprises.models import Enterprise

    bindable = _bindable_enterprises(by).select_for_update()
    enterprise = bindable.filter(uscc=claim.uscc).first()
    claim = _locked_pending(claim)
    if enterprise is None:
        enterprise = Enterprise(
            uscc=claim.uscc,
            name=claim.enterprise_name,
            prefecture=claim.prefecture,
            county=claim.county,
            contact_person=claim.contact_person,
            contact_phone=claim.phone,
            created_by=by,
        )
        # The code's uniqueness (a constraint) is left to the database, which also sees a
        # record another verification is filing at this moment; the claim sets no staff figures
        # for the other constraints to check.
        enterprise.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                enterprise.save()
        except IntegrityError:
            # Filed meanwhile: by a verification of a colleague's claim (it has committed by
            # now, so the record is there to lock), or out of reach.
            enterprise = bindable.filter(uscc=claim.uscc).first()
            if enterprise is None:
                raise ValidationError(
                    _(
                        "An enterprise with this credit code is already in the directory, "
                        "outside the records you keep; the provincial bureau can verify this "
                        "registration."
                    ),
                    code="out_of_reach",
                ) from None
    # Colleagues' claims being decided at this moment are skipped: each verification attaches
    # its own claim, and waiting on them here would deadlock with theirs.
    waiting = EnterpriseClaim.objects.select_for_update(skip_locked=True).filter(
        uscc=claim.uscc, enterprise__isnull=True
    )
    EnterpriseClaim.objects.filter(pk__in=list(waiting.values_list("pk", flat=True))).update(
        enterprise=enterprise, prefecture=enterprise.prefecture_id, county=enterprise.county_id
    )
    has_manager = EnterpriseClaim.objects.filter(enterprise=enterprise, is_manager=True).exists()
    claim.enterprise = enterprise
    claim.prefecture_id = enterprise.prefecture_id
    claim.county_id = enterprise.county_id
    claim.status = EnterpriseClaim.Status.VERIFIED
    claim.is_manager = not has_manager
    claim.decided_by = by
    claim.decided_at = timezone.now()
    claim.save()
    ClaimEvent.objects.create(claim=claim, action=ClaimEvent.Action.VERIFIED, by=by)
    grant_enterprise_access(claim.user, enterprise)
    notify(
        [claim.user],
        kind="account_verified",
        title=_("Your account for %(name)s has been verified") % {"name": enterprise.name},
        body=_("You can now keep your enterprise's profile and use the portal's services."),
        url=reverse("home"),
    )
    return claim


@transaction.atomic
def reject_claim(claim, *, by, reason):
    """Reject a claim, with the reason the registrant is told."""
    if not reason.strip():
        raise ValidationError(_("Please give the reason for rejecting the registration."))
    claim = _locked_pending(claim)
    claim.status = EnterpriseClaim.Status.REJECTED
    claim.decided_by = by
    claim.decided_at = timezone.now()
    claim.reason = reason
    claim.save()
    ClaimEvent.objects.create(claim=claim, action=ClaimEvent.Action.REJECTED, by=by, note=reason)
    notify(
        [claim.user],
        kind="account_rejected",
        title=_("Your registration for %(name)s was not verified")
        % {"name": claim.enterprise_name},
        body=reason,
        url=reverse("registration_status"),
    )
    return claim


@transaction.atomic
def deactivate_member(claim, *, by):
    """A manager (or an officer) ends a colleague's access: the account can no longer log in."""
    claim = EnterpriseClaim.objects.select_for_update().select_related("user").get(pk=claim.pk)
    if claim.status != EnterpriseClaim.Status.VERIFIED:
        raise ValidationError(_("Only a verified account can be deactivated."))
    if claim.user_id == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    claim.status = EnterpriseClaim.Status.DEACTIVATED
    claim.is_manager = False
    claim.save(update_fields=["status", "is_manager"])
    revoke_enterprise_access(claim.user, claim.enterprise)
    claim.user.is_active = False
    save_account(claim.user, by=by, update_fields=["is_active"])
    ClaimEvent.objects.create(claim=claim, action=ClaimEvent.Action.DEACTIVATED, by=by)
    return claim


@transaction.atomic
def set_temporary_password(claim, *, by):
    """An officer sets a temporary password for a verified enterprise user (when the portal
    sends no e-mail); returns it, to be shown once. Recorded in the claim's history."""
    if claim.status != EnterpriseClaim.Status.VERIFIED or not claim.user.is_active:
        raise ValidationError(_("A temporary password can only be set for a verified account."))
    password = _temporary_password(claim.user, by=by)
    ClaimEvent.objects.create(claim=claim, action=ClaimEvent.Action.TEMPORARY_PASSWORD, by=by)
    return password


def _temporary_password(account, *, by):
    """A new random password for ``account``, recorded in its history without the hash."""
    if account.is_superuser:
        # Whoever could set it would become the superuser.
        raise ValidationError(_("A superuser's password is set by that superuser only."))
    password = "-".join(secrets.token_hex(3) for _part in range(3))
    account.set_password(password)
    save_account(account, by=by, reason=TEMPORARY_PASSWORD, update_fields=["password"])
    return password


# Accounts by role: the account pages of provincial staff ------------------------------------

# The roles the account pages give. Enterprise users get and lose theirs through the claim
# workflow (which grants ``act_for_enterprise``), never here.
PAGE_ROLES = (
    Role.PREFECTURE_OFFICER,
    Role.COUNTY_OFFICER,
    Role.SERVICE_CENTRE,
    Role.EXPERT,
    Role.PROVINCE,
)
ACCOUNT_FIELDS = ("role", "prefecture", "county", "display_name", "email", "phone", "is_active")


def assignable_roles(by):
    """The roles ``by`` may give: provincial staff accounts are a superuser's to create."""
    return [r for r in PAGE_ROLES if by.is_superuser or r not in SUPERUSER_MANAGED_ROLES]


def _place(account):
    """Keep only the regions the role uses, and require those it needs."""
    if account.role in (Role.PROVINCE, Role.EXPERT):
        account.prefecture = None
        account.county = None
    elif account.role in (Role.PREFECTURE_OFFICER, Role.SERVICE_CENTRE):
        account.county = None
    if account.role == Role.SERVICE_CENTRE and account.prefecture_id is None:
        raise ValidationError(
            {"prefecture": _("IP service sub-center staff belong to a prefecture.")}
        )


def _check_role(by, role):
    if role not in assignable_roles(by):
        raise ValidationError({"role": _("You may not give an account this role.")})


def changeable_account(by, pk):
    """The account ``pk`` if ``by`` may change it, locked for the change; else 404."""
    account = User.objects.restrict(by, "change").select_for_update().filter(pk=pk).first()
    if account is None:
        raise Http404
    return account


@transaction.atomic
def create_account(*, by, username, role, **fields):
    """Create an account of ``role``; returns it and its temporary password, to be shown once.

    The role decides the groups (``roles.sync_user_groups``); groups are never chosen by hand.
    """
    if not scoping.can(by, User, "add"):
        raise ValidationError(_("You may not create accounts."))
    _check_role(by, role)
    unknown = set(fields) - set(ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"not an account field: {sorted(unknown)}")
    account = User(username=username, role=role, **fields)
    _place(account)
    password = "-".join(secrets.token_hex(3) for _part in range(3))
    account.set_password(password)
    account.full_clean()
    save_account(account, by=by, reason=ACCOUNT_CREATED)
    return account, password


@transaction.atomic
def update_account(account, *, by, **changes):
    """Change an account's role, region, names, contacts or activation."""
    unknown = set(changes) - set(ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"not an account field: {sorted(unknown)}")
    account = changeable_account(by, account.pk)
    role = changes.get("role", account.role)
    if role != account.role:
        if Role.ENTERPRISE in (role, account.role):
            raise ValidationError(
                {
                    "role": _(
                        "An enterprise user's role follows the verification of its "
                        "registration; it is not changed here."
                    )
                }
            )
        _check_role(by, role)
    for name, value in changes.items():
        setattr(account, name, value)
    _place(account)
    account.full_clean()
    save_account(account, by=by)
    scoping.forget(account)
    return account


@transaction.atomic
def reset_account_password(account, *, by):
    """Give an active account a temporary password; returns it, to be shown once."""
    account = changeable_account(by, account.pk)
    if not account.is_active:
        raise ValidationError(_("A temporary password can only be set for an active account."))
    return _temporary_password(account, by=by)
