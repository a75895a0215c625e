"""The duplicate guard catches the duplicates advisors really type: first and last
names swapped, day and month of the birth date swapped, a one-letter typo; a
namesake born years apart is not offered first; only people the user may link are
ever offered; the advisor's "this is a different person" is recorded."""

import datetime

import pytest
from django.urls import reverse

from programmes.models import WalkIn
from tests.factories import (
    CaseFileFactory,
    CohortFactory,
    SessionFactory,
    UserFactory,
    WalkInFactory,
)
from tests.factories.helpers import case_data, intake_post, person_data
from youthtrack import services
from youthtrack.duplicates import (
    ONE_DIGIT,
    SAME,
    SWAPPED,
    birth_date_variants,
    intake_duplicates,
    likely_duplicates,
    score,
)
from youthtrack.models import AuditEvent, CaseFile, YoungPerson, normalise_name

from .helpers import page_text

BORN = datetime.date(2000, 3, 1)


def _score(
    typed: tuple[str, str, datetime.date], known: tuple[str, str, datetime.date]
):
    return score(
        typed_key=normalise_name(typed[1], typed[0]),
        typed_birth_date=typed[2],
        known_key=normalise_name(known[1], known[0]),
        known_birth_date=known[2],
    )


# --- the scorer ---------------------------------------------------------------------

KNOWN = ("Julien", "Adam", BORN)


@pytest.mark.parametrize(
    ("typed", "date_relation"),
    [
        # First and last names swapped ("Adam Julien" for "Julien Adam").
        (("Adam", "Julien", BORN), SAME),
        # Day and month swapped (2000-01-03 for 2000-03-01).
        (("Julien", "Adam", datetime.date(2000, 1, 3)), SWAPPED),
        # A one-letter typo.
        (("Julien", "Adams", BORN), SAME),
        # One digit of the year.
        (("Julien", "Adam", datetime.date(2001, 3, 1)), ONE_DIGIT),
        # Accents, case and hyphens, as before.
        (("JULIEN", "adâm", BORN), SAME),
    ],
)
def test_the_variants_advisors_type_are_likely_matches(typed, date_relation):
    result = _score(typed, KNOWN)
    assert result is not None
    total, name_score, _name_relation, relation = result
    assert relation == date_relation
    assert name_score >= 90
    assert total >= 85


def test_a_twin_with_another_first_name_is_not_a_match():
    assert _score(("Lucie", "Adam", BORN), KNOWN) is None


def test_someone_else_born_the_same_day_is_not_a_match():
    assert _score(("Mohamed", "El Amrani", BORN), KNOWN) is None


def test_a_namesake_born_years_apart_ranks_below_every_close_birth_date():
    namesake = _score(("Julien", "Adam", datetime.date(1994, 11, 23)), KNOWN)
    typo = _score(("Julien", "Adams", datetime.date(2000, 1, 3)), KNOWN)
    assert namesake is not None and typo is not None
    assert namesake[0] < typo[0]
    # A similar (not the same) name with a far birth date is not offered at all.
    assert _score(("Julian", "Adams", datetime.date(1994, 11, 23)), KNOWN) is None


def test_birth_date_variants():
    variants = birth_date_variants(datetime.date(2000, 3, 1))
    assert datetime.date(2000, 1, 3) in variants  # swapped
    assert datetime.date(2001, 3, 1) in variants  # one digit of the year
    assert datetime.date(2000, 3, 11) in variants  # one digit of the day
    assert datetime.date(2000, 3, 2) in variants
    assert datetime.date(2000, 4, 1) in variants
    assert datetime.date(2000, 3, 22) not in variants  # two digits
    assert all(isinstance(day, datetime.date) for day in variants)
    assert len(variants) < 80  # a bounded IN list


# --- the candidates, from the database ----------------------------------------------


@pytest.fixture
def julien(advisor) -> YoungPerson:
    """Julien Adam, born 1 March 2000, registered at the CDM."""
    case = CaseFileFactory(
        advisor=advisor,
        young_person__first_name="Julien",
        young_person__last_name="Adam",
        young_person__birth_date=BORN,
    )
    return case.young_person


@pytest.fixture
def namesake(advisor) -> YoungPerson:
    """Another Julien Adamo, born in 1997: someone else."""
    case = CaseFileFactory(
        advisor=advisor,
        young_person__first_name="Julien",
        young_person__last_name="Adamo",
        young_person__birth_date=datetime.date(1997, 11, 23),
    )
    return case.young_person


