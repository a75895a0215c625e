"""An Uppercut cohort from creation to completion, on a phone (390 × 844).

The project lead creates a cohort with 11 places and schedules its intensive fortnight;
the advisor enrols eleven young people at once, then a twelfth from her case file, who
is offered the waiting list; she takes the register of every session (the exceptions
ticked, then "All present"); after the second day one participant withdraws and the
waiting one moves in; the cohort page shows who completed. Every step leaves a
screenshot in ``artifacts/screenshots/<test name>/``, the printed attendance sheet too.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from programmes import selectors
from programmes.models import Attendance, Cohort, Enrolment, Programme
from programmes.selectors import Completion
from tests.factories import EligibleCaseFileFactory, UserFactory
from tests.pdf import pdf_first_page_png, pdf_text
from youthtrack.models import CaseFile, Organisation, User

from .conftest import PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("Amina", "Bakkali"),
    ("Bram", "Claes"),
    ("Chaïma", "El Amrani"),
    ("Dylan", "Fontaine"),
    ("Elif", "Gürbüz"),
    ("Fatou", "Diallo"),
    ("Gabriel", "Hermans"),
    ("Hanna", "Jacobs"),
    ("Ilyas", "Kaya"),
    ("Julie", "Lemaire"),
    ("Kevin", "Mertens"),
    ("Laura", "Nkemba"),  # the twelfth: she waits
]
# Session index → (name, mark) exceptions; everyone else is present.
EXCEPTIONS = {
    0: [("Bakkali, Amina", "Absent")],
    1: [("El Amrani, Chaïma", "Late")],
    3: [("Bakkali, Amina", "Absent")],
    4: [("Diallo, Fatou", "Absent")],
    5: [("Bakkali, Amina", "Absent")],
    6: [("Hermans, Gabriel", "Excused")],
    8: [("Diallo, Fatou", "Absent")],
}
WITHDRAWS_AFTER = 1  # Kevin Mertens found a job after the second day
LEAVER = "Mertens, Kevin"
WAITING = "Nkemba, Laura"


@pytest.fixture
def team(live_server) -> dict[str, User]:
    cdm = Organisation.objects.get(code="cdm")
    lead = UserFactory(
        username="nadia",
        first_name="Nadia",
        last_name="Lambert",
        lead=True,
        organisation=cdm,
    )
    advisor = UserFactory(
        username="sarah", first_name="Sarah", last_name="Janssens", organisation=cdm
    )
    uppercut = Programme.objects.get(code="uppercut")
    for first, last in PEOPLE:
        EligibleCaseFileFactory(
            programme=uppercut,
            advisor=advisor,
            young_person__first_name=first,
            young_person__last_name=last,
        )
    return {"lead": lead, "advisor": advisor}


def monday_weeks_ago(weeks: int) -> datetime.date:
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday() + 7 * weeks)


def sorting_name(person) -> str:
    return f"{person.last_name}, {person.first_name}"


def phone_screen(page: Page, screenshot, step: str) -> None:
    """What the phone's screen shows (not the whole page): the sticky save bar."""
    screenshot.count += 1
    slug = step.lower().replace(" ", "-")
    path = screenshot.directory / f"{screenshot.count:02d}-{slug}.png"
    page.screenshot(path=str(path), full_page=False)


def participant(page: Page, name: str):
    return page.locator("fieldset.register-row", has_text=name)


