"""Defence in depth on every response: a Content-Security-Policy without inline code, a strict
Referrer-Policy and a Permissions-Policy that refuses what the portal never uses."""

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import client_for

pytestmark = pytest.mark.django_db


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize(
    "url", ["/", "/accounts/login/", "/public/report/", "/api/v1/public/notices/", "/healthz"]
)
def test_every_response_carries_a_policy_without_inline_code(regions, url):
    response = Client().get(url)
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    for kind in ("script-src", "style-src"):
        assert policy[kind] == ["'self'"], policy[kind]  # no nonce unless a page asks for one
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert response["Referrer-Policy"] == "same-origin"
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in response["Permissions-Policy"]


def test_the_workbench_carries_them_too(changsha_officer):
    response = client_for(changsha_officer).get(reverse("home"))
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


def test_the_api_docs_page_has_no_inline_script_and_a_nonce_for_its_style(province):
    browser = client_for(province)
    page = browser.get(reverse("api-docs"))
    assert page.status_code == 200
    html = page.content.decode()
    nonce = directives(page)["style-src"][1].strip("'").removeprefix("nonce-")
    assert f'<style nonce="{nonce}">' in html
    assert "<script>" not in html
    script = browser.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
