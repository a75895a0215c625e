"""Browser journeys: pytest-django's ``live_server`` driven by Playwright's sync API in
headless Chromium (Debian's ``chromium`` package, not Playwright's own download).

Without Chromium the journeys are skipped with a message saying how to install it,
unless ``YT_REQUIRE_BROWSER=1`` (CI sets it): then they fail instead.

Screenshots go to ``artifacts/screenshots/<test name>/NN-step.png`` (git-ignored); a
failing test also leaves a ``failure`` screenshot of every page it had open.

axe-core (``axe-playwright-python``) checks every page a journey opens against the
WCAG 2.1 A and AA rules: each page loaded in any of its tabs, and the page as it
stands at each screenshot (a step's state: errors shown, a panel opened, htmx
results). A violation fails the test, naming the rule, the page and the elements.
"""

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.utils.translation.reloader import translation_file_changed
from playwright.sync_api import Error as PlaywrightError
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


AXE = Axe()
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def axe_violations(page) -> list[str]:
    """axe-core on the page as it stands: one line per violation, naming the rule,
    the page and up to five elements (their selector and what axe says).

    A run started by the page's load handler may still be going when the test asks
    for one (seen in CI's PostgreSQL stage, at a journey's end): axe refuses a second
    run, so this one waits for the first to finish (``axe._running``) and runs."""
    try:
        results = AXE.run(page, options=AXE_OPTIONS)
    except PlaywrightError as error:
        if "already running" not in str(error):
            raise
        page.wait_for_function("() => !(window.axe && window.axe._running)")
        results = AXE.run(page, options=AXE_OPTIONS)
    found = []
    for violation in results.response["violations"]:
        nodes = violation["nodes"]
        targets = "; ".join(
            f"{' '.join(map(str, node['target']))} ({node.get('failureSummary', '')})"
            for node in nodes[:5]
        ).replace("\n", " ")
        found.append(
            f"{violation['id']} ({violation['impact']}) on {page.url}: "
            f"{violation['help']}: {len(nodes)} element(s): {targets}"
        )
    return found


class AccessibilityCheck:
    """Runs axe on a page when it loads and when a step is screenshotted; keeps what
    it finds (a load handler cannot fail the test) for the test to assert."""

    def __init__(self):
        self.violations: list[str] = []
        self.checked = 0
        self.seen: set[tuple[str, int]] = set()

    def check(self, page) -> list[str]:
        try:
            if page.is_closed():
                return []
            html = page.content()
            key = (page.url, hash(html))
            if key in self.seen:
                return []
            found = axe_violations(page)
        except PlaywrightError as error:
            # The page navigated on while axe ran: its next load is checked.
            if "destroyed" in str(error) or "navigat" in str(error):
                return []
            raise
        self.seen.add(key)
        self.checked += 1
        new = [line for line in found if line not in self.violations]
        self.violations.extend(new)
        return new

    def watch(self, page) -> None:
        page.on("load", lambda loaded: self.check(loaded))


@pytest.fixture
def accessibility() -> AccessibilityCheck:
    return AccessibilityCheck()


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
    """Numbered full-page screenshots of one test: ``01-dashboard.png``, …; axe
    checks the page at each one and a violation fails the step."""

    def __init__(self, directory: Path, accessibility: AccessibilityCheck):
        self.directory = directory
        self.accessibility = accessibility
        self.count = 0

    def __call__(self, page, step: str, *, axe: bool = True) -> Path:
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.directory / f"{self.count:02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        if axe:
            self.accessibility.check(page)
            assert not self.accessibility.violations, (
                f"axe, at step {step!r}:\n" + "\n".join(self.accessibility.violations)
            )
        return path


@pytest.fixture
def screenshot(request, accessibility) -> Screenshots:
    directory = SCREENSHOTS / re.sub(r"[^\w.-]+", "-", request.node.name)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return Screenshots(directory, accessibility)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def new_page(
    browser, live_server, request, screenshot, accessibility
) -> Iterator[Callable]:
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
        # What log_in switches to when the user logged in before in another one.
        page.requested_language = language or "fr"
        page.server_errors = []

        def note_server_error(response) -> None:
            if response.status >= 500:
                page.server_errors.append(f"{response.status} {response.url}")

        page.on("response", note_server_error)
        accessibility.watch(page)
        return page

    yield make

    call = getattr(request.node, "report_call", None)
    if call is not None and call.passed:
        for context in contexts:
            for page in context.pages:
                accessibility.check(page)  # the page the test ended on

    report = getattr(request.node, "report_call", None)
    failed = report is not None and report.failed
    for context in contexts:
        if failed:
            for page in context.pages:
                # Best effort: the test's own error is what matters.
                with contextlib.suppress(Exception):
                    screenshot(page, "failure", axe=False)
        context.close()
    if call is not None and call.passed:
        assert accessibility.checked, "axe checked no page"
        assert not accessibility.violations, "axe:\n" + "\n".join(
            accessibility.violations
        )


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
    # Login brings back the user's own language (the first they logged in with): a
    # page asked for in another one switches to it, as the user would.
    language = getattr(page, "requested_language", None)
    if language and page.locator("html").get_attribute("lang") != language:
        with page.expect_navigation():
            page.locator(f".lang-switch button[value={language}]").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
