"""Enterprise self-service registration: claims verified by the prefecture, the manager's team,
password reset and the rate limits of the public account forms."""

import re
import uuid

import pytest
from captcha.models import CaptchaStore
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from enterprises.models import Enterprise
from tsprotect.accounts import services
from tsprotect.accounts.models import ClaimEvent, EnterpriseClaim, Role, User
from tsprotect.notifications.models import Notification

from .conftest import PASSWORD, client_for, make_uscc

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "qiye-zhuce-mima-2026"


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings):
    """Each test counts its own requests: the counters live in the Redis shared by the suite."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"


def registration_page(client):
    return client.get(reverse("register"))


def solve_captcha(page):
    """The captcha's key from the form, and its answer as stored on the server."""
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page.content.decode()).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def register(client, uscc, username="zhangsan", *, solve=True, **overrides):
    page = registration_page(client)
    data = {
        "uscc": uscc,
        "enterprise_name": "长沙麓谷芯片科技有限公司",
        "contact_person": "张三",
        "phone": "0731-88881234",
        "email": f"{username}@example.com",
        "username": username,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **(solve_captcha(page) if solve else {"captcha_0": "x", "captcha_1": "wrong"}),
        **overrides,
    }
    return client.post(reverse("register"), data)


def claim_of(username):
    return EnterpriseClaim.objects.get(user__username=username)


def test_it_registers_a_claim_for_the_directory_record_that_waits_for_the_bureau(
    changsha_enterprise,
):
    client = Client()
    response = register(client, changsha_enterprise.uscc)
    assert response.status_code == 302
    assert response["Location"] == reverse("registration_status")
    claim = claim_of("zhangsan")
    assert claim.status == "pending" and claim.enterprise == changsha_enterprise
    assert claim.prefecture_id == "430100" and claim.county_id == "430104"
    assert claim.user.role == Role.ENTERPRISE and claim.user.enterprise is None
    # Logged in, but sees nothing of any enterprise until verified.
    assert not Enterprise.objects.restrict(claim.user).exists()
    status = client.get(reverse("registration_status")).content.decode()
    assert "等待审核" in status or "Waiting for verification" in status
    assert client.get(reverse("home")).status_code == 200
    detail = client.get(reverse("enterprises:detail", args=[changsha_enterprise.pk]))
    assert detail.status_code in (403, 404)


def test_the_officer_of_that_prefecture_verifies_and_the_user_sees_only_its_enterprise(
    changsha_enterprise, yueyang_enterprise, changsha_officer
):
    register(Client(), changsha_enterprise.uscc)
    claim = claim_of("zhangsan")
    officer = client_for(changsha_officer)
    listing = officer.get(reverse("claims")).content.decode()
    assert "zhangsan" not in listing and claim.enterprise_name in listing
    assert officer.get(reverse("claim_detail", args=[claim.pk])).status_code == 200
    response = officer.post(reverse("claim_verify", args=[claim.pk]))
    assert response.status_code == 302

    claim.refresh_from_db()
    assert claim.status == "verified" and claim.is_manager
    assert claim.decided_by == changsha_officer
    user = User.objects.get(username="zhangsan")
    assert list(Enterprise.objects.restrict(user)) == [changsha_enterprise]
    assert Notification.objects.filter(recipient=user, kind="account_verified").exists()
    assert [e.action for e in claim.events.all()] == ["submitted", "verified"]

    client = Client()
    login = client.post(reverse("login"), {"username": "zhangsan", "password": NEW_PASSWORD})
    assert login["Location"] == reverse("home")
    page = client.get(reverse("enterprises:detail", args=[changsha_enterprise.pk]))
    assert page.status_code == 200
    other = client.get(reverse("enterprises:detail", args=[yueyang_enterprise.pk]))
    assert other.status_code == 404


def test_another_prefectures_officer_cannot_see_or_decide_the_claim(
    changsha_enterprise, yueyang_officer
):
    register(Client(), changsha_enterprise.uscc)
    claim = claim_of("zhangsan")
    officer = client_for(yueyang_officer)
    assert claim.enterprise_name not in officer.get(reverse("claims")).content.decode()
    assert officer.get(reverse("claim_detail", args=[claim.pk])).status_code == 404
    assert officer.post(reverse("claim_verify", args=[claim.pk])).status_code == 404
    assert officer.post(reverse("claim_reject", args=[claim.pk]), {"reason": "x"}).status_code == (
        404
    )
    claim.refresh_from_db()
    assert claim.status == "pending"
    assert not Enterprise.objects.restrict(claim.user).exists()


