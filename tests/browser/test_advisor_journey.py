"""The demo advisor's day in a real browser: log in, find a case by search and by a
filter, add a note, edit the case, close another; a stale edit from a second browser is
refused, then kept on purpose. Every step leaves a screenshot in
``artifacts/screenshots/<test name>/``.

The demo data comes from ``seed_demo`` (40 people, seed 7); the case files the journey
works on are made with the factories on top of it, so that what the advisor looks for
does not depend on the day the random data was drawn. Every expectation on a list is
computed from the database through the same selectors the views use.
"""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.utils import formats, timezone, translation
from playwright.sync_api import Page, expect

from programmes.models import Programme
from tests.factories import CaseFileFactory, NoteFactory
from tests.factories.reference import gender
from youthtrack import selectors
from youthtrack.models import CaseFile, Note, User

from .conftest import PHONE, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # WhiteNoise looks for collected static files; the live server serves them itself.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

Status = CaseFile.Status
DEMO_USERS = ["advisor", "advisor2", "partner", "lead", "admin"]
OPEN_CASES = "section[aria-labelledby=open-title]"


@pytest.fixture
def demo(live_server) -> dict[str, User]:
    """The demo data set and its logins (password "demo-password-2026")."""
    call_command("seed_demo", people=40, seed=7, stdout=io.StringIO())
    return {
        user.username: user for user in User.objects.filter(username__in=DEMO_USERS)
    }


def known_case(advisor: User, **kwargs) -> CaseFile:
    """A case file of the advisor's, for a young person whose name has accents, with
    two earlier notes."""
    defaults = {
        "status": Status.FOLLOW_UP,
        "programme": Programme.objects.get(code="touchngo"),
        "advisor": advisor,
        "young_person__first_name": "Élodie",
        "young_person__last_name": "Müller-Lefèvre",
        "young_person__gender": gender("female"),
        "referral": CaseFile.Referral.OWN_INITIATIVE,
        "referred_by": "",
    }
    case = CaseFileFactory(**{**defaults, **kwargs})
    NoteFactory.create_batch(2, case_file=case)
    return case


def short_date(day: datetime.date) -> str:
    with translation.override("en"):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


def case_count(count: int) -> str:
    return f"{count} case file" if count == 1 else f"{count} case files"


def fact(page: Page, label: str):
    """The value (``<dd>``) beside a label (``<dt>``) of a case file's facts."""
    term = page.locator(".facts dt").filter(has_text=re.compile(rf"^{label}$"))
    return term.locator("xpath=following-sibling::dd[1]")


def field_errors(page: Page, field_id: str):
    """The error messages printed inside the same field wrapper as the input."""
    return page.locator(".field", has=page.locator(f"#{field_id}")).locator(".errors")


def listed_case_numbers(page: Page) -> list[str]:
    return page.locator("table.table tbody tr td:first-child").all_inner_texts()


def expect_case_list(page: Page, queryset) -> None:
    """The result count and the first page of rows are those of ``queryset``."""
    expected = list(
        queryset.order_by("-updated_at", "-pk").values_list("pk", flat=True)
    )
    expect(page.locator(".result-count")).to_have_text(case_count(len(expected)))
    expect(page.locator("table.table tbody tr")).to_have_count(min(len(expected), 25))
    assert listed_case_numbers(page) == [f"#{pk}" for pk in expected[:25]]


