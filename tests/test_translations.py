"""The French and Dutch catalogues are complete and sound, and Django really serves
them: every entry translated, none fuzzy, every placeholder kept, plural rules right.

The .mo files are git-ignored and compiled on start-up; this module compiles them
itself and reloads Django's translation caches, so it tests the .po as committed.
"""

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation
from django.utils.translation.reloader import translation_file_changed

from youthtrack.models import CaseFile

LANGUAGES = ["fr", "nl"]
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "nl": "nplurals=2; plural=(n != 1);",
}
# UI strings every user sees; each must differ from the English in both languages.
KNOWN_STRINGS = ["Case files", "New intake", "Log in", "Follow-up notes", "Consent"]
CASE_FILE_COUNT = ("%(counter)s case file", "%(counter)s case files")

# %(name)s and %s style (python-format), and {{ name }} left in a template string.
NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
TEMPLATE_VAR = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
# Arguments of the yesno filter: "Yes,No" or "yes,no,maybe".
YESNO = re.compile(r"^[^,\s]+(?:,[^,\s]+){1,2}$")


def catalogue_path(language: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


def load(language: str) -> polib.POFile:
    path = catalogue_path(language)
    assert path.exists(), f"{path} is missing: run makemessages -l {language}"
    return polib.pofile(str(path))


def live_entries(language: str) -> list[polib.POEntry]:
    return [entry for entry in load(language) if not entry.obsolete]


def placeholders(text: str) -> Counter:
    text = text.replace("%%", "")
    found: Counter = Counter()
    for name in NAMED.findall(text):
        found[f"%({name})s"] += 1
    for _ in POSITIONAL.findall(NAMED.sub("", text)):
        found["%s"] += 1
    for name in TEMPLATE_VAR.findall(text):
        found[f"{{{{ {name} }}}}"] += 1
    return found


def translations(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs: msgstr[0] renders msgid, the others msgid_plural."""
    if entry.msgid_plural:
        return [
            (entry.msgid if int(index) == 0 else entry.msgid_plural, text)
            for index, text in sorted(entry.msgstr_plural.items())
        ]
    return [(entry.msgid, entry.msgstr)]


def catalogue_text(language: str, msgid: str) -> str:
    matches = [e for e in live_entries(language) if e.msgid == msgid and not e.msgctxt]
    assert matches, f"{msgid!r} is not in the {language} catalogue"
    return matches[0].msgstr


def catalogue_plural(language: str, msgid: str, msgid_plural: str) -> list[str]:
    matches = [
        e
        for e in live_entries(language)
        if e.msgid == msgid and e.msgid_plural == msgid_plural
    ]
    assert matches, f"{msgid!r} (plural) is not in the {language} catalogue"
    return [text for _, text in sorted(matches[0].msgstr_plural.items())]


def reload_translations() -> None:
    """Forget every loaded catalogue (Django's own autoreload hook does just this)."""
    translation_file_changed(sender=None, file_path=Path("django.mo"))


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    call_command("compile_translations", quiet=True)
    reload_translations()
    yield
    reload_translations()


# --- the catalogues themselves ---

GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq", "msgattrib")


@pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in GETTEXT_TOOLS),
    reason="GNU gettext is not installed (apt-get install gettext): the committed "
    "catalogues are still checked below, but not against the code",
)
def test_every_string_of_the_code_is_in_the_catalogues_and_translated():
    """CI's stage 3 check, run in the suite: makemessages on a copy of the tree, then
    every msgid of the code and templates must be in fr and nl, translated, not
    fuzzy, placeholders kept (the tests below check the committed files alone)."""
    result = subprocess.run(
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / ".ci" / "check_translations.py"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_header_names_the_language_and_its_plural_rule(language):
    catalogue = load(language)
    assert catalogue.metadata.get("Language") == language
    assert catalogue.metadata.get("Plural-Forms") == PLURAL_FORMS[language]
    assert catalogue.metadata.get("Content-Type") == "text/plain; charset=UTF-8"
    assert not catalogue.metadata_is_fuzzy, "the header is still marked fuzzy"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated(language):
    entries = live_entries(language)
    assert len(entries) > 100, "the catalogue looks empty: run makemessages"
    untranslated = []
    for entry in entries:
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            complete = sorted(int(i) for i in forms) == [0, 1] and all(
                text.strip() for text in forms.values()
            )
        else:
            complete = bool(entry.msgstr.strip())
        if not complete:
            untranslated.append(entry.msgid)
    assert not untranslated, f"untranslated in {language}: {untranslated}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_entry_is_fuzzy(language):
    fuzzy = [e.msgid for e in live_entries(language) if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy in {language} (check, fix, drop the flag): {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_placeholder_is_kept(language):
    problems = []
    for entry in live_entries(language):
        if "no-python-format" in entry.flags:
            continue
        for source, text in translations(entry):
            if text and placeholders(source) != placeholders(text):
                problems.append(
                    f"{source!r} -> {text!r}: "
                    f"{dict(placeholders(source))} != {dict(placeholders(text))}"
                )
    assert not problems, f"placeholders changed in {language}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_yesno_arguments_keep_their_shape(language):
    """{{ value|yesno:_("Yes,No") }} splits on bare commas."""
    problems = [
        (e.msgid, e.msgstr)
        for e in live_entries(language)
        if YESNO.match(e.msgid)
        and (not YESNO.match(e.msgstr) or e.msgid.count(",") != e.msgstr.count(","))
    ]
    assert not problems, problems


def test_placeholder_check_catches_a_lost_or_renamed_placeholder():
    assert placeholders("Page %(number)s of %(total)s") != placeholders("Page %(n)s")
    assert placeholders("%s of %s") != placeholders("%s")
    assert placeholders("{{ name }}") != placeholders("nom")
    assert placeholders("100%% of %(x)s") == placeholders("%(x)s : 100 %%")


# --- Django serves them ---


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("msgid", KNOWN_STRINGS)
def test_gettext_serves_the_catalogue(language, msgid):
    expected = catalogue_text(language, msgid)
    with translation.override(language):
        served = translation.gettext(msgid)
    assert served == expected
    assert served != msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_lazy_model_labels_follow_the_active_language(language):
    with translation.override(language):
        label = str(CaseFile._meta.verbose_name_plural)
    assert label == catalogue_text(language, "case files")


@pytest.mark.parametrize(
    ("language", "count", "form"),
    [
        ("fr", 0, 0),  # French: zero is singular
        ("fr", 1, 0),
        ("fr", 2, 1),
        ("nl", 0, 1),  # Dutch: zero is plural
        ("nl", 1, 0),
        ("nl", 2, 1),
    ],
)
def test_plural_forms_follow_the_language_rule(language, count, form):
    expected = catalogue_plural(language, *CASE_FILE_COUNT)[form]
    with translation.override(language):
        served = translation.ngettext(*CASE_FILE_COUNT, count)
    assert served == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_templates_render_translated(language):
    template = Template(
        "{% load i18n %}{% translate 'New intake' %}|"
        "{% blocktranslate count counter=n %}{{ counter }} case file"
        "{% plural %}{{ counter }} case files{% endblocktranslate %}"
    )
    with translation.override(language):
        rendered = template.render(Context({"n": 3}))
    plural = catalogue_plural(language, *CASE_FILE_COUNT)[1]
    assert rendered == f"{catalogue_text(language, 'New intake')}|" + plural % {
        "counter": 3
    }


def test_english_is_the_source_and_french_the_default():
    with translation.override("en"):
        assert translation.gettext("Case files") == "Case files"
    assert settings.LANGUAGE_CODE == "fr"
    with translation.override(settings.LANGUAGE_CODE):
        assert translation.gettext("New intake") == catalogue_text("fr", "New intake")
