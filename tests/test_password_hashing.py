"""Passwords are stored with Argon2id; PBKDF2 hashes of older accounts still verify and are
upgraded at the next login."""

import pytest
from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password
from django.test import Client
from django.urls import reverse

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_hashers(settings):
    """The hashers as configured (the suite's conftest swaps in MD5 for speed)."""
    from tsprotect import settings as configured

    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS
    return configured.PASSWORD_HASHERS


def test_new_passwords_are_hashed_with_argon2id_at_owasps_cost(production_hashers):
    encoded = make_password("n3w-passphrase-2026")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(encoded).verify("n3w-passphrase-2026", encoded)
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in production_hashers


def test_an_old_pbkdf2_password_still_logs_in_and_is_upgraded(production_hashers, changsha_officer):
    changsha_officer.password = get_hasher("pbkdf2_sha256").encode(PASSWORD, "saltsaltsalt")
    changsha_officer.save(update_fields=["password"])
    response = Client().post(reverse("login"), {"username": "officer_430100", "password": PASSWORD})
    assert response.status_code == 302
    changsha_officer.refresh_from_db()
    assert changsha_officer.password.startswith("argon2$argon2id$")
    assert changsha_officer.check_password(PASSWORD)
