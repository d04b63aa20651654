#!/usr/bin/env python3
"""Screenshots of every role's main pages, desktop and phone, Chinese and English.

Run against a portal holding the demo data (``make screenshots`` starts one, runs this and stops
it). Writes ``docs/screenshots/<lang>/<width>/<role>-<page>.png`` (the viewport, not the full
page, in 256 colours to keep the repository small) and ``docs/screenshots/README.md``.
"""

import argparse
import re
import sys
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "demo-pass-2026"
LANGUAGES = {"zh-hans": "Chinese", "en": "English"}
VIEWPORTS = {1280: 800, 390: 844}
FIRST_COMPLAINT = re.compile(r"^/complaints/\d+/$")

# role: (demo user or None, [(page name, path; None is the first complaint of the list)])
ROLES = {
    "officer": (
        "officer_430100",
        [
            ("workbench", "/"),
            ("complaints", "/complaints/"),
            ("complaint", None),
            ("reports-dashboard", "/reports/dashboard/"),
        ],
    ),
    "county-officer": ("officer_430104", [("workbench", "/"), ("enterprises", "/enterprises/")]),
    "province": (
        "province",
        [
            ("workbench", "/"),
            ("complaints-overview", "/complaints/overview/"),
            ("demonstrations", "/demonstrations/"),
            ("reports-inbox", "/reports/inbox/"),
        ],
    ),
    "enterprise": (
        "enterprise1",
        [("workbench", "/"), ("complaints", "/complaints/"), ("assessments", "/assessments/")],
    ),
    "expert": ("expert1", [("workbench", "/"), ("demonstrations", "/demonstrations/")]),
    "anonymous": (
        None,
        [("public", "/public/"), ("guide", "/public/guide/"), ("register", "/accounts/register/")],
    ),
}


def wait_for(base, seconds):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310 (--base)
                return
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f"No portal answers at {base}")
            time.sleep(0.5)


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def first_complaint(page, base):
    page.goto(f"{base}/complaints/")
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(a => a.getAttribute('href'))")
    return next(href for href in hrefs if FIRST_COMPLAINT.match(href))


def save(page, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path)
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def shoot(browser, base):
    shots = []
    for language in LANGUAGES:
        for role, (username, pages) in ROLES.items():
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.add_cookies([{"name": "django_language", "value": language, "url": base}])
            page = context.new_page()
            if username:
                log_in(page, base, username)
            for name, path in pages:
                path = path or first_complaint(page, base)
                page.goto(base + path)
                for width, height in VIEWPORTS.items():
                    page.set_viewport_size({"width": width, "height": height})
                    file = OUT / language / str(width) / f"{role}-{name}.png"
                    save(page, file)
                    shots.append((language, width, role, username, name, path, file))
            context.close()
    return shots


def write_readme(shots):
    lines = [
        "# Screenshots",
        "",
        "The main pages of every role on the demo data, at desktop (1280×800) and phone",
        "(390×844) width, in Chinese and English; the visible viewport, not the full page.",
        "Made by `make screenshots` (a portal on a fresh demo database, then",
        "`scripts/screenshots.py --base http://127.0.0.1:8765`); demo users' password is",
        f"`{PASSWORD}`.",
        "",
        "| Language | Width | Role (user) | Page | File |",
        "|---|---|---|---|---|",
    ]
    for language, width, role, username, name, path, file in shots:
        relative = file.relative_to(OUT).as_posix()
        who = f"{role} (`{username}`)" if username else role
        lines.append(
            f"| {LANGUAGES[language]} | {width} | {who} | {name} `{path}` "
            f"| [{relative}]({relative}) |"
        )
    (OUT / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000", help="the running portal")
    parser.add_argument("--wait", type=float, default=0, help="seconds to wait for it to answer")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    wait_for(base, args.wait)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        shots = shoot(browser, base)
        browser.close()
    write_readme(shots)
    print(f"{len(shots)} screenshots in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
