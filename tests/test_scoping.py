"""Per-prefecture scoping: an officer never sees, counts or reaches another prefecture's rows."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from enterprises.models import Enterprise
from tsprotect.core import scoping

from .conftest import client_for, make_uscc

pytestmark = pytest.mark.django_db


def names(queryset):
    return set(queryset.values_list("name", flat=True))


def test_yueyang_officer_gets_404_on_a_changsha_enterprise_by_id(personas):
    enterprise = personas["objects"]["changsha_enterprise"]
    client = client_for(personas["other_officer"])
    assert client.get(reverse("enterprises:detail", args=[enterprise.pk])).status_code == 404
    assert client.get(reverse("api:enterprise-detail", args=[enterprise.pk])).status_code == 404


def test_yueyang_officer_sees_no_changsha_enterprise_in_any_list(personas):
    changsha = personas["objects"]["changsha_enterprise"]
    client = client_for(personas["other_officer"])
    for query in (
        "",
        f"?q={changsha.name[:4]}",
        f"?q={changsha.uscc}",
        "?prefecture=430100",
        "?sort=name",
    ):
        page = client.get(reverse("enterprises:list") + query)
        assert page.status_code == 200
        assert changsha not in page.context["page_obj"].object_list
        assert changsha.name not in page.content.decode()
    for query in ("", f"?search={changsha.uscc}", "?prefecture=430100", "?page_size=500"):
        api = client.get(reverse("api:enterprise-list") + query).json()
        assert changsha.pk not in {row["id"] for row in api["results"]}
    home = client.get(reverse("home")).content.decode()
    assert changsha.name not in home


def test_yueyang_officer_sees_yueyang(personas):
    listed = client_for(personas["other_officer"]).get(reverse("api:enterprise-list")).json()
    assert [row["name"] for row in listed["results"]] == ["岳阳洞庭石化新材料有限公司"]
    assert listed["count"] == 1


def test_restrict_gives_each_persona_its_rows(personas):
    expected = {
        "province": {
            "长沙麓谷芯片科技有限公司",
            "长沙星沙重工机械有限公司",
            "岳阳洞庭石化新材料有限公司",
        },
        "same_officer": {"长沙麓谷芯片科技有限公司", "长沙星沙重工机械有限公司"},
        "other_officer": {"岳阳洞庭石化新材料有限公司"},
        "county_officer": {"长沙麓谷芯片科技有限公司"},
        "enterprise": {"长沙麓谷芯片科技有限公司"},
        "expert": set(),
        "anonymous": set(),
    }
    for persona, rows in expected.items():
        assert names(Enterprise.objects.restrict(personas[persona], "view")) == rows, persona


def test_enterprise_users_and_county_officers_may_not_change_what_they_cannot_manage(personas):
    assert not Enterprise.objects.restrict(personas["enterprise"], "change").exists()
    assert not Enterprise.objects.restrict(personas["expert"], "change").exists()
    assert names(Enterprise.objects.restrict(personas["county_officer"], "change")) == {
        "长沙麓谷芯片科技有限公司"
    }


def test_a_county_officer_gets_404_on_another_county_of_the_same_prefecture(personas):
    other = personas["objects"]["changsha_other_county_enterprise"]
    client = client_for(personas["county_officer"])
    assert client.get(reverse("enterprises:detail", args=[other.pk])).status_code == 404


def test_only_a_county_officer_is_held_to_a_county_and_the_user_says_which(personas):
    # Scoping asks the user (User.county_limit), knowing nothing of the roles.
    assert personas["county_officer"].county_limit == "430104"
    limits = {
        name: scoping.county_limit(user or AnonymousUser())
        for name, user in personas.items()
        if name != "objects"
    }
    assert limits == {name: "430104" if name == "county_officer" else None for name in limits}
    # A prefecture officer who happens to carry a county still sees the whole prefecture.
    officer = personas["same_officer"]
    officer.county_id = "430104"
    officer.save()
    assert officer.county_limit is None
    scoping.forget(officer)
    assert Enterprise.objects.restrict(officer, "view").count() == 2


def test_an_inactive_officer_sees_nothing(personas):
    officer = personas["same_officer"]
    officer.is_active = False
    officer.save()
    assert not Enterprise.objects.restrict(officer, "view").exists()


def test_scoping_filters_by_prefecture_codes_not_per_row_permissions(
    personas, django_assert_max_num_queries
):
    officer = personas["same_officer"]
    scoping.forget(officer)
    sql = str(Enterprise.objects.restrict(officer, "view").query)
    assert '"prefecture_id" IN' in sql and "guardian" not in sql


def test_moving_an_officer_to_another_prefecture_moves_their_scope(personas):
    officer = personas["same_officer"]
    officer.prefecture_id = "430600"
    officer.save()
    scoping.forget(officer)
    assert names(Enterprise.objects.restrict(officer, "view")) == {"岳阳洞庭石化新材料有限公司"}
    assert set(officer.groups.values_list("name", flat=True)) == {
        "prefecture_officer",
        "bureau-430600",
    }


def test_the_list_page_runs_a_constant_number_of_queries(personas, django_assert_num_queries):
    client = client_for(personas["province"])
    url = reverse("enterprises:list")
    client.get(url)  # warm the session

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = count_queries()
    Enterprise.objects.bulk_create(
        Enterprise(
            uscc=make_uscc("430102", f"MA4X{i:05d}"),
            name=f"长沙测试企业{i}有限公司",
            prefecture_id="430100",
            county_id="430102",
        )
        for i in range(40)
    )
    assert count_queries() == few


def test_the_list_pages_without_counting(personas):
    Enterprise.objects.bulk_create(
        Enterprise(
            uscc=make_uscc("430102", f"MA4X{i:05d}"),
            name=f"长沙分页企业{i:02d}有限公司",
            prefecture_id="430100",
            county_id="430102",
        )
        for i in range(30)
    )
    client = client_for(personas["same_officer"])
    first = client.get(reverse("enterprises:list") + "?q=分页")
    assert len(first.context["enterprise_list"]) == 25 and first.context["page_obj"].has_next()
    second = client.get(reverse("enterprises:list") + "?q=分页&page=2")
    assert len(second.context["enterprise_list"]) == 5 and not second.context["page_obj"].has_next()
    assert client.get(reverse("enterprises:list") + "?page=abc").status_code == 200
    assert client.get(reverse("enterprises:list") + "?page=999").context["enterprise_list"] == []
