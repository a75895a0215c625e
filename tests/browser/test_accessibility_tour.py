"""Every page of the three journeys (advisor, partner, project lead) opened on the demo
data in French and in Dutch, each on a desktop and on a phone: axe-core finds no WCAG
2.1 A or AA violation on any (conftest checks each page as it loads and at each
screenshot), and
none answers with a server error. The journeys themselves run in one language and
size each; this tour is what covers every combination at a bearable cost.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from programmes.models import Cohort, Session
from youthtrack.models import CaseFile, Share, User

from .conftest import DESKTOP, PHONE, log_in
from .test_advisor_journey import demo, known_case  # noqa: F401 (fixture)


def advisor_pages(advisor: User) -> list[str]:
    case = known_case(advisor)
    cohort = Cohort.objects.order_by("pk").first()
    session = Session.objects.order_by("starts_at").first()
    assert cohort is not None and session is not None, "the demo has a cohort"
    return [
        reverse("dashboard"),
        reverse("case_list"),
        reverse("intake"),
        reverse("case_detail", args=[case.pk]),
        reverse("case_notes", args=[case.pk]),
        reverse("case_access_log", args=[case.pk]),
        reverse("note_create", args=[case.pk]),
        reverse("case_edit", args=[case.pk]),
        reverse("consent_create", args=[case.pk]),
        reverse("case_share", args=[case.pk]),
        reverse("programmes:case_enrol", args=[case.pk]),
        reverse("outcomes:exit", args=[case.pk]),
        reverse("shares"),
        reverse("programmes:programme_list"),
        reverse("programmes:calendar"),
        reverse("programmes:cohort_detail", args=[cohort.pk]),
        reverse("programmes:session_register", args=[session.pk]),
        reverse("outcomes:follow_up_list"),
        reverse("account"),
    ]


def partner_pages() -> list[str]:
    shared = Share.objects.filter(status=Share.Status.ACCEPTED).order_by("pk").first()
    assert shared is not None, "the demo shares files with Actiris"
    return [
        reverse("dashboard"),
        reverse("shares"),
        reverse("case_detail", args=[shared.case_file_id]),
        reverse("note_create", args=[shared.case_file_id]),
    ]


def lead_pages() -> list[str]:
    case = CaseFile.objects.order_by("pk").first()
    assert case is not None
    return [
        reverse("dashboard"),
        reverse("outcomes:report_list"),
        reverse("outcomes:report_quality"),
        reverse("outcomes:import_records"),
        reverse("outcomes:statistics_export"),
        reverse("case_detail", args=[case.pk]),
    ]


@pytest.mark.parametrize(
    ("language", "viewport"),
    [("fr", DESKTOP), ("nl", PHONE), ("nl", DESKTOP), ("fr", PHONE)],
    ids=["fr-desktop", "nl-phone", "nl-desktop", "fr-phone"],
)
def test_every_page_of_the_journeys_passes_axe(
    new_page,
    screenshot,
    accessibility,
    demo,  # noqa: F811
    language,
    viewport,
):
    tours = {
        "advisor": advisor_pages(demo["advisor"]),
        "partner": partner_pages(),
        "lead": lead_pages(),
    }
    for username, urls in tours.items():
        page = new_page(language=language, viewport=viewport)
        log_in(page, username)
        for url in urls:
            response = page.goto(url)
            assert response is not None and response.status == 200, (username, url)
            expect(page.locator("html")).to_have_attribute("lang", language)
            screenshot(page, f"{username} {url}")
        page.context.close()
    assert not accessibility.violations
    assert accessibility.checked >= sum(len(urls) for urls in tours.values())
