"""Outcomes in the browser: an Uppercut participant's distance travelled and exit.

The advisor takes the young person's self-assessment at entry (a score of 0 and one of
11 are refused beside their fields first) and at the end of the intensive phase; she
closes the participation as completed, with a qualifying training starting 10 days
later and its enrolment certificate as evidence; six months on she finds the
six-month follow-up on her dashboard and records it, takes the exit assessment, and
the distance-travelled chart shows three points on each scale. Then the same pages in
Dutch, the cohort's summary included. Every step leaves a screenshot in
``artifacts/screenshots/<test name>/``.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from outcomes.models import Assessment, FollowUp, Goal, Outcome
from programmes.models import Enrolment, Programme
from tests.factories import EligibleCaseFileFactory, UserFactory
from tests.factories.programmes import CohortFactory
from youthtrack.models import CaseFile, Organisation

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A one-page PDF: what the advisor scanned (the service checks its type).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
SCALES = ["confidence", "project_clarity", "job_search", "digital", "mobility"]
# Scores per moment: the scales above, then languages.
SCORES = {
    "entry": [3, 2, 3, 5, 4, 6],
    "intensive_end": [6, 6, 5, 6, 5, 6],
    "exit": [8, 8, 7, 7, 6, 7],
}


def months_ago(day: datetime.date, months: int) -> datetime.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@pytest.fixture
def world(live_server) -> dict:
    cdm = Organisation.objects.get(code="cdm")
    advisor = UserFactory(
        username="sarah", first_name="Sarah", last_name="Janssens", organisation=cdm
    )
    lead = UserFactory(
        username="nadia",
        first_name="Nadia",
        last_name="Lambert",
        lead=True,
        organisation=cdm,
    )
    today = timezone.localdate()
    exit_date = months_ago(today, 6)
    entry_date = exit_date - datetime.timedelta(days=75)
    uppercut = Programme.objects.get(code="uppercut")
    case = EligibleCaseFileFactory(
        programme=uppercut,
        advisor=advisor,
        owner_organisation=cdm,
        entry_date=entry_date,
        young_person__first_name="Yasmina",
        young_person__last_name="Benali",
    )
    cohort = CohortFactory(
        programme=uppercut,
        name="Uppercut — automne",
        owner_organisation=cdm,
        created_by=lead,
        start_date=entry_date,
        end_date=entry_date + datetime.timedelta(days=60),
    )
    Enrolment.objects.create(
        cohort=cohort,
        case_file=case,
        status=Enrolment.Status.ENROLLED,
        enrolled_at=timezone.now(),
        created_by=advisor,
    )
    return {
        "case": case,
        "cohort": cohort,
        "entry_date": entry_date,
        "intensive_end": entry_date + datetime.timedelta(days=14),
        "exit_date": exit_date,
    }


def assessment_url(case: CaseFile, moment: str) -> str:
    return f"/outcomes/cases/{case.pk}/distance/{moment}/"


def take_assessment(page: Page, case: CaseFile, moment: str, day, scores) -> None:
    page.locator(f"a[href='{assessment_url(case, moment)}']").click()
    page.fill("#id_assessed_on", day.isoformat())
    for name, score in zip([*SCALES, "languages"], scores, strict=True):
        page.fill(f"#id_{name}", str(score))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".message--success")).to_be_visible()


def chart_points(page: Page) -> list[int]:
    """How many points each scale's line has."""
    lines = page.locator("section[aria-labelledby='distance-title'] .chart__line")
    return [lines.nth(i).locator(".chart__point").count() for i in range(lines.count())]


