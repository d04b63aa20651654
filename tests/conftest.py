"""Personas shared by every test: who does what reads as a sentence.

- ``province``: provincial staff, sees the whole province
- ``changsha_officer`` / ``yueyang_officer``: prefecture officers of 长沙市 and 岳阳市
- ``yuelu_officer``: county officer of 岳麓区 (长沙市)
- ``expert``: member of the expert pool, nothing assigned
- ``enterprise_user``: acts for ``changsha_enterprise`` (in 岳麓区)
"""

import uuid

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from complaints.models import StatutoryLimit
from enterprises.models import Enterprise
from tsprotect.accounts.models import Role, User
from tsprotect.accounts.roles import sync_groups
from tsprotect.accounts.services import grant_enterprise_access
from tsprotect.core import validators
from tsprotect.core.models import BureauRule
from tsprotect.legal.models import Provision
from tsprotect.regions.models import County, Prefecture

PASSWORD = "correct-horse-battery-2026"


def make_uscc(division: str, organisation: str = "MA4L0A1B2") -> str:
    return validators.make_uscc(division, organisation)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The production hasher costs ~0.3 s a password; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    """Uploaded files and complaint evidence go to the test's own folders."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


@pytest.fixture(autouse=True)
def own_cache_keys(settings):
    """Each test keeps its cache entries — rate-limit counters above all — under keys of its
    own: the Redis is shared by both workers and by earlier runs, and one test's hundred
    registrations must not throttle the next test's browser."""
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for alias, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def stylesheets_served(request, settings):
    """Browser tests see the pages with their styles: the live server finds static files by
    their source name, not by the manifest's hashed one, so a browser test uses plain storage."""
    if request.node.get_closest_marker("browser"):
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }


@pytest.fixture
def evidence_in_tmp(settings):
    """The test's own evidence folder."""
    return settings.EVIDENCE_ROOT


@pytest.fixture
def regions(db):
    """Hunan's divisions, the bureau groups, the provisions of law and the statutory time limits
    (what migrations load), loaded again if a transactional test flushed them."""
    if not Prefecture.objects.exists():
        import importlib

        loader = importlib.import_module("tsprotect.regions.migrations.0002_load_divisions")
        loader.load(django_apps, None)
        sync_groups()
    if not Provision.objects.exists():
        _run_data_migrations("legal")
    if not StatutoryLimit.objects.exists():
        _run_data_migrations("complaints")
    if not BureauRule.objects.exists():
        _run_data_migrations("core")


def _run_data_migrations(app_label):
    from django.db import migrations
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    for key in graph.forwards_plan(graph.leaf_nodes(app_label)[0]):
        if key[0] == app_label:
            for operation in graph.nodes[key].operations:
                if isinstance(operation, migrations.RunPython):
                    operation.code(django_apps, None)


def make_user(username, role, prefecture=None, county=None, **extra):
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        prefecture_id=prefecture,
        county_id=county,
        **extra,
    )
    return user


def make_enterprise(county: str, organisation: str, name: str) -> Enterprise:
    """An enterprise of ``county``, in that county's prefecture."""
    return Enterprise.objects.create(
        uscc=make_uscc(county, organisation),
        name=name,
        prefecture_id=County.objects.get(pk=county).prefecture_id,
        county_id=county,
    )


@pytest.fixture
def changsha_enterprise(regions):
    return make_enterprise("430104", "MA4L0A1B2", "长沙麓谷芯片科技有限公司")


@pytest.fixture
def changsha_other_county_enterprise(regions):
    return make_enterprise("430121", "MA4L0E5F6", "长沙星沙重工机械有限公司")


@pytest.fixture
def yueyang_enterprise(regions):
    return make_enterprise("430603", "MA4M1A2B3", "岳阳洞庭石化新材料有限公司")


@pytest.fixture
def province(regions):
    return make_user("province", Role.PROVINCE, is_staff=True)


@pytest.fixture
def changsha_officer(regions):
    return make_user("officer_430100", Role.PREFECTURE_OFFICER, "430100")


@pytest.fixture
def yueyang_officer(regions):
    return make_user("officer_430600", Role.PREFECTURE_OFFICER, "430600")


@pytest.fixture
def yuelu_officer(regions):
    return make_user("officer_430104", Role.COUNTY_OFFICER, "430100", "430104")


@pytest.fixture
def expert(regions):
    return make_user("expert1", Role.EXPERT)


@pytest.fixture
def enterprise_user(regions, changsha_enterprise):
    user = User.objects.create_user(username="enterprise1", password=PASSWORD)
    grant_enterprise_access(user, changsha_enterprise)
    return user


@pytest.fixture
def personas(
    changsha_enterprise,
    changsha_other_county_enterprise,
    yueyang_enterprise,
    province,
    changsha_officer,
    yueyang_officer,
    yuelu_officer,
    expert,
    enterprise_user,
):
    """Every persona of the permission matrix, plus the objects the matrix rows point at."""
    return {
        "anonymous": None,
        "enterprise": enterprise_user,
        "expert": expert,
        "same_officer": changsha_officer,
        "other_officer": yueyang_officer,
        "county_officer": yuelu_officer,
        "province": province,
        "objects": {
            "changsha_enterprise": changsha_enterprise,
            "changsha_other_county_enterprise": changsha_other_county_enterprise,
            "yueyang_enterprise": yueyang_enterprise,
        },
    }


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def english_client_for(user):
    """A client of ``user`` who picked English with the language switch."""
    client = client_for(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def english():
    """Messages are compared in the language they are written in (``usefixtures``)."""
    with translation.override("en"):
        yield


@pytest.fixture
def client_as():
    return client_for


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's Chromium; it must never download a browser of its own."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
