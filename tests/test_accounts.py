"""Logging in and out, lockout, session expiry, tampered sessions and CSRF."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tsprotect.accounts.models import Role, User

from .conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_login_page_is_in_chinese_whatever_the_browser_language():
    page = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get(reverse("login"))
    assert page.status_code == 200
    assert "登录" in page.content.decode()
    assert page["Content-Language"] == "zh-hans"


def test_the_language_switch_gives_english(changsha_officer):
    client = client_for(changsha_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Workbench" in client.get(reverse("home")).content.decode()


def test_it_logs_an_officer_in_to_the_workbench(changsha_officer):
    client = Client()
    response = log_in(client, "officer_430100", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    page = client.get(reverse("home")).content.decode()
    assert "工作台" in page and "长沙市" in page


def test_a_wrong_password_gets_a_clear_message(changsha_officer):
    response = log_in(Client(), "officer_430100", "not-the-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_repeated_failures_lock_the_account_from_that_address_even_with_the_right_password(
    settings, changsha_officer
):
    client = Client(REMOTE_ADDR="203.0.113.3")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "officer_430100", "wrong-password")
    locked = log_in(Client(REMOTE_ADDR="203.0.113.3"), "officer_430100", PASSWORD)
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The lock is on the (account, address) pair: the officer elsewhere is not locked out.
    assert log_in(Client(REMOTE_ADDR="10.1.2.3"), "officer_430100", PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(settings, changsha_officer):
    from axes.models import AccessAttempt

    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), "officer_430100", "wrong-password")
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1)
    )
    assert log_in(Client(), "officer_430100", PASSWORD).status_code == 302


def test_a_tampered_session_cookie_is_treated_as_logged_out(settings, changsha_officer):
    client = client_for(changsha_officer)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.cookies[settings.SESSION_COOKIE_NAME] = key[:-4] + "abcd"
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_session_expires_after_the_idle_time(settings, changsha_officer):
    client = Client()
    log_in(client, "officer_430100", PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(reverse("home")).status_code == 302
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


def test_a_post_without_a_valid_csrf_token_is_refused(changsha_officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(changsha_officer)
    client.get(reverse("password_change"))
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "n3w-passphrase-2026",
            "new_password2": "n3w-passphrase-2026",
            "csrfmiddlewaretoken": "forged" * 8,
        },
    )
    assert response.status_code == 403
    assert "表单" in response.content.decode()
    changsha_officer.refresh_from_db()
    assert changsha_officer.check_password(PASSWORD)


def test_the_login_form_carries_a_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert 'name="csrfmiddlewaretoken"' in client.get(reverse("login")).content.decode()


def test_logout_ends_the_session(changsha_officer):
    client = client_for(changsha_officer)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_changing_the_password(changsha_officer):
    client = client_for(changsha_officer)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "n3w-passphrase-2026",
            "new_password2": "n3w-passphrase-2026",
        },
    )
    assert response.status_code == 302
    changsha_officer.refresh_from_db()
    assert changsha_officer.check_password("n3w-passphrase-2026")


def test_a_weak_new_password_is_refused_in_chinese(changsha_officer):
    response = client_for(changsha_officer).post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    assert response.status_code == 200
    assert "密码" in response.content.decode() and "太短" in response.content.decode()


def test_roles_are_groups_and_officers_join_their_bureau(regions, changsha_officer, yuelu_officer):
    assert set(changsha_officer.groups.values_list("name", flat=True)) == {
        "prefecture_officer",
        "bureau-430100",
    }
    assert set(yuelu_officer.groups.values_list("name", flat=True)) == {
        "county_officer",
        "county-430100",
    }
    assert changsha_officer.has_perm("regions.manage_enterprises", changsha_officer.prefecture)
    assert changsha_officer.has_perm("regions.submit_reports", changsha_officer.prefecture)
    assert not yuelu_officer.has_perm("regions.submit_reports", yuelu_officer.prefecture)


def test_an_officer_without_prefecture_is_invalid(regions):
    user = User(username="x", role=Role.PREFECTURE_OFFICER)
    with pytest.raises(Exception, match="prefecture"):
        user.full_clean()
