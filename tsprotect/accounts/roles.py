"""Roles as Groups, and the prefecture bureau groups that hold object permissions.

A prefecture bureau is a Group (``bureau-430100``) holding django-guardian object permissions on
its Prefecture row; county officers of that prefecture share a narrower group
(``county-430100``) and the scoping entry point further limits them to their county. Provincial
staff hold the same permissions globally through the ``province`` role group.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from guardian.shortcuts import assign_perm

from tsprotect.regions.models import PREFECTURE_PERMISSIONS, Prefecture

from .models import Role

BUREAU_PERMISSIONS = [codename for codename, _label in PREFECTURE_PERMISSIONS]
COUNTY_PERMISSIONS = ["view_prefecture_records", "manage_enterprises", "handle_complaints"]

# Model permissions each role group holds globally (app_label.codename).
ROLE_MODEL_PERMISSIONS = {
    Role.PROVINCE: [f"regions.{c}" for c in BUREAU_PERMISSIONS]
    + [
        "regions.view_calendaroverride",
        "regions.add_calendaroverride",
        "regions.change_calendaroverride",
        "regions.delete_calendaroverride",
        "regions.view_hostorganisation",
        "regions.add_hostorganisation",
        "regions.change_hostorganisation",
        "regions.view_prefecture",
        "regions.view_county",
        "regions.view_ftzarea",
        "accounts.view_user",
        # Accounts are created, given a role and a password on the account pages
        # (``manage_accounts``); the admin only corrects names and contacts (``change_user``).
        "accounts.change_user",
        "accounts.manage_accounts",
        "accounts.view_expertprofile",
        "accounts.add_expertprofile",
        "accounts.change_expertprofile",
        "enterprises.view_enterprise",
        "enterprises.change_enterprise",
        "demonstrations.decide_application",
        "demonstrations.view_batch",
        "demonstrations.add_batch",
        "demonstrations.change_batch",
        "demonstrations.view_demonstrationapplication",
        "demonstrations.change_demonstrationapplication",
        "demonstrations.view_expertassignment",
        "demonstrations.view_recusal",
        "demonstrations.view_fundingrecord",
        "demonstrations.view_followuprecord",
        "assessments.view_checklisttemplate",
        "assessments.change_checklisttemplate",
        "assessments.view_checklistcategory",
        "assessments.add_checklistcategory",
        "assessments.change_checklistcategory",
        "assessments.delete_checklistcategory",
        "assessments.view_checklistitem",
        "assessments.add_checklistitem",
        "assessments.change_checklistitem",
        "assessments.delete_checklistitem",
        "assessments.view_checklistsubmission",
        # The bureau's own rules (visit intervals, pass mark, report deadlines…), with history.
        "core.view_bureaurule",
        "core.change_bureaurule",
        "complaints.view_statutorylimit",
        "complaints.add_statutorylimit",
        "complaints.change_statutorylimit",
        "complaints.view_complaint",
        "complaints.view_recusal",
        "complaints.view_creditpush",
        # The provisions of law the portal cites, kept with their history (legal.Provision).
        "legal.view_provision",
        "legal.add_provision",
        "legal.change_provision",
        "publicity.view_notice",
        "publicity.change_notice",
        "publicity.view_noticeattachment",
        "reports.review_report",
        "reports.view_report",
        "reports.view_workplan",
        "reports.add_workplan",
        "reports.change_workplan",
    ],
    # IP service sub-center staff manage the training events of their own prefecture (§17).
    Role.SERVICE_CENTRE: [
        "trainings.view_trainingevent",
        "trainings.add_trainingevent",
        "trainings.change_trainingevent",
        "trainings.view_registration",
    ],
}


def bureau_group_name(prefecture_code: str) -> str:
    return f"bureau-{prefecture_code}"


def county_group_name(prefecture_code: str) -> str:
    return f"county-{prefecture_code}"


def _permissions(dotted):
    for name in dotted:
        app_label, codename = name.split(".")
        yield Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def sync_groups():
    """Create the role and bureau groups and their permissions; safe to run again."""
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set(list(_permissions(ROLE_MODEL_PERMISSIONS.get(role, []))))
    for prefecture in Prefecture.objects.all():
        bureau, _created = Group.objects.get_or_create(name=bureau_group_name(prefecture.code))
        for codename in BUREAU_PERMISSIONS:
            assign_perm(f"regions.{codename}", bureau, prefecture)
        county, _created = Group.objects.get_or_create(name=county_group_name(prefecture.code))
        for codename in COUNTY_PERMISSIONS:
            assign_perm(f"regions.{codename}", county, prefecture)


def groups_for(user):
    """The groups a user belongs to by role and region."""
    names = [user.role] if user.role else []
    if user.role == Role.PREFECTURE_OFFICER and user.prefecture_id:
        names.append(bureau_group_name(user.prefecture_id))
    elif user.role == Role.COUNTY_OFFICER and user.prefecture_id:
        names.append(county_group_name(user.prefecture_id))
    return list(Group.objects.filter(name__in=names))


def sync_user_groups(user):
    """Put the user in the groups of its role and region, and out of any other managed group."""
    managed = Group.objects.filter(name__in=[r.value for r in Role]) | Group.objects.filter(
        name__regex=r"^(bureau|county)-\d{6}$"
    )
    wanted = {g.pk for g in groups_for(user)}
    current = set(user.groups.filter(pk__in=managed).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))
