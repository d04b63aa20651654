"""The JSON API base: token and session auth, pagination, OpenAPI schema, local docs."""

import re

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_token_authentication_applies_the_same_scoping(personas):
    token = Token.objects.create(user=personas["other_officer"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    data = client.get(reverse("api:enterprise-list")).json()
    assert {row["prefecture"] for row in data["results"]} == {"430600"}


def test_a_new_password_revokes_the_accounts_tokens(personas):
    officer = personas["other_officer"]
    token = Token.objects.create(user=officer)
    other = Token.objects.create(user=personas["province"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(reverse("api:enterprise-list")).status_code == 200
    officer.set_password("a-new-password-2026")
    officer.save()
    assert client.get(reverse("api:enterprise-list")).status_code == 401
    # A save that sets no password (a profile edit) keeps tokens; other accounts keep theirs.
    Token.objects.create(user=officer)
    officer.first_name = "新"
    officer.save()
    assert Token.objects.filter(user=officer).exists()
    assert Token.objects.filter(pk=other.pk).exists()


def test_a_bad_token_is_refused(personas):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(reverse("api:enterprise-list")).status_code == 401


def test_lists_page_with_page_and_page_size_and_search(personas):
    client = client_for(personas["province"])
    data = client.get(reverse("api:enterprise-list") + "?page_size=2&page=2").json()
    assert data["count"] == 3 and len(data["results"]) == 1
    found = client.get(reverse("api:enterprise-list") + "?search=星沙").json()
    assert [row["name"] for row in found["results"]] == ["长沙星沙重工机械有限公司"]
    by_region = client.get(reverse("api:enterprise-list") + "?prefecture=430600").json()
    assert [row["prefecture_name"] for row in by_region["results"]] == ["岳阳市"]


def test_an_object_carries_its_id_and_region_codes(personas):
    enterprise = personas["objects"]["changsha_enterprise"]
    data = (
        client_for(personas["same_officer"])
        .get(reverse("api:enterprise-detail", args=[enterprise.pk]))
        .json()
    )
    assert data["id"] == enterprise.pk
    assert data["prefecture"] == "430100" and data["county"] == "430104"
    assert data["uscc"] == enterprise.uscc


def test_the_schema_documents_the_enterprise_endpoints(personas):
    schema = client_for(personas["province"]).get(reverse("api-schema") + "?format=json").json()
    assert "/api/v1/enterprises/" in schema["paths"]
    assert "/api/v1/enterprises/{id}/" in schema["paths"]


def test_the_docs_load_their_assets_from_the_portal(personas):
    page = client_for(personas["province"]).get(reverse("api-docs")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/static/") or s.startswith("/api/") for s in sources)
