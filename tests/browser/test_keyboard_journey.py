"""The advisor's day with the keyboard alone, in Dutch: Tab to move, Enter or Space to
follow a link or press a button, arrows for a choice, typing for text. No click and
no ``fill``: what a keyboard cannot reach or work fails the journey. axe checks each
page on the way (conftest).
"""

import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from youthtrack.models import CaseFile, Note

from .test_advisor_journey import demo, known_case  # noqa: F401 (fixture)

MAX_TABS = 250


def focused_matches(page: Page, selector: str) -> bool:
    return page.evaluate(
        "s => !!document.activeElement && document.activeElement.matches(s)", selector
    )


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if focused_matches(page, selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def activate(page: Page, selector: str, key: str = "Enter") -> None:
    """Tab to it, then press Enter and wait for the page it leads to."""
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press(key)


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_the_advisors_day_with_the_keyboard_only(new_page, screenshot, demo):  # noqa: F811
    advisor = demo["advisor"]
    case = known_case(advisor)
    today = timezone.localdate()
    page = new_page(language="nl")

    # Log in.
    page.goto("/login/")
    type_into(page, "#id_username", "advisor")
    type_into(page, "#id_password", "demo-password-2026")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    screenshot(page, "dashboard")

    # The case list from the main navigation; search by name.
    activate(page, "nav a[href='/cases/']")
    type_into(page, "main input[type=search]", "elodie muller")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    screenshot(page, "search")

    # The case page, then a note.
    activate(page, f"main a[href='/cases/{case.pk}/']")
    expect(page.get_by_role("heading", level=1)).to_have_text("Élodie Müller-Lefèvre")
    screenshot(page, "case page")
    activate(page, f"main a[href='/cases/{case.pk}/notes/new/']")
    tab_to(page, "#id_channel")
    page.keyboard.press("ArrowDown")  # the first channel after the empty choice
    type_into(page, "#id_topic", "Gesprek voorbereid")
    type_into(page, "#id_text", "Cv samen herlezen.")
    tab_to(page, "input[name=visibility]")
    page.keyboard.press("Space")
    screenshot(page, "note form")
    activate(page, "main form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    note = Note.objects.get(case_file=case, topic="Gesprek voorbereid")
    assert (note.text, note.contact_date) == ("Cv samen herlezen.", today)
    screenshot(page, "note saved")

    # Close the participation: an exit reason chosen with the arrows.
    activate(page, f"main a[href$='/cases/{case.pk}/exit/']")
    tab_to(page, "#id_exit_reason")
    page.keyboard.press("ArrowDown")
    screenshot(page, "exit form")
    activate(page, "main form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    case.refresh_from_db()
    assert case.status == CaseFile.Status.CLOSED
    assert case.exit_date == today
    screenshot(page, "case closed")
