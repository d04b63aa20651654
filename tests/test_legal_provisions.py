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
    # After the revision: its own article and paragraph.
    assert render_citations(text, on=dt.date(2026, 1, 5)) == (
        "《中华人民共和国反不正当竞争法》（2025修订）第十条第四款；"
        "《中华人民共和国反不正当竞争法》（2025修订）第三十九条；{aucl.no_such_rule}"
    )
    # Where the table has no revised row, the 2019 article is named as such — never a 2019
    # number passed off as the law in force.
    Provision.objects.filter(key="aucl.burden_of_proof", version="2025修订").delete()
    assert render_citations("{aucl.burden_of_proof}", on=dt.date(2026, 1, 5)) == (
        "《中华人民共和国反不正当竞争法》（2019修正）第三十二条"
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


# The 2025 revision as checked (legal 0002) ---------------------------------------------------

AUCL = "《中华人民共和国反不正当竞争法》"
REVISED = {
    "aucl.trade_secret_acts": "第十条第一款",
    "aucl.other_infringers": "第十条第二款",
    "aucl.third_party": "第十条第三款",
    "aucl.trade_secret_definition": "第十条第四款",
    "aucl.trade_secret_penalty": "第二十六条",
    "aucl.reporting": "第二十条",
    "aucl.credit_record": "第三十三条",
    "aucl.burden_of_proof": "第三十九条",
}


def test_the_revised_articles_are_checked_with_their_text_and_source(regions):
    for key, article in REVISED.items():
        provision = provision_in_force("aucl", key, on=dt.date(2025, 10, 15))
        assert (provision.version, provision.article, provision.confirmed) == (
            "2025修订",
            article,
            True,
        ), key
        assert provision.excerpt, key
        assert "flk.npc.gov.cn" in provision.source and "副本" in provision.source, key
        assert provision_in_force("aucl", key, on=dt.date(2025, 10, 14)).version == "2019修正"
    # The paragraphs of 第十条 have the words of 2019 第九条; the serious-case range has changed.
    for key in ("aucl.trade_secret_acts", "aucl.third_party", "aucl.trade_secret_definition"):
        old, new = (
            provision_in_force("aucl", key, on=day).excerpt
            for day in (dt.date(2025, 10, 14), dt.date(2025, 10, 15))
        )
        assert old == new, key
    penalty = provision_in_force("aucl", "aucl.trade_secret_penalty", on=dt.date(2025, 10, 15))
    assert "违反本法第十条规定" in penalty.excerpt
    assert "情节严重的，处一百万元以上五百万元以下的罚款" in penalty.excerpt


def test_the_burden_of_proof_on_new_years_day_2026_is_article_39(regions):
    assert render_citations("{aucl.burden_of_proof}", on=dt.date(2026, 1, 1)) == (
        AUCL + "（2025修订）第三十九条"
    )
    assert render_citations("{aucl.burden_of_proof}", on=dt.date(2025, 10, 14)) == (
        AUCL + "（2019修正）第三十二条"
    )


def _migration():
    import importlib

    from django.apps import apps as django_apps

    return importlib.import_module("tsprotect.legal.migrations.0002_aucl_2025_confirmed"), (
        django_apps
    )


def test_the_check_changes_only_rows_still_as_seeded_and_is_undone_by_reversing_it(regions):
    migration, apps = _migration()
    revised = Provision.objects.filter(version="2025修订")
    migration.backward(apps, None)
    assert dict(revised.values_list("key", "article")) == {
        "aucl.trade_secret_acts": "第十条",
        "aucl.other_infringers": "第十条",
        "aucl.third_party": "第十条",
        "aucl.trade_secret_definition": "第十条",
        "aucl.trade_secret_penalty": "第二十六条",
    }
    assert not revised.filter(confirmed=True).exists()
    assert revised.get(key="aucl.trade_secret_penalty").source.startswith("待核对")

    # Provincial staff corrected one row in the admin and entered one the seed lacked.
    revised.filter(key="aucl.third_party").update(article="第十条第三款", source="本局自行核对")
    Provision.objects.create(
        law="aucl",
        law_title="中华人民共和国反不正当竞争法",
        version="2025修订",
        in_force_from=dt.date(2025, 10, 15),
        key="aucl.credit_record",
        article="第三十三条",
        title="行政处罚记入信用记录并公示",
        source="本局录入",
    )
    migration.forward(apps, None)
    assert revised.get(key="aucl.trade_secret_acts").article == "第十条第一款"
    assert revised.get(key="aucl.trade_secret_acts").confirmed
    staff = revised.get(key="aucl.third_party")
    assert (staff.source, staff.confirmed) == ("本局自行核对", False)
    assert revised.get(key="aucl.credit_record").source == "本局录入"
    assert revised.get(key="aucl.reporting").article == "第二十条"
    change = revised.get(key="aucl.trade_secret_acts").history.order_by("-history_id").first()
    assert (change.history_type, change.article) == ("~", "第十条第一款")
    assert "0002" in change.history_change_reason
