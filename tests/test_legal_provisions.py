"""The table of provisions: the version of a law in force on a day, citations that follow it
(the guide, the checklist), kept by provincial staff in the admin with its history, and a
ground-level app that knows no business app."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tsprotect.legal.models import Provision
from tsprotect.legal.services import latest_provision, provision_in_force, render_citations

from .conftest import _run_data_migrations, client_for

pytestmark = pytest.mark.django_db

LEGAL = Path(__file__).resolve().parent.parent / "tsprotect" / "legal"
BUSINESS_APPS = {
    "enterprises",
    "complaints",
    "demonstrations",
    "assessments",
    "reports",
    "trainings",
    "publicity",
}


def test_it_answers_the_2019_article_until_the_revision_and_the_2025_one_from_it(regions):
    def article(on):
        return provision_in_force("aucl", "aucl.trade_secret_penalty", on=on).article

    assert article(dt.date(2019, 4, 23)) == "第二十一条"
    assert article(dt.date(2025, 10, 14)) == "第二十一条"
    assert article(dt.date(2025, 10, 15)) == "第二十六条"
    assert provision_in_force("aucl", "aucl.trade_secret_penalty", on=dt.date(2019, 4, 22)) is None
    definition = provision_in_force("aucl", "aucl.trade_secret_definition", on=dt.date(2024, 1, 1))
    assert definition.citation == "《中华人民共和国反不正当竞争法》（2019修正）第九条第四款"


def test_the_natural_person_rule_of_the_2019_text_is_in_the_table(regions):
    provision = provision_in_force("aucl", "aucl.other_infringers", on=dt.date(2024, 1, 1))
    assert provision.article == "第九条第二款" and "自然人" in provision.excerpt
    assert provision.confirmed


def test_a_citation_token_follows_the_version_in_force_and_names_an_older_one(regions):
    text = "{aucl.trade_secret_definition}；{aucl.burden_of_proof}；{aucl.no_such_rule}"
    assert render_citations(text, on=dt.date(2024, 6, 1)) == (
        "《中华人民共和国反不正当竞争法》（2019修正）第九条第四款；"
        "《中华人民共和国反不正当竞争法》（2019修正）第三十二条；{aucl.no_such_rule}"
    )
    # After the revision: its own article, and the 2019 article named as such where the table
    # has no revised one yet — never a 2019 number passed off as the law in force.
    assert render_citations(text, on=dt.date(2026, 1, 5)) == (
        "《中华人民共和国反不正当竞争法》（2025修订）第十条；"
        "《中华人民共和国反不正当竞争法》（2019修正）第三十二条；{aucl.no_such_rule}"
    )
    assert latest_provision("aucl", "aucl.burden_of_proof", on=dt.date(2026, 1, 5)).version == (
        "2019修正"
    )


def test_two_versions_of_a_provision_cannot_be_in_force_on_the_same_day(regions, english):
    overlapping = Provision(
        law="aucl",
        law_title="中华人民共和国反不正当竞争法",
        version="2025修订",
        in_force_from=dt.date(2025, 10, 1),
        key="aucl.trade_secret_penalty",
        article="第二十六条",
        title="侵犯商业秘密的行政处罚",
    )
    with pytest.raises(ValidationError) as refused:
        overlapping.full_clean()
    assert "one day has one version" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        Provision(
            law="aucl",
            law_title="x",
            version="x",
            in_force_from=dt.date(2030, 1, 1),
            key="aucl penalty",
            article="第一条",
            title="x",
        ).full_clean()


def test_provincial_staff_correct_an_article_in_the_admin_and_the_history_keeps_it(province):
    provision = provision_in_force("aucl", "aucl.trade_secret_penalty", on=dt.date(2026, 1, 5))
    admin = client_for(province)
    change = reverse("admin:legal_provision_change", args=[provision.pk])
    form = admin.get(change)
    assert form.status_code == 200
    data = {
        "law": provision.law,
        "law_title": provision.law_title,
        "version": provision.version,
        "in_force_from": provision.in_force_from.isoformat(),
        "in_force_until": "",
        "key": provision.key,
        "article": "第二十六条",
        "title": provision.title,
        "excerpt": "",
        "confirmed": "on",
        "source": "中国人大网 2025年修订文本",
    }
    response = admin.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    provision.refresh_from_db()
    assert provision.confirmed and provision.source == "中国人大网 2025年修订文本"
    # The latest record (a flushed test database reloads the table, leaving "+" records too).
    change_record = provision.history.order_by("-history_date", "-history_id").first()
    assert (change_record.history_type, change_record.confirmed, change_record.history_user) == (
        "~",
        True,
        province,
    )
    assert (
        admin.get(reverse("admin:legal_provision_history", args=[provision.pk])).status_code == 200
    )


def test_officers_and_the_public_do_not_reach_the_table_in_the_admin(changsha_officer, regions):
    address = reverse("admin:legal_provision_changelist")
    assert client_for(changsha_officer).get(address).status_code in (302, 403)
    assert client_for(None).get(address).status_code == 302


def test_the_guide_cites_the_definition_in_force_today(regions):
    page = client_for(None).get(reverse("public:guide")).content.decode()
    today = provision_in_force("aucl", "aucl.trade_secret_definition")
    assert today.citation in page
    assert "2019年修正本第九条" not in page


def test_the_checklist_shows_its_citations_of_the_version_in_force(province):
    from assessments.models import ChecklistItem, ChecklistTemplate

    if not ChecklistItem.objects.exists():  # flushed by a transactional test before
        _run_data_migrations("assessments")
    item = ChecklistItem.objects.get(code="scope-1")
    assert item.legal_basis.startswith("{aucl.trade_secret_definition}")
    template = ChecklistTemplate.objects.get(pk=item.category.template_id)
    address = reverse("assessments:template_detail", args=[template.pk])
    page = client_for(province).get(address).content.decode()
    expected = provision_in_force("aucl", "aucl.trade_secret_definition", timezone.localdate())
    assert f"{expected.citation}；法释〔2020〕7号第一条" in page
    assert "{aucl." not in page


def test_the_legal_app_imports_no_business_app():
    imported = set()
    for path in LEGAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
    roots = {name.split(".")[0] for name in imported} | {
        name.split(".")[1] for name in imported if name.startswith("tsprotect.")
    }
    assert not roots & BUSINESS_APPS, sorted(imported)


def test_a_checklist_seeded_with_fixed_articles_cites_through_the_table_after_migrating(regions):
    """A deployment seeded before the provisions table: the items still as seeded follow the
    version in force; an item staff reworded keeps their words."""
    import importlib

    from django.apps import apps as django_apps

    from assessments.models import ChecklistItem, ChecklistTemplate

    migration = importlib.import_module("assessments.migrations.0003_citations_in_force")
    if not ChecklistTemplate.objects.exists():
        _run_data_migrations("assessments")
    seeded = {code: text for code, text, _cited in migration.ITEMS}
    for code, text in seeded.items():
        ChecklistItem.objects.filter(code=code).update(legal_basis=text)
    ChecklistItem.objects.filter(code="lifecycle-2").update(legal_basis="本局自拟依据")
    migration.cite_through_the_table(django_apps, None)
    basis = dict(ChecklistItem.objects.values_list("code", "legal_basis"))
    assert basis["scope-1"] == "{aucl.trade_secret_definition}；法释〔2020〕7号第一条"
    assert basis["incident-2"] == "{aucl.burden_of_proof}"
    assert basis["lifecycle-2"] == "本局自拟依据"
    assert "第九条第四款" in render_citations(basis["scope-1"], on=dt.date(2025, 10, 14))
    migration.back_to_fixed_text(django_apps, None)
    assert ChecklistItem.objects.get(code="scope-1").legal_basis == seeded["scope-1"]
