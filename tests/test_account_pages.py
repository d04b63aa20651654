"""Provincial staff manage accounts by role on the portal's own pages; every account change is
in the account's history with who made it."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tsprotect.accounts import services
from tsprotect.accounts.models import Role, User

from .conftest import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(regions):
    return User.objects.create_superuser("root", "root@example.org", PASSWORD)


def groups(user):
    return set(user.groups.values_list("name", flat=True))


def new_account(**fields):
    return {
        "username": "officer_430200",
        "display_name": "株洲市局 王五",
        "email": "wangwu@example.org",
        "phone": "0731-22222222",
        "role": Role.PREFECTURE_OFFICER,
        "prefecture": "430200",
        "county": "",
        **fields,
    }


def edit_data(account, **fields):
    return {
        "display_name": account.display_name,
        "email": account.email,
        "phone": account.phone,
        "role": account.role,
        "prefecture": account.prefecture_id or "",
        "county": account.county_id or "",
        "is_active": "on" if account.is_active else "",
        **fields,
    }


# The list ------------------------------------------------------------------------------------


def test_it_lists_accounts_by_role_and_prefecture(province, changsha_officer, yueyang_officer):
    client = client_for(province)
    page = client.get(reverse("users"), {"role": Role.PREFECTURE_OFFICER, "prefecture": "430600"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "officer_430600" in html and "officer_430100" not in html
    assert "账号" in html


def test_it_finds_an_account_by_name_and_filters_inactive(province, changsha_officer, expert):
    changsha_officer.display_name = "长沙市局 张三"
    changsha_officer.save()
    expert.is_active = False
    expert.save()
    client = client_for(province)
    found = client.get(reverse("users"), {"q": "张三"}).content.decode()
    assert "officer_430100" in found and "expert1" not in found
    inactive = client.get(reverse("users"), {"active": "no"}).content.decode()
    assert "expert1" in inactive and "officer_430100" not in inactive


def test_the_list_never_shows_a_superuser_to_provincial_staff(province, superuser):
    assert "root" not in client_for(province).get(reverse("users")).content.decode()
    assert client_for(province).get(reverse("user_detail", args=[superuser.pk])).status_code == 404


def test_the_list_runs_a_constant_number_of_queries(
    province, changsha_officer, yueyang_officer, yuelu_officer, django_assert_max_num_queries
):
    for n in range(10):
        make_user(f"officer_extra{n}", Role.COUNTY_OFFICER, "430100", "430104")
    client = client_for(province)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("users")).status_code == 200


@pytest.mark.parametrize(
    "persona", ["changsha_officer", "yuelu_officer", "expert", "enterprise_user"]
)
def test_only_account_managers_reach_the_pages(request, persona, yueyang_officer):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("users")).status_code == 403
    assert client.get(reverse("user_create")).status_code == 403
    assert client.get(reverse("user_detail", args=[yueyang_officer.pk])).status_code == 404
    response = client.post(reverse("user_password", args=[yueyang_officer.pk]))
    assert response.status_code == 404
    yueyang_officer.refresh_from_db()
    assert yueyang_officer.check_password(PASSWORD)


def test_the_menu_offers_the_accounts_to_provincial_staff(province, changsha_officer):
    assert reverse("users") in client_for(province).get(reverse("home")).content.decode()
    assert (
        reverse("users") not in client_for(changsha_officer).get(reverse("home")).content.decode()
    )


# Creating ------------------------------------------------------------------------------------


def test_provincial_staff_create_a_prefecture_officer(province):
    response = client_for(province).post(reverse("user_create"), new_account())
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    account = User.objects.get(username="officer_430200")
    password = response.context["password"]
    assert password in response.content.decode()
    assert account.check_password(password)
    assert account.role == Role.PREFECTURE_OFFICER and account.prefecture_id == "430200"
    assert groups(account) == {"prefecture_officer", "bureau-430200"}
    assert not account.is_staff and not account.is_superuser
    created = account.history.earliest()
    assert created.history_user == province and created.history_type == "+"


def test_a_county_officers_county_must_lie_in_the_prefecture(province):
    data = new_account(role=Role.COUNTY_OFFICER, prefecture="430200", county="430104")
    response = client_for(province).post(reverse("user_create"), data)
    assert response.status_code == 200
    assert "所选县市区不属于所选市州" in response.content.decode()
    assert not User.objects.filter(username="officer_430200").exists()


def test_a_county_officer_is_created_in_its_county_group(province):
    data = new_account(username="officer_430104b", role=Role.COUNTY_OFFICER, prefecture="430100")
    data["county"] = "430104"
    client_for(province).post(reverse("user_create"), data)
    account = User.objects.get(username="officer_430104b")
    assert groups(account) == {"county_officer", "county-430100"}


def test_provincial_staff_cannot_create_provincial_staff(province):
    client = client_for(province)
    form = client.get(reverse("user_create")).content.decode()
    assert f'value="{Role.PROVINCE}"' not in form
    client.post(reverse("user_create"), new_account(username="province2", role=Role.PROVINCE))
    assert not User.objects.filter(username="province2").exists()


def test_a_superuser_creates_provincial_staff(superuser):
    data = new_account(username="province2", role=Role.PROVINCE, prefecture="")
    client_for(superuser).post(reverse("user_create"), data)
    account = User.objects.get(username="province2")
    assert groups(account) == {"province"} and not account.is_staff


def test_no_page_creates_enterprise_users(province):
    client_for(province).post(reverse("user_create"), new_account(role=Role.ENTERPRISE))
    assert not User.objects.filter(username="officer_430200").exists()


def test_groups_are_never_posted(province):
    data = new_account(groups=[Group.objects.get(name=Role.PROVINCE).pk], is_staff="on")
    client_for(province).post(reverse("user_create"), data)
    account = User.objects.get(username="officer_430200")
    assert "province" not in groups(account) and not account.is_staff


# Editing -------------------------------------------------------------------------------------


def test_moving_an_officer_to_another_bureau_moves_its_groups(province, changsha_officer):
    client = client_for(province)
    url = reverse("user_edit", args=[changsha_officer.pk])
    response = client.post(url, edit_data(changsha_officer, prefecture="430600"))
    assert response.status_code == 302
    changsha_officer.refresh_from_db()
    assert groups(changsha_officer) == {"prefecture_officer", "bureau-430600"}
    assert changsha_officer.history.filter(history_user=province, prefecture_id="430600").exists()


def test_deactivating_an_account_is_recorded(province, expert):
    client_for(province).post(
        reverse("user_edit", args=[expert.pk]), edit_data(expert, is_active="")
    )
    expert.refresh_from_db()
    assert not expert.is_active
    latest = expert.history.filter(is_active=False).latest()
    assert latest.history_user == province


@pytest.mark.parametrize("target", ["superuser", "other_province"])
def test_provincial_staff_cannot_change_privileged_accounts(request, province, target):
    if target == "other_province":
        account = make_user("province_ip", Role.PROVINCE, is_staff=True)
    else:
        account = request.getfixturevalue("superuser")
    client = client_for(province)
    assert client.get(reverse("user_edit", args=[account.pk])).status_code == 404
    response = client.post(
        reverse("user_edit", args=[account.pk]), edit_data(account, is_active="")
    )
    assert response.status_code == 404
    assert client.post(reverse("user_password", args=[account.pk])).status_code == 404
    account.refresh_from_db()
    assert account.is_active and account.check_password(PASSWORD)


def test_provincial_staff_cannot_promote_an_officer(province, changsha_officer):
    url = reverse("user_edit", args=[changsha_officer.pk])
    response = client_for(province).post(
        url, edit_data(changsha_officer, role=Role.PROVINCE, prefecture="")
    )
    assert response.status_code == 200
    changsha_officer.refresh_from_db()
    assert changsha_officer.role == Role.PREFECTURE_OFFICER
    assert "province" not in groups(changsha_officer)


def test_an_enterprise_users_role_is_not_changed_here(province, enterprise_user):
    url = reverse("user_edit", args=[enterprise_user.pk])
    data = edit_data(enterprise_user, role=Role.EXPERT)
    client_for(province).post(url, data)
    enterprise_user.refresh_from_db()
    assert enterprise_user.role == Role.ENTERPRISE


# Passwords and history -----------------------------------------------------------------------


def test_a_temporary_password_is_shown_once_and_recorded_without_the_hash(
    province, changsha_officer
):
    response = client_for(province).post(reverse("user_password", args=[changsha_officer.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    changsha_officer.refresh_from_db()
    assert changsha_officer.check_password(response.context["password"])
    row = changsha_officer.history.latest()
    assert row.history_user == province
    assert row.history_change_reason == services.TEMPORARY_PASSWORD
    assert not hasattr(row, "password")


def test_a_password_the_user_changes_is_in_the_history(changsha_officer):
    client = client_for(changsha_officer)
    client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "n3w-passphrase-2026",
            "new_password2": "n3w-passphrase-2026",
        },
    )
    row = changsha_officer.history.latest()
    assert row.history_change_reason == services.PASSWORD_CHANGED
    assert row.history_user == changsha_officer


def test_a_superusers_password_change_in_the_admin_is_in_the_history(superuser, expert):
    url = reverse("admin:auth_user_password_change", args=[expert.pk])
    client_for(superuser).post(
        url, {"password1": "set-by-root-2026!", "password2": "set-by-root-2026!"}
    )
    row = expert.history.latest()
    assert row.history_change_reason == services.PASSWORD_CHANGED
    assert row.history_user == superuser


def test_groups_set_by_hand_are_in_the_history(superuser, expert):
    """A superuser may still add a group in the admin; the history says so, and who did it."""
    expert._history_user = superuser
    expert.groups.add(Group.objects.get(name="bureau-430100"))
    row = expert.history.latest()
    assert row.history_change_reason == "groups: bureau-430100, expert"
    assert row.history_user == superuser


def test_the_account_page_shows_its_history(province, changsha_officer):
    client = client_for(province)
    client.post(
        reverse("user_edit", args=[changsha_officer.pk]),
        edit_data(changsha_officer, prefecture="430600"),
    )
    client.post(reverse("user_password", args=[changsha_officer.pk]))
    page = client.get(reverse("user_detail", args=[changsha_officer.pk]))
    html = page.content.decode()
    assert "岳阳市" in html and "已签发临时密码" in html and "province" in html
    assert "用户组" in html
