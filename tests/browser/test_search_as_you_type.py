"""The case list answers as you type (htmx), the number of results read out by screen
readers; without script the form still searches. On a phone (390 × 844) the header
takes less than a fifth of the screen and the case list shows the status and the next
follow-up without scrolling sideways."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import CaseFileFactory, UserFactory
from youthtrack.models import Organisation

from .conftest import PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-password-2026"


@pytest.fixture
def advisor(live_server):
    cdm = Organisation.objects.get(code="cdm")
    user = UserFactory(username="sarah", organisation=cdm, password=PASSWORD)
    today = timezone.localdate()
    for n, (first, last) in enumerate(
        [("Amina", "Bakkali"), ("Bram", "Claes"), ("Chaïma", "El Amrani")]
    ):
        CaseFileFactory(
            advisor=user,
            active=True,
            young_person__first_name=first,
            young_person__last_name=last,
            next_follow_up_on=today + datetime.timedelta(days=n + 1),
        )
    return user


def test_the_case_list_answers_as_you_type(new_page, advisor, screenshot):
    page = new_page(language="en")
    log_in(page, "sarah", PASSWORD)
    page.goto("/cases/")
    expect(page.locator("#result-count")).to_contain_text("3 case files")
    requests = []
    page.on("request", lambda r: requests.append(r) if r.method == "POST" else None)
    page.locator("#id_q").press_sequentially("claes", delay=40)
    # No button pressed: the list and the live region follow the typing.
    expect(page.locator("#result-count")).to_contain_text("1 case file")
    results = page.locator("#case-results")
    expect(results).to_contain_text("Claes, Bram")
    expect(results).not_to_contain_text("Bakkali")
    assert page.locator("#result-count").get_attribute("aria-live") == "polite"
    assert requests, "the search was sent by htmx"
    # The address carries the search's token, never the name typed.
    assert "claes" not in page.url.lower()
    screenshot(page, "searched as typed")


def test_without_script_the_form_still_searches(browser, live_server, advisor):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="en"
    )
    page = context.new_page()
    log_in(page, "sarah", PASSWORD)
    page.goto("/cases/")
    page.locator("#id_q").fill("bakkali")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#case-results")).to_contain_text("Bakkali, Amina")
    expect(page.locator("#result-count")).to_contain_text("1 case file")
    context.close()


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_on_a_phone_the_header_is_small_and_the_list_fits(
    new_page, advisor, screenshot, language
):
    page = new_page(language=language, viewport=PHONE)
    log_in(page, "sarah", PASSWORD)
    page.goto("/cases/")
    header = page.locator("header.site-header").bounding_box()
    assert header is not None
    assert header["height"] < PHONE["height"] / 5, header
    # Every section of the menu is on the screen: none hidden past its edge.
    for link in page.locator("header.site-header nav a").all():
        box = link.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"] + 1, box
    # Status and next follow-up visible without scrolling sideways.
    width = page.evaluate("document.documentElement.clientWidth")
    table = page.locator("table.case-table")
    assert page.locator(".table-wrap").first.evaluate(
        "el => el.scrollWidth <= el.clientWidth"
    )
    # Name, status and next follow-up: the columns a phone shows.
    row = table.locator("tbody tr").first
    visible = [c for c in row.locator("td").all() if c.is_visible()]
    assert len(visible) == 3
    for cell in visible:
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width + 1
    screenshot(page, f"phone case list {language}")