def test_a_code_not_in_the_directory_proposes_a_record_to_the_prefecture_of_its_digits(
    regions, yueyang_officer, changsha_officer
):
    uscc = make_uscc("430602", "MA4N9W8Y7")  # 岳阳楼区
    register(Client(), uscc, enterprise_name="岳阳新注册科技有限公司")
    claim = claim_of("zhangsan")
    assert claim.enterprise is None
    assert claim.prefecture_id == "430600" and claim.county_id == "430602"
    assert (
        client_for(changsha_officer).get(reverse("claim_detail", args=[claim.pk])).status_code
        == 404
    )

    client_for(yueyang_officer).post(reverse("claim_verify", args=[claim.pk]))
    enterprise = Enterprise.objects.get(uscc=uscc)
    assert enterprise.name == "岳阳新注册科技有限公司"
    assert enterprise.prefecture_id == "430600" and enterprise.county_id == "430602"
    assert enterprise.contact_person == "张三" and enterprise.created_by == yueyang_officer
    user = User.objects.get(username="zhangsan")
    assert list(Enterprise.objects.restrict(user)) == [enterprise]


def test_a_code_whose_digits_name_no_prefecture_of_hunan_is_refused_clearly(regions):
    uscc = make_uscc("110105", "MA4N9W8Y7")  # 北京市朝阳区
    response = register(Client(), uscc)
    assert response.status_code == 200
    assert "110105" in response.content.decode()
    assert (
        not EnterpriseClaim.objects.exists()
        and not User.objects.filter(username="zhangsan").exists()
    )


def test_a_wrong_credit_code_is_refused(regions):
    good = make_uscc("430104", "MA4N9W8Y7")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = register(Client(), wrong)
    assert response.status_code == 200 and not EnterpriseClaim.objects.exists()


def test_someone_elses_code_stays_pending_and_sees_nothing(changsha_enterprise, enterprise_user):
    """An impostor registers with a real enterprise's code: the claim waits, the account sees
    nothing, and the enterprise's own users are not told anything about it."""
    client = Client()
    register(client, changsha_enterprise.uscc, username="impostor")
    claim = claim_of("impostor")
    assert claim.status == "pending"
    impostor = User.objects.get(username="impostor")
    assert not Enterprise.objects.restrict(impostor).exists()
    assert not EnterpriseClaim.objects.restrict(impostor, "team").exists()
    assert client.get(reverse("enterprises:list")).status_code in (403, 200)
    if client.get(reverse("enterprises:list")).status_code == 200:
        assert (
            changsha_enterprise.name not in client.get(reverse("enterprises:list")).content.decode()
        )
    assert client.get(reverse("team")).status_code == 403
    assert client.get(reverse("claims")).status_code == 403


