"""The template workbook of an import: each sheet's columns and an example row."""

import datetime
from collections.abc import Iterable
from typing import Any

from .reader import SHEETS

EXAMPLES: dict[str, list[Any]] = {
    "operations": [
        "UPC-ESFPLUS-2021-2025",
        "uppercut",
        "esfplus2021",
        datetime.date(2021, 1, 1),
        datetime.date(2025, 12, 31),
    ],
    "people": ["2021-001", "Amina", "El Idrissi", "14/03/2003", "F", "BE", "1080"],
    "participations": [
        "2021-001",
        "UPC-ESFPLUS-2021-2025",
        "02/09/2021",
        "31/01/2022",
        "completed",
        "unemployed",
        "01/02/2021",
        "no",
        3,
        "yes",
        "no",
        "yes",
        "declined",
        "no",
    ],
    "outcomes": ["2021-001", "UPC-ESFPLUS-2021-2025", "15/01/2022", "job", ""],
    "follow_ups": [
        "2021-001",
        "UPC-ESFPLUS-2021-2025",
        "upon_leaving",
        "31/01/2022",
        "employed",
    ],
}


def template_sheets() -> dict[str, Iterable[Iterable[Any]]]:
    """Each sheet with its columns only, to fill in; the example rows go on a sheet
    of their own that the import does not read (an example left in a data sheet
    would be imported as a real young person)."""
    sheets: dict[str, Iterable[Iterable[Any]]] = {
        sheet: [list(columns)] for sheet, columns in SHEETS.items()
    }
    examples: list[list[Any]] = []
    for sheet, columns in SHEETS.items():
        examples += [[sheet, *columns], [sheet, *EXAMPLES[sheet]], []]
    sheets["examples"] = examples
    return sheets
