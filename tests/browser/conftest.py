"""Browser journeys: pytest-django's ``live_server`` driven by Playwright's sync API in
headless Chromium (Debian's ``chromium`` package, not Playwright's own download).

Without Chromium the journeys are skipped with a message saying how to install it,
unless ``YT_REQUIRE_BROWSER=1`` (CI sets it): then they fail instead.

Screenshots go to ``artifacts/screenshots/<test name>/NN-step.png`` (git-ignored); a
failing test also leaves a ``failure`` screenshot of every page it had open.
"""

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.translation.reloader import translation_file_changed
from playwright.sync_api import expect, sync_playwright

from tests.factories import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous but finite: a slow CI machine should not fail a journey, a hang should.
ACTION_TIMEOUT_MS = 15_000
NAVIGATION_TIMEOUT_MS = 30_000
expect.set_options(timeout=ACTION_TIMEOUT_MS)  # web-first assertions wait as long
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
INSTALL_HINT = (
    "Debian's Chromium is needed for the browser tests: install it with "
    "`apt-get install chromium` (as root), then run them again."
)


def chromium_executable() -> str | None:
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


class MissingBrowser:
    """Stands in for Chromium when it must be there (``YT_REQUIRE_BROWSER=1``): each
    test that opens a page fails, rather than errors, with the reason."""

    def __init__(self, message: str):
        self.message = message

    def new_context(self, **kwargs):
        pytest.fail(self.message, pytrace=False)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    executable = chromium_executable()
    if executable is None:
        reason = f"Chromium was not found ({CHROMIUM} or `chromium` on PATH)."
        if os.environ.get("YT_REQUIRE_BROWSER") != "1":
            pytest.skip(f"{reason} {INSTALL_HINT}")
        yield MissingBrowser(
            f"{reason} YT_REQUIRE_BROWSER=1 is set, so the browser tests may not be "
            f"skipped. {INSTALL_HINT}"
        )
        return

    # Playwright's sync API runs an event loop in this thread; Django would take every
    # database query the test makes (or the live server's reference data reload) for
    # one made from async code and refuse it. Allowed while the browser runs only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    """The .mo files are git-ignored and ``bin/test`` compiles them; a bare ``pytest``
    may find none, and the French pages would come out in English."""
    call_command("compile_translations", quiet=True)
    translation_file_changed(sender=None, file_path=Path("django.mo"))


class Screenshots:
    """Numbered full-page screenshots of one test: ``01-dashboard.png``, …"""

    def __init__(self, directory: Path):
        self.directory = directory
        self.count = 0

    def __call__(self, page, step: str) -> Path:
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.directory / f"{self.count:02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def screenshot(request) -> Screenshots:
    directory = SCREENSHOTS / re.sub(r"[^\w.-]+", "-", request.node.name)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return Screenshots(directory)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def new_page(browser, live_server, request, screenshot) -> Iterator[Callable]:
    """``new_page(language="en", viewport=PHONE)``: a page in a fresh browser context
    (its own cookies, so its own login) on the live server. Without ``language`` the
    browser asks for Belgian French, as the CDM's computers do. Pages answered with a
    server error are collected in ``page.server_errors``."""
    contexts = []

    def make(*, language: str | None = None, viewport: dict = DESKTOP):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale="fr-BE",
            timezone_id="Europe/Brussels",
        )
        contexts.append(context)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        if language:
            context.add_cookies(
                [
                    {
                        "name": settings.LANGUAGE_COOKIE_NAME,
                        "value": language,
                        "url": live_server.url,
                    }
                ]
            )
        page = context.new_page()
        page.server_errors = []

        def note_server_error(response) -> None:
            if response.status >= 500:
                page.server_errors.append(f"{response.status} {response.url}")

        page.on("response", note_server_error)
        return page

    yield make

    report = getattr(request.node, "report_call", None)
    failed = report is not None and report.failed
    for context in contexts:
        if failed:
            for page in context.pages:
                # Best effort: the test's own error is what matters.
                with contextlib.suppress(Exception):
                    screenshot(page, "failure")
        context.close()


def log_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real login form, whatever the interface language; the
    dashboard follows."""
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if urlsplit(page.url).path != "/":
        errors = page.locator(".error-summary").all_inner_texts()
        raise AssertionError(f"{username} could not log in: {errors or page.url}")
