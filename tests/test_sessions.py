"""Sessions are saved on every request (the idle timeout), each save one UPDATE."""

import datetime as dt

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tsprotect.core.sessions import SessionStore

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_each_request_moves_the_expiry_with_one_update(changsha_officer):
    client = client_for(changsha_officer)
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    writes = [q["sql"] for q in queries if not q["sql"].lstrip("(").startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith('UPDATE "django_session"'), writes
    assert Session.objects.get().expire_date > timezone.now() + dt.timedelta(minutes=29)


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
