"""Reading an import file: an XLSX workbook, or a ZIP of CSV files, into rows of text.

Only reading here (writing goes through ``youthtrack.exports``). Every cell becomes
stripped text; the caller validates it. A file that cannot be read at all gives a
``Problem`` on line 0, never an exception."""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils.translation import gettext as _

from youthtrack.exports import FORMULA_STARTS

# The sheets, in the order they are read, and their columns (the required ones).
SHEETS: dict[str, tuple[str, ...]] = {
    "operations": ("reference", "programme", "rule_set", "start", "end"),
    "people": (
        "ref",
        "first_name",
        "last_name",
        "birth_date",
        "gender",
        "citizenship",
        "postcode",
    ),
    "participations": (
        "ref",
        "operation",
        "entry_date",
        "exit_date",
        "exit_reason",
        "employment_status",
        "unemployed_since",
        "in_education_or_training",
        "isced_level",
        "registered_at_actiris",
        "disability",
        "foreign_background",
        "minority",
        "homeless",
    ),
    "outcomes": ("ref", "operation", "date", "type", "end_date"),
    "follow_ups": ("ref", "operation", "kind", "date", "situation"),
}

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 20_000
MAX_CELL_CHARS = 1_000

Rows = list[tuple[int, dict[str, str]]]  # (line in the sheet, column → text)


@dataclass(frozen=True)
class Problem:
    sheet: str
    line: int
    column: str
    message: str


class FileUnreadable(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def _unreadable(message: str, sheet: str = "") -> FileUnreadable:
    return FileUnreadable(Problem(sheet, 0, "", message))


def cell_text(value: object) -> str:
    """A cell as the text a person typed (a date as ISO, 12.0 as 12)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = str(value).strip()
    # Our own exports write text that looks like a formula with a leading quote.
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text


def _rows(sheet: str, raw_rows, problems: list[Problem]) -> Rows:
    rows: Rows = []
    header: list[str] | None = None
    for line, raw in enumerate(raw_rows, start=1):
        texts = [cell_text(value) for value in raw]
        if header is None:
            header = [text.lower().strip() for text in texts]
            for column in SHEETS[sheet]:
                if column not in header:
                    problems.append(
                        Problem(sheet, 1, column, _("This column is missing."))
                    )
            continue
        if not any(texts):
            continue
        if len(rows) >= MAX_ROWS:
            raise _unreadable(
                _("The sheet has more than %(max)s rows.") % {"max": MAX_ROWS},
                sheet,
            )
        values = {
            name: texts[index] if index < len(texts) else ""
            for index, name in enumerate(header)
            if name
        }
        rows.append((line, values))
    return rows


def _check_zip(archive: zipfile.ZipFile) -> None:
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _unreadable(_("The file is too large once unpacked."))


def _read_xlsx(data: bytes, problems: list[Problem]) -> dict[str, Rows]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        titles = {title.strip().lower(): title for title in workbook.sheetnames}
        sheets: dict[str, Rows] = {}
        for sheet in SHEETS:
            if sheet in titles:
                worksheet = workbook[titles[sheet]]
                sheets[sheet] = _rows(
                    sheet, worksheet.iter_rows(values_only=True), problems
                )
        return sheets
    finally:
        workbook.close()


def _decode(raw: bytes, sheet: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _unreadable(
        _("The CSV file cannot be read: save it as UTF-8 text."), f"{sheet}.csv"
    )


def _read_csv_zip(archive: zipfile.ZipFile, problems: list[Problem]) -> dict:
    sheets: dict[str, Rows] = {}
    for info in archive.infolist():
        path = PurePosixPath(info.filename)
        if info.is_dir() or path.suffix.lower() != ".csv":
            continue
        sheet = path.stem.strip().lower()
        if sheet not in SHEETS or sheet in sheets:
            continue
        text = _decode(archive.read(info), sheet)
        first_line = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first_line.count)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        sheets[sheet] = _rows(sheet, reader, problems)
    return sheets


def read_import_file(data: bytes) -> tuple[dict[str, Rows], list[Problem]]:
    """The rows of each sheet found, and the problems of the file's shape."""
    problems: list[Problem] = []
    if len(data) > MAX_FILE_BYTES:
        raise _unreadable(_("The file is larger than 20 MB."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise _unreadable(
            _("This is neither an XLSX workbook nor a ZIP of CSV files.")
        ) from error
    try:
        with archive:
            _check_zip(archive)
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                sheets = _read_xlsx(data, problems)
            else:
                sheets = _read_csv_zip(archive, problems)
    except FileUnreadable:
        raise
    except (csv.Error, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise _unreadable(_("The file is damaged and cannot be read.")) from error
    except Exception as error:  # openpyxl raises many kinds on a broken workbook
        raise _unreadable(_("The file is damaged and cannot be read.")) from error
    if not sheets:
        raise _unreadable(
            _("No sheet found: name them %(names)s.") % {"names": ", ".join(SHEETS)}
        )
    return sheets, problems
