"""Officers filing and keeping records in the browser pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enterprises.models import Enterprise, EnterpriseDocument, ServiceEvent

from .conftest import client_for, make_uscc

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# A real 1×1 PNG: libmagic needs the IHDR chunk to call it image/png.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
    b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe"
    b"\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


def record(**overrides):
    data = {
        "uscc": make_uscc("430104", "MA4L5B6C7"),
        "name": "长沙三一重工配套有限公司",
        "prefecture": "430100",
        "county": "430104",
        "status": "active",
        "industry_division": "35",
        "size_class": "medium",
        "is_sme": "on",
        "staff_count": "120",
        "rd_staff_count": "30",
    }
    data.update(overrides)
    return data


def test_it_files_a_record_and_remembers_who(changsha_officer):
    client = client_for(changsha_officer)
    response = client.post(reverse("enterprises:create"), record())
    enterprise = Enterprise.objects.get(name="长沙三一重工配套有限公司")
    assert response.status_code == 302 and response["Location"] == enterprise.get_absolute_url()
    assert enterprise.created_by == changsha_officer
    assert enterprise.industry_section == "C" and enterprise.is_sme
    assert enterprise.history.first().history_user == changsha_officer


def test_a_wrong_credit_code_is_rejected_inline_then_fixed(changsha_officer):
    client = client_for(changsha_officer)
    good = make_uscc("430104", "MA4L5B6C7")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    page = client.post(reverse("enterprises:create"), record(uscc=wrong))
    assert page.status_code == 200
    assert "校验" in page.context["form"].errors["uscc"][0]
    assert not Enterprise.objects.filter(name="长沙三一重工配套有限公司").exists()
    assert client.post(reverse("enterprises:create"), record(uscc=good)).status_code == 302


def test_a_duplicate_credit_code_gets_a_clear_message(changsha_officer, yueyang_enterprise):
    page = client_for(changsha_officer).post(
        reverse("enterprises:create"), record(uscc=yueyang_enterprise.uscc)
    )
    assert "已在名录库中" in page.context["form"].errors["uscc"][0]


def test_a_county_of_another_prefecture_is_refused(changsha_officer):
    page = client_for(changsha_officer).post(reverse("enterprises:create"), record(county="430603"))
    assert page.status_code == 200 and "county" in page.context["form"].errors
    assert not Enterprise.objects.filter(name="长沙三一重工配套有限公司").exists()


def test_an_officer_cannot_file_in_another_prefecture(yueyang_officer):
    page = client_for(yueyang_officer).post(reverse("enterprises:create"), record(county=""))
    assert page.status_code == 200 and "prefecture" in page.context["form"].errors


def test_a_county_officer_files_only_in_their_county(yuelu_officer):
    client = client_for(yuelu_officer)
    page = client.post(reverse("enterprises:create"), record(county="430102"))
    assert page.status_code == 200
    assert client.post(reverse("enterprises:create"), record()).status_code == 302


def test_rd_staff_above_staff_is_refused(changsha_officer):
    page = client_for(changsha_officer).post(
        reverse("enterprises:create"), record(staff_count="10", rd_staff_count="11")
    )
    assert "rd_staff_count" in page.context["form"].errors


def test_a_code_from_another_prefecture_only_warns(changsha_officer):
    client = client_for(changsha_officer)
    response = client.post(
        reverse("enterprises:create"), record(uscc=make_uscc("430603", "MA4L5B6C7")), follow=True
    )
    assert response.status_code == 200
    assert any("430603" in str(m) for m in response.context["messages"])


def test_editing_shows_old_and_new_values_in_the_history(changsha_officer, changsha_enterprise):
    client = client_for(changsha_officer)
    data = record(uscc=changsha_enterprise.uscc, name="长沙麓谷芯片科技股份有限公司")
    assert (
        client.post(reverse("enterprises:update", args=[changsha_enterprise.pk]), data).status_code
        == 302
    )
    page = client.get(changsha_enterprise.get_absolute_url())
    changes = page.context["history"][0]["changes"]
    assert {
        "field": "企业名称",
        "old": "长沙麓谷芯片科技有限公司",
        "new": "长沙麓谷芯片科技股份有限公司",
    } in [{k: str(v) for k, v in c.items()} for c in changes]
    assert page.context["history"][0]["record"].history_user == changsha_officer


def test_it_uploads_a_dossier_document_and_serves_it_only_in_scope(
    changsha_officer, yueyang_officer, changsha_enterprise
):
    client = client_for(changsha_officer)
    upload = SimpleUploadedFile("保密制度.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("enterprises:document_upload", args=[changsha_enterprise.pk]),
        {"title": "保密管理制度", "kind": "rules", "file": upload},
    )
    assert response.status_code == 302
    document = EnterpriseDocument.objects.get()
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    download = client.get(reverse("enterprises:document_download", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    other = client_for(yueyang_officer).get(
        reverse("enterprises:document_download", args=[document.pk])
    )
    assert other.status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("合同.pdf", b"MZ\x90\x00" + b"\x00" * 200, "不接受"),
        ("照片.pdf", PNG, "原始文件"),
        ("空.pdf", b"", "空"),
    ],
)
def test_a_disguised_or_empty_upload_is_refused(
    changsha_officer, changsha_enterprise, name, content, message
):
    client = client_for(changsha_officer)
    response = client.post(
        reverse("enterprises:document_upload", args=[changsha_enterprise.pk]),
        {"title": "附件", "kind": "other", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["document_form"].errors["file"])
    assert not EnterpriseDocument.objects.exists()


def test_an_oversized_upload_is_refused(settings, changsha_officer, changsha_enterprise):
    settings.UPLOAD_MAX_BYTES = 1024
    response = client_for(changsha_officer).post(
        reverse("enterprises:document_upload", args=[changsha_enterprise.pk]),
        {
            "title": "大文件",
            "kind": "other",
            "file": SimpleUploadedFile("big.pdf", PDF + b"0" * 2048),
        },
    )
    assert response.status_code == 400
    assert "最大" in " ".join(response.context["document_form"].errors["file"])
    assert not EnterpriseDocument.objects.exists()


def test_it_records_a_service_on_the_timeline(changsha_officer, changsha_enterprise):
    client = client_for(changsha_officer)
    response = client.post(
        reverse("enterprises:service_event_add", args=[changsha_enterprise.pk]),
        {
            "kind": "non_compete_guidance",
            "happened_on": "2026-11-20",
            "summary": "指导企业修订竞业限制协议",
        },
    )
    assert response.status_code == 302
    page = client.get(changsha_enterprise.get_absolute_url())
    assert [e.summary for e in page.context["events"]] == ["指导企业修订竞业限制协议"]


def test_a_service_in_the_future_is_refused(changsha_officer, changsha_enterprise):
    response = client_for(changsha_officer).post(
        reverse("enterprises:service_event_add", args=[changsha_enterprise.pk]),
        {"kind": "visit", "happened_on": "2099-01-01", "summary": "走访"},
    )
    assert response.status_code == 400 and not ServiceEvent.objects.exists()


def test_a_two_character_fragment_finds_the_name(
    changsha_officer, changsha_enterprise, changsha_other_county_enterprise
):
    page = client_for(changsha_officer).get(reverse("enterprises:list") + "?q=重工")
    assert [e.name for e in page.context["enterprise_list"]] == ["长沙星沙重工机械有限公司"]
    page = client_for(changsha_officer).get(reverse("enterprises:list") + "?q=星沙重工机械")
    assert len(page.context["enterprise_list"]) == 1


def test_filters_by_county_tag_and_industry(
    changsha_officer, changsha_enterprise, changsha_other_county_enterprise
):
    changsha_enterprise.is_high_tech = True
    changsha_enterprise.industry_division = "39"
    changsha_enterprise.save()
    client = client_for(changsha_officer)
    for query in (
        "?county=430104",
        "?tag=high_tech",
        "?industry_section=C",
        "?industry_division=39",
    ):
        page = client.get(reverse("enterprises:list") + query)
        assert [e.name for e in page.context["enterprise_list"]] == [changsha_enterprise.name], (
            query
        )


def test_filter_choices_offer_only_regions_in_scope(yueyang_officer):
    page = client_for(yueyang_officer).get(reverse("enterprises:list"))
    counties = page.context["filter"].form.fields["county"].queryset
    assert set(counties.values_list("prefecture_id", flat=True)) == {"430600"}
    assert "prefecture" not in page.context["filter"].form.fields
