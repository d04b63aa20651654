"""Every URL × every persona, from the declarations in ``permission_matrix.py``."""

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import client_for
from .permission_matrix import LOGIN, MATRIX, PERSONAS

# Namespaces whose URLs are covered by a generic rule below rather than by rows.
GENERIC_NAMESPACES = ("admin",)


def url_names(patterns=None, namespace=""):
    """Every URL pattern of the project, as its namespaced name (or its route if unnamed)."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield (
                f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<{pattern.pattern}>"
            )


def test_every_url_is_declared():
    declared = {row.name for row in MATRIX}
    undeclared = sorted(
        name
        for name in set(url_names())
        if name not in declared
        and not name.startswith(tuple(f"{ns}:" for ns in GENERIC_NAMESPACES))
    )
    assert not undeclared, f"URLs without a row in tests/permission_matrix.py: {undeclared}"


def test_every_row_is_a_real_url():
    names = set(url_names())
    assert not [row.name for row in MATRIX if row.name not in names]


def test_every_row_declares_every_persona():
    for row in MATRIX:
        assert set(row.expect) == set(PERSONAS), row.name


CASES = [(row, persona) for row in MATRIX for persona in PERSONAS]
IDS = [f"{r.name}-{r.method}-{p}" for r, p in CASES]


@pytest.mark.parametrize(("row", "persona"), CASES, ids=IDS)
def test_matrix(personas, settings, row, persona):
    for name, value in row.settings.items():
        setattr(settings, name, value)
    url = reverse(row.name, kwargs=row.kwargs(personas["objects"]) if row.kwargs else None)
    client = client_for(personas[persona])
    data = row.data(personas["objects"]) if callable(row.data) else row.data
    if row.json:
        response = getattr(client, row.method)(
            url + row.query, data, content_type="application/json"
        )
    else:
        response = getattr(client, row.method)(url + row.query, data)
    expected = row.expect[persona]
    if expected == LOGIN:
        assert response.status_code == 302, (url, persona, response.status_code)
        assert response["Location"].startswith(reverse("login")), response["Location"]
    else:
        assert response.status_code == expected, (url, persona, response.status_code)


def admin_urls():
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        yield f"admin:{opts.app_label}_{opts.model_name}_changelist", model
        if model_admin.has_add_permission.__func__ is not None:
            yield f"admin:{opts.app_label}_{opts.model_name}_add", model


def test_admin_is_for_staff_only(personas):
    """Only staff reach the admin; provincial staff see what their permissions allow."""
    urls = [(reverse("admin:index"), None)] + [(reverse(n), m) for n, m in admin_urls()]
    for persona in PERSONAS:
        client = client_for(personas[persona])
        user = personas[persona]
        for url, model in urls:
            response = client.get(url)
            if user is None or not user.is_staff:
                assert response.status_code == 302, (url, persona)
                assert "/admin/login/" in response["Location"]
            elif model is None:
                assert response.status_code == 200
            else:
                opts = model._meta
                may_view = user.has_perm(
                    f"{opts.app_label}.view_{opts.model_name}"
                ) or user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
                if url.endswith("/add/"):
                    may_view = user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
                assert response.status_code == (200 if may_view else 403), (url, persona)


def test_admin_object_pages_follow_scoping(personas):
    enterprise = personas["objects"]["yueyang_enterprise"]
    url = reverse("admin:enterprises_enterprise_change", args=[enterprise.pk])
    assert client_for(personas["province"]).get(url).status_code == 200
    assert client_for(personas["same_officer"]).get(url).status_code == 302
