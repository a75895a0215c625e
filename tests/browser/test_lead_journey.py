"""The project lead's journey, in Dutch: the data-quality gate names a participant
unemployed at entry without the date since when; the lead opens the file, fixes it,
the gate no longer names them; then the ESF+ report of last year for Touch'N'Go is
produced in the background and downloaded as PDF and XLSX. axe checks each page.
"""

import datetime
import re
import time

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from youthtrack.models import Operation

from .conftest import log_in
from .test_advisor_journey import demo, known_case  # noqa: F401 (fixture)

REPORT_WAIT_SECONDS = 120


def test_quality_gate_fix_and_esf_report(new_page, screenshot, demo):  # noqa: F811
    operation = Operation.objects.get(reference="TNG-ESFPLUS-2021-2027")
    year = timezone.localdate().year - 1
    case = known_case(
        demo["advisor"],
        operation=operation,
        programme=operation.programme,
        entry_date=datetime.date(year, 3, 1),
        employment_status="unemployed",
        unemployed_since=None,
    )
    period = {
        "operation": operation.pk,
        "date_from": f"{year}-01-01",
        "date_to": f"{year}-12-31",
    }

    page = new_page(language="nl")
    log_in(page, "lead")
    page.goto(reverse("outcomes:report_list"))
    screenshot(page, "funder reports")

    # 1. The data-quality gate.
    page.locator("main a[href^='/outcomes/reports/quality/']").first.click()
    page.locator("#id_operation").select_option(str(operation.pk))
    page.locator("#id_date_from").fill(period["date_from"])
    page.locator("#id_date_to").fill(period["date_to"])
    page.locator("main form button[type=submit]").click()
    named = page.locator(f"main table a[href='/cases/{case.pk}/']")
    expect(named).to_be_visible()
    row = page.locator("main table tr").filter(
        has=page.locator(f"a[href='/cases/{case.pk}/']")
    )
    expect(row).to_contain_text(
        "werkloosheid"  # "long-term unemployment cannot be judged", in Dutch
    )
    screenshot(page, "quality gate names the participant")

    # 2. The lead fixes the participant's file.
    named.click()
    page.locator(f"main a[href='/cases/{case.pk}/edit/']").first.click()
    page.locator("[name=unemployed_since]").fill(f"{year - 1}-09-01")
    screenshot(page, "unemployed since filled in")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    case.refresh_from_db()
    assert case.unemployed_since == datetime.date(year - 1, 9, 1)
    page.goto(
        reverse("outcomes:report_quality")
        + "?"
        + "&".join(f"{key}={value}" for key, value in period.items())
    )
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(f"main a[href='/cases/{case.pk}/']")).to_have_count(0)
    screenshot(page, "quality gate without them")

    # 3. The ESF+ report of last year, produced in the background.
    page.goto(reverse("outcomes:report_list"))
    page.locator("#id_rule_set").select_option("esfplus2021")
    page.locator("#id_operation").select_option(str(operation.pk))
    page.locator("#id_date_from").fill(period["date_from"])
    page.locator("#id_date_to").fill(period["date_to"])
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/outcomes/reports/\d+/$"))
    downloads = page.locator("main a[href*='/download/']")
    deadline = time.monotonic() + REPORT_WAIT_SECONDS
    while downloads.count() < 2 and time.monotonic() < deadline:
        time.sleep(2)
        page.reload()
    expect(downloads).to_have_count(2)
    screenshot(page, "report ready")

    # 4. Both files download and are what they say.
    signatures = {"pdf": b"%PDF", "xlsx": b"PK"}
    for fmt, signature in signatures.items():
        with page.expect_download() as download:
            page.locator(f"main a[href$='/download/{fmt}/']").click()
        path = download.value.path()
        assert path is not None
        with open(path, "rb") as file:
            assert file.read(4).startswith(signature), fmt
