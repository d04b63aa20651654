"""Pages load nothing from outside the portal and render per role."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from .conftest import client_for

ROOT = Path(__file__).resolve().parent.parent


def test_no_template_loads_an_external_asset():
    offenders = []
    for template in list(ROOT.glob("templates/**/*.html")) + list(
        ROOT.glob("*/templates/**/*.html")
    ):
        if re.search(r'(src|href)="(https?:)?//', template.read_text(encoding="utf-8")):
            offenders.append(str(template))
    assert not offenders


@pytest.mark.django_db
def test_the_menu_follows_the_role(personas):
    def menu(persona):
        page = client_for(personas[persona]).get(reverse("home"))
        return [item["name"] for item in page.context["menu"]]

    assert "enterprises:list" in menu("same_officer")
    assert "admin:index" in menu("province")
    assert "enterprises:list" not in menu("expert")
    assert "enterprises:mine" in menu("enterprise") and "enterprises:list" not in menu("enterprise")


@pytest.mark.django_db
def test_the_province_workbench_shows_all_14_prefectures(personas):
    page = client_for(personas["province"]).get(reverse("home"))
    rows = page.context["by_prefecture"]
    assert len(rows) == 14
    assert {r["prefecture"].name: r["total"] for r in rows}["长沙市"] == 2


@pytest.mark.django_db
def test_names_are_escaped(personas):
    enterprise = personas["objects"]["changsha_enterprise"]
    enterprise.name = "<script>alert(1)</script>有限公司"
    enterprise.save()
    page = client_for(personas["same_officer"]).get(reverse("enterprises:list")).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
