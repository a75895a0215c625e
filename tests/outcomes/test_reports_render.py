"""The renderers of a funder report: CSV and XLSX with the codes in the funder's
order and no formula, JSON as it is, a PDF with the codes, the checksum, the
parameters and page numbers, in the current language."""

import csv
import io
import json
import re

import pytest
from django.utils import translation
from openpyxl import load_workbook

from outcomes.reports.render import render_csv, render_json, render_pdf, render_xlsx
from tests.pdf import pdf_text

from .reports_helpers import sample_result


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


FUNDER_ORDER = ["EECO01", "EECO02", "EECO04", "EECO05", "EECO12", "EECR03", "EECR01"]


def test_csv_lists_the_codes_in_the_funders_order_with_their_figures_by_gender():
    rows = list(
        csv.reader(io.StringIO(render_csv(sample_result()).decode("utf-8-sig")))
    )
    assert [row[0] for row in rows[1:]] == FUNDER_ORDER
    assert rows[0][2:6] == ["Women", "Men", "Non-binary", "Total"]
    assert rows[1][2:6] == ["5", "5", "2", "12"]
    eeco12 = rows[FUNDER_ORDER.index("EECO12") + 1]
    assert eeco12[-1] == "1"  # declined to answer


def test_csv_and_xlsx_never_hold_a_formula():
    rows = list(
        csv.reader(io.StringIO(render_csv(sample_result()).decode("utf-8-sig")))
    )
    label = rows[FUNDER_ORDER.index("EECO12") + 1][1]
    assert label.startswith("'=HYPERLINK")
    sheet = load_workbook(io.BytesIO(render_xlsx(sample_result()))).worksheets[0]
    cells = [cell.value for row in sheet.iter_rows() for cell in row]
    assert '\'=HYPERLINK("http://evil","Participants with disabilities")' in cells
    assert not any(isinstance(value, str) and value.startswith("=") for value in cells)


def test_xlsx_has_the_figures_in_order_and_the_parameters_used():
    workbook = load_workbook(io.BytesIO(render_xlsx(sample_result())))
    figures, parameters = workbook.worksheets
    codes = [row[0] for row in figures.iter_rows(min_row=2, values_only=True)]
    assert codes == FUNDER_ORDER
    assert next(figures.iter_rows(min_row=2, values_only=True))[2:6] == (5, 5, 2, 12)
    used = dict(parameters.iter_rows(values_only=True))
    assert used["window_days"] == 28
    assert used["Checksum"] == "5f2c0a7e9d1b4c3a"


def test_the_parameters_are_named_as_the_engine_says():
    result = sample_result(
        programme="Touch'N'Go",
        parameter_labels={"window_days": "Upon leaving: days after the exit date"},
    )
    flat = " ".join(pdf_text(render_pdf(result)).split())
    assert "Upon leaving: days after the exit date 28" in flat
    assert "Touch'N'Go" in flat


def test_json_is_the_result_as_it_is():
    result = sample_result()
    assert json.loads(render_json(result)) == result


def test_pdf_has_the_codes_the_checksum_the_parameters_and_page_numbers():
    text = pdf_text(render_pdf(sample_result()))
    flat = " ".join(text.split())
    for code in FUNDER_ORDER:
        assert code in flat
    assert flat.index("EECO01") < flat.index("EECO12") < flat.index("EECR03")
    assert "5f2c0a7e9d1b4c3a" in flat
    assert "ESF-2021-TNG" in flat and "Centre de la Mission" in flat
    assert "window_days 28" in flat
    assert "Common immediate result indicators" in flat
    assert "Page 1" in flat


def test_pdf_is_in_the_current_language():
    with translation.override("nl"):
        dutch = " ".join(pdf_text(render_pdf(sample_result())).split())
    with translation.override("fr"):
        french = " ".join(pdf_text(render_pdf(sample_result())).split())
    assert "Vrouwen" in dutch and "Controlesom" in dutch
    assert "Femmes" in french and "Somme de contrôle" in french


def test_suppressed_small_cells_are_printed_as_suppressed():
    # The anonymous activity figures print "<5" instead of a small count.
    result = sample_result(
        rule_set="activity",
        operation=None,
        indicators={"ACTY04.20-29": {"women": 6, "men": "<5", "total": 9}},
        labels={"ACTY04.20-29": "20 to 29"},
        sections=[{"title": "Ten-year bands", "indicators": ["ACTY04.20-29"]}],
        declined={},
    )
    flat = " ".join(pdf_text(render_pdf(result)).split())
    assert "ACTY04.20-29 20 to 29 6 <5" in flat
    rows = list(csv.reader(io.StringIO(render_csv(result).decode("utf-8-sig"))))
    assert rows[1] == ["ACTY04.20-29", "20 to 29", "6", "<5", "9"]


def test_the_parameters_name_the_rule_set_and_write_dates_in_the_readers_language():
    with translation.override("fr"):
        french = " ".join(pdf_text(render_pdf(sample_result())).split())
        workbook = load_workbook(io.BytesIO(render_xlsx(sample_result())))
    assert "FSE+ 2021-2027 (esfplus2021)" in french
    assert "Rapport au financeur · FSE+ 2021-2027 Règles" in french
    assert "01/01/2025" in french and "31/12/2025" in french
    assert "2025-01-01" not in french
    # The column of those who declined to answer reads as in the XLSX.
    # (wrapped in its narrow header cell: the text layer joins the two lines)
    assert re.search(r"Refus de ?répondre", french)
    used = dict(workbook.worksheets[1].iter_rows(values_only=True))
    assert used["Du"] == "01/01/2025"
