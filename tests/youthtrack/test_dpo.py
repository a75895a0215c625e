"""The data protection officer: finds the young people of their organisation's files
(every person listed an audited read), opens no case file and writes nothing on one;
the role (or an administrator's holding it) is given only with a second
administrator's approval."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import CaseFileFactory, UserFactory
from tests.factories import reference as ref
from youthtrack.models import AuditEvent, User
from youthtrack.services import accounts

from .conftest import sign_in


@pytest.fixture
def dpo(cdm):
    return UserFactory(
        username="marie", first_name="Marie", last_name="Dubois", dpo=True
    )


@pytest.fixture
def other_file(other_advisor):
    """A file kept by Actiris: not the CDM officer's to answer for."""
    return CaseFileFactory(
        active=True,
        advisor=other_advisor,
        owner_organisation=other_advisor.organisation,
        programme=ref.programme("youth-cdm"),
        young_person__first_name="Octave",
        young_person__last_name="Vanderelst",
        young_person__age=21,
    )


def _client(client_en, user):
    sign_in(client_en, user)
    return client_en


def _search(client, **data):
    return client.post(reverse("dpo_people"), {"name": "", "birth_date": "", **data})


def test_the_officer_finds_a_young_person_of_the_organisation_by_name_and_birth_date(
    client_en, dpo, case_file, other_file
):
    client = _client(client_en, dpo)
    person = case_file.young_person
    response = _search(
        client, name="vandersmiss", birth_date=person.birth_date.isoformat()
    )
    assert response.status_code == 200
    assert list(response.context["people"]) == [person]
    text = response.content.decode()
    assert "Vandersmissen" in text and "Vanderelst" not in text
    # Accents and case do not matter; another organisation's person is never found.
    assert _search(client, name="MELODIE").context["people"] == [person]
    assert _search(client, name="Vanderelst").context["people"] == []
    # The wrong date of birth finds nobody.
    other_day = person.birth_date.replace(year=person.birth_date.year - 1)
    found = _search(client, name="Vandersmissen", birth_date=other_day.isoformat())
    assert found.context["people"] == []


def test_every_person_listed_is_an_audited_read_without_the_search_terms(
    client_en, dpo, case_file
):
    client = _client(client_en, dpo)
    _search(client, name="Vandersmissen")
    read = AuditEvent.objects.get(actor=dpo, action=AuditEvent.Action.VIEW)
    assert read.case_file == case_file
    assert read.object_type == "youthtrack.youngperson"
    assert "Vandersmissen" not in str(read.changes)
    page = client.get(reverse("dpo_person", args=[case_file.young_person_id]))
    assert page.status_code == 200
    assert "Vandersmissen" in page.content.decode()
    assert AuditEvent.objects.filter(actor=dpo, case_file=case_file).count() == 2


def test_an_empty_or_hostile_search_is_refused_with_a_message(
    client_en, dpo, case_file
):
    client = _client(client_en, dpo)
    empty = _search(client)
    assert empty.status_code == 200
    assert "Give a name, a date of birth or both." in empty.content.decode()
    assert empty.context["people"] is None
    for data in (
        {"name": "V"},
        {"name": "a\x00b"},
        {"name": "x" * 100_000},
        {"birth_date": "31/02/2000"},
        {"birth_date": "0001-01-01"},
    ):
        response = _search(client, **data)
        assert response.status_code == 200, data
        assert response.context["form"].errors, data
        assert response.context["people"] is None
    assert not AuditEvent.objects.filter(actor=dpo).exists()


def test_the_search_is_posted_so_that_no_name_is_written_in_an_address(
    client_en, dpo, case_file
):
    client = _client(client_en, dpo)
    listing = client.get(reverse("dpo_people"), {"name": "Vandersmissen"})
    assert listing.context["people"] is None  # a name in the address is ignored
    assert 'method="post"' in listing.content.decode()


def test_the_officer_opens_no_case_file_and_writes_nothing(
    client_en, dpo, case_file, note
):
    client = _client(client_en, dpo)
    for name in ("case_detail", "case_edit", "note_create", "case_export"):
        assert client.get(reverse(name, args=[case_file.pk])).status_code == 404
    assert client.get(reverse("case_list")).context["page"].paginator.count == 0
    assert client.get(reverse("intake")).status_code == 403
    refused = client.post(
        reverse("note_create", args=[case_file.pk]),
        {"topic": "x", "text": "y", "contact_date": "2026-01-01"},
    )
    assert refused.status_code == 404
    assert case_file.notes.count() == 1


@pytest.mark.parametrize("role", ["advisor", "lead", "partner", "administrator"])
def test_nobody_else_reaches_the_data_protection_pages(
    client_as, role, case_file, partner
):
    client = client_as(role)
    assert client.get(reverse("dpo_people")).status_code == 404
    assert _search(client, name="Vandersmissen").status_code == 404
    person_page = reverse("dpo_person", args=[case_file.young_person_id])
    assert client.get(person_page).status_code == 404


def test_the_officer_of_another_organisation_does_not_find_the_person(
    client_en, actiris, case_file
):
    officer = UserFactory(username="actiris.dpo", dpo=True, organisation=actiris)
    client = _client(client_en, officer)
    person_page = reverse("dpo_person", args=[case_file.young_person_id])
    assert client.get(person_page).status_code == 404
    assert _search(client, name="Vandersmissen").context["people"] == []


def test_an_administrator_holding_the_role_uses_the_pages(client_en, case_file):
    administrator = UserFactory(
        username="admin.dpo", admin=True, is_data_protection_officer=True
    )
    client = _client(client_en, administrator)
    assert _search(client, name="Vandersmissen").context["people"] == [
        case_file.young_person
    ]
    # and still reads no case file
    assert client.get(reverse("case_detail", args=[case_file.pk])).status_code == 404


def test_the_officer_must_use_two_factor_authentication(client_en, dpo):
    client_en.force_login(dpo)
    response = client_en.get(reverse("dpo_people"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_setup"))


def test_giving_the_role_waits_for_a_second_administrator(advisor, administrator):
    as_advisor = accounts.access_state(advisor)
    assert accounts.needs_second_administrator(
        as_advisor, {**as_advisor, "role": User.Role.DPO}
    )
    as_admin = accounts.access_state(administrator)
    assert accounts.needs_second_administrator(
        as_admin, {**as_admin, "is_data_protection_officer": True}
    )
    # Taking it away never waits.
    assert not accounts.needs_second_administrator(
        {**as_admin, "is_data_protection_officer": True}, as_admin
    )


def test_the_officer_and_the_administrator_are_not_offered_case_pages_in_the_menu(
    dpo, administrator, advisor
):
    """Case files and sharing are empty for roles that open no case file: the menu
    leads the officer to data protection instead of to an empty list."""

    def menu(user) -> str:
        client = Client()
        sign_in(client, user)
        response = client.get(reverse("dashboard"))
        assert response.status_code == 200
        return response.content.decode().split("<nav", 1)[1].split("</nav>", 1)[0]

    officer = menu(dpo)
    assert reverse("dpo_people") in officer
    assert reverse("case_list") not in officer
    assert reverse("shares") not in officer
    assert reverse("case_list") not in menu(administrator)
    advisors = menu(advisor)
    assert reverse("case_list") in advisors and reverse("shares") in advisors
