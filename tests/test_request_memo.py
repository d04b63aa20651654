"""A page reads the region choices' version token once, however many rows it names the region of
(tsprotect/core/request_memo.py), and the next request reads it again."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from tsprotect.regions.models import County

from .conftest import client_for, make_enterprise


@pytest.fixture
def version_reads(monkeypatch):
    """The reads of the region choices' version token, counted on their way to Redis."""
    reads = []
    backend = caches["default"]
    get = backend.get

    def counting_get(key, *args, **kwargs):
        if key.startswith("regions:choices:") and key.endswith(":version"):
            reads.append(key)
        return get(key, *args, **kwargs)

    monkeypatch.setattr(backend, "get", counting_get)
    return reads


@pytest.mark.django_db(transaction=True)  # committed: the page reads regions from the cache
def test_a_list_page_reads_the_region_token_once(changsha_officer, version_reads):
    for number in range(6):
        make_enterprise("430104", f"MA4L0A1B{number}", f"长沙测试{number}科技有限公司")
    client = client_for(changsha_officer)
    page = client.get(reverse("enterprises:list"))
    assert page.status_code == 200 and "长沙测试5科技有限公司" in page.content.decode()
    assert len(version_reads) == 1

    client.get(reverse("enterprises:list"))
    assert len(version_reads) == 2  # each request reads it afresh


@pytest.mark.django_db(transaction=True)
def test_a_region_renamed_between_two_requests_shows_on_the_second(province):
    make_enterprise("430104", "MA4L0A1B2", "长沙麓谷芯片科技有限公司")
    client = client_for(province)
    assert "岳麓区" in client.get(reverse("enterprises:list")).content.decode()
    County.objects.filter(pk="430104").update(name="岳麓新区")
    from tsprotect.regions import choices

    choices.changed()
    page = client.get(reverse("enterprises:list")).content.decode()
    assert "岳麓新区" in page
