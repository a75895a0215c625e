"""The import of past records, on a phone in French: the project lead uploads a
workbook, the check runs in the background and its page follows it, then 'Import'
writes the records. axe checks each page on the way (conftest).
"""

import re
import time

from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from outcomes.models import ImportRun
from tests.outcomes.test_import import sheets_for
from youthtrack.exports import xlsx_bytes
from youthtrack.models import YoungPerson

from .conftest import PHONE, log_in
from .test_advisor_journey import demo  # noqa: F401 (fixture)

WAIT_SECONDS = 120


def wait_for(page, run: ImportRun, status: str) -> None:
    """The run's page re-reads itself; reloading as often does the same."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status == status:
            # The page may be re-reading itself at that moment ("Not attached to an
            # active page", seen in CI): then wait for it and reload again.
            for attempt in range(3):
                try:
                    page.reload()
                    return
                except PlaywrightError:
                    if attempt == 2:
                        raise
                    page.wait_for_load_state()
        time.sleep(1)
    raise AssertionError(f"the import run stayed {run.status}, not {status}")


def test_a_lead_checks_then_imports_a_workbook(new_page, screenshot, demo, tmp_path):  # noqa: F811
    workbook = tmp_path / "dossiers.xlsx"
    workbook.write_bytes(xlsx_bytes(sheets_for(5, 2, 1)))
    people_before = YoungPerson.objects.count()

    page = new_page(language="fr", viewport=PHONE)
    log_in(page, "lead")
    page.goto(reverse("outcomes:import_records"))
    screenshot(page, "import page")
    page.locator("main input[type=file]").set_input_files(str(workbook))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/outcomes/imports/\d+/$"))
    run = ImportRun.objects.get()
    wait_for(page, run, "checked")
    screenshot(page, "checked, ready to import")
    assert YoungPerson.objects.count() == people_before  # a check writes nothing

    page.locator("main form button[type=submit]", has_text="Importer").click()
    wait_for(page, run, "imported")
    screenshot(page, "imported")
    assert YoungPerson.objects.count() == people_before + 5
