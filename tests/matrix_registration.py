"""Permission matrix rows of enterprise self-service registration, claims, team and password
reset (tsprotect/accounts). Every claim is registered for the 长沙 enterprise (岳麓区) by a new
account, through the services — the same path as the registration page."""

from .permission_matrix import Row, everyone, logged_in


def _claim(objects, verified=False):
    from tsprotect.accounts import services
    from tsprotect.accounts.models import User

    enterprise = objects["changsha_enterprise"]
    applicant = User(username="applicant1")
    applicant.set_password("registration-pass-2026")
    claim = services.register_enterprise_user(
        user=applicant,
        uscc=enterprise.uscc,
        enterprise_name=enterprise.name,
        contact_person="李四",
        phone="0731-88880000",
    )
    if verified:
        claim = services.verify_claim(claim, by=User.objects.get(username="officer_430100"))
    return claim


def pending_claim(objects):
    return {"pk": _claim(objects).pk}


def verified_claim(objects):
    return {"pk": _claim(objects, verified=True).pk}


def captcha_key(objects):
    from captcha.models import CaptchaStore

    return {"key": CaptchaStore.generate_key()}


IN_SCOPE = {"same_officer": 302, "county_officer": 302, "province": 302}

ROWS = [
    # Registration is for visitors; a logged-in user is sent to the workbench. Its POST is
    # rate-limited per address, so the matrix only GETs it (tests/test_registration.py posts).
    Row("register", everyone(302) | {"anonymous": 200}),
    Row("registration_status", logged_in(200)),
    Row(
        "claims",
        logged_in(403, same_officer=200, other_officer=200, county_officer=200, province=200),
    ),
    Row(
        "claim_detail",
        logged_in(404, same_officer=200, county_officer=200, province=200),
        kwargs=pending_claim,
    ),
    Row("claim_verify", logged_in(404, **IN_SCOPE), kwargs=pending_claim, method="post"),
    Row("claim_verify", logged_in(405), kwargs=pending_claim),
    Row(
        "claim_reject",
        logged_in(404, **IN_SCOPE),
        kwargs=pending_claim,
        method="post",
        data={"reason": "无法核实"},
    ),
    Row(
        "claim_password",
        logged_in(404, same_officer=200, county_officer=200, province=200),
        kwargs=verified_claim,
        method="post",
    ),
    Row("team", logged_in(403)),
    Row("team_deactivate", logged_in(404, **IN_SCOPE), kwargs=verified_claim, method="post"),
    Row("password_reset", everyone(200)),
    Row("password_reset_done", everyone(200)),
    Row("password_reset_confirm", everyone(200), kwargs=lambda o: {"uidb64": "MQ", "token": "x-y"}),
    Row("password_reset_complete", everyone(200)),
    Row("captcha-image", everyone(200), kwargs=captcha_key),
    Row("captcha-image-2x", everyone(200), kwargs=captcha_key),
    Row("captcha-audio", everyone(404), kwargs=captcha_key),
    Row("captcha-refresh", everyone(404)),
]

# Accounts by role (provincial staff). The officer of 长沙市 is the account every row points
# at: only provincial staff reach it; every other persona gets 403 on the lists and forms and
# 404 on the account, as if it did not exist.


def changsha_officer_account(objects):
    from tsprotect.accounts.models import User

    return {"pk": User.objects.get(username="officer_430100").pk}


PROVINCE_ONLY = logged_in(403, province=200)
ACCOUNT_OF_PROVINCE = logged_in(404, province=200)

ROWS += [
    Row("users", PROVINCE_ONLY),
    Row("user_create", PROVINCE_ONLY),
    # An invalid form (no role) answers 200 for provincial staff and writes nothing.
    Row("user_create", PROVINCE_ONLY, method="post", data={"username": "matrix_new"}),
    Row("user_detail", ACCOUNT_OF_PROVINCE, kwargs=changsha_officer_account),
    Row("user_edit", ACCOUNT_OF_PROVINCE, kwargs=changsha_officer_account),
    Row(
        "user_edit",
        ACCOUNT_OF_PROVINCE,
        kwargs=changsha_officer_account,
        method="post",
        data={"role": ""},
    ),
    Row(
        "user_password",
        ACCOUNT_OF_PROVINCE,
        kwargs=changsha_officer_account,
        method="post",
    ),
    Row("user_password", logged_in(405), kwargs=changsha_officer_account),
]