def test_a_rejected_claim_tells_the_user_why_and_grants_nothing(
    changsha_enterprise, changsha_officer
):
    client = Client()
    register(client, changsha_enterprise.uscc)
    claim = claim_of("zhangsan")
    officer = client_for(changsha_officer)
    officer.post(reverse("claim_reject", args=[claim.pk]), {"reason": ""})
    claim.refresh_from_db()
    assert claim.status == "pending"  # a rejection needs its reason
    officer.post(reverse("claim_reject", args=[claim.pk]), {"reason": "电话核实非本企业员工"})
    claim.refresh_from_db()
    assert claim.status == "rejected" and claim.reason == "电话核实非本企业员工"
    assert not Enterprise.objects.restrict(claim.user).exists()
    assert "电话核实非本企业员工" in client.get(reverse("registration_status")).content.decode()
    assert Notification.objects.filter(recipient=claim.user, kind="account_rejected").exists()
    # A decided claim cannot be verified afterwards.
    officer.post(reverse("claim_verify", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == "rejected"


def test_the_captcha_is_required(changsha_enterprise):
    response = register(Client(), changsha_enterprise.uscc, solve=False)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["captcha"]
    assert not EnterpriseClaim.objects.exists()
    page = registration_page(Client()).content.decode()
    assert re.search(r'<img[^>]+src="/accounts/captcha/image/', page)


def test_a_logged_in_user_is_not_offered_registration(changsha_officer):
    assert client_for(changsha_officer).get(reverse("register")).status_code == 302


def test_rapid_registrations_from_one_address_are_throttled_with_a_clear_message(settings, regions):
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = []
    for attempt in range(100):
        response = client.post(reverse("register"), {"uscc": "x", "username": f"bot{attempt}"})
        statuses.append(response.status_code)
    limit = int(settings.RATELIMITS["register"].split("/")[0])
    assert statuses[:limit] == [200] * limit
    assert set(statuses[limit:]) == {429}
    page = response.content.decode()
    assert "操作过于频繁" in page or "Too many attempts" in page
    assert "<header" in page  # rendered in the portal's layout
    # Another address is not affected.
    assert Client(REMOTE_ADDR="203.0.113.8").post(reverse("register"), {}).status_code == 200


def test_failed_logins_from_one_address_are_throttled_without_breaking_axes(
    settings, changsha_officer
):
    settings.RATELIMITS = {**settings.RATELIMITS, "login_failure": "3/10m"}
    client = Client(REMOTE_ADDR="203.0.113.9")
    users = ["nobody-a", "nobody-b", "nobody-c"]
    for username in users:
        response = client.post(reverse("login"), {"username": username, "password": "x"})
        assert response.status_code == 200
    blocked = client.post(reverse("login"), {"username": "officer_430100", "password": PASSWORD})
    assert blocked.status_code == 429
    # The officer, from the bureau's own address, still logs in.
    ok = Client(REMOTE_ADDR="198.51.100.1").post(
        reverse("login"), {"username": "officer_430100", "password": PASSWORD}
    )
    assert ok.status_code == 302


def test_the_manager_sees_the_team_and_approves_and_deactivates_a_colleague(
    changsha_enterprise, changsha_officer
):
    first = Client()
    register(first, changsha_enterprise.uscc, username="manager1")
    client_for(changsha_officer).post(reverse("claim_verify", args=[claim_of("manager1").pk]))
    register(Client(), changsha_enterprise.uscc, username="colleague1")
    colleague = claim_of("colleague1")

    manager = client_for(User.objects.get(username="manager1"))
    team = manager.get(reverse("team"))
    assert team.status_code == 200
    assert "colleague1" in team.content.decode() and "manager1" in team.content.decode()

    assert manager.post(reverse("claim_verify", args=[colleague.pk])).status_code == 302
    colleague.refresh_from_db()
    assert colleague.status == "verified" and not colleague.is_manager
    colleague_user = User.objects.get(username="colleague1")
    assert list(Enterprise.objects.restrict(colleague_user)) == [changsha_enterprise]
    # The colleague is not a manager.
    assert client_for(colleague_user).get(reverse("team")).status_code == 403

    manager.post(reverse("team_deactivate", args=[colleague.pk]))
    colleague_user.refresh_from_db()
    assert not colleague_user.is_active
    assert not Enterprise.objects.restrict(colleague_user).exists()
    # The manager cannot deactivate themselves, nor reach the claims list of officers.
    own = claim_of("manager1")
    manager.post(reverse("team_deactivate", args=[own.pk]))
    assert User.objects.get(username="manager1").is_active
    assert manager.get(reverse("claims")).status_code == 403
    assert manager.get(reverse("claim_detail", args=[colleague.pk])).status_code == 404


def test_a_manager_cannot_decide_claims_of_another_enterprise(
    changsha_enterprise, changsha_other_county_enterprise, changsha_officer
):
    register(Client(), changsha_enterprise.uscc, username="manager1")
    client_for(changsha_officer).post(reverse("claim_verify", args=[claim_of("manager1").pk]))
    register(Client(), changsha_other_county_enterprise.uscc, username="stranger")
    manager = client_for(User.objects.get(username="manager1"))
    stranger = claim_of("stranger")
    assert manager.post(reverse("claim_verify", args=[stranger.pk])).status_code == 404
    assert "stranger" not in manager.get(reverse("team")).content.decode()


def test_the_reset_page_says_whom_to_ask_when_the_portal_sends_no_mail(settings, regions):
    settings.EMAIL_HOST = ""
    page = Client().get(reverse("password_reset")).content.decode()
    assert "市场监督管理局" in page and 'name="email"' not in page
    Client().post(reverse("password_reset"), {"email": "a@example.com"})
    assert mail.outbox == []


def test_the_password_is_reset_by_email_when_mail_is_configured(settings, changsha_enterprise):
    settings.EMAIL_HOST = "smtp.example.invalid"
    register(Client(), changsha_enterprise.uscc)
    client = Client()
    assert 'name="email"' in client.get(reverse("password_reset")).content.decode()
    response = client.post(reverse("password_reset"), {"email": "zhangsan@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "ling-yi-ge-mima-2026", "new_password2": "ling-yi-ge-mima-2026"},
    )
    assert done["Location"] == reverse("password_reset_complete")
    assert User.objects.get(username="zhangsan").check_password("ling-yi-ge-mima-2026")


def test_password_reset_posts_are_throttled(settings, regions):
    settings.EMAIL_HOST = "smtp.example.invalid"
    client = Client(REMOTE_ADDR="203.0.113.10")
    limit = int(settings.RATELIMITS["password_reset"].split("/")[0])
    for _attempt in range(limit):
        client.post(reverse("password_reset"), {"email": "x@example.com"})
    assert client.post(reverse("password_reset"), {"email": "x@example.com"}).status_code == 429


def test_an_officer_sets_a_temporary_password_for_a_verified_user_of_their_prefecture(
    changsha_enterprise, changsha_officer, yueyang_officer
):
    register(Client(), changsha_enterprise.uscc)
    claim = claim_of("zhangsan")
    officer = client_for(changsha_officer)
    # Not before verification.
    officer.post(reverse("claim_password", args=[claim.pk]))
    assert User.objects.get(username="zhangsan").check_password(NEW_PASSWORD)
    officer.post(reverse("claim_verify", args=[claim.pk]))

    assert (
        client_for(yueyang_officer).post(reverse("claim_password", args=[claim.pk])).status_code
        == 404
    )
    response = officer.post(reverse("claim_password", args=[claim.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    password = re.search(r'<p class="mono">([0-9a-f-]+)</p>', response.content.decode()).group(1)
    user = User.objects.get(username="zhangsan")
    assert user.check_password(password) and not user.check_password(NEW_PASSWORD)
    event = claim.events.get(action=ClaimEvent.Action.TEMPORARY_PASSWORD)
    assert event.by == changsha_officer
    history = officer.get(reverse("claim_detail", args=[claim.pk])).content.decode()
    assert "临时密码" in history or "Temporary password" in history


def test_the_service_refuses_to_verify_twice(changsha_enterprise, changsha_officer):
    register(Client(), changsha_enterprise.uscc)
    claim = claim_of("zhangsan")
    services.verify_claim(claim, by=changsha_officer)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.verify_claim(claim, by=changsha_officer)


# Verification binds an account only to a record the verifier keeps --------------------------

OUT_OF_REACH = (
    "An enterprise with this credit code is already in the directory, outside the records you "
    "keep; the provincial bureau can verify this registration."
)


def shown(message):
    with translation.override("zh-hans"):
        return gettext(message)


def verify_as(officer, claim):
    response = client_for(officer).post(reverse("claim_verify", args=[claim.pk]), follow=True)
    return [str(message) for message in response.context["messages"]]


def test_verifying_a_new_code_filed_meanwhile_by_another_prefecture_binds_nothing(
    changsha_officer, yueyang_officer
):
    uscc = make_uscc("430104", "MA4N9W8Y7")  # 岳麓区 digits, not in the directory yet
    register(Client(), uscc, enterprise_name="长沙新注册科技有限公司")
    claim = claim_of("zhangsan")
    assert claim.prefecture_id == "430100" and claim.enterprise is None
    # 岳阳 files a record under that code (the code's digits are only a warning).
    yueyang_record = Enterprise.objects.create(
        uscc=uscc, name="岳阳某公司", prefecture_id="430600", county_id="430602"
    )

    assert verify_as(changsha_officer, claim) == [shown(OUT_OF_REACH)]
    claim.refresh_from_db()
    assert claim.status == "pending" and claim.enterprise is None
    assert not Enterprise.objects.restrict(claim.user).exists()
    assert not claim.user.has_perm("enterprises.act_for_enterprise", yueyang_record)
    assert Enterprise.objects.filter(uscc=uscc).count() == 1


def test_a_claim_whose_enterprise_moved_to_another_prefecture_is_not_bound_by_the_old_one(
    changsha_enterprise, changsha_officer, province
):
    register(Client(), changsha_enterprise.uscc)
    claim = claim_of("zhangsan")
    changsha_enterprise.prefecture_id, changsha_enterprise.county_id = "430600", "430602"
    changsha_enterprise.save()

    assert verify_as(changsha_officer, claim) == [shown(OUT_OF_REACH)]
    claim.refresh_from_db()
    assert claim.status == "pending"
    assert not Enterprise.objects.restrict(claim.user).exists()
    # The province keeps every record, so it can decide the registration.
    services.verify_claim(claim, by=province)
    user = User.objects.get(username="zhangsan")
    assert list(Enterprise.objects.restrict(user)) == [changsha_enterprise]