VARIANTS = {
    "names swapped": ("Adam", "Julien", BORN),
    "day and month swapped": ("Julien", "Adam", datetime.date(2000, 1, 3)),
    "one-letter typo": ("Julien", "Adams", BORN),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_intake_guard_finds_each_variant_first(advisor, julien, namesake, variant):
    first_name, last_name, born = VARIANTS[variant]
    matches = intake_duplicates(
        user=advisor, first_name=first_name, last_name=last_name, birth_date=born
    )
    assert matches, variant
    assert matches[0].person == julien
    assert namesake not in [match.person for match in matches[:1]]
    assert matches[0].reasons


def test_people_another_organisation_keeps_are_never_offered(other_advisor, julien):
    assert (
        intake_duplicates(
            user=other_advisor, first_name="Adam", last_name="Julien", birth_date=BORN
        )
        == []
    )


def test_a_person_merged_into_another_is_not_offered(advisor, julien):
    kept = CaseFileFactory(
        advisor=advisor,
        young_person__first_name="Julien",
        young_person__last_name="Adam",
        young_person__birth_date=BORN,
    ).young_person
    YoungPerson.objects.filter(pk=julien.pk).update(merged_into=kept)
    matches = likely_duplicates(
        people=YoungPerson.objects.all(),
        first_name="Julien",
        last_name="Adam",
        birth_date=BORN,
    )
    assert [match.person for match in matches] == [kept]


def test_the_name_scan_finds_the_same_name_born_in_another_year(
    advisor, julien, english
):
    """Neither the same birth date nor one of its variants: the name's index finds
    (nearly) the same name, offered as another date of birth."""
    matches = intake_duplicates(
        user=advisor,
        first_name="Julien",
        last_name="Adam",
        birth_date=datetime.date(1989, 7, 30),
    )
    assert [match.person for match in matches] == [julien]
    assert matches[0].reason == "Another date of birth, same name"


# --- the intake page ----------------------------------------------------------------


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_intake_offers_the_likely_match_before_creating(
    client_as, julien, namesake, variant
):
    first_name, last_name, born = VARIANTS[variant]
    client = client_as("advisor")
    people = YoungPerson.objects.count()
    response = client.post(
        reverse("intake"),
        intake_post(
            person={
                "first_name": first_name,
                "last_name": last_name,
                "birth_date": born,
            }
        ),
    )
    assert response.status_code == 200
    assert YoungPerson.objects.count() == people
    text = page_text(response)
    assert "This young person may already be registered" in text
    offered = text.index(f"?person={julien.pk}")
    assert f"?person={namesake.pk}" not in text or offered < text.index(
        f"?person={namesake.pk}"
    )
    assert "Julien Adam" in text
    reason = {
        "names swapped": (
            "Same date of birth, same name with first and last names swapped"
        ),
        "day and month swapped": "Date of birth with day and month swapped, same name",
        "one-letter typo": "Same date of birth, similar name",
    }[variant]
    assert reason in text


def test_confirming_a_different_person_is_recorded(client_as, advisor, julien):
    client = client_as("advisor")
    data = intake_post(
        person={"first_name": "Julien", "last_name": "Adams", "birth_date": BORN}
    )
    assert client.post(reverse("intake"), data).status_code == 200
    response = client.post(reverse("intake"), {**data, "confirm_new_person": "on"})
    assert response.status_code == 302
    created = YoungPerson.objects.get(last_name="Adams")
    event = AuditEvent.objects.get(
        object_type="youthtrack.youngperson",
        object_id=created.pk,
        action=AuditEvent.Action.CREATE,
    )
    assert event.actor == advisor
    assert event.changes == {"confirmed_not_duplicate_of": [None, [julien.pk]]}


def test_a_walk_in_conversion_uses_the_same_guard(advisor, julien):
    """The walk-in's intake goes through case_file_intake: the same matches."""
    with pytest.raises(services.DuplicatePersonError) as caught:
        services.case_file_intake(
            acting_user=advisor,
            person_data=person_data(
                first_name="Adam", last_name="Julien", birth_date=BORN
            ),
            case_data=case_data(),
        )
    assert [match.person for match in caught.value.matches] == [julien]
    assert CaseFile.objects.filter(young_person__last_name="Julien").count() == 0


def test_a_lead_of_another_organisation_is_offered_nobody(julien, actiris):
    lead = UserFactory(lead=True, organisation=actiris)
    assert (
        intake_duplicates(
            user=lead, first_name="Julien", last_name="Adam", birth_date=BORN
        )
        == []
    )


def test_the_guard_reads_a_bounded_number_of_queries(
    advisor, julien, django_assert_max_num_queries
):
    """Bounded reads on indexes, whatever the size of the table: as many queries
    with 40 more people born on the same day and named alike as with one."""
    for number in range(40):
        CaseFileFactory(
            advisor=advisor,
            young_person__first_name=f"Julien{number}",
            young_person__last_name="Adam",
            young_person__birth_date=BORN,
        )
    with django_assert_max_num_queries(8):
        matches = intake_duplicates(
            user=advisor, first_name="Adam", last_name="Julien", birth_date=BORN
        )
    assert matches[0].person == julien
    assert len(matches) <= 8


def test_a_walk_in_intake_page_offers_the_likely_match(client_as, advisor, julien):
    """A walk-in turned into a case file goes through the same guard and page."""
    walk_in = WalkInFactory(
        session=SessionFactory(
            cohort=CohortFactory(
                owner_organisation=advisor.organisation,
                programme=julien.case_files.get().programme,
            )
        ),
        organisation=advisor.organisation,
        first_name="Adam",
    )
    people = YoungPerson.objects.count()
    response = client_as("advisor").post(
        reverse("programmes:walk_in_intake", args=[walk_in.pk]),
        intake_post(
            person={"first_name": "Adam", "last_name": "Julien", "birth_date": BORN}
        ),
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "This young person may already be registered" in text
    assert f"?person={julien.pk}" in text
    assert YoungPerson.objects.count() == people
    assert WalkIn.objects.get(pk=walk_in.pk).converted_case_file is None