def test_advisor_journey(new_page, screenshot, demo):
    advisor = demo["advisor"]
    today = timezone.localdate()
    case = known_case(advisor)
    visible = selectors.case_file_list_for_user(user=advisor)

    # 1. The advisor logs in, in French: the interface's default language.
    page = new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Se connecter à youthtrack"
    )
    page.get_by_label(re.compile(r"Nom d.utilisateur")).fill("advisor")
    page.get_by_label("Mot de passe").fill("demo-password-2026")
    screenshot(page, "login in French")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes dossiers")
    expect(page).to_have_url(re.compile(r"/$"))
    screenshot(page, "dashboard in French")

    # …and switches the interface to English with the link at the top (no separate
    # button to press).
    page.get_by_role("form", name="Langue").get_by_role(
        "button", name="EN English"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    mine = visible.filter(advisor=advisor).exclude(status=Status.CLOSED)
    open_count = mine.count()
    expect(page.locator("#open-title")).to_have_text(
        f"My open case files ({open_count})"
    )
    expect(page.locator(f"{OPEN_CASES} tbody tr")).to_have_count(min(open_count, 50))
    expect(page.locator(f"{OPEN_CASES} a[href='/cases/{case.pk}/']")).to_be_visible()
    screenshot(page, "dashboard")

    # 2. Search by name, typed in lower case and without the accents.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Case files"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case files")
    page.get_by_role("searchbox", name="Search").fill("elodie muller")
    page.get_by_role("button", name="Search", exact=True).click()
    # Posted: the address carries a token, never the name (youthtrack.search).
    expect(page).to_have_url(re.compile(r"[?&]search="))
    assert "elodie" not in page.url and "muller" not in page.url
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("elodie muller")
    expect_case_list(
        page,
        visible.filter(young_person__name_key__contains="elodie").filter(
            young_person__name_key__contains="muller"
        ),
    )
    expect(page.get_by_role("link", name="Müller-Lefèvre, Élodie")).to_be_visible()
    screenshot(page, "search without accents")

    # …then by a filter: the follow-up case files of Touch'N'Go. (The search came
    # as typed: the folded filters stay as they were; "Clear all" is among them.)
    if page.locator("details.filters__more").get_attribute("open") is None:
        page.locator("summary", has_text="Filters").click()
    page.get_by_role("link", name="Clear all").click()
    expect(page).to_have_url(re.compile(r"/cases/$"))
    follow_up = page.get_by_role("checkbox", name="Follow-up")
    expect(follow_up).to_be_hidden()  # the filters are folded until asked for
    page.locator("summary", has_text="Filters").click()
    follow_up.check()
    page.get_by_label("Programme", exact=True).select_option(label="Touch'N'Go")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]status=follow_up"))
    filtered = visible.filter(status=Status.FOLLOW_UP, programme=case.programme)
    expect_case_list(page, filtered)
    rows = page.locator("table.table tbody tr")
    for cells in (rows.nth(i).locator("td") for i in range(rows.count())):
        expect(cells.nth(4)).to_have_text("Touch'N'Go")
        expect(cells.nth(5)).to_have_text("Follow-up")
    screenshot(page, "filter follow-up in Touch'N'Go")

    # 3. Open the case file and add a note; a note dated tomorrow is refused first.
    page.get_by_role("link", name="Müller-Lefèvre, Élodie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Élodie Müller-Lefèvre")
    screenshot(page, "case detail")
    page.get_by_role("link", name="Add a note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a note")
    topic = "Préparation de l'entretien chez Bruxelles Formation"
    text = "Élodie a relu son CV avec moi.\nProchaine étape : simuler l'entretien."
    page.get_by_label("Date of contact").fill(
        (today + datetime.timedelta(days=1)).isoformat()
    )
    page.get_by_label("Channel").select_option(label="Phone")
    page.get_by_label("Topic").fill(topic)
    page.get_by_role("textbox", name="Note", exact=True).fill(text)
    page.get_by_role("radio", name="Only me").check()
    page.get_by_role("button", name="Save the note").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(field_errors(page, "id_contact_date")).to_have_text(
        "A note cannot be dated in the future."
    )
    date_input = page.get_by_label("Date of contact")
    expect(date_input).to_have_attribute("aria-invalid", "true")
    expect(date_input).to_have_attribute("aria-describedby", "id_contact_date_error")
    expect(page.get_by_label("Topic")).to_have_value(topic)
    expect(page.get_by_role("textbox", name="Note", exact=True)).to_have_value(text)
    expect(page.get_by_label("Channel")).to_have_value("phone")
    expect(page.get_by_role("radio", name="Only me")).to_be_checked()
    assert not Note.objects.filter(case_file=case, topic=topic).exists()
    screenshot(page, "note in the future refused")

    date_input.fill(today.isoformat())
    page.get_by_role("button", name="Save the note").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.locator(".message--success")).to_have_text("The note was added.")
    newest = page.locator(".timeline__item").first
    expect(newest.get_by_role("heading", level=3)).to_have_text(topic)
    expect(newest.locator("time")).to_have_attribute("datetime", today.isoformat())
    expect(newest.locator(".meta")).to_contain_text("Phone")
    expect(newest.locator(".visibility")).to_have_text("Only me")
    expect(newest.locator(".note-text")).to_contain_text("Prochaine étape")
    expect(page.locator(".timeline__item")).to_have_count(3)
    note = Note.objects.get(case_file=case, topic=topic)
    assert (note.author, note.contact_date, note.visibility) == (
        advisor,
        today,
        Note.Visibility.PRIVATE,
    )
    screenshot(page, "note added on top")

    # 4. Edit the case file: next follow-up and how they came (needs who referred).
    page.get_by_role("link", name="Edit case file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit case file")
    follow_up_on = today + datetime.timedelta(days=21)
    page.get_by_label("Next follow-up").fill(follow_up_on.isoformat())
    page.get_by_role("radio", name="Referred by an organisation").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(field_errors(page, "id_referred_by")).to_have_text(
        "Say which organisation referred them."
    )
    expect(page.get_by_label("Next follow-up")).to_have_value(follow_up_on.isoformat())
    screenshot(page, "edit refused without referrer")
    page.get_by_label("Referred by", exact=True).fill("CPAS de Schaerbeek")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.locator(".message--success")).to_have_text("The case file was saved.")
    expect(fact(page, "Next follow-up")).to_have_text(short_date(follow_up_on))
    expect(fact(page, "How they came")).to_contain_text(
        "Referred by an organisation (CPAS de Schaerbeek)"
    )
    case.refresh_from_db()
    assert (case.next_follow_up_on, case.referral, case.referred_by) == (
        follow_up_on,
        CaseFile.Referral.REFERRED,
        "CPAS de Schaerbeek",
    )
    screenshot(page, "case edited")

    # 5. Close another open case file of the advisor's, opened from the dashboard.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="My caseload"
    ).click()
    other = (
        mine.exclude(pk=case.pk)
        .order_by("next_follow_up_on", "young_person__last_name")
        .select_related("young_person")
        .first()
    )
    assert other is not None, "the demo advisor has no other open case file"
    page.locator(f"{OPEN_CASES} a[href='/cases/{other.pk}/']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{other.young_person.first_name} {other.young_person.last_name}"
    )
    # Closing is the exit of the participation: date, reason and the situation upon
    # leaving (left "not known yet" here: the follow-ups will ask).
    page.get_by_role("link", name="Close the case file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close the participation")
    expect(page.get_by_label("Exit date")).to_have_value(today.isoformat())
    page.get_by_role("button", name="Close the participation").click()
    expect(field_errors(page, "id_exit_reason")).to_have_text(
        "Say why the case file is closed."
    )
    other.refresh_from_db()
    assert other.status != Status.CLOSED
    screenshot(page, "closing refused without exit reason")
    page.get_by_label("Exit reason").select_option(label="Path completed")
    page.get_by_role("button", name="Close the participation").click()
    expect(page).to_have_url(re.compile(rf"/cases/{other.pk}/$"))
    expect(page.locator(".message--success")).to_have_text(
        "The participation is closed. The follow-ups upon leaving and six months "
        "after are scheduled."
    )
    expect(page.locator(".subtitle .status")).to_have_text("Closed")
    expect(fact(page, "Exit")).to_have_text(f"{short_date(today)} — Path completed")
    expect(page.get_by_role("link", name="Close the case file")).to_have_count(0)
    other.refresh_from_db()
    assert (other.status, other.exit_date, other.exit_reason) == (
        Status.CLOSED,
        today,
        CaseFile.ExitReason.COMPLETED,
    )
    screenshot(page, "other case closed")

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="My caseload"
    ).click()
    expect(page.locator("#open-title")).to_have_text(
        f"My open case files ({open_count - 1})"
    )
    expect(page.locator(f"{OPEN_CASES} a[href='/cases/{other.pk}/']")).to_have_count(0)
    assert page.server_errors == []


