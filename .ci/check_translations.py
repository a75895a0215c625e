"""Fail when the committed French and Dutch catalogues lag behind the code.

Run from the project root:  .venv/bin/python .ci/check_translations.py

It runs ``manage.py makemessages`` (same options as the documented command) on a
temporary copy of the source tree, so ``locale/`` is never written to, then compares
the msgids it extracted with ``locale/<lang>/LC_MESSAGES/django.po``. Exit status 1,
with a list, when a msgid used in code or templates is missing from a catalogue, or a
catalogue entry is untranslated, fuzzy, or lost a placeholder; 2 when the check
itself cannot run. Entries no longer used in the code are reported, not failed on
(the next makemessages drops them).

Needs GNU gettext (xgettext, msgmerge, msguniq, msgattrib), as makemessages does:
``apt-get install gettext``.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["fr", "nl"]
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "nl": "nplurals=2; plural=(n != 1);",
}
IGNORE = [".venv", "tests", "benchmarks", "staticfiles"]
MAKEMESSAGES = [
    "makemessages",
    *(arg for language in LANGUAGES for arg in ("-l", language)),
    *(f"--ignore={pattern}" for pattern in IGNORE),
    "--no-obsolete",
]
FIX = ".venv/bin/python manage.py " + " ".join(MAKEMESSAGES)
CATALOGUE = Path("LC_MESSAGES", "django.po")
# Not copied: nothing makemessages reads (it skips dot-directories anyway).
SKIP_AT_TOP = {
    "db.sqlite3",
    "staticfiles",
    "artifacts",
    "build",
    "node_modules",
    *IGNORE,
}
SKIP_ANYWHERE = ["__pycache__", "*.mo", "*.pyc", ".*"]

NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
TEMPLATE_VAR = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


def count(number: int) -> str:
    return f"{number} entry" if number == 1 else f"{number} entries"


def key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def show(entry: polib.POEntry) -> str:
    text = repr(entry.msgid)
    if entry.msgctxt:
        text = f"[{entry.msgctxt}] {text}"
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:3])
    return f"  {text}" + (f"  ({where})" if where else "")


def placeholders(text: str) -> Counter:
    text = text.replace("%%", "")
    found: Counter = Counter(f"%({name})s" for name in NAMED.findall(text))
    found["%s"] += len(POSITIONAL.findall(NAMED.sub("", text)))
    found.update(f"{{{{ {name} }}}}" for name in TEMPLATE_VAR.findall(text))
    return +found


def is_translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        forms = entry.msgstr_plural
        return sorted(int(i) for i in forms) == [0, 1] and all(
            text.strip() for text in forms.values()
        )
    return bool(entry.msgstr.strip())


def lost_placeholders(entry: polib.POEntry) -> bool:
    if "no-python-format" in entry.flags:
        return False
    if entry.msgid_plural:
        pairs = [
            (entry.msgid if int(i) == 0 else entry.msgid_plural, text)
            for i, text in entry.msgstr_plural.items()
        ]
    else:
        pairs = [(entry.msgid, entry.msgstr)]
    return any(text and placeholders(src) != placeholders(text) for src, text in pairs)


def snapshot(directory: Path) -> dict[Path, tuple[bytes, int]]:
    """Contents and times of the catalogues (.mo files are build products)."""
    return {
        path: (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.suffix != ".mo"
    }


def restore(directory: Path, before: dict[Path, tuple[bytes, int]]) -> None:
    for path in set(snapshot(directory)) - set(before):
        path.unlink()
    for path, (data, mtime_ns) in before.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, ns=(mtime_ns, mtime_ns))


def extract(workdir: Path) -> Path:
    """makemessages on a copy of the tree; returns the copy's root."""

    def skip(directory: str, names: list[str]) -> set[str]:
        skipped = set(shutil.ignore_patterns(*SKIP_ANYWHERE)(directory, names))
        if Path(directory) == ROOT:
            skipped |= SKIP_AT_TOP & set(names)
        return skipped

    copy = workdir / "src"
    shutil.copytree(ROOT, copy, ignore=skip, symlinks=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "youthtrack.settings.test"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES, "--verbosity=0"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        print("check_translations: makemessages failed (see above).", file=sys.stderr)
        raise SystemExit(2)
    return copy


def check(fresh_root: Path) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    notes: list[str] = []
    for language in LANGUAGES:
        relative = Path("locale", language) / CATALOGUE
        committed_path = ROOT / relative
        if not committed_path.exists():
            problems.append(f"{relative} does not exist.")
            continue
        catalogue = polib.pofile(str(committed_path))
        committed = [e for e in catalogue if not e.obsolete]
        fresh = [e for e in polib.pofile(str(fresh_root / relative)) if not e.obsolete]
        committed_keys = {key(e) for e in committed}
        fresh_keys = {key(e) for e in fresh}

        sections = {
            "used in code or templates but missing from the catalogue": [
                e for e in fresh if key(e) not in committed_keys
            ],
            "untranslated": [e for e in committed if not is_translated(e)],
            "marked fuzzy": [e for e in committed if "fuzzy" in e.flags],
            "with placeholders that differ from the msgid": [
                e for e in committed if is_translated(e) and lost_placeholders(e)
            ],
        }
        for what, entries in sections.items():
            if entries:
                problems.append(
                    f"{relative}: {count(len(entries))} {what}:\n"
                    + "\n".join(show(e) for e in entries)
                )
        plural_forms = catalogue.metadata.get("Plural-Forms")
        if plural_forms != PLURAL_FORMS[language]:
            problems.append(
                f"{relative}: Plural-Forms is {plural_forms!r}, "
                f"expected {PLURAL_FORMS[language]!r}."
            )
        stale = [e for e in committed if key(e) not in fresh_keys]
        if stale:
            notes.append(
                f"{relative}: {count(len(stale))} no longer used in the code "
                "(the next makemessages drops them):\n"
                + "\n".join(show(e) for e in stale)
            )
    return problems, notes


def main() -> int:
    missing_tools = [
        tool
        for tool in ("xgettext", "msgmerge", "msguniq", "msgattrib")
        if shutil.which(tool) is None
    ]
    if missing_tools:
        print(
            f"check_translations: {', '.join(missing_tools)} not found; "
            "install GNU gettext (apt-get install gettext).",
            file=sys.stderr,
        )
        return 2

    locale_dir = ROOT / "locale"
    before = snapshot(locale_dir)
    try:
        with tempfile.TemporaryDirectory(prefix="youthtrack-i18n-") as workdir:
            problems, notes = check(extract(Path(workdir)))
    finally:
        # Never expected (the copy has its own locale/), but locale/ must not change.
        if snapshot(locale_dir) != before:
            restore(locale_dir, before)
            print("check_translations: locale/ changed; restored.", file=sys.stderr)

    for note in notes:
        print(f"Note: {note}\n")
    if problems:
        print("Translation catalogues are not complete:\n")
        for problem in problems:
            print(f"{problem}\n")
        print(f"To fix: {FIX}\nthen translate every new, empty or fuzzy entry.")
        return 1
    counts = []
    for language in LANGUAGES:
        catalogue = polib.pofile(str(locale_dir / language / CATALOGUE))
        counts.append(f"{language}: {len([e for e in catalogue if not e.obsolete])}")
    print(f"Translation catalogues complete ({', '.join(counts)} entries).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
