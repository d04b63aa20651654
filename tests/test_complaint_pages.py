"""The complaint pages: intake by an officer and by an enterprise online, the complaint page as
each audience sees it, every step taken through its form, refusals, and evidence opened and
logged."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from complaints import services
from complaints.models import (
    ClockPause,
    Complaint,
    ComplaintEvent,
    CreditPush,
    EvidenceAccess,
    EvidenceFile,
    ReferenceCounter,
)
from tsprotect.accounts.models import Role
from tsprotect.core.uploads import check_upload

from .conftest import client_for, make_uscc, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RESPONDENT_USCC = make_uscc("430104", "MA4L0X9Y8")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def client(user):
    """A logged-in browser reading the portal in English, the language of the messages."""
    browser = client_for(user)
    browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def today():
    return timezone.localdate()


def pdf(name="evidence.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def intake(**overrides):
    data = {
        "kind": "complaint",
        "channel": "12315",
        "received_on": (today() - dt.timedelta(days=2)).isoformat(),
        "prefecture": "430100",
        "county": "430104",
        "complainant_name": "长沙湘江新材料有限公司",
        "complainant_contact": "王经理 13800000001",
        "respondent_name": "长沙某某科技有限公司",
        "respondent_individuals": "李四，原技术总监，离职后入职被投诉人",
        "secret_kind": "technical",
        "conduct": ["breach_of_confidence", "job_hopping"],
        "estimated_loss": "500000",
        "description": "前技术总监离职后带走全部工艺图纸。",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def register(user, enterprise=None, **fields):
    """A complaint of 长沙市 (岳麓区) registered through the service, with one PDF."""
    values = {
        "kind": "complaint",
        "channel": "12345",
        "prefecture_id": "430100",
        "county_id": "430104",
        "received_on": today() - dt.timedelta(days=3),
        "complainant_enterprise": enterprise,
        "complainant_name": "" if enterprise else "张三",
        "complainant_contact": "" if enterprise else "13900001111",
        "respondent_name": "长沙某某科技有限公司",
        "respondent_credit_code": RESPONDENT_USCC,
        "secret_kind": "customer",
        "description": "客户名单被离职员工带走。",
    }
    values.update(fields)
    upload = ContentFile(PDF, name="客户名单比对.pdf")
    checked = check_upload(upload)
    return services.create_complaint(
        Complaint(**values), user, evidence=[(upload, checked, "客户名单比对")]
    )


def act(browser, complaint, action, **data):
    """Post the step's form as the page offers it (its fields carry the action's prefix)."""
    page = browser.get(complaint.get_absolute_url()).content.decode()
    url = reverse("complaints:act", args=[complaint.pk, action])
    assert url in page, f"{action} is not offered"
    return browser.post(url, {f"{action}-{k}": v for k, v in data.items()}, follow=True)


# Intake ---------------------------------------------------------------------------------------


def test_an_officer_registers_a_hotline_call_with_its_evidence(
    changsha_officer, evidence_in_tmp, settings
):
    browser = client(changsha_officer)
    form = browser.get(reverse("complaints:create")).content.decode()
    assert 'type="date"' in form and "multiple" in form
    response = browser.post(
        reverse("complaints:create"),
        intake(evidence=[pdf("图纸比对.pdf"), pdf("劳动合同.pdf")]),
        follow=True,
    )
    complaint = Complaint.objects.get()
    assert response.redirect_chain[-1][0] == complaint.get_absolute_url()
    assert complaint.reference == f"长市监商秘〔{complaint.received_on.year}〕1号"
    assert any(complaint.reference in m for m in messages_of(response))
    page = response.content.decode()
    assert complaint.reference in page
    assert "Candidate for transfer to public security" in page
    assert (complaint.channel, complaint.county_id, complaint.registered_by) == (
        "12315",
        "430104",
        changsha_officer,
    )
    assert complaint.conduct == ["breach_of_confidence", "job_hopping"]
    files = list(complaint.evidence.all())
    assert sorted(f.original_name for f in files) == ["劳动合同.pdf", "图纸比对.pdf"]
    for item in files:
        stored = Path(item.file.path)
        assert stored.is_relative_to(evidence_in_tmp)
        assert not stored.is_relative_to(settings.MEDIA_ROOT)
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_a_county_officer_registers_in_its_county_only(yuelu_officer):
    browser = client(yuelu_officer)
    response = browser.post(reverse("complaints:create"), intake(county="430121"))
    assert response.status_code == 200
    assert not Complaint.objects.exists()
    response = browser.post(reverse("complaints:create"), intake(), follow=True)
    assert Complaint.objects.get().county_id == "430104"


def test_a_complainant_of_the_directory_is_found_by_its_credit_code(
    changsha_officer, changsha_enterprise, yueyang_enterprise
):
    browser = client(changsha_officer)
    response = browser.post(
        reverse("complaints:create"),
        intake(complainant_name="", complainant_credit_code=yueyang_enterprise.uscc),
    )
    assert "No enterprise with this credit code" in response.content.decode()
    assert not Complaint.objects.exists()
    browser.post(
        reverse("complaints:create"),
        intake(
            complainant_name="",
            complainant_credit_code=changsha_enterprise.uscc,
            respondent_credit_code=changsha_enterprise.uscc,
        ),
    )
    complaint = Complaint.objects.get()
    assert complaint.complainant_enterprise == changsha_enterprise
    assert complaint.respondent_enterprise == changsha_enterprise


def _elf():
    return pdf("合同.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200)


def _mz():
    return pdf("发票.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"received_on": (dt.date.today() + dt.timedelta(days=2)).isoformat()},
            "received_on",
            "cannot be in the future",
        ),
        ({"channel": ""}, "channel", "through which channel"),
        ({"evidence": "elf"}, "evidence", "合同.pdf: This kind of file is not accepted"),
        ({"evidence": "mz"}, "evidence", "发票.pdf: This kind of file is not accepted"),
        ({"evidence": "large"}, "evidence", "files may be at most"),
        ({"kind": "complaint", "anonymous": "on"}, "anonymous", "Only a report may be anonymous"),
    ],
    ids=["future", "no-channel", "elf-as-pdf", "mz-as-pdf", "oversized", "anonymous-complaint"],
)
def test_bad_intake_is_refused_with_its_message_and_nothing_is_saved(
    changsha_officer, settings, overrides, field, message, evidence_in_tmp
):
    settings.UPLOAD_MAX_BYTES = 1024
    files = {"elf": [pdf(), _elf()], "mz": [_mz()], "large": [pdf("大.pdf", PDF + b"0" * 2048)]}
    if overrides.get("evidence"):
        overrides = {**overrides, "evidence": files[overrides["evidence"]]}
    else:
        overrides = {**overrides, "evidence": [pdf()]}
    browser = client(changsha_officer)
    response = browser.post(reverse("complaints:create"), intake(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Complaint.objects.exists()
    assert not EvidenceFile.objects.exists()
    assert not ReferenceCounter.objects.filter(last__gt=0).exists()
    assert not any(evidence_in_tmp.rglob("*")) if evidence_in_tmp.exists() else True
    # The next intake gets the first number: nothing was counted for the refused one.
    settings.UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    browser.post(reverse("complaints:create"), intake())
    assert Complaint.objects.get().reference.endswith("〕1号")


def test_a_refusal_by_the_service_leaves_no_number_taken(changsha_officer, monkeypatch):
    """A refusal that only the service sees (after numbering) rolls the counter back too."""

    def refuse(complaint):
        from django.core.exceptions import ValidationError

        raise ValidationError({"description": "拒绝"})

    browser = client(changsha_officer)
    original = services.refresh_clocks
    monkeypatch.setattr(services, "refresh_clocks", refuse)
    response = browser.post(reverse("complaints:create"), intake(evidence=[pdf()]))
    assert response.status_code == 200
    assert "拒绝" in response.content.decode()
    assert not Complaint.objects.exists() and not EvidenceFile.objects.exists()
    assert not ReferenceCounter.objects.filter(last__gt=0).exists()
    monkeypatch.setattr(services, "refresh_clocks", original)


def test_an_enterprise_files_its_own_complaint_online(enterprise_user, changsha_enterprise):
    browser = client(enterprise_user)
    form = browser.get(reverse("complaints:file")).content.decode()
    assert 'name="channel"' not in form and 'name="prefecture"' not in form
    response = browser.post(
        reverse("complaints:file"),
        {
            "enterprise": changsha_enterprise.pk,
            "complainant_contact": "赵经理 0731-88880000",
            "respondent_name": "长沙某某科技有限公司",
            "secret_kind": "formula",
            "conduct": ["data_selling"],
            "description": "配方被离职员工出售。",
            "evidence": [pdf("配方.pdf")],
        },
        follow=True,
    )
    complaint = Complaint.objects.get()
    assert (complaint.kind, complaint.channel) == ("complaint", "online")
    assert complaint.complainant_enterprise == changsha_enterprise
    assert (complaint.prefecture_id, complaint.county_id) == ("430100", "430104")
    assert complaint.received_on == today()
    assert complaint.evidence.get().original_name == "配方.pdf"
    assert response.redirect_chain[-1][0] == complaint.get_absolute_url()
    assert complaint.reference in response.content.decode()
    # Handled in its prefecture's queue; the other prefecture never finds it.
    assert client(enterprise_user).get(complaint.get_absolute_url()).status_code == 200


def test_the_online_form_is_for_enterprises_and_officers_are_sent_to_intake(
    changsha_officer, enterprise_user, expert
):
    assert client(changsha_officer).get(reverse("complaints:file")).status_code == 403
    assert client(expert).get(reverse("complaints:file")).status_code == 403
    response = client(enterprise_user).get(reverse("complaints:create"))
    assert response.status_code == 302 and response["Location"] == reverse("complaints:file")


# The complaint page, audience by audience -----------------------------------------------------


def test_the_complainant_sees_its_status_and_the_feedback_but_nothing_internal(
    changsha_officer, enterprise_user, changsha_enterprise, expert
):
    complaint = register(changsha_officer, enterprise=changsha_enterprise)
    officer = client(changsha_officer)
    act(officer, complaint, "accept", note="内部备注：被投诉人与本局有业务往来")
    officer.post(
        reverse("complaints:log_step", args=[complaint.pk]),
        {
            "kind": "inspection",
            "happened_on": today().isoformat(),
            "actions": "现场检查被投诉人研发中心",
            "findings": "发现相似客户名单",
            "experts": [expert.pk],
        },
    )
    act(officer, complaint, "not_substantiated", note="证据不足以认定侵权")
    act(officer, complaint, "feedback", method="phone", note="已电话告知：证据不足，建议民事诉讼")
    complaint.refresh_from_db()
    page = client(enterprise_user).get(complaint.get_absolute_url()).content.decode()
    assert complaint.reference in page
    assert str(complaint.get_complainant_status_display()) in page
    assert "已电话告知：证据不足，建议民事诉讼" in page  # the feedback
    assert "证据不足以认定侵权" in page  # a public note
    for internal in (
        "内部备注",
        "现场检查被投诉人研发中心",
        "发现相似客户名单",
        str(expert),
        "officer_430100",
        "Investigation log",
        "Evidence access log",
        "Statutory time limits",
        reverse("complaints:evidence", args=[complaint.evidence.get().pk]),
    ):
        assert internal not in page, internal
    assert "state-" not in page and "not_substantiated" not in page  # no internal state name
    assert reverse("complaints:add_evidence", args=[complaint.pk]) in page
    assert "/act/" not in page


def test_the_complainant_adds_evidence_while_the_complaint_is_open(
    changsha_officer, enterprise_user, changsha_enterprise
):
    complaint = register(changsha_officer, enterprise=changsha_enterprise)
    response = client(enterprise_user).post(
        reverse("complaints:add_evidence", args=[complaint.pk]),
        {"files": [pdf("补充证据.pdf")], "title": "补充证据"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith("#evidence")
    assert complaint.evidence.filter(title="补充证据", uploaded_by=enterprise_user).exists()
    # It does not take steps.
    response = client(enterprise_user).post(
        reverse("complaints:act", args=[complaint.pk, "accept"]), follow=True
    )
    assert "Only the bureau handling this complaint" in " ".join(messages_of(response))
    complaint.refresh_from_db()
    assert complaint.state == "received"


def test_another_prefecture_gets_404_on_the_page_the_steps_and_the_evidence(
    changsha_officer, yueyang_officer
):
    complaint = register(changsha_officer)
    browser = client(yueyang_officer)
    evidence = complaint.evidence.get()
    assert browser.get(complaint.get_absolute_url()).status_code == 404
    assert browser.post(reverse("complaints:act", args=[complaint.pk, "accept"])).status_code == 404
    assert browser.get(reverse("complaints:evidence", args=[evidence.pk])).status_code == 404
    assert not EvidenceAccess.objects.exists()


def test_an_expert_consulted_sees_the_evidence_but_not_the_reporter(changsha_officer, expert):
    complaint = register(changsha_officer, kind="report")
    browser = client(expert)
    assert browser.get(complaint.get_absolute_url()).status_code == 404
    services.transition(complaint, "accept", changsha_officer)
    response = client(changsha_officer).post(
        reverse("complaints:log_step", args=[complaint.pk]),
        {
            "kind": "expert",
            "happened_on": today().isoformat(),
            "actions": "请专家比对客户名单",
            "experts": [expert.pk],
        },
        follow=True,
    )
    assert "can now open the evidence" in " ".join(messages_of(response))
    page = browser.get(complaint.get_absolute_url()).content.decode()
    evidence_url = reverse("complaints:evidence", args=[complaint.evidence.get().pk])
    assert evidence_url in page
    assert "请专家比对客户名单" in page
    assert "张三" not in page and "13900001111" not in page
    assert "<form" not in page.split("</header>")[1]
    download = browser.get(evidence_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert EvidenceAccess.objects.get().user == expert


def test_after_a_jurisdiction_transfer_the_sender_keeps_a_read_only_trace(
    changsha_officer, yueyang_officer
):
    complaint = register(changsha_officer)
    officer = client(changsha_officer)
    page = officer.get(complaint.get_absolute_url()).content.decode()
    assert reverse("complaints:transfer", args=[complaint.pk]) in page
    response = officer.post(
        reverse("complaints:transfer", args=[complaint.pk]),
        {"to_prefecture": "430600", "reason": "被投诉人住所地在岳阳市"},
        follow=True,
    )
    assert "read-only trace" in " ".join(messages_of(response))
    complaint.refresh_from_db()
    assert complaint.prefecture_id == "430600"
    trace = response.content.decode()
    assert complaint.reference in trace and "被投诉人住所地在岳阳市" in trace
    assert "<form" not in trace.split("</header>")[1]
    assert "张三" not in trace and "客户名单被离职员工带走" not in trace
    evidence_url = reverse("complaints:evidence", args=[complaint.evidence.get().pk])
    assert evidence_url not in trace
    assert officer.get(evidence_url).status_code == 404
    refused = officer.post(reverse("complaints:act", args=[complaint.pk, "accept"]), follow=True)
    assert "Only the bureau handling" in " ".join(messages_of(refused))
    # The receiving bureau handles it.
    receiver = client(yueyang_officer)
    assert "张三" in receiver.get(complaint.get_absolute_url()).content.decode()
    act(receiver, complaint, "accept")
    complaint.refresh_from_db()
    assert complaint.state == "accepted" and complaint.handler == yueyang_officer
    assert receiver.get(evidence_url).status_code == 200


# Every step through its form ------------------------------------------------------------------


def test_a_complaint_goes_from_receipt_to_closing_through_the_page(
    changsha_officer, enterprise_user, changsha_enterprise, expert
):
    complaint = register(changsha_officer, enterprise=changsha_enterprise)
    officer = client(changsha_officer)
    response = act(officer, complaint, "accept")
    assert response.redirect_chain[-1][0].endswith("#steps")
    assert "Done: Accept" in " ".join(messages_of(response))
    officer.post(
        reverse("complaints:log_step", args=[complaint.pk]),
        {
            "kind": "inspection",
            "happened_on": today().isoformat(),
            "actions": "调取门禁记录",
            "experts": [expert.pk],
        },
    )
    assert client(expert).get(complaint.get_absolute_url()).status_code == 200
    expert_download = client(expert).get(
        reverse("complaints:evidence", args=[complaint.evidence.get().pk])
    )
    assert expert_download.status_code == 200
    act(
        officer, complaint, "propose_transfer", note="损失超过30万元", receiving_unit="长沙市公安局"
    )
    act(officer, complaint, "approve_transfer", approved_by="张局长")
    act(officer, complaint, "send_transfer")
    complaint.refresh_from_db()
    assert complaint.state == "transferred" and complaint.transfer_unit == "长沙市公安局"
    act(
        officer,
        complaint,
        "police_decision",
        police_decision="filed",
        on=today().isoformat(),
        document_number="长公经立字〔2026〕7号",
    )
    act(officer, complaint, "feedback", method="portal", note="已移送长沙市公安局")
    response = act(officer, complaint, "close")
    complaint.refresh_from_db()
    assert complaint.state == "closed"
    page = response.content.decode()
    assert "/act/" not in page and reverse("complaints:log_step", args=[complaint.pk]) not in page
    assert [e.action for e in complaint.events.all()] == [
        "create",
        "accept",
        "investigation",
        "propose_transfer",
        "approve_transfer",
        "send_transfer",
        "police_decision",
        "feedback",
        "close",
    ]
    mine = client(enterprise_user).get(complaint.get_absolute_url()).content.decode()
    assert "已移送长沙市公安局" in mine and "损失超过30万元" not in mine


def test_a_case_with_a_penalty_is_published_before_closing(changsha_officer):
    complaint = register(changsha_officer)
    officer = client(changsha_officer)
    act(officer, complaint, "accept")
    act(officer, complaint, "file_case", case_number="长市监立〔2026〕8号", on=today().isoformat())
    response = act(
        officer,
        complaint,
        "decide_case",
        on=today().isoformat(),
        note="责令停止违法行为，罚款十万元",
        penalty="on",
        decision_number="长市监罚〔2026〕3号",
        facts="当事人使用以不正当手段获取的权利人图纸。",
        content="责令停止违法行为，罚款十万元",
        fine="100000",
    )
    push = CreditPush.objects.get(complaint=complaint)
    assert push.respondent_credit_code == RESPONDENT_USCC
    assert "长市监罚〔2026〕3号" in response.content.decode()
    act(officer, complaint, "feedback", method="phone", note="已告知处罚结果")
    refused = act(officer, complaint, "close")
    assert "Publish the penalty" in " ".join(messages_of(refused))
    response = officer.post(
        reverse("complaints:publish_penalty", args=[complaint.pk]),
        {"published_on": today().isoformat()},
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith("#credit")
    push.refresh_from_db()
    assert push.published_on == today()
    act(officer, complaint, "close")
    complaint.refresh_from_db()
    assert complaint.state == "closed"


def test_a_report_is_paused_resumed_and_extended_through_the_page(changsha_officer):
    complaint = register(changsha_officer, kind="report")
    officer = client(changsha_officer)
    clock = complaint.clocks.get(limit__code="report_verification")
    due = clock.due_on
    response = officer.post(
        reverse("complaints:pause", args=[complaint.pk]),
        {"reason": "identification", "started_on": today().isoformat(), "note": "权利人说明秘密点"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith("#clocks")
    clock.refresh_from_db()
    assert clock.due_on is None
    pause = ClockPause.objects.get()
    assert reverse("complaints:end_pause", args=[pause.pk]) in response.content.decode()
    officer.post(
        reverse("complaints:end_pause", args=[pause.pk]), {"ended_on": today().isoformat()}
    )
    pause.refresh_from_db()
    assert pause.ended_on == today()
    response = officer.post(
        reverse("complaints:extend", args=[complaint.pk]),
        {
            "limit": "report_verification",
            "kind": "approval",
            "approved_by": "李局长",
            "decided_on": today().isoformat(),
            "document_number": "长市监延〔2026〕8号",
            "reason": "需补充调查",
        },
        follow=True,
    )
    assert "is extended" in " ".join(messages_of(response))
    clock.refresh_from_db()
    assert clock.extended and clock.due_on > due
    page = response.content.decode()
    assert "李局长" in page and "需补充调查" in page


def test_a_step_out_of_order_is_refused_and_changes_nothing(changsha_officer):
    complaint = register(changsha_officer)
    events = complaint.events.count()
    response = client(changsha_officer).post(
        reverse("complaints:act", args=[complaint.pk, "close"]), follow=True
    )
    assert response.redirect_chain[-1][0].endswith("#steps")
    assert any("is not possible now" in m for m in messages_of(response))
    response = client(changsha_officer).post(
        reverse("complaints:act", args=[complaint.pk, "file_case"]),
        {"file_case-case_number": "长市监立〔2026〕9号", "file_case-on": today().isoformat()},
        follow=True,
    )
    assert any("is not possible now" in m for m in messages_of(response))
    complaint.refresh_from_db()
    assert complaint.state == "received" and not complaint.case_number
    assert complaint.events.count() == events


def test_a_missing_or_bad_value_is_named_in_the_message(changsha_officer):
    complaint = register(changsha_officer)
    services.transition(complaint, "accept", changsha_officer)
    browser = client(changsha_officer)
    url = reverse("complaints:act", args=[complaint.pk, "file_case"])
    response = browser.post(url, {"file_case-on": today().isoformat()}, follow=True)
    assert any(m.startswith("Case number:") for m in messages_of(response))
    response = browser.post(
        url, {"file_case-case_number": "X", "file_case-on": "not a date"}, follow=True
    )
    assert any(m.startswith("Date:") for m in messages_of(response))
    complaint.refresh_from_db()
    assert complaint.state == "accepted"


def test_a_closed_complaint_refuses_every_change(changsha_officer, expert):
    complaint = register(changsha_officer)
    for action, note, data in (
        ("accept", "", {}),
        ("mediate", "双方和解", {}),
        ("feedback", "已告知调解结果", {"method": "phone"}),
        ("close", "", {}),
    ):
        complaint = services.transition(complaint, action, changsha_officer, note, **data)
    browser = client(changsha_officer)
    events = complaint.events.count()
    posts = [
        (
            reverse("complaints:act", args=[complaint.pk, "feedback"]),
            {"feedback-note": "再次", "feedback-method": "phone"},
        ),
        (reverse("complaints:add_evidence", args=[complaint.pk]), {"files": [pdf()]}),
        (
            reverse("complaints:log_step", args=[complaint.pk]),
            {"kind": "other", "happened_on": today().isoformat(), "actions": "补记"},
        ),
        (
            reverse("complaints:pause", args=[complaint.pk]),
            {"reason": "hearing", "started_on": today().isoformat()},
        ),
    ]
    for url, data in posts:
        response = browser.post(url, data, follow=True)
        assert any("is closed" in m for m in messages_of(response)), url
    complaint.refresh_from_db()
    assert complaint.state == "closed" and complaint.events.count() == events
    assert complaint.evidence.count() == 1 and not complaint.pauses.exists()
    page = browser.get(complaint.get_absolute_url()).content.decode()
    assert "<form" not in page.split('id="deadline"')[1]


# Evidence -------------------------------------------------------------------------------------


def test_opening_evidence_is_logged_and_the_log_is_on_the_page(changsha_officer, province):
    complaint = register(changsha_officer)
    evidence = complaint.evidence.get()
    url = reverse("complaints:evidence", args=[evidence.pk])
    response = client(province).get(url, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    access = EvidenceAccess.objects.get()
    assert (access.user, access.evidence, access.address) == (province, evidence, "10.1.2.3")
    page = client(changsha_officer).get(complaint.get_absolute_url()).content.decode()
    log = page.split('id="evidence-log"')[1].split("</table>")[0]
    assert str(province) in log and "客户名单比对.pdf" in log and "10.1.2.3" in log


def test_the_complainant_and_an_expert_not_consulted_cannot_open_evidence(
    changsha_officer, enterprise_user, changsha_enterprise, expert
):
    complaint = register(changsha_officer, enterprise=changsha_enterprise)
    url = reverse("complaints:evidence", args=[complaint.evidence.get().pk])
    assert client(enterprise_user).get(url).status_code == 404
    assert client(expert).get(url).status_code == 404
    assert not EvidenceAccess.objects.exists()


# Queries --------------------------------------------------------------------------------------


def test_the_page_runs_a_constant_number_of_queries(changsha_officer, province, regions):
    complaint = register(changsha_officer, kind="report")
    services.transition(complaint, "accept", changsha_officer)
    experts = [make_user(f"expert_{n}", Role.EXPERT) for n in range(3)]
    browser = client(changsha_officer)

    def work(n):
        """A step with experts, an evidence file opened, a pause begun and ended."""
        services.log_step(
            complaint,
            changsha_officer,
            kind="interview",
            happened_on=today(),
            actions=f"询问证人{n}",
            experts=experts[: n % 3 + 1],
        )
        upload = ContentFile(PDF, name=f"证据{n}.pdf")
        item = services.add_evidence(
            complaint, upload, check_upload(upload), title=f"证据{n}", user=changsha_officer
        )
        services.open_evidence(item, province, address="10.0.0.1")
        pause = services.start_pause(
            complaint, changsha_officer, reason="appraisal", started_on=today()
        )
        services.end_pause(pause, changsha_officer, ended_on=today())

    work(0)
    browser.get(complaint.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        assert browser.get(complaint.get_absolute_url()).status_code == 200
    for n in range(1, 8):
        work(n)
    assert ComplaintEvent.objects.filter(complaint=complaint).count() > 30
    with CaptureQueriesContext(connection) as many:
        assert browser.get(complaint.get_absolute_url()).status_code == 200
    few_sql = [q["sql"] for q in few.captured_queries]
    many_sql = [q["sql"] for q in many.captured_queries]
    assert len(many) == len(few), "\n\n".join(q for q in many_sql if q not in few_sql)
