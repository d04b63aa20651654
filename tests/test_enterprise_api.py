"""Filing and updating records through the JSON API, under the same rules as the pages."""

import pytest
from django.urls import reverse

from enterprises.models import Enterprise

from .conftest import client_for, make_uscc

pytestmark = pytest.mark.django_db


def post(user, data):
    return client_for(user).post(
        reverse("api:enterprise-list"), data, content_type="application/json"
    )


def payload(**overrides):
    return {
        "uscc": make_uscc("430104", "MA4L5B6C7").lower(),
        "name": "长沙接口录入有限公司",
        "prefecture": "430100",
        "county": "430104",
        "industry_division": "65",
        "is_high_tech": True,
        **overrides,
    }


def test_an_officer_files_a_record_through_the_api(changsha_officer):
    response = post(changsha_officer, payload())
    assert response.status_code == 201, response.json()
    enterprise = Enterprise.objects.get(pk=response.json()["id"])
    assert enterprise.uscc == make_uscc("430104", "MA4L5B6C7")
    assert enterprise.created_by == changsha_officer and enterprise.industry_section == "I"
    assert response.json()["tags"] == ["high_tech"]


def test_the_api_refuses_a_bad_code_a_foreign_county_and_another_prefecture(
    changsha_officer, yueyang_officer
):
    bad_code = post(changsha_officer, payload(uscc="91430104MA4L5B6C70"))
    assert bad_code.status_code == 400 and "uscc" in bad_code.json()
    foreign_county = post(changsha_officer, payload(county="430603"))
    assert foreign_county.status_code == 400 and "county" in foreign_county.json()
    elsewhere = post(yueyang_officer, payload())
    assert elsewhere.status_code == 400 and "prefecture" in elsewhere.json()
    assert not Enterprise.objects.exists()


def test_an_officer_updates_only_in_scope(changsha_officer, yueyang_officer, changsha_enterprise):
    url = reverse("api:enterprise-detail", args=[changsha_enterprise.pk])
    other = client_for(yueyang_officer).patch(url, {"name": "x"}, content_type="application/json")
    assert other.status_code == 404
    moved = client_for(changsha_officer).patch(
        url, {"prefecture": "430600", "county": "430603"}, content_type="application/json"
    )
    assert moved.status_code == 400
    renamed = client_for(changsha_officer).patch(
        url,
        {"name": "长沙麓谷芯片科技股份有限公司", "staff_count": 500, "rd_staff_count": 600},
        content_type="application/json",
    )
    assert renamed.status_code == 400 and "rd_staff_count" in renamed.json()
    renamed = client_for(changsha_officer).patch(
        url, {"name": "长沙麓谷芯片科技股份有限公司"}, content_type="application/json"
    )
    assert renamed.status_code == 200
    changsha_enterprise.refresh_from_db()
    assert changsha_enterprise.name == "长沙麓谷芯片科技股份有限公司"
    assert changsha_enterprise.history.first().history_user == changsha_officer


def test_the_api_filters_like_the_list_page(
    province, changsha_enterprise, yueyang_enterprise, changsha_other_county_enterprise
):
    client = client_for(province)

    def names(query):
        results = client.get(reverse("api:enterprise-list") + query).json()["results"]
        return [row["name"] for row in results]

    assert names("?prefecture=430600") == ["岳阳洞庭石化新材料有限公司"]
    assert names("?county=430121") == ["长沙星沙重工机械有限公司"]
    assert names("?q=重工") == ["长沙星沙重工机械有限公司"]
    assert names(f"?q={changsha_enterprise.uscc}") == [changsha_enterprise.name]


def test_an_officer_moves_a_record_to_another_county_of_the_prefecture(
    changsha_officer, changsha_enterprise
):
    url = reverse("api:enterprise-detail", args=[changsha_enterprise.pk])
    response = client_for(changsha_officer).patch(
        url, {"county": "430102", "park": None}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    changsha_enterprise.refresh_from_db()
    assert changsha_enterprise.county_id == "430102"
    put = client_for(changsha_officer).put(
        url, {**response.json(), "name": "长沙芙蓉芯片有限公司"}, content_type="application/json"
    )
    assert put.status_code == 200, put.content
