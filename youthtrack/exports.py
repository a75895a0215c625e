"""Every CSV and XLSX file the service writes goes through this module.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some, a tab or a carriage return before one) as a formula: a first name typed as
``=HYPERLINK("http://…","Click")`` would become a link, or worse, in the spreadsheet
of whoever opens the export. As OWASP recommends ("CSV injection"), such a text cell
is written with a leading ``'``: spreadsheet programs show it as text, and a person
reading the file still sees what was typed.

Numbers and dates are written as they are (a negative number is not a formula); only
text is neutralised. ``tests/youthtrack/test_exports.py`` fails if a module of the
project writes CSV or XLSX without this module.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

# What makes a spreadsheet cell a formula (OWASP), with line feed for good measure.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: Any) -> Any:
    """The value to write in a cell: text that a spreadsheet would run as a formula
    gets a leading ``'``; anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    # Lazy translations and other objects are text once written: check them as text.
    if value is None or isinstance(value, (str, int, float)):
        return neutralise(value)
    if hasattr(value, "isoformat"):  # dates and date-times
        return value
    return neutralise(str(value))


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [_cell(value) for value in row]


class SafeCsvWriter:
    """``csv.writer`` whose every text cell is neutralised."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out, **kwargs) -> SafeCsvWriter:
    return SafeCsvWriter(out, **kwargs)


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """The rows as CSV text (for a response body or a file)."""
    out = io.StringIO()
    csv_writer(out).writerows(rows)
    return out.getvalue()


def csv_response(filename: str) -> tuple[HttpResponse, SafeCsvWriter]:
    """An attachment response and a safe writer into it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that spreadsheet programs read it as UTF-8
    return response, csv_writer(response)


def xlsx_bytes(sheets: dict[str, Iterable[Iterable[Any]]]) -> bytes:
    """A workbook with one sheet per entry (title → rows), every text cell
    neutralised and stored as text, never as a formula."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title=str(title)[:31])
        for row in rows:
            sheet.append(safe_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: dict[str, Iterable[Iterable[Any]]]):
    response = HttpResponse(
        xlsx_bytes(sheets),
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
