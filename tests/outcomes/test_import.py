"""Import of past records (docs/import.md): a 300-row workbook with five bad rows,
the ZIP-of-CSV form, Belgian dates, re-entries, idempotence, the upload page, and
hostile cell values."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from outcomes.imports.importer import run_import
from outcomes.imports.reader import SHEETS
from outcomes.models import FollowUp, ImportReference, ImportRun, Outcome
from tests.factories import YoungPersonFactory
from tests.youthtrack.sharing_helpers import make_user, signed_in
from youthtrack.exports import csv_text, xlsx_bytes
from youthtrack.models import (
    AuditEvent,
    CaseFile,
    Operation,
    Programme,
    User,
    YoungPerson,
)

pytestmark = pytest.mark.django_db

NEW_OPERATION = "UPC-ESFPLUS-2021-2025"
FIRST_NAMES = ["Amina", "Bram", "Chloé", "Dries", "Elif", "Fatou", "Gilles", "Hanne"]
LAST_NAMES = ["Peeters", "El Idrissi", "Dubois", "Janssens", "Yilmaz", "Diallo"]


def sheets_for(people: int = 100, outcomes: int = 60, follow_ups: int = 39) -> dict:
    """``people`` people, one participation each, and outcomes and follow-ups of the
    first of them: 1 + 100 + 100 + 60 + 39 = 300 data rows by default."""
    operations = [
        list(SHEETS["operations"]),
        [NEW_OPERATION, "uppercut", "esfplus2021", "2021-01-01", "2025-12-31"],
    ]
    people_rows = [list(SHEETS["people"])]
    participations = [list(SHEETS["participations"])]
    for n in range(people):
        born = datetime.date(1998 + n % 6, 1 + n % 12, 1 + n % 28)
        people_rows.append(
            [
                f"P{n:04d}",
                FIRST_NAMES[n % len(FIRST_NAMES)],
                f"{LAST_NAMES[n % len(LAST_NAMES)]} {n}",
                born,
                "FMX"[n % 3] if n % 10 else "",
                ["BE", "FR", "MA", "stateless", ""][n % 5],
                ["1000", "1070", "1210", "9000"][n % 4],
            ]
        )
        operation = NEW_OPERATION if n % 2 else "TNG-ESFPLUS-2021-2027"
        entry = datetime.date(2022, 1 + n % 12, 1 + n % 28)
        closed = n % 3 != 0
        participations.append(
            [
                f"P{n:04d}",
                operation,
                entry,
                entry + datetime.timedelta(days=120) if closed else "",
                ["completed", "dropped_out", "moved_away", "other"][n % 4]
                if closed
                else "",
                "unemployed" if n % 2 else "inactive",
                entry - datetime.timedelta(days=30 * (n % 20)) if n % 2 else "",
                "no" if n % 2 else "yes",
                n % 9,
                "yes" if n % 2 else "no",
                ["yes", "no", "declined", ""][n % 4],
                ["yes", "no", "declined", ""][(n + 1) % 4],
                ["yes", "no", "declined", ""][(n + 2) % 4],
                ["yes", "no", "declined", ""][(n + 3) % 4],
            ]
        )
    operation_of = {row[0]: row[1] for row in participations[1:]}
    entry_of = {row[0]: row[2] for row in participations[1:]}
    outcome_rows = [list(SHEETS["outcomes"])]
    types = ["job", "training", "qualification", "studies", "offer", "job_search"]
    for n in range(outcomes):
        person = f"P{n:04d}"
        start = entry_of[person] + datetime.timedelta(days=60)
        outcome_rows.append([person, operation_of[person], start, types[n % 6], ""])
    follow_up_rows = [list(SHEETS["follow_ups"])]
    closed_people = [row for row in participations[1:] if row[3]]
    for n in range(follow_ups):
        row = closed_people[n % len(closed_people)]
        kind = "upon_leaving" if n < len(closed_people) else "six_months"
        follow_up_rows.append(
            [row[0], row[1], kind, row[3], ["employed", "training", ""][n % 3]]
        )
    return {
        "operations": operations,
        "people": people_rows,
        "participations": participations,
        "outcomes": outcome_rows,
        "follow_ups": follow_up_rows,
    }


def data_rows(sheets: dict) -> int:
    return sum(len(rows) - 1 for rows in sheets.values())


def zip_of_csv(sheets: dict, *, encoding: str = "utf-8") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, rows in sheets.items():
            archive.writestr(f"{name}.csv", csv_text(rows).encode(encoding))
    return buffer.getvalue()


@pytest.fixture
def lead() -> User:
    """A CDM project lead of the programmes the workbooks import into."""
    user = make_user("lead", org_code="cdm", role=User.Role.LEAD)
    user.programmes_led.set(Programme.objects.filter(code__in=["touchngo", "uppercut"]))
    return user


def run(lead: User, data: bytes, *, dry_run: bool = False, language: str = "en"):
    with translation.override(language):
        return run_import(
            data=data,
            file_name="records.xlsx",
            organisation=lead.organisation,
            user=lead,
            dry_run=dry_run,
        )


def counts_of_records() -> tuple[int, ...]:
    return (
        Operation.objects.count(),
        YoungPerson.objects.count(),
        CaseFile.objects.count(),
        Outcome.objects.count(),
        FollowUp.objects.count(),
        ImportReference.objects.count(),
    )


def break_five(sheets: dict) -> dict:
    """Five bad rows, one per sheet but operations, and one more in people."""
    broken = {name: [list(row) for row in rows] for name, rows in sheets.items()}
    broken["people"][4][3] = "31/02/2001"  # line 5: no such day
    broken["people"][9][4] = "Q"  # line 10: not a gender
    broken["participations"][7][5] = "retired"  # line 8
    broken["outcomes"][3][3] = "astronaut"  # line 4
    broken["follow_ups"][2][2] = "yearly"  # line 3
    return broken


def test_the_dry_run_lists_the_five_bad_rows_and_the_import_refuses_them(lead):
    sheets = sheets_for()
    assert data_rows(sheets) == 300
    bad = xlsx_bytes(break_five(sheets))
    before = counts_of_records()

    result = run(lead, bad, dry_run=True)
    found = {(p.sheet, p.line, p.column) for p in result.problems}
    assert found == {
        ("people", 5, "birth_date"),
        ("people", 10, "gender"),
        ("participations", 8, "employment_status"),
        ("outcomes", 4, "type"),
        ("follow_ups", 3, "kind"),
    }
    reasons = {(p.sheet, p.line): p.message for p in result.problems}
    assert "31/02/2001" in reasons[("people", 5)]
    assert "is not one of" in reasons[("outcomes", 4)]

    refused = run(lead, bad)
    assert not refused.imported
    assert len(refused.problems) == 5
    assert counts_of_records() == before
    assert refused.run.status == ImportRun.Status.REFUSED

    good = xlsx_bytes(sheets)
    checked = run(lead, good, dry_run=True)
    assert checked.problems == []
    assert counts_of_records() == before  # a dry run writes nothing
    imported = run(lead, good)
    assert imported.imported
    assert imported.counts["people"]["created"] == 100
    assert imported.counts["participations"]["created"] == 100
    assert imported.counts["outcomes"]["created"] == 60
    assert imported.counts["follow_ups"]["created"] == 39
    assert imported.counts["operations"] == {"created": 1, "updated": 0, "unchanged": 1}
    assert checked.counts == imported.counts  # the dry run counted the same
    after = counts_of_records()
    assert after[1] - before[1] == 100 and after[2] - before[2] == 100

    again = run(lead, good)
    assert again.imported
    assert counts_of_records() == after
    for sheet, counts in again.counts.items():
        assert counts["created"] == 0 and counts["updated"] == 0, sheet
    assert again.counts["people"]["unchanged"] == 100
    assert again.counts["participations"]["unchanged"] == 100


def test_imported_values_are_mapped_to_the_records(lead):
    sheets = sheets_for(people=6, outcomes=2, follow_ups=1)
    run(lead, xlsx_bytes(sheets))
    person = ImportReference.objects.get(ref="P0001").young_person
    assert (person.gender_id, person.citizenship, person.commune.postcode) == (
        "male",
        "eu",
        "1070",
    )
    assert ImportReference.objects.get(ref="P0003").young_person.commune_id == (
        "outside"  # 9000 is Ghent
    )
    case_file = CaseFile.objects.get(young_person=person)
    assert case_file.operation.reference == NEW_OPERATION
    assert case_file.programme.code == "uppercut"
    assert case_file.owner_organisation == lead.organisation
    assert case_file.status == CaseFile.Status.CLOSED
    assert case_file.exit_reason == CaseFile.ExitReason.DROPPED_OUT
    assert case_file.employment_status == "unemployed"
    assert case_file.highest_diploma.isced_level_id == 1
    assert case_file.registered_at_actiris is True
    assert (case_file.disability, case_file.foreign_background) == ("no", "declined")
    assert AuditEvent.objects.filter(
        object_type="outcomes.importrun", changes__status="imported"
    ).exists()
    assert AuditEvent.objects.filter(case_file=case_file, action="create").exists()


def test_zip_of_csv_with_belgian_dates_in_cp1252(lead):
    sheets = sheets_for(people=4, outcomes=2, follow_ups=2)
    belgian = {name: [list(row) for row in rows] for name, rows in sheets.items()}
    belgian["people"][1][1] = "Zoë"
    belgian["people"][1][3] = "31/12/2001"
    belgian["people"][2][3] = "01-02-2002"
    belgian["people"][3][3] = "7.3.2003"
    result = run(lead, zip_of_csv(belgian, encoding="cp1252"))
    assert result.problems == []
    assert result.imported
    born = {
        ref: ImportReference.objects.get(ref=ref).young_person.birth_date
        for ref in ("P0000", "P0001", "P0002")
    }
    assert born == {
        "P0000": datetime.date(2001, 12, 31),
        "P0001": datetime.date(2002, 2, 1),
        "P0002": datetime.date(2003, 3, 7),
    }
    assert ImportReference.objects.get(ref="P0000").young_person.first_name == "Zoë"


def test_a_reentry_keeps_the_first_entry_and_the_final_exit(lead):
    sheets = sheets_for(people=2, outcomes=0, follow_ups=0)
    rows = sheets["participations"]
    first = list(rows[2])  # P0001, closed after 120 days
    entry = first[2]
    back = list(first)
    back[2] = entry + datetime.timedelta(days=200)
    back[3] = entry + datetime.timedelta(days=300)
    back[4] = "completed"
    back[5] = "employed"  # the situation at re-entry is not kept
    back[6] = ""
    rows.append(back)
    result = run(lead, xlsx_bytes(sheets))
    assert result.problems == []
    files = CaseFile.objects.filter(
        young_person=ImportReference.objects.get(ref="P0001").young_person
    )
    assert files.count() == 1
    case_file = files.get()
    assert case_file.entry_date == entry
    assert case_file.employment_status == "unemployed"
    assert case_file.exit_date == entry + datetime.timedelta(days=300)
    assert case_file.exit_reason == "completed"

    # A re-entry before the exit is a problem of the later row.
    rows[-1][2] = entry + datetime.timedelta(days=10)
    refused = run(lead, xlsx_bytes(sheets), dry_run=True)
    assert [(p.sheet, p.line, p.column) for p in refused.problems] == [
        ("participations", 4, "entry_date")
    ]


def test_a_person_already_registered_is_reused_by_the_duplicate_guard(lead):
    sheets = sheets_for(people=1, outcomes=0, follow_ups=0)
    _ref, first, last, born, *_rest = sheets["people"][1]
    known = YoungPersonFactory(
        first_name=first.upper(),
        last_name=last,
        birth_date=born,
        created_by_organisation=lead.organisation,
    )
    result = run(lead, xlsx_bytes(sheets))
    assert result.counts["people"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert ImportReference.objects.get(ref="P0000").young_person == known


def test_problems_are_in_the_users_language(lead):
    sheets = sheets_for(people=2, outcomes=0, follow_ups=0)
    sheets["people"][1][3] = "bientôt"
    for language, word in (("fr", "date"), ("nl", "datum")):
        result = run(lead, xlsx_bytes(sheets), dry_run=True, language=language)
        assert [p.column for p in result.problems] == ["birth_date"]
        assert word in result.problems[0].message.lower()
        assert "is not a date" not in result.problems[0].message


def test_the_command_imports_and_refuses(lead, tmp_path):
    path = tmp_path / "records.xlsx"
    path.write_bytes(xlsx_bytes(break_five(sheets_for(10, 5, 4))))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_records", str(path), organisation="cdm", stdout=out)
    assert "people\t5\tbirth_date" in out.getvalue()
    path.write_bytes(xlsx_bytes(sheets_for(10, 5, 4)))
    call_command(
        "import_records", str(path), organisation="cdm", dry_run=True, stdout=out
    )
    assert not ImportReference.objects.exists()
    call_command("import_records", str(path), organisation="cdm", stdout=io.StringIO())
    assert ImportReference.objects.count() == 10


# --- the upload page ------------------------------------------------------------------


def upload(data: bytes, name: str = "records.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_a_lead_checks_then_imports_from_the_upload_page(
    lead, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the jobs in this process (CI: a broker)
    client = signed_in(lead, HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("outcomes:import_records")
    assert client.get(url).status_code == 200

    def post(target, data):
        with django_capture_on_commit_callbacks(execute=True):  # the job, in-process
            return client.post(target, data)

    bad = xlsx_bytes(break_five(sheets_for(10, 5, 4)))
    response = post(url, {"file": upload(bad)})
    assert response.status_code == 302  # to the run's page, which follows the check
    page = client.get(response.url).content.decode()
    assert "astronaut" in page and "follow_ups" in page
    assert "5 problems: nothing can be imported." in page
    assert ">Import</button>" not in page  # nothing to import

    response = post(url, {"file": upload(xlsx_bytes(sheets_for(10, 5, 4)))})
    run_url = response.url
    page = client.get(run_url).content.decode()
    assert ">Import</button>" in page and "No problem found" in page
    assert not ImportReference.objects.exists()
    response = post(run_url, {})
    assert response.status_code == 302 and response.url == run_url
    assert ImportReference.objects.count() == 10
    run_pk = int(run_url.rstrip("/").rsplit("/", 1)[1])
    assert ImportRun.objects.get(pk=run_pk).status == ImportRun.Status.IMPORTED
    assert ImportRun.objects.get(pk=run_pk).content is None
    assert "Imported:" in client.get(run_url).content.decode()
    # The same check cannot be imported twice.
    assert post(run_url, {}).status_code == 404

    # Only the latest check is kept for import: a newer check drops the older file.
    older = post(url, {"file": upload(xlsx_bytes(sheets_for(3, 0, 0)))}).url
    post(url, {"file": upload(xlsx_bytes(sheets_for(4, 0, 0)))})
    older_pk = int(older.rstrip("/").rsplit("/", 1)[1])
    assert ImportRun.objects.get(pk=older_pk).content is None
    assert post(older, {}).status_code == 404
    assert "only the latest check can be imported" in client.get(older).content.decode()

    template = client.get(reverse("outcomes:import_template"))
    assert template.status_code == 200
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_page_follows_a_check_still_running(
    lead, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the job in this process (CI: a broker)
    client = signed_in(lead, HTTP_ACCEPT_LANGUAGE="en")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("outcomes:import_records"),
            {"file": upload(xlsx_bytes(sheets_for(3, 0, 0)))},
        )
    assert len(queued) == 1  # the check is queued once the run is saved
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.CHECKING and run.content
    page = client.get(response.url).content.decode()
    assert "data-poll" in page and "<progress" in page
    assert "Being checked" in page
    ImportRun.objects.filter(pk=run.pk).update(progress=40)
    assert 'value="40"' in client.get(response.url).content.decode()
    queued[0]()  # the worker runs it
    page = client.get(response.url).content.decode()
    assert "data-poll" not in page and "No problem found" in page


@pytest.mark.parametrize(
    ("role", "org_code"), [(User.Role.ADVISOR, "cdm"), (User.Role.PARTNER, "actiris")]
)
def test_advisors_and_partners_cannot_import(role, org_code):
    client = signed_in(make_user("someone", org_code=org_code, role=role))
    data = xlsx_bytes(sheets_for(2, 0, 0))
    assert client.get(reverse("outcomes:import_records")).status_code == 403
    response = client.post(reverse("outcomes:import_records"), {"file": upload(data)})
    assert response.status_code == 403
    assert not ImportRun.objects.exists()


def test_another_leads_check_cannot_be_imported_nor_read(lead):
    result = run(lead, xlsx_bytes(sheets_for(2, 0, 0)), dry_run=True)
    other = make_user("otherlead", org_code="cdm", role=User.Role.LEAD)
    page = reverse("outcomes:import_run", args=[result.run.pk])
    assert signed_in(other).get(page).status_code == 404
    assert signed_in(other).post(page, {}).status_code == 404
    assert not ImportReference.objects.exists()


# --- hostile input -----------------------------------------------------------------

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), min_size=1, max_size=5),
    st.just("\x00"),
    st.just("x" * 100_000),
    st.just("9" * 400),
    st.just("1e308"),
    st.just("-1"),
    st.just("99/99/9999"),
    st.just("0000-00-00"),
    st.just("=cmd|'/c calc'!A1"),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    sheet=st.sampled_from(["people", "participations", "outcomes", "follow_ups"]),
    column=st.integers(min_value=0, max_value=13),
    value=HOSTILE,
    form=st.sampled_from(["utf-8", "utf-16", "xlsx"]),
)
def test_hostile_values_give_problems_never_errors_nor_half_saved_records(
    lead, sheet, column, value, form
):
    sheets = sheets_for(people=3, outcomes=2, follow_ups=2)
    row = sheets[sheet][1]
    if form == "xlsx":
        # A workbook cannot hold these characters at all (openpyxl refuses them).
        row[column % len(row)] = ILLEGAL_CHARACTERS_RE.sub("", value)
        data = xlsx_bytes(sheets)
    else:
        row[column % len(row)] = value
        data = zip_of_csv(sheets, encoding=form)
    with transaction.atomic():  # each example starts from the same database
        before = counts_of_records()
        result = run(lead, data)
        if result.problems:
            assert not result.imported
            assert counts_of_records() == before
            for problem in result.problems:
                assert problem.message
                assert problem.sheet in (*SHEETS, "") or problem.sheet.endswith(".csv")
        else:
            assert result.imported
            assert counts_of_records()[2] == before[2] + 3
        transaction.set_rollback(True)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"first_name;last_name\nAmina;Peeters\n", "neither an XLSX"),
        (b"\x00" * 1000, "neither an XLSX"),
        (xlsx_bytes(sheets_for(2, 0, 0))[:3000], "neither an XLSX"),
        (_zip({"notes.txt": b"hello"}), "No sheet found"),
        (_zip({"people.csv": b"\x81\x8d\x8f\x90\x9d" * 10}), "cannot be read"),
        (_zip({"people.csv": b"0" * (101 * 1024 * 1024)}), "too large"),
        (_zip({"[Content_Types].xml": b"<nope/>"}), "damaged"),
    ],
    ids=["csv", "nul", "truncated", "no-sheet", "encoding", "zip-bomb", "broken"],
)
def test_an_unreadable_file_is_one_problem_not_an_error(lead, data, reason):
    before = counts_of_records()
    result = run(lead, data)
    assert [(p.line, reason in p.message) for p in result.problems] == [(0, True)]
    assert not result.imported
    assert counts_of_records() == before


def test_funder_report_counts_the_imported_participations(lead):
    """The imported records feed the indicator engine: 50 participants (odd n) in the
    new operation, all unemployed at entry; non-EU or stateless when n % 10 is 3 or
    7: 20. Importing again leaves the report as it was (same checksum)."""

    def report() -> dict:
        out = io.StringIO()
        call_command(
            "funder_report",
            "esfplus2021",
            operation=NEW_OPERATION,
            date_from="2021-01-01",
            date_to="2025-12-31",
            format="json",
            stdout=out,
        )
        return json.loads(out.getvalue())

    data = xlsx_bytes(sheets_for())
    run(lead, data)
    first = report()
    assert first["indicators"]["EECO01"]["total"] == 50
    assert first["indicators"]["EECO02"]["total"] == 50
    assert first["indicators"]["EECO13"]["total"] == 20
    run(lead, data)
    assert report()["checksum"] == first["checksum"]


def test_two_new_operations_of_the_file_may_not_overlap(lead):
    sheets = sheets_for(people=2, outcomes=0, follow_ups=0)
    sheets["operations"].append(
        ["UPC-ESFPLUS-BIS", "uppercut", "esfplus2021", "2025-01-01", "2026-06-30"]
    )
    result = run(lead, xlsx_bytes(sheets), dry_run=True)
    assert [(p.sheet, p.line, p.column) for p in result.problems] == [
        ("operations", 3, "start")
    ]
    assert NEW_OPERATION in result.problems[0].message


def test_a_lead_imports_only_into_the_programmes_they_lead():
    """An outside probe imported, as the lead of another programme, participations
    into the CDM's Touch'N'Go operations and a new operation under Touch'N'Go."""
    other = make_user("lead2", org_code="actiris", role=User.Role.LEAD)
    other.programmes_led.set(Programme.objects.filter(code="uppercut"))
    sheets = sheets_for(people=4, outcomes=0, follow_ups=0)
    sheets["operations"].append(
        ["EVIL-TNG", "touchngo", "esf2014", "2000-01-01", "2013-12-31"]
    )
    result = run(other, xlsx_bytes(sheets), dry_run=True)
    where = {(p.sheet, p.column) for p in result.problems}
    assert ("operations", "programme") in where
    assert ("participations", "operation") in where
    refused = run(other, xlsx_bytes(sheets))
    assert not refused.imported
    assert not Operation.objects.filter(reference="EVIL-TNG").exists()


def test_the_template_imports_no_example_as_a_real_record():
    """A newcomer uploaded the template back: its example young person passed the
    check as "1 new" and would have been imported as a real record."""
    from outcomes.imports.template import template_sheets

    sheets = template_sheets()
    for sheet, columns in SHEETS.items():
        rows = list(sheets[sheet])
        assert rows == [list(columns)]
    examples = list(sheets["examples"])
    assert any(row and row[1:] and row[0] == "people" for row in examples)
