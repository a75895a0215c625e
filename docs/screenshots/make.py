"""Screenshots of the main pages for the README, from the demo data.

    PORT=8765 bin/demo &      # or any running demo
    .venv/bin/python docs/screenshots/make.py http://127.0.0.1:8765

Debian's chromium, viewport-sized PNGs reduced to 256 colours (each under 150 KB).
"""

import io
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent
PASSWORD = "demo-password-2026"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def save(page, name: str) -> None:
    image = Image.open(io.BytesIO(page.screenshot()))
    image = image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
    image.save(OUT / f"{name}.png", optimize=True)


def session(browser, username: str, language: str, viewport: dict):
    context = browser.new_context(
        base_url=BASE, viewport=viewport, locale="fr-BE", timezone_id="Europe/Brussels"
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": BASE}])
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    switch = page.locator(f'.lang-switch button[value="{language}"]')
    if switch.count():  # the user's own language came back at login: switch
        with page.expect_navigation():
            switch.click()
    return page


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
    page = session(browser, "advisor", "fr", DESKTOP)
    save(page, "advisor-dashboard-fr")
    page.goto("/cases/")
    save(page, "case-list-fr")
    page.locator("main table tbody a").first.click()
    page.wait_for_load_state()
    save(page, "case-page-fr")
    phone = session(browser, "advisor", "nl", PHONE)
    phone.goto("/cases/")
    save(phone, "case-list-nl-phone")
    partner = session(browser, "partner", "nl", DESKTOP)
    save(partner, "partner-shared-with-us-nl")
    lead = session(browser, "lead", "fr", DESKTOP)
    lead.goto("/outcomes/reports/")
    save(lead, "lead-reports-fr")
    browser.close()
for path in sorted(OUT.glob("*.png")):
    print(f"{path.name}: {path.stat().st_size // 1024} KB")
