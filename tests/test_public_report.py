"""The public report form (举报, ``/public/report/``): anyone reports an infringement without an
account; the bureau of the chosen prefecture handles it like any intake; the reporter's identity
stays with that bureau; the form is guarded by the offline captcha and a rate per address."""

import re

import pytest
from captcha.models import CaptchaStore
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from complaints import services
from complaints.models import Complaint, EvidenceFile, ReferenceCounter
from tsprotect.notifications.models import Notification

from .conftest import client_for
from .test_permission_matrix import url_names

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REPORTER_NAME = "欧阳举报人"
REPORTER_CONTACT = "13712345678"
DESCRIPTION = "前技术总监离职后带走全部工艺图纸，并在新公司生产同类产品。"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def visitor(address="198.51.100.20"):
    browser = Client(REMOTE_ADDR=address)
    browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def solve_captcha(page):
    """The captcha's key from the form, and its answer as stored on the server."""
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page.content.decode()).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def send_report(browser=None, *, solve=True, **overrides):
    browser = browser or visitor()
    page = browser.get(reverse("public:report"))
    data = {
        "prefecture": "430100",
        "respondent_name": "长沙某某科技有限公司",
        "respondent_individuals": "李四，原技术总监",
        "secret_kind": "process",
        "conduct": ["breach_of_confidence", "job_hopping"],
        "description": DESCRIPTION,
        "complainant_name": "",
        "complainant_contact": "",
        "evidence": [SimpleUploadedFile("图纸比对.pdf", PDF, content_type="application/pdf")],
        **(solve_captcha(page) if solve else {"captcha_0": "x", "captcha_1": "wrong"}),
        **overrides,
    }
    return browser.post(reverse("public:report"), {k: v for k, v in data.items() if v is not None})


def named(**overrides):
    return send_report(
        complainant_name=REPORTER_NAME, complainant_contact=REPORTER_CONTACT, **overrides
    )


def test_it_registers_an_anonymous_report_for_the_chosen_prefecture(regions):
    response = send_report()
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    year = timezone.localdate().year
    assert re.fullmatch(rf"长市监商秘〔{year}〕\d+号", complaint.reference)
    assert (complaint.kind, complaint.channel, complaint.anonymous) == ("report", "online", True)
    assert complaint.prefecture_id == "430100" and complaint.received_on == timezone.localdate()
    assert complaint.conduct == ["breach_of_confidence", "job_hopping"]
    assert complaint.evidence.get().original_name == "图纸比对.pdf"
    assert complaint.accept_deadline is not None  # the 15-working-day clock runs
    # Registered by the platform's system account, which can never log in.
    system = complaint.registered_by
    assert system.username == "public-platform" and not system.is_active
    assert not system.has_usable_password() and not system.role
    assert complaint.events.get().actor == system
    # Another prefecture's bureau numbers its own.
    send_report(prefecture="430600")
    assert Complaint.objects.get(prefecture_id="430600").reference.startswith("岳市监商秘")
    assert Complaint.objects.filter(registered_by=system).count() == 2


def test_a_named_report_keeps_the_reporter_and_owes_them_the_decision(changsha_officer):
    named()
    complaint = Complaint.objects.get()
    assert (complaint.complainant_name, complaint.complainant_contact) == (
        REPORTER_NAME,
        REPORTER_CONTACT,
    )
    assert not complaint.anonymous and complaint.real_name
    assert not complaint.clocks.filter(limit__code="reporter_notice").exists()
    services.transition(complaint, "refuse", changsha_officer, note="不属于商业秘密")
    clock = complaint.clocks.get(limit__code="reporter_notice")
    assert clock.due_on is not None and clock.met_at is None


def test_an_anonymous_reporter_is_owed_no_notice(changsha_officer):
    send_report()
    complaint = Complaint.objects.get()
    services.transition(complaint, "refuse", changsha_officer, note="线索不足")
    assert not complaint.clocks.filter(limit__code="reporter_notice").exists()


