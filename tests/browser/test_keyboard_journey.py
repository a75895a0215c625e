"""The advisor's day with the keyboard alone, in Dutch (log in, search, case page, note,
enrolment, a session's register, the exit with the situation upon leaving): Tab to
move, Enter or Space to follow a link or press a button, arrows for a choice, typing
for text. No click and no ``fill``: what a keyboard cannot reach or work fails the
journey. axe checks each page on the way (conftest).
"""

import datetime
import re

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from outcomes.models import Outcome
from programmes.models import Attendance, Enrolment
from tests.factories import CohortFactory, SessionFactory
from tests.factories.programmes import at
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
    # A cohort of the file's programme that started two days ago, its first session
    # held yesterday: enrolment and a register the keyboard can take today.
    cohort = CohortFactory(
        programme=case.programme,
        owner_organisation=advisor.organisation,
        start_date=today - datetime.timedelta(days=2),
        end_date=today + datetime.timedelta(days=30),
        capacity=5,
        advisors=[advisor],
    )
    session = SessionFactory(
        cohort=cohort, starts_at=at(today - datetime.timedelta(days=1))
    )
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

    # Enrol in the cohort, from the case page.
    activate(page, f"main a[href='{reverse('programmes:case_enrol', args=[case.pk])}']")
    screenshot(page, "enrol")
    activate(
        page,
        f"main form:has(input[name=cohort][value='{cohort.pk}']) button[type=submit]",
    )
    enrolment = Enrolment.objects.get(case_file=case, cohort=cohort)
    assert enrolment.status == Enrolment.Status.ENROLLED
    screenshot(page, "enrolled")

    # Yesterday's register: the cohort from the case page, the session, all present.
    activate(
        page, f"main a[href='{reverse('programmes:cohort_detail', args=[cohort.pk])}']"
    )
    activate(
        page,
        f"main a[href='{reverse('programmes:session_register', args=[session.pk])}']",
    )
    screenshot(page, "register")
    activate(page, "main form button[name=all_present]")
    attendance = Attendance.objects.get(session=session, case_file=case)
    assert attendance.status == Attendance.Status.PRESENT
    screenshot(page, "register saved")

    # Close the participation: an exit reason and the situation upon leaving chosen
    # with the arrows.
    # Back to the file through the cohort's list of participants.
    activate(
        page, f"main a[href='{reverse('programmes:cohort_detail', args=[cohort.pk])}']"
    )
    activate(page, f"main a[href='/cases/{case.pk}/']")
    activate(page, f"main a[href$='/cases/{case.pk}/exit/']")
    tab_to(page, "#id_exit_reason")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#id_outcome-kind")
    page.keyboard.press("ArrowDown")
    # A date field takes its parts typed in the browser's order (month, day, year
    # in this headless Chromium's locale).
    tab_to(page, "#id_outcome-start_date")
    page.keyboard.type(today.strftime("%m%d%Y"))
    tab_to(page, "#id_outcome-source")
    page.keyboard.press("ArrowDown")
    type_into(page, "#id_outcome-verification_note", "Bevestigd door de werkgever.")
    screenshot(page, "exit form")
    activate(page, "main form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    case.refresh_from_db()
    assert case.status == CaseFile.Status.CLOSED
    assert case.exit_date == today
    assert Outcome.objects.filter(case_file=case).exists()
    screenshot(page, "case closed")
