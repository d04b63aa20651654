"""A working morning at the portal, for `make load` (loadtest/README.md).

The demo's personas (seed_demo) log in, then do what they do with 1–3 s between pages: the
prefecture officers of 长沙, 岳阳 and 郴州 and the county officer of 岳麓区 search the directory,
open records, work the complaints queue, demonstrations and checklists; the province looks across
the prefectures; the expert opens what is assigned; the enterprise user its own record and
filings; the public reads the public pages without logging in. Every request is named by its
kind, so the report gives p50/p95 per kind of page, and logins apart (loadtest/report.py).
"""

import os
import random
import re

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from report import Recorder

PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Directory searches an officer types: two-character bigrams, a longer name, an exact credit code.
SEARCHES = ["重工", "科技", "新材料", "湖南", "生物医药", "食品"]

recorder = Recorder()


@events.init.add_listener
def _record(environment, **_kwargs):
    recorder.attach(environment)


def _ids(html: str, prefix: str) -> list[str]:
    """The record ids a list page links to under ``prefix`` (e.g. /enterprises/12/)."""
    found = re.findall(re.escape(prefix) + r"(\d+)/\"", html)
    return sorted(set(found))


class Persona(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)
    usernames: list[str] = []

    def on_start(self):
        username = random.choice(self.usernames)
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text or "")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # A successful login redirects; a refused one shows the form again with 200.
            if response.status_code != 302:
                response.failure(f"{username} not logged in ({response.status_code})")
                self.stop()

    def get(self, path, kind):
        return self.client.get(path, name=kind)

    def list_then_open(self, list_path, list_kind, detail_prefix, detail_kind):
        """Open a list page, and one of the records it shows (as a user clicks through)."""
        page = self.get(list_path, list_kind)
        ids = _ids(page.text or "", detail_prefix) if page.status_code == 200 else []
        if ids:
            self.get(f"{detail_prefix}{random.choice(ids)}/", detail_kind)


class Officer(Persona):
    """A prefecture bureau's officer: the bulk of the portal's daily users."""

    weight = 8
    usernames = ["officer_430100", "officer_430600", "officer_431000"]

    @task(3)
    def workbench(self):
        self.get("/", "workbench")

    @task(4)
    def directory(self):
        self.list_then_open("/enterprises/", "directory", "/enterprises/", "record")

    @task(4)
    def search(self):
        self.list_then_open(
            f"/enterprises/?q={random.choice(SEARCHES)}", "search", "/enterprises/", "record"
        )

    @task(3)
    def complaints(self):
        self.list_then_open("/complaints/", "complaints", "/complaints/", "complaint")

    @task(2)
    def demonstrations(self):
        self.list_then_open(
            "/demonstrations/", "demonstrations", "/demonstrations/", "demonstration"
        )

    @task(2)
    def checklists(self):
        self.list_then_open("/assessments/", "checklists", "/assessments/", "checklist")

    @task(1)
    def notifications(self):
        self.get("/notifications/", "notifications")


class CountyOfficer(Officer):
    weight = 2
    usernames = ["officer_430104"]


class Province(Officer):
    """The provincial staff: the same pages across every prefecture, and the complaints overview."""

    weight = 2
    usernames = ["province"]

    @task(1)
    def overview(self):
        self.get("/complaints/overview/", "complaints")


class Expert(Persona):
    weight = 1
    usernames = ["expert1"]

    @task(2)
    def workbench(self):
        self.get("/", "workbench")

    @task(3)
    def demonstrations(self):
        self.list_then_open(
            "/demonstrations/", "demonstrations", "/demonstrations/", "demonstration"
        )

    @task(1)
    def complaints(self):
        self.list_then_open("/complaints/", "complaints", "/complaints/", "complaint")


class EnterpriseUser(Persona):
    weight = 3
    usernames = ["enterprise1"]

    @task(3)
    def workbench(self):
        self.get("/", "workbench")

    @task(2)
    def own_record(self):
        self.get("/enterprises/mine/", "record")

    @task(2)
    def checklists(self):
        self.list_then_open("/assessments/", "checklists", "/assessments/", "checklist")

    @task(1)
    def demonstrations(self):
        self.list_then_open(
            "/demonstrations/", "demonstrations", "/demonstrations/", "demonstration"
        )

    @task(1)
    def complaints(self):
        self.list_then_open("/complaints/", "complaints", "/complaints/", "complaint")


class Public(FastHttpUser):
    """A visitor of the public pages: no login."""

    weight = 4
    wait_time = between(1, 3)

    @task(3)
    def home(self):
        self.client.get("/public/", name="public")

    @task(2)
    def notices(self):
        self.client.get("/public/notices/", name="public")

    @task(2)
    def designations(self):
        self.client.get("/public/designations/", name="public")

    @task(1)
    def tips(self):
        self.client.get("/public/tips/", name="public")

    @task(1)
    def trainings(self):
        self.client.get("/public/trainings/", name="public")
