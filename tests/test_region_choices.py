"""The directory's filter bar offers regions from the cache, and the cache follows every change."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tsprotect.regions.choices import region_rows
from tsprotect.regions.models import County

from .conftest import client_for

REGION_TABLES = re.compile(
    r'FROM "regions_(prefecture|county|hostorganisation|ftzarea)"', re.IGNORECASE
)


def options(page, name):
    """The (value, label) pairs of the filter bar's ``name`` select."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page.content.decode(), re.S)
    assert select, name
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))


def list_page(client):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("enterprises:list"))
    assert page.status_code == 200
    return page, [query["sql"] for query in queries]


@pytest.mark.django_db(transaction=True)
def test_a_renamed_county_shows_on_the_next_list_page(province):
    # Committed at once, as in production: the cached choices must follow the change.
    client = client_for(province)
    list_page(client)  # fills the cache
    page, before = list_page(client)
    assert ("430104", "岳麓区") in options(page, "county")
    assert not any(REGION_TABLES.search(sql) for sql in before), "choices not from the cache"

    county = County.objects.get(pk="430104")
    county.name = "岳麓新区"
    county.save()

    page, _queries = list_page(client)
    assert ("430104", "岳麓新区") in options(page, "county")
    assert ("430104", "岳麓区") not in options(page, "county")
    page, after = list_page(client)
    assert len(after) == len(before)
    assert not any(REGION_TABLES.search(sql) for sql in after)


def test_an_uncommitted_change_is_shown_but_never_cached(regions):
    region_rows()  # fills the cache
    with transaction.atomic():
        county = County.objects.get(pk="430104")
        county.name = "岳麓新区"
        county.save()
        assert ("430104", "岳麓新区", "430100") in region_rows()["county"]
        transaction.set_rollback(True)
    assert ("430104", "岳麓区", "430100") in region_rows()["county"]


def test_the_options_are_those_in_scope(province, yueyang_officer, yuelu_officer):
    page, _queries = list_page(client_for(yueyang_officer))
    counties = options(page, "county")[1:]
    assert counties and all(code.startswith("4306") for code, _label in counties)
    assert '<select name="prefecture"' not in page.content.decode()

    page, _queries = list_page(client_for(yuelu_officer))
    assert options(page, "county") == [("", "---------"), ("430104", "岳麓区")]

    page, _queries = list_page(client_for(province))
    assert len(options(page, "prefecture")) == 1 + 14
    assert len(options(page, "county")) == 1 + County.objects.count()


def test_the_header_names_the_users_county_or_prefecture(changsha_officer, yuelu_officer, province):
    list_page(client_for(province))  # the first page of the day fills the shared cache

    def whoami(user):
        page, queries = list_page(client_for(user))
        assert not [sql for sql in queries if REGION_TABLES.search(sql)]
        return re.search(r'<span class="whoami"[^>]*>(.*?)</span>', page.content.decode()).group(1)

    assert whoami(changsha_officer).endswith(" · 长沙市")
    assert whoami(yuelu_officer).endswith(" · 岳麓区")
    assert whoami(province).count("·") == 1  # the role only
