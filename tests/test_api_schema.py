"""The API answers what its published schema (``/api/schema/``) says: each defect the fuzzing
run (``make fuzz``, ``tests/fuzz/``) found, held here by validating real answers against it."""

import copy

import pytest
from django.test import Client
from django.urls import reverse
from jsonschema import Draft202012Validator
from rest_framework.authtoken.models import Token

from complaints.services import visible_events
from enterprises.models import Enterprise

from .conftest import client_for
from .test_complaint_api import intake, step
from .test_demonstration_api import application, batch  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def published_schema(user):
    response = client_for(user).get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _json_schema(node):
    """OpenAPI 3.0's ``nullable`` as JSON Schema's null type, for the validator."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def errors(schema, instance, node):
    """The messages of ``instance`` against ``node`` of the published schema (none: it
    matches); a component is given by its name."""
    if isinstance(node, str):
        node = {"$ref": f"#/components/schemas/{node}"}
    root = {**_json_schema(node), "components": _json_schema(copy.deepcopy(schema["components"]))}
    return [error.message for error in Draft202012Validator(root).iter_errors(instance)]


def answer_schema(schema, path, method="get", status="200"):
    content = schema["paths"][path][method]["responses"][status]["content"]
    return content["application/json"]["schema"]


def test_an_enterprise_in_no_county_and_not_assessed_matches_its_schema(
    changsha_officer, changsha_enterprise
):
    Enterprise.objects.filter(pk=changsha_enterprise.pk).update(county=None, risk_tier="")
    schema = published_schema(changsha_officer)

    answer = client_for(changsha_officer).get(
        reverse("api:enterprise-detail", args=[changsha_enterprise.pk])
    )

    assert answer.json()["county_name"] is None and answer.json()["risk_tier"] == ""
    assert errors(schema, answer.json(), "Enterprise") == []


def test_a_complaint_with_no_remedy_yet_matches_exactly_one_view(changsha_officer):
    complaint = step(intake(changsha_officer), changsha_officer, "accept")
    schema = published_schema(changsha_officer)

    answer = client_for(changsha_officer).get(reverse("api:complaint-detail", args=[complaint.pk]))

    assert answer.json()["audience"] == "handler" and answer.json()["remedy"] == ""
    # oneOf: matching no view, or the handler's and another's, are both errors.
    assert errors(schema, answer.json(), "ComplaintView") == []


def test_each_view_of_a_complaint_names_only_its_own_audience(changsha_officer):
    schemas = published_schema(changsha_officer)["components"]["schemas"]
    view = schemas["ComplaintView"]
    for audience, ref in view["discriminator"]["mapping"].items():
        branch = schemas[ref.rsplit("/", 1)[1]]["properties"]["audience"]
        enum = schemas[branch["allOf"][0]["$ref"].rsplit("/", 1)[1]]["enum"]
        assert enum == [audience]


def test_the_history_matches_exactly_one_kind_of_step(changsha_officer):
    complaint = step(intake(changsha_officer), changsha_officer, "accept")
    schema = published_schema(changsha_officer)
    path = "/api/v1/complaints/{id}/events/"

    answer = client_for(changsha_officer).get(reverse("api:complaint-events", args=[complaint.pk]))

    events, _ = visible_events(complaint, "handler")
    assert len(answer.json()) == len(events) == 2
    # The handler's steps carry their notes: one kind of step, not also the one without.
    assert all("note" in event for event in answer.json())
    assert errors(schema, answer.json(), answer_schema(schema, path)) == []


def test_reviews_answer_a_plain_list(application, province):  # noqa: F811
    schema = published_schema(province)
    path = "/api/v1/applications/{id}/reviews/"

    answer = client_for(province).get(reverse("api:application-reviews", args=[application.pk]))

    assert answer.status_code == 200 and answer.json() == []
    assert errors(schema, answer.json(), answer_schema(schema, path)) == []


def test_every_refusal_is_documented_with_its_body(changsha_officer):
    schema = published_schema(changsha_officer)
    detail = schema["paths"]["/api/v1/enterprises/{id}/"]
    listing = schema["paths"]["/api/v1/enterprises/"]["get"]["responses"]
    public = schema["paths"]["/api/v1/public/notices/"]["get"]["responses"]

    assert {"200", "400", "401", "403", "404"} <= set(detail["put"]["responses"])
    assert {"200", "401", "403", "404"} <= set(detail["get"]["responses"])
    assert {"200", "400", "401", "403", "404"} <= set(listing)
    assert {"200", "400", "404", "429"} <= set(public) and "401" not in public
    error = detail["get"]["responses"]["404"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}
    # A step the services may refuse, though it takes no body.
    assert "400" in schema["paths"]["/api/v1/checklists/{id}/submit/"]["post"]["responses"]


def test_a_search_refused_by_itself_matches_the_error_schema(changsha_officer):
    answer = client_for(changsha_officer).get(reverse("api:designation-list"), {"search": "a\x00"})

    assert answer.status_code == 400 and isinstance(answer.json(), list)
    assert errors(published_schema(changsha_officer), answer.json(), "Error") == []


def test_an_unknown_api_address_answers_json_and_a_page_its_page(changsha_officer):
    client = client_for(changsha_officer)

    api = client.get("/api/v1/enterprises/0.5/")
    page = client.get("/enterprises/no-such-page/")

    assert api.status_code == 404 and api["Content-Type"] == "application/json"
    assert errors(published_schema(changsha_officer), api.json(), "Error") == []
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_an_empty_query_value_is_not_given_and_a_bad_page_size_is_refused(changsha_officer):
    token = Token.objects.create(user=changsha_officer)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    listing = reverse("api:enterprise-list")
    client = Client()
    schema = published_schema(changsha_officer)
    parameters = schema["paths"]["/api/v1/enterprises/"]["get"]["parameters"]

    assert all(p["allowEmptyValue"] for p in parameters if p["in"] == "query")
    assert client.get(listing, {"status": "", "page_size": ""}, **headers).status_code == 200
    for size in ("0", "abc", "2.5"):
        refused = client.get(listing, {"page_size": size}, **headers)
        assert refused.status_code == 400
        assert refused.json() == {"page_size": ["每页条数须为不小于 1 的整数。"]}
    year = client.get(reverse("api:application-list"), {"year": "0.5"}, **headers)
    assert year.status_code == 400 and "year" in year.json()
