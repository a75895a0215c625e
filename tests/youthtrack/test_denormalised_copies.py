"""Columns copied for the lists' indexes stay what they copy (issue 9).

- A case file keeps its young person's normalised name (``CaseFile.name_key``): the
  case list sorts and searches by it, so a person renamed moves in the list at once
  and is found by their new name only.
- A sharing keeps the organisation that owns the file (``Share.owner_organisation``):
  "shared by us" is read by it.
"""

import pytest

from youthtrack import selectors, services
from youthtrack.models import CaseFile, User
from youthtrack.services.merge import young_person_merge

from .sharing_helpers import make_case, make_user, share_case, signed_in


@pytest.fixture
def advisor(db) -> User:
    return make_user("sarah", org_code="cdm")


@pytest.fixture
def partner(db) -> User:
    return make_user("lotte", org_code="actiris", role=User.Role.PARTNER)


def case_for(advisor: User, first_name: str, last_name: str) -> CaseFile:
    return make_case(
        advisor=advisor,
        first_name=first_name,
        last_name=last_name,
        phone="0470 00 00 00",
        email=f"{first_name.lower()}@example.net",
    )


def listed(client, **params) -> list[int]:
    response = client.get("/cases/", params)
    assert response.status_code == 200
    return [case.pk for case in response.context["page"].object_list]


def rename(case_file: CaseFile, user: User, **names) -> None:
    person = case_file.young_person
    services.young_person_update(
        young_person=person,
        acting_user=user,
        data=names,
        expected_version=person.version,
        case_file=case_file,
    )


def test_a_new_case_file_keeps_its_persons_name(advisor):
    case_file = case_for(advisor, "Émile", "Van Der Élst")
    case_file.refresh_from_db()
    assert case_file.name_key == case_file.young_person.name_key
    assert case_file.name_key.startswith("van der elst")


def test_a_renamed_person_moves_in_the_name_sort_and_is_found_by_the_new_name(
    advisor,
):
    adams = case_for(advisor, "Bea", "Adams")
    zimmer = case_for(advisor, "Aaron", "Zimmer")
    client = signed_in(advisor)
    assert listed(client, sort="name") == [adams.pk, zimmer.pk]

    rename(zimmer, advisor, last_name="Abbas")

    zimmer.refresh_from_db()
    assert zimmer.name_key == zimmer.young_person.name_key
    assert listed(client, sort="name") == [zimmer.pk, adams.pk]
    assert listed(client, sort="-name") == [adams.pk, zimmer.pk]
    assert listed(client, q="abbas") == [zimmer.pk]
    assert listed(client, q="zimmer") == []


def test_every_file_of_a_renamed_person_follows(advisor):
    first = case_for(advisor, "Nora", "Ouali")
    second = CaseFile.objects.get(
        pk=type(first)
        .objects.create(
            young_person=first.young_person,
            programme=first.programme,
            owner_organisation=first.owner_organisation,
            advisor=advisor,
            entry_date=first.entry_date,
            employment_status=first.employment_status,
            highest_diploma=first.highest_diploma,
            created_by=advisor,
        )
        .pk
    )
    rename(first, advisor, first_name="Noor")
    keys = set(
        CaseFile.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "name_key", flat=True
        )
    )
    assert keys == {"ouali noor"}


def test_the_files_of_a_merged_record_take_the_name_of_the_person_kept(advisor):
    kept = case_for(advisor, "Yasmina", "Benali")
    duplicate = case_for(advisor, "Benali", "Yasmina")  # the names typed swapped
    lead = make_user("nadia", org_code="cdm", role=User.Role.LEAD)
    lead.programmes_led.add(kept.programme)
    young_person_merge(
        kept=kept.young_person, merged=duplicate.young_person, acting_user=lead
    )
    duplicate.refresh_from_db()
    assert duplicate.young_person_id == kept.young_person_id
    assert duplicate.name_key == kept.young_person.name_key == "benali yasmina"
    # Side by side in the name sort, as the one person they are.
    other = case_for(advisor, "Zoé", "Bertrand")
    client = signed_in(advisor)
    assert listed(client, sort="name") == [duplicate.pk, kept.pk, other.pk]


def test_a_sharing_keeps_the_organisation_that_shares_and_shows_in_shared_by_us(
    advisor, partner
):
    case_file = case_for(advisor, "Mélodie", "Vandersmissen")
    share = share_case(case_file, owner=advisor, partner_user=partner)
    share.refresh_from_db()
    assert share.owner_organisation_id == case_file.owner_organisation_id
    assert share.owner_organisation_id != share.partner_id

    assert list(selectors.shares_sent_for_user(user=advisor)) == [share]
    # The partner shared nothing: the sharing is theirs to receive, not to list.
    assert list(selectors.shares_sent_for_user(user=partner)) == []
    colleague_elsewhere = make_user("ines", org_code="bruxelles-formation")
    assert list(selectors.shares_sent_for_user(user=colleague_elsewhere)) == []
