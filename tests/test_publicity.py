"""The information platform (§9): notices from draft to withdrawn, what the public sees, the
guide and the public API. Provincial staff write; a visitor with no account reads."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from assessments.models import ComplianceTip
from complaints.models import StatutoryLimit
from demonstrations.models import Batch, DemonstrationApplication
from tsprotect.publicity import home, services
from tsprotect.publicity.models import Notice, NoticeAttachment

from .conftest import client_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HOSTILE = (
    '<p>正文<script>alert("x")</script></p>'
    '<img src="x" onerror="alert(1)">'
    '<a href="javascript:alert(2)">点击</a>'
    '<p onclick="alert(3)">段落</p>'
)


@pytest.fixture
def visitor():
    return client_for(None)


def make_notice(author, status="draft", title="关于开展商业秘密保护宣传周活动的通知", **extra):
    notice = Notice.objects.create(
        title=title,
        summary="宣传周活动安排",
        body="<p>各市州局：现将有关事项通知如下。</p>",
        author=author,
        **extra,
    )
    if status != "draft":
        services.publish(notice, author)
    if status == "withdrawn":
        services.withdraw(notice, author, "内容有误")
    notice.refresh_from_db()
    return notice


def attach(notice, user, content=PDF, name="方案.pdf"):
    from tsprotect.core.uploads import check_upload

    uploaded = SimpleUploadedFile(name, content)
    return services.add_attachment(
        notice, uploaded, check_upload(uploaded), title="活动方案", user=user
    )


def designation(enterprise, user, state="designated", number="HNSM-2026-ENT-001"):
    today = timezone.localdate()
    batch, _created = Batch.objects.get_or_create(
        track="provincial_enterprise",
        year=today.year,
        name="第一批",
        defaults={
            "opens_on": today - dt.timedelta(days=5),
            "submission_deadline": today + dt.timedelta(days=20),
            "recommendation_deadline": today + dt.timedelta(days=30),
        },
    )
    return DemonstrationApplication.objects.create(
        track="provincial_enterprise",
        batch=batch,
        state=state,
        name=enterprise.name,
        enterprise=enterprise,
        prefecture_id=enterprise.prefecture_id,
        county_id=enterprise.county_id,
        rules_system="保密管理制度",
        organisation="保密领导小组",
        measures="分级授权",
        contact_person="周经理",
        contact_phone="13900001111",
        created_by=user,
        certificate_number=number,
        designated_on=today,
        valid_until=today + dt.timedelta(days=1095),
    )


# Lifecycle --------------------------------------------------------------------------------------


def test_it_goes_from_draft_to_published_to_withdrawn(province):
    notice = make_notice(province)
    assert notice.status == "draft" and notice.published_at is None
    notice = services.publish(notice, province)
    assert notice.status == "published" and notice.published_at is not None
    notice = services.withdraw(notice, province, "政策已废止")
    assert notice.status == "withdrawn"
    assert notice.withdrawn_at is not None and notice.withdrawal_reason == "政策已废止"


@pytest.fixture
def english():
    """Messages compared in the language they are written in."""
    with translation.override("en"):
        yield


def test_it_refuses_illegal_steps_with_a_clear_message(province, english):
    draft = make_notice(province)
    with pytest.raises(ValidationError, match="cannot be withdrawn now"):
        services.withdraw(draft, province, "理由")
    published = make_notice(province, status="published")
    with pytest.raises(ValidationError, match="cannot be published now"):
        services.publish(published, province)
    with pytest.raises(ValidationError, match="reason"):
        services.withdraw(published, province, "  ")
    withdrawn = make_notice(province, status="withdrawn")
    with pytest.raises(ValidationError):
        services.publish(withdrawn, province)
    with pytest.raises(ValidationError, match="withdrawn notice"):
        attach(withdrawn, province)
    assert Notice.objects.get(pk=withdrawn.pk).status == "withdrawn"


def test_it_lets_provincial_staff_write_publish_and_withdraw_on_the_pages(province):
    client = client_for(province)
    response = client.post(
        reverse("publicity:notice_create"),
        {"title": "政策解读", "category": "policy", "summary": "", "body": "<p>解读</p>"},
    )
    notice = Notice.objects.get(title="政策解读")
    assert response.status_code == 302 and notice.author == province and notice.status == "draft"
    client.post(reverse("publicity:notice_publish", args=[notice.pk]))
    assert Notice.objects.get(pk=notice.pk).status == "published"
    response = client.post(reverse("publicity:notice_withdraw", args=[notice.pk]), {"reason": ""})
    assert Notice.objects.get(pk=notice.pk).status == "published"  # a reason is required
    client.post(reverse("publicity:notice_withdraw", args=[notice.pk]), {"reason": "有误"})
    assert Notice.objects.get(pk=notice.pk).status == "withdrawn"
    # A withdrawn notice is no longer edited.
    client.post(
        reverse("publicity:notice_update", args=[notice.pk]),
        {"title": "改过的标题", "category": "policy", "body": "<p>改</p>"},
    )
    assert Notice.objects.get(pk=notice.pk).title == "政策解读"


def test_it_keeps_officers_and_enterprises_out_of_the_notice_pages(
    province, changsha_officer, enterprise_user
):
    notice = make_notice(province)
    for user in (changsha_officer, enterprise_user):
        client = client_for(user)
        assert client.get(reverse("publicity:notice_list")).status_code == 403
        response = client.post(reverse("publicity:notice_publish", args=[notice.pk]))
        assert response.status_code == 403
    assert Notice.objects.get(pk=notice.pk).status == "draft"


def test_the_menu_offers_notices_to_provincial_staff_only(province, changsha_officer):
    url = reverse("publicity:notice_list")
    assert url in client_for(province).get(reverse("home")).content.decode()
    assert url not in client_for(changsha_officer).get(reverse("home")).content.decode()


# Sanitising -------------------------------------------------------------------------------------


def test_script_onerror_and_javascript_urls_are_inert_on_the_public_page(province, visitor):
    notice = make_notice(province, status="published")
    notice.body = HOSTILE
    notice.save()
    assert "<script" not in notice.body and "onerror" not in notice.body
    page = visitor.get(reverse("public:notice", args=[notice.pk])).content.decode()
    assert "正文" in page and "段落" in page
    for dangerous in ("<script", "alert(", "onerror", "onclick", "javascript:"):
        assert dangerous not in page, dangerous


def test_html_written_around_save_is_still_inert_when_rendered(province, visitor):
    notice = make_notice(province, status="published")
    Notice.objects.filter(pk=notice.pk).update(body=HOSTILE)  # bypasses save()
    page = visitor.get(reverse("public:notice", args=[notice.pk])).content.decode()
    for dangerous in ("<script", "alert(", "onerror", "javascript:"):
        assert dangerous not in page, dangerous


# Nothing unpublished is public -------------------------------------------------------------------


def test_drafts_and_withdrawn_notices_are_never_public(province, visitor):
    published = make_notice(province, status="published", title="已发布的通知")
    draft = make_notice(province, title="尚未发布的草稿")
    withdrawn = make_notice(province, status="withdrawn", title="已撤回的通知")
    files = {n: attach(n, province) for n in (published, draft)}
    withdrawn_file = NoticeAttachment.objects.create(
        notice=withdrawn,
        title="旧附件",
        file=SimpleUploadedFile("old.pdf", PDF),
        original_name="old.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
    )
    for hidden in (draft, withdrawn):
        assert visitor.get(reverse("public:notice", args=[hidden.pk])).status_code == 404
        url = reverse("api:public-notice-detail", args=[hidden.pk])
        assert visitor.get(url).status_code == 404
    assert (
        visitor.get(reverse("public:notice_attachment", args=[files[draft].pk])).status_code == 404
    )
    url = reverse("public:notice_attachment", args=[withdrawn_file.pk])
    assert visitor.get(url).status_code == 404
    response = visitor.get(reverse("public:notice_attachment", args=[files[published].pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    listing = visitor.get(reverse("public:notices")).content.decode()
    home_page = visitor.get(reverse("public:home")).content.decode()
    api = visitor.get(reverse("api:public-notice-list")).json()
    titles = [row["title"] for row in api["results"]]
    for text in (listing, home_page):
        assert "已发布的通知" in text
        assert "尚未发布的草稿" not in text and "已撤回的通知" not in text
    assert titles == ["已发布的通知"]


def test_the_public_list_filters_by_category(province, visitor):
    make_notice(province, status="published", title="政策法规一则", category="policy")
    make_notice(province, status="published", title="工作动态一则", category="news")
    page = visitor.get(reverse("public:notices"), {"category": "policy"}).content.decode()
    assert "政策法规一则" in page and "工作动态一则" not in page


# Attachments ------------------------------------------------------------------------------------


def test_attachments_are_checked_by_their_content(province):
    notice = make_notice(province)
    client = client_for(province)
    url = reverse("publicity:attachment_add", args=[notice.pk])
    disguised = SimpleUploadedFile("方案.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    client.post(url, {"title": "伪装", "file": disguised})
    assert not notice.attachments.exists()
    client.post(url, {"title": "活动方案", "file": SimpleUploadedFile("方案.pdf", PDF)})
    attachment = notice.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert attachment.uploaded_by == province


# Home and guide ---------------------------------------------------------------------------------


def test_the_home_page_shows_notices_designations_and_tips(
    province, changsha_enterprise, enterprise_user, visitor
):
    make_notice(province, status="published", title="年度商业秘密保护工作计划")
    unit = designation(changsha_enterprise, enterprise_user)
    ComplianceTip.objects.create(
        title="离职员工保密提示",
        body="<p>离职前办理交接。</p>",
        status="published",
        published_at=timezone.now(),
        created_by=province,
    )
    ComplianceTip.objects.create(title="草稿提示", body="<p>x</p>", created_by=province)
    page = visitor.get(reverse("public:home")).content.decode()
    assert "年度商业秘密保护工作计划" in page
    assert unit.name in page and reverse("public:verify", args=[unit.certificate_number]) in page
    assert "离职员工保密提示" in page and "草稿提示" not in page
    for link in ("public:designations", "public:tips", "public:notices", "public:guide"):
        assert reverse(link) in page
    for private in ("13900001111", "周经理", changsha_enterprise.uscc):
        assert private not in page


def test_other_apps_add_sections_to_the_home_page(
    visitor, regions, monkeypatch, tmp_path, settings
):
    template_dir = tmp_path / "templates"
    (template_dir / "demo").mkdir(parents=True)
    (template_dir / "demo" / "_section.html").write_text("<p>下一期：{{ data.course }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], template_dir]}
    ]
    sections = [("近期培训", "demo/_section.html", lambda request: {"course": "保密实务"})]
    monkeypatch.setattr(home, "SECTIONS", sections)
    page = visitor.get(reverse("public:home")).content.decode()
    assert "近期培训" in page and "下一期：保密实务" in page


def test_the_guide_lists_the_statutory_limits_from_the_table(regions, visitor):
    StatutoryLimit.objects.filter(code="reporter_notice").update(active=False)
    StatutoryLimit.objects.filter(code="complaint_acceptance").update(length=8)
    page = visitor.get(reverse("public:guide")).content.decode()
    for limit in StatutoryLimit.objects.filter(active=True):
        assert limit.label in page and limit.legal_basis in page
    assert "告知实名举报人" not in page
    assert '<td class="nowrap">8 ' in page
    for text in ("12315", "12345", "三十万元", "劳动仲裁", "商事仲裁", "民事诉讼", "检察"):
        assert text in page, text
    assert reverse("complaints:file") in page


def test_the_guide_is_written_in_english_too(regions):
    client = client_for(None)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("public:guide"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "300,000 yuan" in page and "Labour arbitration" in page


def test_the_anonymous_header_and_footer_link_the_public_home(regions, visitor):
    page = visitor.get(reverse("public:designations")).content.decode()
    assert f'href="{reverse("public:home")}"' in page


# Public API ---------------------------------------------------------------------------------------


def test_the_public_api_answers_without_login(
    province, changsha_enterprise, enterprise_user, visitor
):
    unit = designation(changsha_enterprise, enterprise_user)
    notice = make_notice(province, status="published", category="policy")
    rows = visitor.get(reverse("api:public-designation-list")).json()["results"]
    assert [row["certificate_number"] for row in rows] == [unit.certificate_number]
    row = rows[0]
    assert row["prefecture_code"] == "430100" and row["status"] == "valid"
    assert row["year"] == unit.designated_on.year and row["track"] == "provincial_enterprise"
    assert row["verify_url"].endswith(reverse("public:verify", args=[unit.certificate_number]))
    for private in ("contact_person", "contact_phone", "rules_system", "enterprise"):
        assert private not in row
    notices = visitor.get(reverse("api:public-notice-list")).json()["results"]
    assert notices == [
        {
            "id": notice.pk,
            "title": notice.title,
            "summary": notice.summary,
            "category": "policy",
            "published_at": notices[0]["published_at"],
            "url": f"http://testserver{reverse('public:notice', args=[notice.pk])}",
        }
    ]
    assert visitor.post(reverse("api:public-notice-list"), {}).status_code in (401, 403, 405)


def test_a_revoked_designation_shows_revoked_in_the_public_api(
    changsha_enterprise, enterprise_user, visitor
):
    unit = designation(changsha_enterprise, enterprise_user, state="revoked")
    row = visitor.get(reverse("api:public-designation-detail", args=[unit.pk])).json()
    assert row["status"] == "revoked"
    pending = designation(changsha_enterprise, enterprise_user, state="submitted", number=None)
    url = reverse("api:public-designation-detail", args=[pending.pk])
    assert visitor.get(url).status_code == 404


def test_the_public_api_is_rate_limited_per_address(regions, visitor, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "public_api": "3/h"}
    url = reverse("api:public-notice-list")
    assert [visitor.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = visitor.get(url)
    assert refused.status_code == 429
    assert "限流" in refused.json()["detail"]  # DRF's message, in the default language
    other = visitor.get(url, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
