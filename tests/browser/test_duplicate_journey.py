"""The duplicate guard and the merge in a real browser: an advisor types a young person
already registered with first and last names swapped and is offered the existing
person before anything is created; a project lead merges a second record of a person
(registered with a typo, then confirmed as "different") into the first, after a page
that says what will move."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.factories import CaseFileFactory, NoteFactory, UserFactory, reference
from youthtrack.models import CaseFile, YoungPerson

from .conftest import PHONE, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

BORN = datetime.date(2000, 3, 1)


@pytest.fixture
def julien(live_server) -> CaseFile:
    """Julien Adam, born 1 March 2000, in Touch'N'Go at the CDM with Sarah."""
    advisor = UserFactory(username="sarah", first_name="Sarah", last_name="Janssens")
    case = CaseFileFactory(
        active=True,
        advisor=advisor,
        programme=reference.programme("touchngo"),
        young_person__first_name="Julien",
        young_person__last_name="Adam",
        young_person__birth_date=BORN,
    )
    NoteFactory.create_batch(2, case_file=case)
    return case


def _fill_intake(page, *, first: str, last: str, born: datetime.date) -> None:
    """The intake form, whatever the interface language."""
    page.locator("#id_person-first_name").fill(first)
    page.locator("#id_person-last_name").fill(last)
    page.locator("#id_person-birth_date").fill(born.isoformat())
    page.locator("#id_person-gender").select_option("male")
    page.locator("#id_person-commune").select_option(index=1)
    page.locator("#id_case-programme").select_option(label="Touch'N'Go")
    page.locator("input[name=case-employment_status][value=unemployed]").check()
    page.locator("#id_case-highest_diploma").select_option(index=1)
    for name in ("disability", "foreign_background", "minority", "homeless"):
        page.locator(f"input[name=case-{name}][value=no]").check()
    page.locator("input[name=case-referral][value=own]").check()
    consent = page.locator("#consent-step")
    if consent.count():  # the intake's consent step, where there is one
        consent.locator("input[name$=keep][value=given]").check()
        consent.locator("input[name$=given_by][value=self]").check()


def test_a_swapped_name_is_offered_the_existing_person(julien, new_page, screenshot):
    page = new_page(language="en")
    log_in(page, "sarah")
    page.get_by_role("link", name="New intake").first.click()
    _fill_intake(page, first="Adam", last="Julien", born=BORN)
    page.get_by_role("button", name="Open the case file").click()
    offered = page.locator("section.duplicates")
    expect(offered).to_contain_text("This young person may already be registered")
    match = offered.locator("li").first
    expect(match).to_contain_text("Julien Adam")
    expect(match).to_contain_text(
        "Same date of birth, same name with first and last names swapped"
    )
    expect(
        match.get_by_role("link", name=f"Open case file #{julien.pk}")
    ).to_be_visible()
    screenshot(page, "intake offers the existing person")
    assert YoungPerson.objects.count() == 1  # nothing created yet

    # The advisor adds the new file to the person already registered.
    match.get_by_role("link", name="Open a new case file for this person").click()
    expect(page.locator("main")).to_contain_text("A new case file for Julien Adam")
    screenshot(page, "new file for the existing person")
    assert page.server_errors == []

    # On a phone, in Dutch: the same offer, the reason on its own line.
    phone = new_page(language="nl", viewport=PHONE)
    log_in(phone, "sarah")
    phone.goto("/cases/new/")
    _fill_intake(phone, first="Julien", last="Adams", born=datetime.date(2000, 1, 3))
    phone.locator("main form button[type=submit]").last.click()
    offered = phone.locator("section.duplicates li").first
    expect(offered).to_contain_text("Julien Adam")
    expect(offered).to_contain_text(
        "Geboortedatum met dag en maand omgewisseld, gelijkaardige naam"
    )
    screenshot(phone, "intake offer on a phone in Dutch")
    assert YoungPerson.objects.count() == 1
    assert phone.server_errors == []


def test_a_lead_merges_a_second_record(julien, new_page, screenshot):
    lead = UserFactory(
        username="nadia", first_name="Nadia", last_name="Lambert", lead=True
    )
    lead.programmes_led.add(reference.programme("touchngo"))
    # Registered a second time with a typo and the day and month swapped, then
    # confirmed as "a different person".
    typo = CaseFileFactory(
        active=True,
        advisor=julien.advisor,
        programme=reference.programme("youth-cdm"),
        young_person__first_name="Julien",
        young_person__last_name="Adams",
        young_person__birth_date=datetime.date(2000, 1, 3),
        young_person__phone="0485 11 22 33",
    )
    NoteFactory(case_file=typo)
    page = new_page(language="nl")
    log_in(page, "nadia")
    page.goto(f"/cases/{julien.pk}/")
    page.get_by_role("link", name="Samenvoegen met een andere fiche").click()
    candidates = page.locator("ul.duplicate-matches li")
    expect(candidates.first).to_contain_text("Julien Adams")
    expect(candidates.first).to_contain_text(
        "Geboortedatum met dag en maand omgewisseld, gelijkaardige naam"
    )
    screenshot(page, "likely the same person")
    candidates.first.get_by_role("link", name="Vergelijken en samenvoegen").click()
    expect(page.locator("main")).to_contain_text("Fiche om te bewaren")
    expect(page.locator("main")).to_contain_text("Opvolgingsnota's: 1")
    screenshot(page, "what will move")
    phone = new_page(language="fr", viewport=PHONE)
    log_in(phone, "nadia")
    phone.goto(page.url)
    expect(phone.locator("main")).to_contain_text("Fiche à garder")
    screenshot(phone, "what will move on a phone in French")
    page.get_by_role("button", name="De twee fiches samenvoegen").click()
    expect(page.locator(".message--success")).to_contain_text("samengevoegd")
    screenshot(page, "merged")
    kept = julien.young_person
    assert set(kept.case_files.values_list("pk", flat=True)) == {julien.pk, typo.pk}
    merged = YoungPerson.objects.get(last_name="Adams")
    assert merged.merged_into_id == kept.pk
    assert page.server_errors == [] and phone.server_errors == []
