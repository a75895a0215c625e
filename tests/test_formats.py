"""Dates as read in Brussels: abbreviated months in lower case with their full stop
in French and Dutch ("7 déc.", "7 dec."), never capitalised ("7 Déc", "7 Dec")."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.utils import formats, translation
from django.utils.translation.reloader import translation_file_changed

ROOT = Path(settings.BASE_DIR)
# A date format in a template ({{ x|date:"j N" }}) or in Python (date_format(x, "…")).
TEMPLATE_FORMAT = re.compile(r"""\|date:(["'])(.*?)\1""")
PYTHON_FORMAT = re.compile(r"""date_format\([^,()]+(?:\([^()]*\))?,\s*(["'])(.*?)\1""")


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    call_command("compile_translations", quiet=True)
    translation_file_changed(sender=None, file_path=Path("django.mo"))
    yield
    translation_file_changed(sender=None, file_path=Path("django.mo"))


def render(language: str, value, date_format: str) -> str:
    with translation.override(language):
        return Template("{{ value|date:f }}").render(
            Context({"value": value, "f": date_format})
        )


@pytest.mark.parametrize(
    ("language", "month", "expected"),
    [
        ("fr", 12, "7 déc."),
        ("fr", 9, "7 sept."),
        ("fr", 3, "7 mars"),
        ("nl", 12, "7 dec."),
        ("nl", 3, "7 mrt."),
        ("nl", 5, "7 mei"),
        ("en", 12, "7 Dec."),
    ],
)
def test_abbreviated_months_are_lower_case_with_their_full_stop(
    language, month, expected
):
    assert render(language, datetime.date(2026, month, 7), "j N") == expected


def test_a_session_reads_in_lower_case_in_dutch_and_french():
    when = datetime.datetime(2026, 12, 7, 9, 30)
    assert render("fr", when, "D j N, H:i") == "lun 7 déc., 09:30"
    assert render("nl", when, "D j N, H:i") == "ma 7 dec., 09:30"


def unescaped(date_format: str) -> str:
    return re.sub(r"\\.", "", date_format)


def test_no_date_format_capitalises_the_abbreviated_month():
    """'M' gives 'Déc' and 'Dec' (Django capitalises it): 'N' is the one to use."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for match in TEMPLATE_FORMAT.finditer(path.read_text()):
            if "M" in unescaped(match.group(2)) and not match.group(2).isupper():
                found.append(f"{path.relative_to(ROOT)}: {match.group(2)}")
    for app in ("youthtrack", "programmes", "outcomes"):
        for path in sorted((ROOT / app).rglob("*.py")):
            for match in PYTHON_FORMAT.finditer(path.read_text()):
                if "M" in unescaped(match.group(2)) and not match.group(2).isupper():
                    found.append(f"{path.relative_to(ROOT)}: {match.group(2)}")
    assert not found, "use N, not M, for an abbreviated month: " + "; ".join(found)


def test_the_scan_sees_a_capitalised_month():
    assert "M" in unescaped(TEMPLATE_FORMAT.search('{{ d|date:"j M" }}').group(2))
    assert PYTHON_FORMAT.search('date_format(localtime(x), "D j M")').group(2) == (
        "D j M"
    )
    assert "M" not in unescaped(r"j \M")


def test_the_named_formats_spell_months_out():
    for language in ("fr", "nl", "en"):
        with translation.override(language):
            for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT"):
                assert "M" not in unescaped(formats.get_format(name))
