"""The two facts every rule leans on: who is the same person (``normalise_name``) and
how old someone was on a day (``age_on``, the funders' completed years)."""

import datetime

import pytest

from tests.factories import CaseFileFactory, YoungPersonFactory
from youthtrack.models import CaseFile, age_on, normalise_name

# --- normalise_name ---


@pytest.mark.parametrize(
    ("as_registered", "as_typed_again"),
    [
        (("Dubois", "Léa"), ("DUBOIS", "Lea")),
        (("Van den Broeck", "Zoë"), ("VAN DEN BROECK", "Zoe")),
        (("El Amrani", "Mehdi"), ("EL-AMRANI", "mehdi")),
        (("Lefèvre", "Inès"), ("Lefevre", "Ines")),
        (("Öztürk", "Yusuf"), ("Ozturk", "Yusuf")),
        (("Yılmaz", "İrem"), ("Yilmaz", "Irem")),  # Turkish dotless and dotted i
        (("Wójcik", "Michał"), ("Wojcik", "Michal")),  # ł has no decomposition
        (("Søndergaard", "Bjørn"), ("Sondergaard", "Bjorn")),
        (("Strauß", "Jürgen"), ("Strauss", "Jurgen")),
        (("Lætitia", "Cœur"), ("Laetitia", "Coeur")),
        (("Đorđević", "Þóra"), ("Dordevic", "Thora")),
        (("N'Diaye", "Aïcha"), ("N Diaye", "Aicha")),
        (("  Dupont  ", "Jean-Paul"), ("Dupont", "Jean Paul")),
    ],
)
def test_spellings_of_one_name_normalise_alike(as_registered, as_typed_again):
    assert normalise_name(*as_registered) == normalise_name(*as_typed_again)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("Dubois", "Léa"), ("Dubois", "Léo")),
        (("Peeters", "Lotte"), ("Peters", "Lotte")),
        (("Dupont", "Jean"), ("Dupont", "Jeanne")),
    ],
)
def test_different_names_stay_different(one, other):
    assert normalise_name(*one) != normalise_name(*other)


def test_normalised_name_is_lower_case_ascii_words_single_spaced():
    key = normalise_name("  Van   den Broeck ", "Zoë-Émilie")
    assert key == key.strip()
    assert "  " not in key
    assert key == key.lower()
    assert key.isascii()
    assert key.split() == ["van", "den", "broeck", "zoe", "emilie"]


def test_empty_parts_are_ignored():
    assert normalise_name("Dubois", "") == normalise_name("Dubois")


def test_a_saved_young_person_is_found_by_any_spelling_of_their_name(db):
    person = YoungPersonFactory(first_name="Zoë", last_name="Van den Broeck")
    assert person.name_key == normalise_name("VAN DEN BROECK", "zoe")
    person.last_name = "Vandenbroeck"
    person.save()
    person.refresh_from_db()
    assert person.name_key == normalise_name("Vandenbroeck", "Zoe")


# --- age_on ---


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (datetime.date(2023, 5, 9), 17),  # the day before the 18th birthday
        (datetime.date(2023, 5, 10), 18),  # the birthday itself
        (datetime.date(2023, 5, 11), 18),
        (datetime.date(2024, 5, 9), 18),
        (datetime.date(2005, 5, 10), 0),
    ],
)
def test_age_counts_completed_years_and_changes_on_the_birthday(day, age):
    assert age_on(datetime.date(2005, 5, 10), day) == age


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (datetime.date(2022, 2, 28), 17),  # no 29 February in 2022: not yet 18
        (datetime.date(2022, 3, 1), 18),  # 18 from 1 March
        (datetime.date(2024, 2, 28), 19),
        (datetime.date(2024, 2, 29), 20),  # a leap year: on the birthday itself
    ],
)
def test_someone_born_on_29_february_ages_on_1_march_in_common_years(day, age):
    assert age_on(datetime.date(2004, 2, 29), day) == age


def test_age_at_year_end_and_new_year():
    born = datetime.date(2007, 1, 1)
    assert age_on(born, datetime.date(2024, 12, 31)) == 17
    assert age_on(born, datetime.date(2025, 1, 1)) == 18


def test_case_file_age_at_entry_is_the_age_on_the_entry_date(db):
    case_file = CaseFileFactory(
        young_person__birth_date=datetime.date(2004, 2, 29),
        entry_date=datetime.date(2022, 2, 28),
    )
    assert case_file.age_at_entry == 17
    case_file.entry_date = datetime.date(2022, 3, 1)
    assert case_file.age_at_entry == 18


@pytest.mark.parametrize(
    ("status", "is_open"),
    [
        (CaseFile.Status.INTAKE, True),
        (CaseFile.Status.ACTIVE, True),
        (CaseFile.Status.FOLLOW_UP, True),
        (CaseFile.Status.CLOSED, False),
    ],
)
def test_only_a_closed_case_file_is_not_open(status, is_open):
    assert CaseFile(status=status).is_open is is_open
