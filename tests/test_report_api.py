"""``/api/v1/reports/``: the same reports, scope and rules as the pages."""

import pytest
from rest_framework.test import APIClient

from tsprotect.reports import services
from tsprotect.reports.models import Report, ReportBuild

pytestmark = pytest.mark.django_db

Q3 = "2026-Q3"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def reports(regions):
    for code in ("430100", "430600", None):
        services.build_now(Q3, code, files="later")
    return {r.prefecture_id: r for r in Report.objects.all()}


def test_an_officer_lists_only_the_reports_of_its_prefecture(reports, changsha_officer):
    body = api(changsha_officer).get("/api/v1/reports/").json()
    assert [(r["id"], r["prefecture"]) for r in body["results"]] == [
        (reports["430100"].pk, "430100")
    ]
    assert api(changsha_officer).get(f"/api/v1/reports/{reports['430600'].pk}/").status_code == 404
    assert api(changsha_officer).get(f"/api/v1/reports/{reports[None].pk}/").status_code == 404


def test_the_province_filters_by_period_prefecture_status_and_finds_the_consolidation(
    reports, province
):
    client = api(province)
    assert client.get("/api/v1/reports/", {"period": Q3}).json()["count"] == 3
    assert client.get("/api/v1/reports/", {"period": "2026-Q2"}).json()["count"] == 0
    by_prefecture = client.get("/api/v1/reports/", {"prefecture": "430600"}).json()["results"]
    assert [r["prefecture"] for r in by_prefecture] == ["430600"]
    consolidation = client.get("/api/v1/reports/", {"consolidation": "true"}).json()["results"]
    assert len(consolidation) == 1 and consolidation[0]["prefecture"] is None
    assert client.get("/api/v1/reports/", {"status": "submitted"}).json()["count"] == 0


def test_each_report_exposes_its_files(reports, changsha_officer):
    report = reports["430100"]
    body = api(changsha_officer).get(f"/api/v1/reports/{report.pk}/").json()
    assert {"id", "period", "prefecture", "status", "pdf_url", "xlsx_url"} <= set(body)
    assert (body["period"], body["prefecture"], body["status"]) == (Q3, "430100", "draft")
    assert body["pdf_url"].endswith(f"/api/v1/reports/{report.pk}/pdf/")
    assert body["figures"]["sections"][0]["key"] == "directory"
    xlsx = api(changsha_officer).get(body["xlsx_url"])
    assert xlsx.status_code == 200
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_a_build_is_queued_and_followed(regions, changsha_officer, yueyang_officer):
    client = api(changsha_officer)
    queued = client.post("/api/v1/reports/build/", {"period": Q3, "prefecture": "430100"})
    assert queued.status_code == 202
    assert queued.json()["status"] == "queued"
    build_id = queued.json()["id"]
    assert client.get(f"/api/v1/reports/builds/{build_id}/").json()["percent"] == 0
    services.run_build(build_id, files="later")
    done = client.get(f"/api/v1/reports/builds/{build_id}/").json()
    assert (done["status"], done["percent"]) == ("done", 100)
    assert api(yueyang_officer).get(f"/api/v1/reports/builds/{build_id}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"period": "2026-Q7", "prefecture": "430100"}, 400, "不是有效的报告期"),
        ({"period": "2030", "prefecture": "430100"}, 400, "尚未到来"),
        ({"period": Q3, "prefecture": "430600"}, 403, "无权"),
        ({"period": Q3, "prefecture": None}, 403, "无权"),
    ],
)
def test_bad_builds_are_refused_with_a_message(regions, changsha_officer, body, status, message):
    response = api(changsha_officer).post("/api/v1/reports/build/", body, format="json")
    assert response.status_code == status
    assert message in str(response.json())
    assert not ReportBuild.objects.exists()


def test_a_build_started_twice_answers_400_and_queues_one(regions, changsha_officer):
    client = api(changsha_officer)
    body = {"period": Q3, "prefecture": "430100"}
    assert client.post("/api/v1/reports/build/", body).status_code == 202
    second = client.post("/api/v1/reports/build/", body)
    assert second.status_code == 400 and "已有生成任务" in str(second.json())
    assert ReportBuild.objects.count() == 1


def test_submit_then_review_through_the_api(reports, changsha_officer, province):
    report = reports["430100"]
    url = f"/api/v1/reports/{report.pk}/"
    sent = api(changsha_officer).post(url + "submit/", {"work_done": "走访企业 12 家。"})
    assert sent.status_code == 200 and sent.json()["status"] == "submitted"
    again = api(changsha_officer).post(url + "submit/", {"work_done": "另一个版本"})
    assert again.status_code == 400 and "只有省局退回后才能修改" in str(again.json())
    assert api(province).post(url + "return/", {"comment": ""}).status_code == 400
    returned = api(province).post(url + "return/", {"comment": "请补充。"})
    assert returned.json()["status"] == "returned"
    assert returned.json()["review_comment"] == "请补充。"
    api(changsha_officer).post(url + "submit/", {"work_done": "已补充。"})
    acknowledged = api(province).post(url + "acknowledge/", {"comment": "已收悉。"})
    assert acknowledged.json()["status"] == "acknowledged"
    assert Report.objects.get(pk=report.pk).version == 2
