"""Each user's permissions come from the shared cache between changes (tsprotect/core/permcache.py),
and never another user's: one prefecture's officer never gets another's scope."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tsprotect.accounts.models import Role, User
from tsprotect.accounts.services import grant_enterprise_access, revoke_enterprise_access
from tsprotect.core import scoping

from .conftest import client_for

PERMISSION_TABLES = re.compile(r'FROM "(guardian_\w+|auth_permission|auth_group\w*)"')


def fresh(user):
    """The user as the next request loads it (nothing looked up yet)."""
    return User.objects.get(pk=user.pk)


def directory(client):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("enterprises:list"))
    assert page.status_code == 200
    return page.content.decode(), [query["sql"] for query in queries]


@pytest.mark.django_db(transaction=True)
def test_each_officer_gets_their_own_prefecture_from_the_cache(
    changsha_officer, yueyang_officer, changsha_enterprise, yueyang_enterprise
):
    changsha, yueyang = client_for(changsha_officer), client_for(yueyang_officer)
    directory(changsha)  # fills 长沙's entry
    page, queries = directory(changsha)
    assert changsha_enterprise.name in page and yueyang_enterprise.name not in page
    assert not any(PERMISSION_TABLES.search(sql) for sql in queries), "not from the cache"

    # 岳阳's officer, right after: its own scope, never 长沙's cached one.
    page, _queries = directory(yueyang)
    assert yueyang_enterprise.name in page and changsha_enterprise.name not in page
    page, queries = directory(yueyang)
    assert yueyang_enterprise.name in page and changsha_enterprise.name not in page
    assert not any(PERMISSION_TABLES.search(sql) for sql in queries)
    assert scoping.prefecture_codes(fresh(changsha_officer), "view_prefecture_records") == {
        "430100"
    }
    assert scoping.prefecture_codes(fresh(yueyang_officer), "view_prefecture_records") == {"430600"}


@pytest.mark.django_db(transaction=True)
def test_a_verified_or_revoked_enterprise_account_shows_on_its_next_page(changsha_enterprise):
    user = User.objects.create_user(username="enterprise1", password="x-not-used-1234")
    assert scoping.enterprise_ids(fresh(user)) == frozenset()
    assert scoping.enterprise_ids(fresh(user)) == frozenset()  # cached empty

    grant_enterprise_access(user, changsha_enterprise)
    assert scoping.enterprise_ids(fresh(user)) == {changsha_enterprise.pk}

    revoke_enterprise_access(user, changsha_enterprise)
    assert scoping.enterprise_ids(fresh(user)) == frozenset()


@pytest.mark.django_db(transaction=True)
def test_joining_or_leaving_a_group_changes_the_model_permissions_at_once(changsha_officer):
    province_group = Group.objects.get(name=Role.PROVINCE.value)
    assert not fresh(changsha_officer).has_perm("regions.view_prefecture_records")
    assert not fresh(changsha_officer).has_perm("regions.view_prefecture_records")

    changsha_officer.groups.add(province_group)
    assert fresh(changsha_officer).has_perm("regions.view_prefecture_records")
    assert scoping.is_province_wide(fresh(changsha_officer))

    changsha_officer.groups.remove(province_group)
    assert not fresh(changsha_officer).has_perm("regions.view_prefecture_records")


@pytest.mark.django_db
def test_an_uncommitted_grant_is_seen_but_never_cached(changsha_enterprise):
    user = User.objects.create_user(username="enterprise1", password="x-not-used-1234")
    with transaction.atomic():
        grant_enterprise_access(user, changsha_enterprise)
        assert scoping.enterprise_ids(fresh(user)) == {changsha_enterprise.pk}
        transaction.set_rollback(True)
    assert scoping.enterprise_ids(fresh(user)) == frozenset()
