"""The admin confers no privilege on provincial staff: only superusers grant admin access,
groups, permissions or enterprise access, or set another account's password."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from guardian.shortcuts import get_perms

from tsprotect.accounts.models import Role, User

from .conftest import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(regions):
    return User.objects.create_superuser("root", "root@example.org", PASSWORD)


@pytest.fixture
def account_keeper(regions):
    """A staff account a deployment gave the account permissions by hand, outside the role
    groups: what it may do in the admin must not depend on its role."""
    user = make_user("keeper", Role.EXPERT, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="accounts",
            codename__in=["view_user", "add_user", "change_user", "manage_accounts"],
        )
    )
    return user


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def escalation_post(account):
    """Everything the user change form knows, with every privilege switched on."""
    return {
        "username": account.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [Group.objects.get(name=Role.PROVINCE).pk],
        "user_permissions": [Permission.objects.get(codename="delete_enterprise").pk],
        "role": Role.PROVINCE,
        "display_name": "改名",
        "phone": "",
        "prefecture": "",
        "county": "",
        "enterprise": "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "expert_profile-TOTAL_FORMS": "0",
        "expert_profile-INITIAL_FORMS": "0",
        "expert_profile-MIN_NUM_FORMS": "0",
        "expert_profile-MAX_NUM_FORMS": "1",
    }


def assert_unprivileged(account, role, groups):
    account.refresh_from_db()
    assert not account.is_superuser
    assert not account.is_staff
    assert account.role == role
    assert not account.user_permissions.exists()
    assert set(account.groups.values_list("name", flat=True)) == groups


@pytest.mark.parametrize("staff", ["province", "account_keeper"])
def test_it_ignores_privileges_posted_by_non_superusers(request, staff, changsha_officer):
    client = client_for(request.getfixturevalue(staff))
    client.post(change_url(changsha_officer), escalation_post(changsha_officer))
    assert_unprivileged(
        changsha_officer, Role.PREFECTURE_OFFICER, {"prefecture_officer", "bureau-430100"}
    )


@pytest.mark.parametrize("staff", ["province", "account_keeper"])
def test_the_change_form_shows_no_privilege_as_editable(request, staff, changsha_officer):
    page = client_for(request.getfixturevalue(staff)).get(change_url(changsha_officer))
    assert page.status_code == 200
    html = page.content.decode()
    for field in ("is_superuser", "is_staff", "groups", "user_permissions", "role", "prefecture"):
        assert f'name="{field}"' not in html, field
    assert reverse("admin:auth_user_password_change", args=[changsha_officer.pk]) not in html


@pytest.mark.parametrize("staff", ["province", "account_keeper"])
def test_non_superusers_cannot_set_another_accounts_password(request, staff, changsha_officer):
    client = client_for(request.getfixturevalue(staff))
    url = reverse("admin:auth_user_password_change", args=[changsha_officer.pk])
    assert client.get(url).status_code in (403, 404)
    response = client.post(url, {"password1": "taken-over-2026!", "password2": "taken-over-2026!"})
    assert response.status_code in (403, 404)
    changsha_officer.refresh_from_db()
    assert changsha_officer.check_password(PASSWORD)


@pytest.mark.parametrize("staff", ["province", "account_keeper"])
def test_non_superusers_cannot_reach_a_superuser_account(request, staff, superuser):
    client = client_for(request.getfixturevalue(staff))
    changelist = client.get(reverse("admin:accounts_user_changelist"))
    assert changelist.status_code == 200
    assert change_url(superuser) not in changelist.content.decode()
    assert client.get(change_url(superuser)).status_code == 302  # "does not exist"
    post = {**escalation_post(superuser), "is_active": "", "is_superuser": "on"}
    client.post(change_url(superuser), post)
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.display_name == ""


def test_non_superusers_cannot_change_another_staff_account(account_keeper, province):
    client = client_for(account_keeper)
    post = {**escalation_post(province), "is_staff": "", "display_name": "被改"}
    client.post(change_url(province), post)
    province.refresh_from_db()
    assert province.is_staff and province.display_name == ""


def test_provincial_staff_create_no_account_in_the_admin(province):
    client = client_for(province)
    url = reverse("admin:accounts_user_add")
    assert client.get(url).status_code == 403
    client.post(
        url,
        {
            "username": "sneaky",
            "usable_password": "true",
            "password1": "sneaky-pass-2026!",
            "password2": "sneaky-pass-2026!",
            "role": Role.PROVINCE,
        },
    )
    assert not User.objects.filter(username="sneaky").exists()


def test_the_admin_still_lets_provincial_staff_correct_names(province, changsha_officer):
    response = client_for(province).post(
        change_url(changsha_officer), escalation_post(changsha_officer)
    )
    assert response.status_code == 302
    changsha_officer.refresh_from_db()
    assert changsha_officer.display_name == "改名"
    last = changsha_officer.history.first()
    assert last.history_user == province


def test_superusers_keep_every_field(superuser, changsha_officer):
    client = client_for(superuser)
    html = client.get(change_url(changsha_officer)).content.decode()
    assert 'name="is_superuser"' in html and 'name="groups"' in html
    url = reverse("admin:auth_user_password_change", args=[changsha_officer.pk])
    assert client.get(url).status_code == 200


def enterprise_permission_urls(enterprise, user):
    base = f"/admin/enterprises/enterprise/{enterprise.pk}/permissions/"
    return base, f"{base}user-manage/{user.pk}/"


@pytest.mark.parametrize("staff", ["province", "superuser"])
def test_the_admin_grants_no_enterprise_access(request, staff, changsha_enterprise, expert):
    """``act_for_enterprise`` is granted by verifying a claim, never by hand in the admin."""
    client = client_for(request.getfixturevalue(staff))
    manage, manage_user = enterprise_permission_urls(changsha_enterprise, expert)
    assert client.get(manage).status_code != 200
    client.post(manage, {"user": expert.username, "submit_manage_user": "1"})
    client.post(manage_user, {"permissions": ["act_for_enterprise", "change_enterprise"]})
    assert get_perms(expert, changsha_enterprise) == []


def test_no_admin_offers_object_permission_pages():
    """Grants on the rows the scoping reads go through services, never through guardian's
    admin pages, in any app."""
    from django.contrib import admin
    from guardian.admin import GuardedModelAdminMixin

    guarded = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, GuardedModelAdminMixin)
    ]
    assert guarded == []


def history_form_url(account, version):
    return f"/admin/accounts/user/{account.pk}/history/{version.history_id}/"


def test_non_superusers_cannot_read_or_revert_a_superusers_history(province, superuser):
    client = client_for(province)
    version = superuser.history.earliest()
    assert client.get(f"/admin/accounts/user/{superuser.pk}/history/").status_code == 404
    assert client.get(history_form_url(superuser, version)).status_code == 404
    client.post(history_form_url(superuser, version), {"display_name": "接管", "email": ""})
    superuser.refresh_from_db()
    assert superuser.display_name == "" and superuser.check_password(PASSWORD)


def test_reverting_an_account_to_a_past_version_restores_no_privilege(
    superuser, province, changsha_officer
):
    """A version of the account from when it was staff must not make it staff again, nor
    wipe its password (which the history leaves out)."""
    changsha_officer.is_staff = True
    changsha_officer.save()
    staff_version = changsha_officer.history.latest()
    changsha_officer.is_staff = False
    changsha_officer.save()
    for user in (province, superuser):
        client_for(user).post(
            history_form_url(changsha_officer, staff_version),
            {**escalation_post(changsha_officer), "is_staff": "", "is_superuser": ""},
        )
        changsha_officer.refresh_from_db()
        assert not changsha_officer.is_staff
        assert changsha_officer.check_password(PASSWORD)


def test_a_view_permission_reverts_no_history_in_any_admin(province, changsha_enterprise):
    """simple_history's version page saves with a view permission alone: every admin with
    history asks for the change permission on the row before it writes."""
    from tsprotect.regions.models import HostOrganisation

    park = HostOrganisation.objects.create(
        name="麓谷园区", kind=HostOrganisation.PARK_KINDS[0], prefecture_id="430100"
    )
    version = park.history.latest()
    park.name = "麓谷高新区"
    park.save()
    keeper = make_user("viewer", Role.EXPERT, is_staff=True)
    keeper.user_permissions.add(
        Permission.objects.get(content_type__app_label="regions", codename="view_hostorganisation")
    )
    url = f"/admin/regions/hostorganisation/{park.pk}/history/{version.history_id}/"
    response = client_for(keeper).post(
        url,
        {
            "name": "麓谷园区",
            "kind": park.kind,
            "prefecture": "430100",
            "county": "",
            "ftz_area": "",
            "active": "on",
        },
    )
    assert response.status_code == 403
    park.refresh_from_db()
    assert park.name == "麓谷高新区"