def test_a_name_without_a_way_to_reach_the_reporter_is_asked_for_both(regions):
    response = send_report(complainant_name=REPORTER_NAME)
    assert response.status_code == 200
    assert "leave both empty to report anonymously" in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_officers_of_that_prefecture_are_notified_and_find_it_in_their_queue(
    changsha_officer, yueyang_officer
):
    send_report()
    complaint = Complaint.objects.get()
    notice = Notification.objects.get(recipient=changsha_officer, kind="complaint_received")
    assert complaint.reference in notice.title and notice.url == complaint.get_absolute_url()
    queue = client_for(changsha_officer).get(reverse("complaints:list")).content.decode()
    assert complaint.reference in queue
    # Another prefecture's officer is neither told nor able to find it.
    assert not Notification.objects.filter(recipient=yueyang_officer).exists()
    other = client_for(yueyang_officer)
    assert complaint.reference not in other.get(reverse("complaints:list")).content.decode()
    assert other.get(complaint.get_absolute_url()).status_code == 404


def test_a_disguised_executable_is_refused_and_nothing_is_saved(regions):
    disguised = SimpleUploadedFile("发票.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200)
    response = send_report(evidence=[disguised])
    assert response.status_code == 200
    assert "发票.pdf" in response.content.decode()
    assert not Complaint.objects.exists() and not EvidenceFile.objects.exists()
    assert not ReferenceCounter.objects.exists()


def test_more_than_three_files_are_refused(regions):
    files = [SimpleUploadedFile(f"{n}.pdf", PDF, content_type="application/pdf") for n in "abcd"]
    response = send_report(evidence=files)
    assert "At most 3 files" in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_captcha_is_required(regions):
    wrong = send_report(solve=False)
    assert wrong.status_code == 200
    assert "The verification code is wrong" in wrong.content.decode()
    missing = send_report(captcha_0=None, captcha_1=None)
    assert missing.status_code == 200 and "captcha" in missing.context["form"].errors
    assert not Complaint.objects.exists()


def test_a_short_description_is_refused(regions):
    response = send_report(description="图纸被带走")
    assert "description" in response.context["form"].errors
    assert not Complaint.objects.exists()


def _pages(complaint):
    """Every named GET page of the portal, with the complaint's id where a page takes one."""
    for name in sorted(set(url_names())):
        if name.startswith("admin:") or "<" in name or name in ("logout",):
            continue
        for kwargs in ({}, {"pk": complaint.pk}, {"fmt": "csv"}):
            try:
                yield reverse(name, kwargs=kwargs)
                break
            except NoReverseMatch:
                continue


def _content(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def test_no_page_shows_the_reporter_to_anyone_but_the_bureau_handling_it(
    personas, changsha_officer
):
    response = named()
    complaint = Complaint.objects.get()
    thanks = response.content.decode()
    assert complaint.reference in thanks
    for private in (REPORTER_NAME, REPORTER_CONTACT, DESCRIPTION, "长沙某某科技有限公司", "图纸"):
        assert private not in thanks, private
    # An expert consulted on the report sees its facts, never who reported it.
    services.transition(complaint, "accept", changsha_officer)
    services.log_step(
        complaint,
        changsha_officer,
        kind="expert",
        happened_on=timezone.localdate(),
        actions="请专家比对工艺图纸",
        experts=[personas["expert"]],
    )
    handlers = {"same_officer", "province"}
    pages = list(_pages(complaint))
    assert complaint.get_absolute_url() in pages and reverse("public:report") in pages
    for persona, user in personas.items():
        if persona in ("objects", *handlers):
            continue
        browser = client_for(user)
        for url in pages:
            page = _content(browser.get(url))
            assert REPORTER_NAME not in page and REPORTER_CONTACT not in page, (persona, url)
    # The check is meaningful: the bureau handling it does see the reporter.
    handler_page = client_for(changsha_officer).get(complaint.get_absolute_url())
    assert REPORTER_NAME in handler_page.content.decode()


def test_the_sixth_report_within_the_hour_from_one_address_gets_the_429_page(settings, regions):
    browser = visitor("203.0.113.30")
    limit = int(settings.RATELIMITS["public_report"].split("/")[0])
    assert limit == 5
    for _attempt in range(limit):
        assert browser.post(reverse("public:report"), {}).status_code == 200
    blocked = browser.post(reverse("public:report"), {})
    assert blocked.status_code == 429
    page = blocked.content.decode()
    assert "Too many attempts from your network address" in page and "<header" in page
    assert browser.get(reverse("public:report")).status_code == 200  # reading is not limited
    assert send_report(visitor("203.0.113.31")).status_code == 200  # another address may
    assert Complaint.objects.count() == 1
