"""Forms parse input and show the services' errors beside the field concerned, keeping
what the user typed; nothing is saved until every rule holds."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from programmes.models import Programme
from tests.factories import CaseFileFactory, UserFactory, reference
from tests.factories.helpers import as_post, intake_post, years_ago
from youthtrack.forms import (
    CaseFileForm,
    ConsentForm,
    NoteForm,
    TransitionForm,
    YoungPersonForm,
)
from youthtrack.models import CaseFile, Note, Organisation, YoungPerson

from .helpers import db_state, field_errors, form_data, input_value, page_text

NOTHING_SAVED = "Nothing was saved yet. Please correct the fields marked below"


# --- the forms themselves ---


def test_the_person_form_carries_the_version_it_was_opened_on(case_file, today):
    person = case_file.young_person
    YoungPerson.objects.filter(pk=person.pk).update(version=7)
    person.refresh_from_db()
    form = YoungPersonForm(instance=person)
    assert form["version"].value() == 7
    assert form.fields["version"].widget.is_hidden
    assert form.fields["birth_date"].widget.attrs["max"] == today.isoformat()


def test_a_posted_version_is_the_one_the_save_expects(case_file):
    form = CaseFileForm(
        form_data(CaseFileForm(instance=case_file, user=case_file.advisor), version=3),
        instance=case_file,
        user=case_file.advisor,
    )
    assert form.is_valid(), form.errors
    assert form.expected_version() == 3
    assert "version" not in form.model_data()


def test_exit_fields_appear_once_the_case_file_is_closed(advisor):
    open_form = CaseFileForm(instance=CaseFileFactory(advisor=advisor), user=advisor)
    closed_form = CaseFileForm(
        instance=CaseFileFactory(advisor=advisor, closed=True), user=advisor
    )
    assert "exit_date" not in open_form.fields
    assert "exit_reason" not in open_form.fields
    assert {"exit_date", "exit_reason"} <= set(closed_form.fields)


def test_the_advisor_is_chosen_among_active_advisors_and_leads_of_the_organisation(
    advisor, colleague, lead, partner, other_advisor, administrator
):
    gone = UserFactory(is_active=False)
    form = CaseFileForm(user=advisor)
    choices = set(form.fields["advisor"].queryset)
    assert choices == {advisor, colleague, lead}
    assert not {partner, other_advisor, administrator, gone} & choices
    assert form.fields["advisor"].initial == advisor.pk


def test_a_new_case_file_enters_today_in_an_active_programme(advisor, today):
    Programme.objects.filter(code="uppercut").update(is_active=False)
    form = CaseFileForm(user=advisor)
    assert form.fields["entry_date"].initial == today
    programmes = set(form.fields["programme"].queryset.values_list("code", flat=True))
    assert programmes == {"touchngo", "youth-cdm"}


def test_a_note_is_dated_today_by_default_and_never_later(today):
    form = NoteForm()
    assert form.fields["contact_date"].initial == today
    assert form.fields["contact_date"].widget.attrs["max"] == today.isoformat()
    assert form.fields["channel"].empty_label is None


def test_closing_asks_for_an_exit_reason(today):
    closing = TransitionForm({"version": 1, "effective_date": today}, closing=True)
    moving = TransitionForm({"version": 1, "effective_date": today}, closing=False)
    assert not closing.is_valid()
    assert "exit_reason" in closing.errors
    assert moving.is_valid(), moving.errors
    assert "exit_reason" not in moving.fields


def test_consent_covers_active_partner_organisations_only(db):
    Organisation.objects.filter(code="vdab").update(is_active=False)
    partners = set(
        ConsentForm().fields["partner"].queryset.values_list("code", flat=True)
    )
    assert "actiris" in partners
    assert "vdab" not in partners


# --- the errors as a user sees them, beside the field ---


def test_intake_shows_a_birth_date_in_the_future_beside_it_and_keeps_the_input(
    client_as, today
):
    client = client_as("advisor")
    tomorrow = today + datetime.timedelta(days=1)
    before = db_state()
    response = client.post(
        reverse("intake"),
        intake_post(person={"birth_date": tomorrow, "first_name": "Yasmine"}),
    )
    assert response.status_code == 200
    assert field_errors(response, "id_person-birth_date") == [
        "The date of birth cannot be in the future."
    ]
    assert NOTHING_SAVED in page_text(response)
    assert input_value(response, "person-first_name") == "Yasmine"
    assert input_value(response, "person-birth_date") == tomorrow.isoformat()
    assert db_state() == before


@pytest.mark.parametrize(("age", "programme"), [(14, "touchngo"), (30, "touchngo")])
def test_intake_shows_an_age_outside_the_programme_beside_the_entry_date(
    client_as, age, programme
):
    client = client_as("advisor")
    before = db_state()
    response = client.post(
        reverse("intake"),
        intake_post(
            person={"birth_date": years_ago(age)},
            case={"programme": reference.programme(programme)},
        ),
    )
    assert response.status_code == 200
    (error,) = field_errors(response, "id_case-entry_date")
    assert f"Age at entry is {age}" in error
    assert "15 to 29" in error
    assert field_errors(response, "id_person-birth_date") == []
    assert db_state() == before


def test_intake_shows_a_missing_referrer_beside_its_field(client_as):
    client = client_as("advisor")
    response = client.post(
        reverse("intake"),
        intake_post(case={"referral": "referred", "referred_by": ""}),
    )
    assert field_errors(response, "id_case-referred_by") == [
        "Say which organisation referred them."
    ]
    assert not CaseFile.objects.exists()


def test_intake_shows_missing_required_fields(client_as):
    client = client_as("advisor")
    data = intake_post()
    data["person-last_name"] = ""
    data.pop("case-employment_status")
    response = client.post(reverse("intake"), data)
    assert field_errors(response, "id_person-last_name") == ["This field is required."]
    assert field_errors(response, "id_case-employment_status") == [
        "This field is required."
    ]
    assert not YoungPerson.objects.exists()


def test_person_edit_shows_a_birth_date_in_the_future(client_as, case_file, today):
    client = client_as("advisor")
    person = case_file.young_person
    data = form_data(
        YoungPersonForm(instance=person),
        birth_date=today + datetime.timedelta(days=2),
        phone="0499 12 12 12",
    )
    before = db_state()
    response = client.post(reverse("person_edit", args=[case_file.pk]), data)
    assert response.status_code == 200
    assert field_errors(response, "id_birth_date") == [
        "The date of birth cannot be in the future."
    ]
    assert input_value(response, "phone") == "0499 12 12 12"
    assert db_state() == before


def test_person_edit_shows_an_age_that_no_longer_fits_a_case_file(client_as, case_file):
    client = client_as("advisor")
    person = case_file.young_person
    data = form_data(
        YoungPersonForm(instance=person),
        birth_date=years_ago(31, today=case_file.entry_date),
    )
    before = db_state()
    response = client.post(reverse("person_edit", args=[case_file.pk]), data)
    (error,) = field_errors(response, "id_birth_date")
    assert f"#{case_file.pk}" in error
    assert "would be 31" in error
    assert db_state() == before


@pytest.fixture
def closed_case(advisor, today) -> CaseFile:
    return CaseFileFactory(
        closed=True,
        advisor=advisor,
        young_person__age=22,
        entry_date=today - datetime.timedelta(days=60),
        exit_date=today - datetime.timedelta(days=7),
        exit_reason=CaseFile.ExitReason.NO_CONTACT,
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"exit_date": None},
            "id_exit_date",
            "A closed case file needs an exit date.",
        ),
        (
            {"exit_reason": ""},
            "id_exit_reason",
            "A closed case file needs an exit reason.",
        ),
        (
            {"exit_date": "entry - 1"},
            "id_exit_date",
            "The exit date cannot be before the entry date.",
        ),
    ],
)
def test_case_edit_shows_inconsistent_exit_facts_beside_them(
    client_as, closed_case, change, field, message
):
    if change.get("exit_date") == "entry - 1":
        change = {"exit_date": closed_case.entry_date - datetime.timedelta(days=1)}
    client = client_as("advisor")
    data = form_data(
        CaseFileForm(instance=closed_case, user=closed_case.advisor),
        referred_by="Typed before the error",
        **change,
    )
    before = db_state()
    response = client.post(reverse("case_edit", args=[closed_case.pk]), data)
    assert response.status_code == 200
    assert field_errors(response, field) == [message]
    assert input_value(response, "referred_by") == "Typed before the error"
    assert db_state() == before


def test_closing_before_the_entry_date_is_shown_beside_the_date(client_as, case_file):
    client = client_as("advisor")
    day = case_file.entry_date - datetime.timedelta(days=1)
    before = db_state()
    response = client.post(
        reverse("case_transition", args=[case_file.pk, "closed"]),
        {
            "version": case_file.version,
            "effective_date": day.isoformat(),
            "exit_reason": "completed",
        },
    )
    assert response.status_code == 200
    assert field_errors(response, "id_effective_date") == [
        "The date cannot be before the entry date."
    ]
    assert db_state() == before


def test_closing_without_a_reason_is_shown_beside_the_reason(
    client_as, case_file, today
):
    client = client_as("advisor")
    response = client.post(
        reverse("case_transition", args=[case_file.pk, "closed"]),
        {"version": case_file.version, "effective_date": today.isoformat()},
    )
    assert len(field_errors(response, "id_exit_reason")) == 1
    assert CaseFile.objects.get(pk=case_file.pk).status == CaseFile.Status.ACTIVE


def _note_post(**overrides):
    data = {
        "contact_date": timezone.localdate(),
        "channel": reference.channel("email"),
        "topic": "Mail de relance",
        "text": "Relance pour le rendez-vous manqué.",
        "visibility": Note.Visibility.ORGANISATION,
    }
    data.update(overrides)
    return as_post(data)


def test_a_note_dated_in_the_future_is_shown_beside_the_date(
    client_as, case_file, today
):
    client = client_as("advisor")
    tomorrow = today + datetime.timedelta(days=1)
    response = client.post(
        reverse("note_create", args=[case_file.pk]),
        _note_post(contact_date=tomorrow),
    )
    assert response.status_code == 200
    assert field_errors(response, "id_contact_date") == [
        "A note cannot be dated in the future."
    ]
    assert input_value(response, "topic") == "Mail de relance"
    assert "Relance pour le rendez-vous manqué." in page_text(response)
    assert not Note.objects.exists()


def test_errors_are_shown_in_french_by_default(client, advisor, case_file, today):
    client.force_login(advisor)
    tomorrow = today + datetime.timedelta(days=1)
    response = client.post(
        reverse("note_create", args=[case_file.pk]),
        _note_post(contact_date=tomorrow),
    )
    with translation.override("fr"):
        expected = translation.gettext("A note cannot be dated in the future.")
    assert expected != "A note cannot be dated in the future."
    assert field_errors(response, "id_contact_date") == [expected]
