"""The contribution registry: steps in dependency order, menu entries by who sees them, cards and
panels left out when their app says so, and no registration once the registry is in use."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from tsprotect.core.contributions import Registry, RegistryError, ordered_steps, registry

from .conftest import client_for


def steps(*specs):
    """A registry's steps from (name, after) pairs, in the order given."""
    fresh = Registry()
    for name, after in specs:
        fresh.demo_step(name, lambda: None, after=after)
    return fresh


def names(ordered):
    return [step.name for step in ordered]


def test_it_runs_a_step_after_the_ones_it_names():
    ordered = steps(("reports", ("complaints",)), ("users", ()), ("complaints", ("users",)))
    assert names(ordered.demo_steps()) == ["users", "complaints", "reports"]


def test_it_keeps_the_order_of_registration_between_independent_steps():
    ordered = steps(("users", ()), ("notices", ("users",)), ("trainings", ("users",)))
    assert names(ordered.demo_steps()) == ["users", "notices", "trainings"]


def test_it_refuses_a_cycle_naming_the_steps_in_it():
    cycle = steps(("users", ()), ("a", ("b",)), ("b", ("a",)))
    with pytest.raises(RegistryError, match="cycle: a \\(after b\\), b \\(after a\\)"):
        cycle.demo_steps()


def test_it_refuses_a_step_waiting_for_itself():
    with pytest.raises(RegistryError, match="cycle"):
        steps(("alone", ("alone",))).demo_steps()


def test_it_refuses_an_unknown_dependency_by_name():
    with pytest.raises(RegistryError, match="'complaints' runs after 'enterprisse'"):
        ordered_steps(steps(("complaints", ("enterprisse",))).demo)


def test_it_refuses_two_steps_of_the_same_name():
    with pytest.raises(RegistryError, match="already registered"):
        steps(("users", ()), ("users", ()))


def test_it_refuses_registration_once_in_use():
    fresh = steps(("users", ()))
    fresh.demo_steps()
    with pytest.raises(RegistryError, match="AppConfig.ready"):
        fresh.menu_entry("home", "Workbench", order=0)


def test_it_refuses_a_panel_for_an_unknown_region_of_the_record():
    with pytest.raises(RegistryError, match="region"):
        Registry().record_panel("x.html", lambda request, enterprise: {}, order=0, region="top")


def test_a_menu_entry_shows_to_whom_it_is_visible_in_order():
    fresh = Registry()
    fresh.menu_entry("admin:index", "Administration", visible=lambda u: u.is_staff, order=20)
    fresh.menu_entry("home", "Workbench", order=0)
    fresh.menu_entry("reports:list", "Reports", visible=lambda u: u.role == "province", order=10)
    officer = SimpleNamespace(is_staff=False, role="prefecture_officer")
    province = SimpleNamespace(is_staff=True, role="province")
    assert [e.url_name for e in fresh.menu_for(officer)] == ["home"]
    assert [e.url_name for e in fresh.menu_for(province)] == ["home", "reports:list", "admin:index"]


def test_a_card_or_panel_whose_context_is_none_is_left_out():
    fresh = Registry()
    request = SimpleNamespace(user=SimpleNamespace(role="expert"))
    fresh.workbench_card("b.html", lambda request: {"n": 2}, order=2)
    fresh.workbench_card("none.html", lambda request: None, order=1)
    fresh.workbench_card("a.html", lambda request: {}, order=0)
    fresh.record_panel("p.html", lambda request, enterprise: {"e": enterprise}, order=0)
    fresh.record_panel("q.html", lambda request, enterprise: None, order=1, region="risk_actions")
    assert [(c.template, c.context) for c in fresh.workbench_cards(request)] == [
        ("a.html", {}),
        ("b.html", {"n": 2}),
    ]
    panels = fresh.record_panels(request, "the enterprise")
    shown = [(p.template, p.context) for p in panels["main"]]
    assert shown == [("p.html", {"e": "the enterprise"})]
    assert panels["risk_actions"] == []


def test_the_apps_register_the_menu_in_todays_order():
    entries = sorted(registry.menu, key=lambda entry: entry.order)
    assert [entry.url_name for entry in entries] == [
        "home",
        "enterprises:list",
        "enterprises:submissions",
        "enterprises:mine",
        "demonstrations:list",
        "assessments:list",
        "complaints:list",
        "trainings:list",
        "reports:list",
        "publicity:notice_list",
        "users",
        "claims",
        "team",
        "api-docs",
        "admin:index",
    ]


def test_the_apps_register_the_demo_steps_in_the_order_of_the_demo_story():
    assert names(registry.demo_steps()) == [
        "users",
        "enterprises",
        "claims",
        "submissions",
        "demonstrations",
        "complaints",
        "checklists",
        "survey",
        "notices",
        "trainings",
        "reports",
    ]
    assert names(registry.scale_steps()) == ["enterprises", "complaints"]


@pytest.mark.django_db
def test_the_workbench_lays_out_the_apps_cards_in_order(personas):
    page = client_for(personas["province"]).get(reverse("home")).content.decode()
    reports = page.index('aria-label="定期报送"')
    directory = page.index('href="/enterprises/"', reports)
    by_prefecture = page.index("各市州名录库情况", directory)
    assert reports < directory < by_prefecture
    assert "专家库" not in page


@pytest.mark.django_db
def test_the_record_shows_the_checklist_action_to_an_officer_in_scope_only(
    changsha_officer, yueyang_officer, changsha_enterprise
):
    url = reverse("enterprises:detail", args=[changsha_enterprise.pk])
    start = reverse("assessments:start", args=[changsha_enterprise.pk])
    assert start in client_for(changsha_officer).get(url).content.decode()
    assert client_for(yueyang_officer).get(url).status_code == 404
