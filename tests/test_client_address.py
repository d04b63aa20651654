"""The client's address behind the bureau's proxy: one function for every throttle, the login
lockout and the evidence log, reading only what the trusted proxy wrote."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from complaints.models import EvidenceAccess
from tsprotect.core.network import client_ip

from .conftest import PASSWORD
from .test_complaint_pages import client as english_client
from .test_complaint_pages import register
from .test_trainings import form_data, make_event

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"  # nginx on the same host: every request reaches the portal from it


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def through_proxy(address, forged=""):
    """A browser at ``address`` whose requests nginx passes on, having appended ``address`` to
    whatever X-Forwarded-For the browser sent (``forged``)."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{forged}, {address}".lstrip(", "))


def meta(**headers):
    return RequestFactory().get("/", **headers)


def log_in(browser, username, password, **headers):
    return browser.post(reverse("login"), {"username": username, "password": password}, **headers)


# The address ----------------------------------------------------------------------------------


def test_it_takes_the_address_the_trusted_proxy_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = meta(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
    assert client_ip(request) == "203.0.113.5"
    settings.TRUSTED_PROXY_COUNT = 2  # a load balancer in front of nginx
    assert client_ip(request) == "1.1.1.1"


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = meta(REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert client_ip(request) == "198.51.100.4"


@pytest.mark.parametrize(
    "header",
    [
        "",  # reached the portal without the proxy
        '203.0.113.5, "',  # an unclosed quote must not swallow what nginx appended
        "203.0.113.5, not-an-address",
        "203.0.113.5,",
    ],
)
def test_what_the_proxy_did_not_vouch_for_falls_back_to_the_proxy_address(settings, header):
    settings.TRUSTED_PROXY_COUNT = 1
    request = meta(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == PROXY


def test_an_unclosed_quote_in_the_forged_part_does_not_hide_the_real_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = meta(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR='1.1.1.1, ", 203.0.113.5')
    assert client_ip(request) == "203.0.113.5"


# Login ----------------------------------------------------------------------------------------


def test_forty_failed_logins_throttle_that_address_and_no_other(
    behind_proxy, settings, changsha_officer
):
    attacker = through_proxy("203.0.113.66")
    statuses = [log_in(attacker, f"guess{n}", "wrong-password").status_code for n in range(40)]
    limit = int(settings.RATELIMITS["login_failure"].split("/")[0])
    assert limit == 30
    assert statuses == [200] * limit + [429] * (40 - limit)
    # The right password from the attacker's address is refused too.
    assert log_in(attacker, "officer_430100", PASSWORD).status_code == 429
    # A forged X-Forwarded-For does not make the attacker someone else.
    forged = log_in(
        Client(REMOTE_ADDR=PROXY),
        "officer_430100",
        PASSWORD,
        HTTP_X_FORWARDED_FOR="198.51.100.23, 203.0.113.66",
    )
    assert forged.status_code == 429
    # The officer, at the bureau's address, logs in.
    officer = through_proxy("198.51.100.23")
    response = log_in(officer, "officer_430100", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_the_admin_login_is_no_way_around_the_address_limit(behind_proxy, settings, province):
    settings.RATELIMITS = {**settings.RATELIMITS, "login_failure": "2/10m"}
    attacker = through_proxy("203.0.113.69")
    for n in range(2):
        log_in(attacker, f"guess{n}", "wrong-password")
    assert log_in(attacker, "province", PASSWORD).status_code == 429
    response = attacker.post(
        reverse("admin:login"), {"username": "province", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in attacker.session


def test_a_stranger_cannot_lock_a_known_officer_out(behind_proxy, settings, changsha_officer):
    stranger = through_proxy("203.0.113.67")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(stranger, "officer_430100", "wrong-password")
    locked = log_in(stranger, "officer_430100", PASSWORD)
    assert locked.status_code == 429 and "锁定" in locked.content.decode()
    assert log_in(through_proxy("198.51.100.24"), "officer_430100", PASSWORD).status_code == 302


def test_the_lockout_records_the_client_address(behind_proxy, changsha_officer):
    from axes.models import AccessAttempt

    log_in(through_proxy("203.0.113.68", forged="10.9.9.9"), "officer_430100", "wrong")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.68"]


# Public forms and API -------------------------------------------------------------------------


def _register(browser, **headers):
    return browser.post(reverse("register"), {}, **headers)


def _password_reset(browser, **headers):
    return browser.post(reverse("password_reset"), {"email": "x@example.com"}, **headers)


def _public_report(browser, **headers):
    return browser.post(reverse("public:report"), {}, **headers)


def _public_api(browser, **headers):
    return browser.get(reverse("api:public-notice-list"), **headers)


@pytest.mark.parametrize(
    ("rate", "send"),
    [
        ("register", _register),
        ("password_reset", _password_reset),
        ("public_report", _public_report),
        ("public_api", _public_api),
    ],
)
def test_each_public_throttle_counts_the_client_behind_the_proxy(
    behind_proxy, settings, regions, rate, send
):
    settings.RATELIMITS = {**settings.RATELIMITS, rate: "2/h"}
    flooder = through_proxy("203.0.113.70")
    assert [send(flooder).status_code != 429 for _ in range(2)] == [True, True]
    assert send(flooder).status_code == 429
    forged = send(Client(REMOTE_ADDR=PROXY), HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.70")
    assert forged.status_code == 429
    assert send(through_proxy("198.51.100.9")).status_code != 429


@pytest.mark.parametrize(
    ("rate", "send"),
    [("public_api", _public_api), ("login_failure", lambda b: log_in(b, "nobody", "wrong"))],
)
def test_requests_without_any_address_share_one_limit_instead_of_failing(
    behind_proxy, settings, regions, rate, send
):
    """gunicorn on a unix socket sees no REMOTE_ADDR; a proxy that forgot X-Forwarded-For leaves
    the portal no address at all. The throttles count all such requests together."""
    settings.RATELIMITS = {**settings.RATELIMITS, rate: "2/h"}
    nowhere = Client(REMOTE_ADDR="")
    assert [send(nowhere).status_code for _ in range(2)] == [200, 200]
    assert send(nowhere).status_code == 429
    assert send(Client(REMOTE_ADDR="")).status_code == 429
    assert send(through_proxy("198.51.100.11")).status_code == 200


def test_the_training_sign_up_throttle_counts_the_client_behind_the_proxy(
    behind_proxy, changsha_officer
):
    event = make_event(changsha_officer, capacity=100)
    url = reverse("public:training", args=[event.pk])
    flooder = through_proxy("203.0.113.71")
    for n in range(10):
        assert flooder.post(url, form_data(phone=f"1380013{n:04d}")).status_code == 302
    assert flooder.post(url, form_data(phone="13800139998")).status_code == 429
    assert through_proxy("198.51.100.10").post(url, form_data()).status_code == 302


# Logs -----------------------------------------------------------------------------------------


def test_the_evidence_log_records_the_client_behind_the_proxy(
    behind_proxy, changsha_officer, province
):
    evidence = register(changsha_officer).evidence.get()
    browser = english_client(province)
    url = reverse("complaints:evidence", args=[evidence.pk])
    response = browser.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.72")
    assert response.status_code == 200
    assert EvidenceAccess.objects.get().address == "203.0.113.72"
