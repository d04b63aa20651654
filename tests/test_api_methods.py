"""HTTP methods the API does not know (TRACE, QUERY, made-up ones) answer 405, never 500.

Every URL of the /api/v1/ router is tried, so a viewset added later is covered without a new row.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tsprotect.urls import api

pytestmark = pytest.mark.django_db

UNKNOWN_METHODS = ("TRACE", "QUERY", "FROBNICATE")


def router_urls():
    """Each URL of the router, with a placeholder for its arguments (405 comes before 404)."""
    urls = []
    for pattern in api.urls:
        kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, "1")
        urls.append(reverse(f"api:{pattern.name}", kwargs=kwargs))
    return urls


def test_the_router_has_list_and_detail_urls_to_try():
    urls = router_urls()
    assert "/api/v1/enterprises/" in urls and "/api/v1/enterprises/1/" in urls
    assert "/api/v1/reports/build/" in urls


@pytest.mark.parametrize("persona", ["province", "same_officer", "county_officer", "enterprise"])
def test_it_answers_405_to_unknown_methods_on_every_api_url(personas, persona):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(personas[persona])
    answers = {
        (method, url): client.generic(method, url).status_code
        for url in router_urls()
        for method in UNKNOWN_METHODS
    }
    assert {key: status for key, status in answers.items() if status != 405} == {}


def test_an_anonymous_unknown_method_is_never_a_server_error(regions):
    client = APIClient(raise_request_exception=False)
    answers = {
        (method, url): client.generic(method, url).status_code
        for url in router_urls()
        for method in UNKNOWN_METHODS
    }
    assert {key: status for key, status in answers.items() if status not in (401, 403, 405)} == {}
    assert answers[("TRACE", "/api/v1/enterprises/")] == 405
