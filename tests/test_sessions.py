"""Sessions are saved on every request (the idle timeout), each save one UPDATE."""

import datetime as dt

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tsprotect.accounts.models import User
from tsprotect.core.sessions import SessionStore

from .conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def test_each_request_moves_the_expiry_with_one_update(changsha_officer):
    client = client_for(changsha_officer)
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    writes = [q["sql"] for q in queries if not q["sql"].lstrip("(").startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith('UPDATE "django_session"'), writes
    assert Session.objects.get().expire_date > timezone.now() + dt.timedelta(minutes=29)


def test_pages_within_a_minute_of_the_last_write_leave_the_session_row_alone(
    settings, changsha_officer
):
    settings.SESSION_REFRESH_SECONDS = 60
    client = client_for(changsha_officer)
    expiry = timezone.now() + dt.timedelta(minutes=30) - dt.timedelta(seconds=20)
    Session.objects.update(expire_date=expiry)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
        assert client.get(reverse("enterprises:list")).status_code == 200
    writes = [q["sql"] for q in queries if not q["sql"].lstrip("(").startswith("SELECT")]
    assert writes == []
    assert Session.objects.get().expire_date == expiry


def test_a_changed_session_is_written_at_once(settings):
    settings.SESSION_REFRESH_SECONDS = 60
    store = SessionStore()
    store["note"] = "first"
    store.create()
    again = SessionStore(store.session_key)
    again["note"] = "changed"
    again.save()
    assert SessionStore(store.session_key)["note"] == "changed"


def test_a_session_deleted_meanwhile_is_not_recreated_by_a_save():
    store = SessionStore()
    store["note"] = "kept"
    store.create()
    Session.objects.filter(pk=store.session_key).delete()
    store["note"] = "changed"
    with pytest.raises(UpdateError):
        store.save()
    assert not Session.objects.exists()


def test_a_new_session_is_created_once():
    store = SessionStore()
    store["note"] = "new"
    store.save()
    assert SessionStore(store.session_key)["note"] == "new"
    assert Session.objects.count() == 1


# A password change ends the user's other sessions ---------------------------------------------


def _sessions_of(user):
    return [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]


def test_changing_the_password_logs_out_every_other_session(changsha_officer):
    here, elsewhere = client_for(changsha_officer), client_for(changsha_officer)
    response = here.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "n3w-passphrase-2026",
            "new_password2": "n3w-passphrase-2026",
        },
    )
    assert response.status_code == 302
    # Ended at once on the server, not only when the other browser next calls.
    assert len(_sessions_of(changsha_officer)) == 1
    assert here.get(reverse("home")).status_code == 200
    assert elsewhere.get(reverse("home")).status_code == 302


def test_a_password_set_in_the_admin_logs_out_the_users_sessions(settings, changsha_officer):
    admin = User.objects.create_superuser("root", password=PASSWORD)
    browser, officer = client_for(admin), client_for(changsha_officer)
    url = reverse("admin:auth_user_password_change", args=[changsha_officer.pk])
    response = browser.post(
        url,
        {
            "usable_password": "true",
            "password1": "n3w-passphrase-2026",
            "password2": "n3w-passphrase-2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _sessions_of(changsha_officer) == [] and len(_sessions_of(admin)) == 1
    assert officer.get(reverse("home")).status_code == 302
    assert browser.get(reverse("admin:index")).status_code == 200


def test_a_password_reset_logs_out_the_users_sessions(changsha_officer):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    officer = client_for(changsha_officer)
    uid = urlsafe_base64_encode(force_bytes(changsha_officer.pk))
    token = default_token_generator.make_token(changsha_officer)
    reset = Client()
    form = reset.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    response = reset.post(
        form.redirect_chain[-1][0],
        {"new_password1": "n3w-passphrase-2026", "new_password2": "n3w-passphrase-2026"},
    )
    assert response.status_code == 302
    assert _sessions_of(changsha_officer) == []
    assert officer.get(reverse("home")).status_code == 302


def test_a_refresh_interval_as_long_as_the_idle_timeout_is_refused():
    from .test_settings import REAL_KEY, SHOW, run

    result = run(SHOW, DEBUG="false", SECRET_KEY=REAL_KEY, SESSION_REFRESH_SECONDS="1800")
    assert result.returncode != 0
    assert "SESSION_REFRESH_SECONDS must be 0 or more" in result.stderr