def test_stale_edit_is_refused_then_kept_on_purpose(new_page, screenshot, demo):
    """Two CDM advisors open the same case file; the second save shows what the first
    changed and is only kept when saved again."""
    today = timezone.localdate()
    case = known_case(demo["advisor"], status=Status.ACTIVE)
    before = case.next_follow_up_on
    first_date = today + datetime.timedelta(days=10)
    second_date = today + datetime.timedelta(days=20)

    first, second = new_page(language="en"), new_page(language="en")
    log_in(first, "advisor")
    log_in(second, "advisor2")
    for page in (first, second):
        page.goto(f"/cases/{case.pk}/edit/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Edit case file")

    first.get_by_label("Next follow-up").fill(first_date.isoformat())
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.locator(".message--success")).to_have_text("The case file was saved.")
    screenshot(first, "first advisor saved")

    second.get_by_label("Next follow-up").fill(second_date.isoformat())
    second.get_by_role("button", name="Save", exact=True).click()
    expect(second.locator(".message--warning")).to_contain_text(
        "Someone else saved this record after you opened it."
    )
    stale = second.get_by_role(
        "region", name="Changed by someone else since you opened this form"
    )
    expect(stale).to_be_visible()
    expect(stale.locator("tbody tr")).to_have_count(1)
    cells = stale.locator("tbody tr td")
    expect(cells.nth(0)).to_have_text("Next follow-up")
    expect(cells.nth(1)).to_have_text(short_date(before) if before else "—")
    expect(cells.nth(2)).to_have_text(short_date(first_date))
    expect(cells.nth(3)).to_have_text("Sarah Janssens")
    # What the second advisor typed is still there, to be saved on purpose.
    expect(second.get_by_label("Next follow-up")).to_have_value(second_date.isoformat())
    expect(second).to_have_url(re.compile(rf"/cases/{case.pk}/edit/$"))
    case.refresh_from_db()
    assert (case.next_follow_up_on, case.version) == (first_date, 2)
    screenshot(second, "second advisor refused")

    second.get_by_role("button", name="Save", exact=True).click()
    expect(second).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(second.locator(".message--success")).to_have_text("The case file was saved.")
    expect(fact(second, "Next follow-up")).to_have_text(short_date(second_date))
    case.refresh_from_db()
    assert (case.next_follow_up_on, case.version) == (second_date, 3)
    screenshot(second, "second advisor saved again")
    assert first.server_errors == second.server_errors == []


def page_width_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the screen (0: no sideways scroll;
    wide tables scroll inside their own box)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_phone_layout(new_page, screenshot, demo):
    """Dashboard, case list and case detail on a 390 × 844 phone screen: the page
    itself never scrolls sideways (WCAG 1.4.10, reflow)."""
    advisor = demo["advisor"]
    case = known_case(advisor)
    page = new_page(language="en", viewport=PHONE)
    log_in(page, "advisor")
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(page.get_by_role("link", name="New intake").first).to_be_visible()
    assert page_width_overflow(page) == 0
    screenshot(page, "phone dashboard")

    page.goto("/cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Case files")
    expect(page.get_by_role("searchbox", name="Search")).to_be_visible()
    assert page_width_overflow(page) == 0
    screenshot(page, "phone case list")

    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Élodie Müller-Lefèvre")
    expect(page.get_by_role("link", name="Add a note")).to_be_visible()
    expect(page.locator(".timeline__item")).to_have_count(2)
    assert page_width_overflow(page) == 0
    screenshot(page, "phone case detail")
    assert page.server_errors == []
