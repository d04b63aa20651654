"""The permission matrix: every URL of the portal × every persona → the expected status.

A new URL without a row here fails ``test_every_url_is_declared``. Each row names the URL, how
to build its arguments from the matrix objects (all of them in 长沙市, 岳麓区 unless the row
says otherwise), and the status each persona gets. ``LOGIN`` is a redirect to the login page.
The Django admin is covered by the generic rule in ``test_permission_matrix.py``.
"""

from dataclasses import dataclass, field

PERSONAS = (
    "anonymous",
    "enterprise",
    "expert",
    "same_officer",
    "other_officer",
    "county_officer",
    "province",
)
LOGIN = "login"  # 302 to /accounts/login/


def everyone(status):
    return dict.fromkeys(PERSONAS, status)


def logged_in(status, anonymous=LOGIN, **overrides):
    return {**everyone(status), "anonymous": anonymous, **overrides}


@dataclass
class Row:
    name: str
    expect: dict
    kwargs: callable = None  # objects -> URL kwargs
    method: str = "get"
    data: dict = field(default_factory=dict)
    query: str = ""


def changsha_enterprise(objects):
    return {"pk": objects["changsha_enterprise"].pk}


MATRIX = [
    # Portal shell
    Row("home", logged_in(200)),
    Row("login", everyone(302) | {"anonymous": 200}),
    Row("logout", everyone(302), method="post"),
    Row("password_change", logged_in(200)),
    Row("set_language", everyone(302), method="post", data={"language": "en", "next": "/"}),
    Row("healthz", everyone(200)),
    # Enterprise directory
    Row("enterprises:list", logged_in(200, expert=403)),
    Row("enterprises:mine", logged_in(404, enterprise=302)),
    Row(
        "enterprises:detail",
        logged_in(200, expert=404, other_officer=404),
        kwargs=changsha_enterprise,
    ),
    # JSON API
    Row("api:api-root", logged_in(200, anonymous=401)),
    Row("api:enterprise-list", logged_in(200, anonymous=401, expert=403)),
    Row(
        "api:enterprise-detail",
        logged_in(200, anonymous=401, expert=404, other_officer=404),
        kwargs=changsha_enterprise,
    ),
    Row("api-schema", logged_in(200, anonymous=401)),
    Row("api-docs", logged_in(200, anonymous=401)),
    Row("favicon", everyone(302)),
]
