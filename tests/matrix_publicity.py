"""Permission matrix rows of the information platform: the notices provincial staff manage at
``/publicity/…``, the public pages at ``/public/…`` and the public API.

Staff pages are for provincial staff only (403 for every other role, the login page for a
visitor); the public pages and the public API answer everyone, and a draft or withdrawn notice
(page, attachment, API entry) answers 404 to everyone, provincial staff included.
"""

from .permission_matrix import LOGIN, Row, designated_application, everyone, logged_in

PROVINCE_ONLY = logged_in(403, province=200)
PROVINCE_ACTS = logged_in(403, province=302)  # a POST: done (or refused) and redirected
POST_ONLY = logged_in(405, anonymous=LOGIN)


def _notice(status):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from tsprotect.accounts.models import User
    from tsprotect.publicity.models import Notice, NoticeAttachment

    notice = Notice.objects.create(
        title="关于开展商业秘密保护宣传周活动的通知",
        summary="宣传周活动安排",
        body="<p>各市州局：现将有关事项通知如下。</p>",
        status=status,
        published_at=timezone.now() if status != "draft" else None,
        author=User.objects.get(username="province"),
    )
    NoticeAttachment.objects.create(
        notice=notice,
        title="活动方案",
        file=ContentFile(b"%PDF-1.4 test", name="plan.pdf"),
        original_name="plan.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
    )
    return notice


def draft_notice(objects):
    return {"pk": _notice("draft").pk}


def published_notice(objects):
    return {"pk": _notice("published").pk}


def withdrawn_notice(objects):
    return {"pk": _notice("withdrawn").pk}


def draft_attachment(objects):
    return {"pk": _notice("draft").attachments.get().pk}


def published_attachment(objects):
    return {"pk": _notice("published").attachments.get().pk}


def withdrawn_attachment(objects):
    return {"pk": _notice("withdrawn").attachments.get().pk}


ROWS = [
    # Provincial staff manage the notices.
    Row("publicity:notice_list", PROVINCE_ONLY),
    Row("publicity:notice_create", PROVINCE_ONLY),
    Row("publicity:notice_create", PROVINCE_ONLY, method="post"),  # empty: the form again
    Row(
        "publicity:notice_create",
        PROVINCE_ACTS,
        method="post",
        data={"title": "通知", "category": "notice", "body": "<p>正文</p>"},
    ),
    Row("publicity:notice_update", PROVINCE_ONLY, kwargs=draft_notice),
    Row("publicity:notice_update", PROVINCE_ONLY, kwargs=withdrawn_notice),
    Row("publicity:notice_update", logged_in(403, province=404), kwargs=lambda o: {"pk": 999999}),
    Row("publicity:notice_publish", PROVINCE_ACTS, kwargs=draft_notice, method="post"),
    Row("publicity:notice_publish", POST_ONLY, kwargs=draft_notice),
    Row(
        "publicity:notice_withdraw",
        PROVINCE_ACTS,
        kwargs=published_notice,
        method="post",
        data={"reason": "内容有误"},
    ),
    Row("publicity:notice_withdraw", POST_ONLY, kwargs=published_notice),
    Row("publicity:attachment_add", PROVINCE_ACTS, kwargs=draft_notice, method="post"),
    Row("publicity:attachment_add", POST_ONLY, kwargs=draft_notice),
    Row("publicity:attachment_download", PROVINCE_ONLY, kwargs=draft_attachment),
    Row("publicity:attachment_remove", PROVINCE_ACTS, kwargs=draft_attachment, method="post"),
    Row("publicity:attachment_remove", POST_ONLY, kwargs=draft_attachment),
    # The public platform: everyone, and nothing that is not published.
    Row("public:home", everyone(200)),
    Row("public:notices", everyone(200)),
    Row("public:notices", everyone(200), query="?category=policy&page=9"),
    Row("public:notice", everyone(200), kwargs=published_notice),
    Row("public:notice", everyone(404), kwargs=draft_notice),
    Row("public:notice", everyone(404), kwargs=withdrawn_notice),
    Row("public:notice_attachment", everyone(200), kwargs=published_attachment),
    Row("public:notice_attachment", everyone(404), kwargs=draft_attachment),
    Row("public:notice_attachment", everyone(404), kwargs=withdrawn_attachment),
    Row("public:guide", everyone(200)),
    # The public API: read only, no login.
    Row("api:public-designation-list", everyone(200)),
    Row("api:public-designation-detail", everyone(200), kwargs=designated_application),
    Row("api:public-designation-list", everyone(405), method="post"),
    Row("api:public-notice-list", everyone(200)),
    Row("api:public-notice-detail", everyone(200), kwargs=published_notice),
    Row("api:public-notice-detail", everyone(404), kwargs=draft_notice),
    Row("api:public-notice-detail", everyone(404), kwargs=withdrawn_notice),
]