def test_an_uppercut_cohort_from_enrolment_to_completion(new_page, team, screenshot):
    start = monday_weeks_ago(3)
    last_intensive_day = start + datetime.timedelta(days=11)

    # --- the project lead creates the cohort and its intensive fortnight ---
    lead = new_page(language="en", viewport=PHONE)
    log_in(lead, "nadia")
    lead.get_by_role("link", name="Programmes", exact=True).click()
    lead.get_by_role(
        "link", name="Uppercut! Find your voice, find your way"
    ).first.click()
    screenshot(lead, "programme")
    lead.get_by_role("link", name="New cohort").click()
    lead.fill("#id_name", "Uppercut — spring")
    lead.fill("#id_capacity", "11")
    lead.fill("#id_start_date", start.isoformat())
    lead.fill("#id_end_date", (start + datetime.timedelta(days=90)).isoformat())
    lead.get_by_label("Sarah Janssens (CDM)").check()
    lead.get_by_label("Actiris", exact=True).check()
    screenshot(lead, "new cohort form")
    lead.get_by_role("button", name="Create the cohort").click()
    expect(lead.locator(".message--success")).to_contain_text("was created")
    cohort = Cohort.objects.get(name="Uppercut — spring")
    assert (cohort.capacity, cohort.owner_organisation.code) == (11, "cdm")

    lead.get_by_role("link", name="Add sessions").click()
    lead.fill("#id_title", "Trouve ta voix")
    lead.select_option("#id_theme", "learn")
    lead.select_option("#id_language", "fr")
    lead.fill("#id_day", start.isoformat())
    lead.fill("#id_repeat_until", last_intensive_day.isoformat())
    lead.fill("#id_place", "Cité des métiers, avenue de l'Astronomie 14")
    screenshot(lead, "fortnight of sessions")
    lead.get_by_role("button", name="Save").click()
    expect(lead.locator(".message--success")).to_have_text("10 sessions scheduled.")
    screenshot(lead, "cohort with its sessions")
    sessions = list(cohort.sessions.order_by("starts_at"))
    assert len(sessions) == 10

    # --- the advisor enrols eleven at once, then the twelfth waits ---
    advisor = new_page(language="en", viewport=PHONE)
    log_in(advisor, "sarah")
    advisor.get_by_role("link", name="Programmes", exact=True).click()
    advisor.get_by_role("link", name="Uppercut — spring").click()
    advisor.get_by_role("link", name="Enrol participants").click()
    expect(advisor.locator(".checklist li")).to_have_count(12)
    for first, last in PEOPLE[:11]:
        advisor.get_by_label(f"{last}, {first}").check()
    screenshot(advisor, "eleven ticked")
    advisor.get_by_role("button", name="Enrol the selection").click()
    expect(advisor.locator(".message--success")).to_contain_text(
        "11 young people enrolled"
    )
    screenshot(advisor, "eleven enrolled")

    laura = CaseFile.objects.get(young_person__last_name="Nkemba")
    advisor.goto(f"/cases/{laura.pk}/")
    advisor.get_by_role("link", name="Enrol in a cohort").click()
    expect(advisor.locator("main")).to_contain_text("The cohort is full")
    screenshot(advisor, "full cohort offers the waiting list")
    advisor.get_by_role("button", name="Put on the waiting list").click()
    # (Her file has no consent to keep it recorded: that warning shows too.)
    expect(
        advisor.locator(".message--warning", has_text="on the waiting list")
    ).to_be_visible()
    expect(
        advisor.locator("section[aria-labelledby=enrolments-title]")
    ).to_contain_text("Waiting list, no. 1")
    screenshot(advisor, "twelfth on the waiting list")
    waiting_case = Enrolment.objects.get(case_file=laura)
    assert waiting_case.status == Enrolment.Status.WAITING
    assert cohort.enrolments.filter(status="enrolled").count() == 11

    # --- two weeks of registers; a withdrawal after the second day ---
    for index, session in enumerate(sessions):
        if index == len(sessions) - 1:
            # The lead opens the last register too, before the advisor saves it.
            lead.goto(f"/programmes/sessions/{session.pk}/")
        advisor.goto(f"/programmes/sessions/{session.pk}/")
        for name, mark in EXCEPTIONS.get(index, []):
            participant(advisor, name).get_by_text(mark, exact=True).click()
        if index in (0, 6):
            screenshot(advisor, f"register day {index + 1} exceptions ticked")
        if index == 6:
            phone_screen(advisor, screenshot, "register day 7 as the phone shows it")
        advisor.get_by_role("button", name="All present").click()
        expect(advisor.locator(".message--success")).to_contain_text("Attendance saved")
        if index == 0:
            screenshot(advisor, "register day 1 saved")
        if index == WITHDRAWS_AFTER:
            advisor.goto(f"/programmes/cohorts/{cohort.pk}/")
            advisor.get_by_role(
                "link", name=f"Withdraw {LEAVER.split(', ')[1]}"
            ).click()
            advisor.get_by_label("Found a job").check()
            advisor.fill("#id_comment", "Contrat de 6 mois chez un traiteur")
            screenshot(advisor, "withdrawal")
            advisor.get_by_role("button", name="Record the withdrawal").click()
            expect(advisor.locator(".messages")).to_contain_text(
                "Laura Nkemba moved in from the waiting list."
            )
            screenshot(advisor, "the waiting one moved in")

    # The lead marks Bram absent on the register she opened before the save: refused,
    # her choice kept, with what changed; saved again, hers wins knowingly.
    participant(lead, "Claes, Bram").get_by_text("Absent", exact=True).click()
    lead.get_by_role("button", name="Save", exact=True).click()
    expect(lead.locator(".stale")).to_contain_text("Claes")
    expect(lead.locator(".stale")).to_contain_text("saved by Sarah Janssens")
    screenshot(lead, "stale register refused")
    lead.get_by_role("button", name="Save", exact=True).click()
    expect(lead.locator(".message--success")).to_contain_text("1 changed")
    assert (
        Attendance.objects.get(
            session=sessions[-1], case_file__young_person__last_name="Claes"
        ).status
        == "absent"
    )

    # A register edited afterwards: Fatou was in fact late on day 5, not absent.
    advisor.goto(f"/programmes/sessions/{sessions[4].pk}/")
    participant(advisor, "Diallo, Fatou").get_by_text("Late", exact=True).click()
    advisor.get_by_role("button", name="Save", exact=True).click()
    expect(advisor.locator(".message--success")).to_contain_text("1 changed")

    # --- the cohort page shows who completed ---
    advisor.goto(f"/programmes/cohorts/{cohort.pk}/")
    screenshot(advisor, "cohort page after the fortnight")
    advisor.locator("#enrolled-title").scroll_into_view_if_needed()
    phone_screen(advisor, screenshot, "who completed as the phone shows it")
    rows = {
        sorting_name(row.case_file.young_person): row
        for row in selectors.participant_rows(user=team["advisor"], cohort=cohort)
    }
    assert rows[LEAVER].enrolment.status == Enrolment.Status.WITHDRAWN
    assert rows[WAITING].enrolment.from_waiting_list
    expected = {
        "Bakkali, Amina": (70, Completion.NOT_COMPLETED),  # three absences
        "Diallo, Fatou": (90, Completion.COMPLETED),  # one absence, once late
        "Hermans, Gabriel": (90, Completion.COMPLETED),  # excused does not count
        "Nkemba, Laura": (80, Completion.COMPLETED),  # from day 3: exactly 80 %
        "El Amrani, Chaïma": (100, Completion.COMPLETED),  # late counts
    }
    for name, (rate, state) in expected.items():
        assert (rows[name].rate, rows[name].completion) == (rate, state), name
    assert rows["Claes, Bram"].rate == 90  # the lead's absence on the last day
    table = advisor.locator("table.participants")
    for name, (rate, state) in expected.items():
        first_last = " ".join(reversed(name.split(", ")))
        row = table.locator("tr", has_text=first_last)
        expect(row).to_contain_text(f"{rate} %")
        expect(row).to_contain_text(
            "Not completed" if state == Completion.NOT_COMPLETED else "Completed"
        )
    expect(advisor.locator(".stat--ok strong")).to_have_text("10")
    # Eleven marked a day: Kevin on days 1-2, Laura from day 3.
    assert Attendance.objects.filter(session__cohort=cohort).count() == 11 * 10

    # --- a walk-in on the last day, and the way to a case file for her ---
    advisor.goto(f"/programmes/sessions/{sessions[-1].pk}/")
    advisor.get_by_text("Someone came without a case file").click()
    advisor.fill("#id_first_name", "Sofia")
    advisor.get_by_label("18 to 24").check()
    # Nothing ticked beforehand: the advisor asks.
    expect(advisor.locator("#id_gender input:checked")).to_have_count(0)
    advisor.locator("#id_gender input[value=female]").check()
    advisor.select_option("#id_commune", "21015")
    advisor.get_by_role("button", name="Record the walk-in").click()
    expect(advisor.locator(".message--success")).to_contain_text("Sofia")
    advisor.get_by_role("link", name="Open a case file for Sofia").click()
    expect(advisor.locator("h1")).to_have_text("A case file for Sofia")
    screenshot(advisor, "walk-in to a case file")

    # --- the calendar of the fortnight, by week and by month, filtered ---
    advisor.get_by_role("link", name="Calendar", exact=True).click()
    advisor.goto(f"/programmes/calendar/?day={start.isoformat()}&theme=learn")
    expect(advisor.locator(".result-count")).to_have_text("5 sessions")
    screenshot(advisor, "calendar week")
    advisor.get_by_role("link", name="Month", exact=True).click()
    expect(advisor.locator(".result-count")).to_contain_text("sessions")
    screenshot(advisor, "calendar month")

    # --- the printed attendance sheet of the last day ---
    response = advisor.request.get(f"/programmes/sessions/{sessions[-1].pk}/sheet.pdf")
    assert response.ok and response.body().startswith(b"%PDF")
    target = screenshot.directory / f"{screenshot.count + 1:02d}-attendance-sheet"
    pdf_first_page_png(response.body(), target)
    assert "Attendance sheet" in pdf_text(response.body())
    assert not advisor.server_errors and not lead.server_errors
