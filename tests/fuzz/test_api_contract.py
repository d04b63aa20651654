"""The JSON API against the schema it publishes at ``/api/schema/`` (``make fuzz``).

Schemathesis generates requests for every operation from the schema as the demo's 长沙 officer
reads it, and sends them in-process to the portal's WSGI application, as that officer (token)
and as an anonymous visitor. Every answer must be no server error and must match the schema:
its status code, content type, headers and body. The budget and the checks are in
``schemathesis.toml`` beside this file.

Each case runs in a savepoint that is rolled back: a case sees the demo as seeded, whatever
the cases before it created or changed, and nothing leaves the test database (uploads go to
the test's temporary folders; jobs are queued only on commit, which never comes).
"""

import json
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig

from tsprotect.accounts.models import User
from tsprotect.wsgi import application

CONFIG = SchemathesisConfig.from_path(Path(__file__).with_name("schemathesis.toml"))
OFFICER = "officer_430100"


@pytest.fixture
def in_process_requests(settings):
    """Requests reach the portal as the test client's do: on the host schemathesis names, and
    without Django closing the test's connection (and its transaction) after each one."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def officer_token(db):
    token, _ = Token.objects.get_or_create(user=User.objects.get(username=OFFICER))
    return token.key


def generated_schema():
    """The document ``/api/schema/`` serves, generated here at collection time, when no request
    can be made yet; ``test_the_schema_fuzzed_is_the_one_served`` holds them equal."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


PUBLISHED = generated_schema()
schema = schemathesis.openapi.from_dict(PUBLISHED, config=CONFIG)
schema.app = application


def test_the_schema_fuzzed_is_the_one_served(in_process_requests, officer_token, client):
    response = client.get("/api/schema/?format=json", HTTP_AUTHORIZATION=f"Token {officer_token}")
    assert response.status_code == 200
    assert json.loads(response.content) == PUBLISHED


# What every server in front of the portal sets and the WSGI test client leaves out.
ENVIRON = {"REMOTE_ADDR": "127.0.0.1"}


def call_and_roll_back(case, headers):
    with transaction.atomic():
        case.call_and_validate(headers=headers, environ_base=ENVIRON)
        transaction.set_rollback(True)


# The fixtures hold for every case of an operation on purpose (the signals, the token); each
# case's own changes are rolled back by its savepoint.
KEEP_FIXTURES = hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@schema.parametrize()
@KEEP_FIXTURES
def test_as_officer(case, in_process_requests, officer_token):
    call_and_roll_back(case, {"Authorization": f"Token {officer_token}"})


@schema.parametrize()
@KEEP_FIXTURES
def test_as_anonymous_visitor(case, in_process_requests, db):
    call_and_roll_back(case, {})
