"""Languages spoken, shown in the reader's language.

``YoungPerson.other_languages`` is free text, typed in the language of whoever
recorded it ("arabe, berbère" at a French-speaking office). The names known here
are shown in the interface's language ("Arabic, Berber" in English, "Arabisch,
Berbers" in Dutch); anything else is shown as it was typed."""

from django.utils.translation import get_language

from .models import normalise_name

# English, French, Dutch: the languages most often spoken at home in Brussels.
_NAMES: list[tuple[str, str, str]] = [
    ("Albanian", "albanais", "Albanees"),
    ("Arabic", "arabe", "Arabisch"),
    ("Berber", "berbère", "Berbers"),
    ("Bulgarian", "bulgare", "Bulgaars"),
    ("Dari", "dari", "Dari"),
    ("Dutch", "néerlandais", "Nederlands"),
    ("English", "anglais", "Engels"),
    ("French", "français", "Frans"),
    ("German", "allemand", "Duits"),
    ("Greek", "grec", "Grieks"),
    ("Italian", "italien", "Italiaans"),
    ("Kinyarwanda", "kinyarwanda", "Kinyarwanda"),
    ("Kurdish", "kurde", "Koerdisch"),
    ("Lingala", "lingala", "Lingala"),
    ("Pashto", "pachto", "Pasjtoe"),
    ("Persian", "persan", "Perzisch"),
    ("Polish", "polonais", "Pools"),
    ("Portuguese", "portugais", "Portugees"),
    ("Fula", "peul", "Fula"),
    ("Romanian", "roumain", "Roemeens"),
    ("Russian", "russe", "Russisch"),
    ("Somali", "somali", "Somalisch"),
    ("Spanish", "espagnol", "Spaans"),
    ("Susu", "soussou", "Soesoe"),
    ("Swahili", "swahili", "Swahili"),
    ("Tamazight", "tamazight", "Tamazight"),
    ("Tigrinya", "tigrinya", "Tigrinya"),
    ("Turkish", "turc", "Turks"),
    ("Ukrainian", "ukrainien", "Oekraïens"),
    ("Wolof", "wolof", "Wolof"),
]
_COLUMN = {"en": 0, "fr": 1, "nl": 2}
_BY_NAME = {normalise_name(name): row for row in _NAMES for name in row}


def _capitalised(name: str, language: str) -> str:
    # Language names take a capital in English and Dutch, not in French.
    return name if language == "fr" else name[:1].upper() + name[1:]


def in_language(text: str, language: str | None = None) -> str:
    """Each comma-separated language of ``text`` named in ``language`` (the active
    one by default) when it is known; the rest as typed."""
    if not text:
        return ""
    language = (language or get_language() or "fr")[:2]
    column = _COLUMN.get(language, 0)
    shown = []
    for part in text.split(","):
        typed = part.strip()
        if not typed:
            continue
        row = _BY_NAME.get(normalise_name(typed))
        shown.append(_capitalised(row[column], language) if row else typed)
    return ", ".join(shown)
