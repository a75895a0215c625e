"""The charts and the empty states, looked at in the browser: the cohort page's
attendance by session and a funder report's sections by gender, on a desktop and on
a phone, in English, French and Dutch; a newcomer's empty case list and import history.
axe checks every page (the charts' SVG included). Screenshots in
``artifacts/screenshots/<test name>/``."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from outcomes.models import ReportJob
from programmes.models import Attendance, Programme
from tests.factories import (
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    UserFactory,
)
from tests.factories.programmes import at
from tests.outcomes.reports_helpers import sample_result
from youthtrack.models import Operation, Organisation, User

from .conftest import DESKTOP, PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = Attendance.Status
MARKS = [
    [S.PRESENT] * 7 + [S.EXCUSED, S.ABSENT],
    [S.PRESENT] * 5 + [S.LATE, S.EXCUSED, S.ABSENT, S.ABSENT],
    [S.PRESENT] * 8 + [S.ABSENT],
]


@pytest.fixture
def world(live_server) -> dict:
    cdm = Organisation.objects.get(code="cdm")
    lead = UserFactory(
        username="nadia", first_name="Nadia", last_name="Lambert", lead=True
    )
    lead.programmes_led.add(Programme.objects.get(code="touchngo"))
    advisor = UserFactory(
        username="sarah", first_name="Sarah", last_name="Janssens", organisation=cdm
    )
    UserFactory(
        username="newbie",
        first_name="Nina",
        last_name="Nieuw",
        organisation=Organisation.objects.get(code="vdab"),
    )
    today = timezone.localdate()
    cohort = CohortFactory(
        programme=Programme.objects.get(code="uppercut"),
        name="Uppercut — automne",
        start_date=today - datetime.timedelta(days=21),
        end_date=today + datetime.timedelta(days=60),
        capacity=12,
        created_by=lead,
        advisors=[advisor],
    )
    enrolments = [
        EnrolmentFactory(cohort=cohort, case_file__advisor=advisor) for _ in range(9)
    ]
    for index, marks in enumerate(MARKS):
        session = SessionFactory(
            cohort=cohort,
            title="Trouve ta voix",
            starts_at=at(today - datetime.timedelta(days=14 - 3 * index)),
        )
        for enrolment, status in zip(enrolments, marks, strict=True):
            AttendanceFactory(
                session=session, case_file=enrolment.case_file, status=status
            )
    SessionFactory(cohort=cohort, starts_at=at(today + datetime.timedelta(days=7)))
    result = sample_result()
    result["indicators"]["EECO12"] = {"women": "<5", "men": 1, "non_binary": 0}
    job = ReportJob.objects.create(
        organisation=cdm,
        requested_by=lead,
        rule_set="esfplus2021",
        operation=Operation.objects.get(reference="TNG-ESFPLUS-2021-2027"),
        date_from=datetime.date(2025, 1, 1),
        date_to=datetime.date(2025, 12, 31),
        formats=["pdf"],
        status=ReportJob.Status.DONE,
        result=result,
    )
    return {"cohort": cohort, "job": job}


def chart_fits(page: Page, selector: str) -> None:
    """The chart is drawn no wider than the screen (nothing to scroll sideways)."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]


def test_the_cohort_attendance_chart(new_page, world, screenshot):
    url = reverse("programmes:cohort_detail", args=[world["cohort"].pk])
    for language, viewport, name in (
        ("en", DESKTOP, "desktop en"),
        ("nl", PHONE, "phone nl"),
        ("fr", PHONE, "phone fr"),
    ):
        User.objects.filter(username="sarah").update(language=language)
        page = new_page(language=language, viewport=viewport)
        log_in(page, "sarah")
        page.goto(url)
        chart = page.locator("#attendance-chart svg[role=img]")
        expect(chart).to_be_visible()
        expect(chart.locator("g.chart__row")).to_have_count(3)
        chart_fits(page, "#attendance-chart svg[role=img]")
        page.locator("#attendance-chart").scroll_into_view_if_needed()
        page.locator(".chart__figures > summary").click()
        expect(page.locator(".chart__figures table tbody tr")).to_have_count(3)
        screenshot(page, f"cohort attendance {name}")
    # The second session: 6 present (one late), 1 excused, 2 absent.
    second = page.locator("#attendance-chart g.chart__row").nth(1)
    expect(second.locator("text.chart__value")).to_have_text(["6", "1", "2"])


def test_the_report_sections_charts(new_page, world, screenshot):
    url = reverse("outcomes:report_detail", args=[world["job"].pk])
    for language, viewport, name in (
        ("fr", DESKTOP, "desktop fr"),
        ("nl", PHONE, "phone nl"),
    ):
        # The language is kept per user: each look is in the one asked for.
        User.objects.filter(username="nadia").update(language=language)
        page = new_page(language=language, viewport=viewport)
        log_in(page, "nadia")
        page.goto(url)
        expect(page.locator("#report-section-1 svg[role=img]")).to_be_visible()
        expect(page.locator("#report-section-2 svg[role=img]")).to_be_visible()
        chart_fits(page, "#report-section-1 svg[role=img]")
        screenshot(page, f"report sections {name}")
    first = page.locator("#report-section-1 g.chart__row").first
    expect(first.locator("text.chart__value")).to_have_text(
        ["Vrouwen: 5", "Mannen: 5", "Non-binair: 2"]
    )


def test_a_newcomers_empty_lists(new_page, world, screenshot):
    page = new_page(language="nl", viewport=PHONE)
    log_in(page, "newbie")
    page.goto(reverse("case_list"))
    expect(page.locator("p.empty")).to_contain_text("nieuwe intake")
    screenshot(page, "case list empty nl phone")
    lead = new_page(language="fr", viewport=PHONE)
    log_in(lead, "nadia")
    lead.goto(reverse("outcomes:import_records"))
    expect(lead.locator("p.empty")).to_contain_text("Aucun fichier vérifié")
    screenshot(lead, "import history empty fr phone")


def test_a_report_being_produced_shows_its_progress(new_page, world, screenshot):
    job = world["job"]
    result = job.result
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.RUNNING, progress=60, result=None
    )
    User.objects.filter(username="nadia").update(language="fr")
    page = new_page(language="fr", viewport=PHONE)
    log_in(page, "nadia")
    page.goto(reverse("outcomes:report_list"))
    expect(page.locator("#report-jobs")).to_contain_text("60 %")
    screenshot(page, "report list running fr phone")
    page.goto(reverse("outcomes:report_detail", args=[job.pk]))
    expect(page.get_by_role("progressbar", name="Avancement")).to_have_attribute(
        "value", "60"
    )
    screenshot(page, "report running fr phone")
    # The worker finishes: the page, polling, offers the result by itself.
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.DONE, progress=100, result=result
    )
    expect(page.locator("#report-section-1 svg[role=img]")).to_be_visible(
        timeout=20_000
    )
    expect(page.get_by_role("progressbar")).to_have_count(0)
    screenshot(page, "report done by itself fr phone")