def test_distance_travelled_and_the_exit_of_an_uppercut_participant(
    new_page, world, screenshot
):
    case = world["case"]
    page = new_page()  # Belgian French, as the CDM's computers
    log_in(page, "sarah")
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("#distance-title")).to_have_text("Chemin parcouru")
    screenshot(page, "case before any assessment")

    # --- at entry: a 0 and an 11 are refused beside their fields, nothing lost ---
    page.locator(f"a[href='{assessment_url(case, 'entry')}']").click()
    page.fill("#id_assessed_on", world["entry_date"].isoformat())
    for name, score in zip(["confidence", "project_clarity"], [0, 11], strict=True):
        page.fill(f"#id_{name}", str(score))
    for name, score in zip(SCALES[2:] + ["languages"], [3, 5, 4, 6], strict=True):
        page.fill(f"#id_{name}", str(score))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_confidence_error")).to_be_visible()
    expect(page.locator("#id_project_clarity_error")).to_be_visible()
    expect(page.locator("#id_languages")).to_have_value("6")
    screenshot(page, "entry assessment refused 0 and 11")
    assert not Assessment.objects.exists()
    page.fill("#id_confidence", "3")
    page.fill("#id_project_clarity", "2")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".message--success")).to_be_visible()
    assert chart_points(page) == [1] * 6

    # --- her action plan: one goal ---
    page.locator(f"a[href='/outcomes/cases/{case.pk}/goals/new/']").click()
    page.fill("#id_text", "S’inscrire à une formation qualifiante en cuisine")
    page.fill("#id_target_date", world["exit_date"].isoformat())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    goals = page.locator("section[aria-labelledby='goals-title']")
    expect(goals).to_contain_text("S’inscrire à une formation qualifiante")
    expect(goals).to_contain_text("En cours")

    # --- at the end of the intensive phase ---
    take_assessment(
        page, case, "intensive_end", world["intensive_end"], SCORES["intensive_end"]
    )
    assert chart_points(page) == [2] * 6
    page.locator("#distance-title").scroll_into_view_if_needed()
    screenshot(page, "case with two assessments")

    # --- the advisor closes the participation as completed, with the situation ---
    exit_date = world["exit_date"]
    training_start = exit_date + datetime.timedelta(days=10)
    page.locator(f"a[href='/outcomes/cases/{case.pk}/exit/']").click()
    page.fill("#id_exit_date", exit_date.isoformat())
    page.select_option("#id_exit_reason", "completed")
    page.select_option("#id_outcome-kind", "qualifying_training")
    page.fill("#id_outcome-start_date", training_start.isoformat())
    page.fill("#id_outcome-organisation_name", "Bruxelles Formation — Cuisine")
    page.select_option("#id_outcome-source", "document")
    page.set_input_files(
        "#id_outcome-evidence_file",
        files=[
            {
                "name": "attestation-inscription.pdf",
                "mimeType": "application/pdf",
                "buffer": PDF,
            }
        ],
    )
    screenshot(page, "exit form")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".message--success")).to_be_visible()
    screenshot(page, "case closed with its outcome")
    case.refresh_from_db()
    assert case.status == CaseFile.Status.CLOSED
    outcome = Outcome.objects.get(case_file=case)
    assert (outcome.kind, outcome.start_date) == ("qualifying_training", training_start)
    assert outcome.evidence_file
    six_months = FollowUp.objects.get(case_file=case, kind=FollowUp.Kind.SIX_MONTHS)

    # --- six months on: the follow-up is on her dashboard; she records it ---
    page.goto("/")
    follow_ups = page.locator("section[aria-labelledby='exit-follow-ups-title']")
    link = follow_ups.locator(
        f"a[href='/outcomes/cases/{case.pk}/follow-ups/{six_months.pk}/']"
    )
    expect(link).to_be_visible()
    screenshot(page, "dashboard with the six-month follow-up")
    link.click()
    page.locator("input[name='situation'][value='training']").check()
    page.fill("#id_attempts", "1")
    page.fill("#id_comment", "Toujours en formation en cuisine, stage en mai.")
    page.fill("#id_outcome-start_date", training_start.isoformat())
    page.fill("#id_outcome-organisation_name", "Bruxelles Formation — Cuisine")
    page.select_option("#id_outcome-source", "young_person")
    page.fill("#id_outcome-verification_note", "Appel téléphonique avec Yasmina.")
    screenshot(page, "six-month follow-up form")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".message--success")).to_be_visible()
    six_months.refresh_from_db()
    assert six_months.situation == FollowUp.Situation.TRAINING

    # --- at the follow-up she reviews the goal: achieved ---
    goal = Goal.objects.get(case_file=case)
    page.locator(f"a[href='/outcomes/cases/{case.pk}/goals/{goal.pk}/edit/']").click()
    page.select_option("#id_status", "achieved")
    page.fill("#id_reviewed_on", timezone.localdate().isoformat())
    page.fill("#id_review_note", "Inscrite en mai, formation en cours.")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    goals = page.locator("section[aria-labelledby='goals-title']")
    expect(goals).to_contain_text("Atteint")
    expect(goals).to_contain_text("Inscrite en mai, formation en cours.")

    # --- the exit assessment: three points on each line ---
    take_assessment(page, case, "exit", exit_date, SCORES["exit"])
    assert chart_points(page) == [3] * 6
    table = page.locator("section[aria-labelledby='distance-title'] table")
    expect(table.locator("tbody tr").first).to_contain_text("Confiance en soi")
    expect(table.locator("tbody tr").first.locator("td")).to_have_text(["3", "6", "8"])
    page.locator("#distance-title").scroll_into_view_if_needed()
    screenshot(page, "case with three assessments")
    assert not page.server_errors

    # --- the same in Dutch, the cohort's summary too ---
    dutch = new_page(language="nl")
    log_in(dutch, "sarah")
    dutch.goto(f"/cases/{case.pk}/")
    expect(dutch.locator("#distance-title")).to_have_text("Afgelegde weg")
    expect(
        dutch.locator("section[aria-labelledby='distance-title'] table thead th")
    ).to_have_text(["Schaal", "Instap", "Einde van de intensieve fase", "Uitstroom"])
    screenshot(dutch, "case in Dutch")
    dutch.goto(assessment_url(case, "exit"))
    dutch.fill("#id_mobility", "11")
    dutch.locator("main form button[type=submit]").click()
    expect(dutch.locator("#id_mobility_error")).to_be_visible()
    screenshot(dutch, "exit assessment refused in Dutch")
    dutch.goto(f"/programmes/cohorts/{world['cohort'].pk}/")
    summary = dutch.locator("section[aria-labelledby='cohort-distance-title']")
    expect(summary).to_contain_text("Mediane verandering")
    expect(summary.locator("tbody tr").first.locator("td")).to_have_text("+5")
    screenshot(dutch, "cohort summary in Dutch")
    dutch.goto("/")
    screenshot(dutch, "dashboard in Dutch")
    assert not dutch.server_errors
