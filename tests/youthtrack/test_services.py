"""Writes: each service checks who acts, applies the business rules, records the audit
and the status history, and refuses a save based on a version someone else replaced."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import (
    CaseFileFactory,
    ConsentFactory,
    UserFactory,
    reference,
)
from tests.factories.helpers import case_data, person_data, years_ago
from youthtrack import services
from youthtrack.models import (
    AuditEvent,
    CaseFile,
    CaseStatusChange,
    Consent,
    Note,
    Organisation,
    YoungPerson,
    normalise_name,
)

from .helpers import db_state

Status = CaseFile.Status
REFUSED_EDITORS = ["other_advisor", "partner", "administrator"]


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


def error_text(excinfo, field: str) -> str:
    return " ".join(excinfo.value.message_dict[field])


# --- intake ---


@pytest.mark.parametrize("role", ["advisor", "lead"])
def test_intake_registers_the_person_and_opens_a_case_file(role, user_for, today):
    user = user_for(role)
    case_file = services.case_file_intake(
        acting_user=user, person_data=person_data(), case_data=case_data()
    )
    person = case_file.young_person
    assert person.pk is not None
    assert person.name_key == normalise_name("Dubois", "Léa")
    assert person.created_by_organisation == user.organisation
    assert case_file.status == Status.INTAKE
    assert case_file.owner_organisation == user.organisation
    assert case_file.advisor == user
    assert case_file.created_by == user
    (opening,) = case_file.status_changes.all()
    assert (opening.from_status, opening.to_status) == ("", Status.INTAKE)
    assert opening.effective_date == today
    assert opening.changed_by == user
    audited = AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.CREATE)
    assert {(e.object_type, e.object_id) for e in audited} == {
        ("youthtrack.youngperson", person.pk),
        ("youthtrack.casefile", case_file.pk),
    }


def test_intake_can_name_another_advisor_of_the_organisation(advisor, colleague):
    case_file = services.case_file_intake(
        acting_user=advisor,
        person_data=person_data(),
        case_data=case_data(advisor=colleague),
    )
    assert case_file.advisor == colleague
    assert case_file.created_by == advisor


@pytest.mark.parametrize("role", ["partner", "administrator", "without organisation"])
def test_only_advisors_and_leads_open_case_files(role, user_for, advisor):
    if role == "without organisation":
        user = UserFactory(organisation=None)
    else:
        user = user_for(role)
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.case_file_intake(
            acting_user=user, person_data=person_data(), case_data=case_data()
        )
    assert db_state() == before


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [("Léa", "Dubois"), ("LEA", "dubois"), ("léa", "DUBOIS"), ("Lea ", " Dubois")],
)
def test_the_same_name_and_birth_date_is_caught_as_a_duplicate(
    advisor, colleague, first_name, last_name
):
    existing = services.case_file_intake(
        acting_user=colleague, person_data=person_data(), case_data=case_data()
    )
    before = db_state()
    with pytest.raises(services.DuplicatePersonError) as excinfo:
        services.case_file_intake(
            acting_user=advisor,
            person_data=person_data(first_name=first_name, last_name=last_name),
            case_data=case_data(),
        )
    assert [match.person for match in excinfo.value.matches] == [existing.young_person]
    assert db_state() == before


def test_someone_born_years_apart_with_another_name_is_registered(advisor):
    first = services.case_file_intake(
        acting_user=advisor, person_data=person_data(), case_data=case_data()
    )
    other_birthday = first.young_person.birth_date - datetime.timedelta(days=1200)
    second = services.case_file_intake(
        acting_user=advisor,
        person_data=person_data(first_name="Sophie", birth_date=other_birthday),
        case_data=case_data(),
    )
    assert second.young_person != first.young_person


def test_a_namesake_born_years_apart_is_offered_last_and_registered_once_confirmed(
    advisor,
):
    """The same name with a birth date far from the one typed may be a date typed
    wrong: offered, as "another date of birth", and registered once confirmed."""
    first = services.case_file_intake(
        acting_user=advisor, person_data=person_data(), case_data=case_data()
    )
    other_birthday = first.young_person.birth_date - datetime.timedelta(days=1200)
    data = person_data(birth_date=other_birthday)
    with pytest.raises(services.DuplicatePersonError) as excinfo:
        services.case_file_intake(
            acting_user=advisor, person_data=data, case_data=case_data()
        )
    [match] = excinfo.value.matches
    assert match.person == first.young_person
    assert match.date_relation == "other"
    second = services.case_file_intake(
        acting_user=advisor,
        person_data=data,
        case_data=case_data(),
        confirmed_new_person=True,
    )
    assert second.young_person != first.young_person


def test_a_confirmed_new_person_is_registered_despite_the_same_name(advisor):
    first = services.case_file_intake(
        acting_user=advisor, person_data=person_data(), case_data=case_data()
    )
    second = services.case_file_intake(
        acting_user=advisor,
        person_data=person_data(first_name="Lea", last_name="DUBOIS"),
        case_data=case_data(),
        confirmed_new_person=True,
    )
    assert second.young_person != first.young_person
    assert YoungPerson.objects.count() == 2


def test_a_known_person_gets_a_new_case_file_without_a_second_registration(
    advisor, case_file
):
    person = case_file.young_person
    new_case = services.case_file_intake(
        acting_user=advisor,
        person_data=None,
        case_data=case_data(programme=reference.programme("youth-cdm")),
        existing_person=person,
    )
    assert new_case.young_person == person
    assert YoungPerson.objects.count() == 1
    assert set(person.case_files.all()) == {case_file, new_case}


def test_a_person_out_of_reach_cannot_be_reused_at_intake(other_advisor, case_file):
    before = db_state()
    with pytest.raises((PermissionDenied, YoungPerson.DoesNotExist)):
        services.case_file_intake(
            acting_user=other_advisor,
            person_data=None,
            case_data=case_data(),
            existing_person=case_file.young_person,
        )
    assert db_state() == before


@pytest.mark.parametrize(
    ("person", "case", "field", "message"),
    [
        (
            {"birth_date": timezone.localdate() + datetime.timedelta(days=1)},
            {},
            "birth_date",
            "The date of birth cannot be in the future.",
        ),
        (
            {"birth_date": years_ago(121)},
            {},
            "birth_date",
            "over 120 years ago",
        ),
        (
            {"birth_date": years_ago(14)},  # Touch'N'Go takes 15 to 29
            {},
            "entry_date",
            "Age at entry is 14",
        ),
        (
            {"birth_date": years_ago(30)},
            {},
            "entry_date",
            "Age at entry is 30",
        ),
        (
            {"birth_date": years_ago(17)},  # Uppercut takes 18 to 29
            {"programme": "uppercut"},
            "entry_date",
            "aged 18 to 29",
        ),
        (
            {},
            {"entry_date": timezone.localdate() + datetime.timedelta(days=1)},
            "entry_date",
            "The entry date cannot be in the future.",
        ),
        (
            {},
            {"unemployed_since": timezone.localdate() + datetime.timedelta(days=1)},
            "unemployed_since",
            "cannot be after the entry date",
        ),
        (
            {},
            {"education": "student"},
            "employment_status",
            "A full-time student counts as inactive",
        ),
        (
            {},
            {"employment_status": "inactive", "registered_at_actiris": True},
            "employment_status",
            "registered as a job seeker at Actiris counts as unemployed",
        ),
        (
            {},
            {"employment_status": "employed", "unemployed_since": years_ago(1)},
            "unemployed_since",
            "Only an unemployed person",
        ),
        (
            {},
            {"referral": "referred", "referred_by": ""},
            "referred_by",
            "Say which organisation referred them.",
        ),
    ],
)
def test_intake_refuses_what_breaks_a_rule(
    advisor, person, case, field, message, english
):
    if "programme" in case:
        case = {**case, "programme": reference.programme(case["programme"])}
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.case_file_intake(
            acting_user=advisor,
            person_data=person_data(**person),
            case_data=case_data(**case),
        )
    assert field in error_fields(excinfo)
    assert message in error_text(excinfo, field)
    assert db_state() == before


def test_intake_reports_every_broken_rule_at_once(advisor):
    with pytest.raises(ValidationError) as excinfo:
        services.case_file_intake(
            acting_user=advisor,
            person_data=person_data(
                birth_date=timezone.localdate() + datetime.timedelta(days=3)
            ),
            case_data=case_data(referral="referred", referred_by=""),
        )
    assert {"birth_date", "entry_date", "referred_by"} <= error_fields(excinfo)


# --- correcting a case file ---


def _reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_a_correction_is_saved_versioned_and_audited(colleague, case_file, today):
    new_date = today + datetime.timedelta(days=61)
    before = case_file.next_follow_up_on
    updated = services.case_file_update(
        case_file=case_file,
        acting_user=colleague,
        data={"next_follow_up_on": new_date},
        expected_version=case_file.version,
    )
    assert updated.version == case_file.version + 1
    stored = _reload(case_file)
    assert stored.next_follow_up_on == new_date
    assert stored.version == updated.version
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.UPDATE, object_type="youthtrack.casefile"
    )
    assert event.actor == colleague
    assert event.organisation == colleague.organisation
    assert event.case_file_id == case_file.pk
    assert event.object_version == updated.version
    assert event.changes == {
        "next_follow_up_on": [before.isoformat() if before else None, str(new_date)]
    }


def test_saving_without_a_change_changes_nothing(advisor, case_file):
    before = db_state()
    services.case_file_update(
        case_file=case_file,
        acting_user=advisor,
        data={
            "referred_by": case_file.referred_by,
            "first_visit": case_file.first_visit,
        },
        expected_version=case_file.version,
    )
    assert db_state() == before


def test_a_save_on_a_replaced_version_is_refused_with_what_changed(
    advisor, colleague, case_file, today
):
    opened_at = case_file.version
    services.case_file_update(
        case_file=case_file,
        acting_user=colleague,
        data={"referred_by": "Mission locale (test A)"},
        expected_version=opened_at,
    )
    colleagues_version = db_state()
    with pytest.raises(services.StaleEditError) as excinfo:
        services.case_file_update(
            case_file=case_file,
            acting_user=advisor,
            data={"referred_by": "CPAS (test B)"},
            expected_version=opened_at,
        )
    assert db_state() == colleagues_version
    (change,) = excinfo.value.changes
    assert change.after == "Mission locale (test A)"
    assert change.before == case_file.referred_by
    assert change.by == str(colleague)


def test_of_two_forms_opened_together_the_second_save_is_refused(
    advisor, colleague, case_file, today
):
    opened_at = case_file.version
    first = _reload(case_file)
    second = _reload(case_file)
    services.case_file_update(
        case_file=first,
        acting_user=colleague,
        data={"next_follow_up_on": today + datetime.timedelta(days=61)},
        expected_version=opened_at,
    )
    with pytest.raises(services.StaleEditError):
        services.case_file_update(
            case_file=second,
            acting_user=advisor,
            data={"next_follow_up_on": today + datetime.timedelta(days=62)},
            expected_version=opened_at,
        )
    assert _reload(case_file).next_follow_up_on == today + datetime.timedelta(days=61)


@pytest.mark.parametrize(
    "field", ["status", "young_person", "owner_organisation", "version"]
)
def test_status_owner_person_and_version_have_their_own_services(
    advisor, case_file, field
):
    values = {
        "status": Status.CLOSED,
        "young_person": case_file.young_person,
        "owner_organisation": Organisation.objects.get(code="actiris"),
        "version": 99,
    }
    before = db_state()
    with pytest.raises(ValueError):
        services.case_file_update(
            case_file=case_file,
            acting_user=advisor,
            data={field: values[field]},
            expected_version=case_file.version,
        )
    assert db_state() == before


@pytest.mark.parametrize("role", REFUSED_EDITORS)
def test_only_the_owner_organisation_corrects_a_case_file(role, user_for, case_file):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.case_file_update(
            case_file=case_file,
            acting_user=user_for(role),
            data={"referred_by": "not allowed"},
            expected_version=case_file.version,
        )
    assert db_state() == before


@pytest.fixture
def closed_case(advisor, today) -> CaseFile:
    return CaseFileFactory(
        closed=True,
        advisor=advisor,
        young_person__age=22,
        entry_date=today - datetime.timedelta(days=90),
        exit_date=today - datetime.timedelta(days=10),
        exit_reason=CaseFile.ExitReason.COMPLETED,
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"exit_date": None}, "exit_date", "A closed case file needs an exit date."),
        (
            {"exit_reason": ""},
            "exit_reason",
            "A closed case file needs an exit reason.",
        ),
        (
            {"exit_date": timezone.localdate() - datetime.timedelta(days=91)},
            "exit_date",
            "The exit date cannot be before the entry date.",
        ),
        (
            {"exit_date": timezone.localdate() + datetime.timedelta(days=1)},
            "exit_date",
            "The exit date cannot be in the future.",
        ),
        (
            {"entry_date": timezone.localdate() - datetime.timedelta(days=5)},
            "exit_date",
            "The exit date cannot be before the entry date.",
        ),
    ],
)
def test_a_closed_case_file_keeps_consistent_exit_facts(
    advisor, closed_case, data, field, message, english
):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.case_file_update(
            case_file=closed_case,
            acting_user=advisor,
            data=data,
            expected_version=closed_case.version,
        )
    assert message in error_text(excinfo, field)
    assert db_state() == before


# --- correcting a young person ---


def test_a_young_persons_details_are_corrected_and_audited(colleague, case_file):
    person = case_file.young_person
    updated = services.young_person_update(
        young_person=person,
        acting_user=colleague,
        data={"last_name": "Van der Smissen", "phone": "0499 00 11 22"},
        expected_version=person.version,
        case_file=case_file,
    )
    stored = _reload(person)
    assert (stored.last_name, stored.phone) == ("Van der Smissen", "0499 00 11 22")
    assert stored.name_key == normalise_name("Van der Smissen", stored.first_name)
    assert stored.version == updated.version == person.version + 1
    event = AuditEvent.objects.get(object_type="youthtrack.youngperson")
    assert event.case_file_id == case_file.pk
    assert set(event.changes) == {"last_name", "phone"}


def test_a_birth_date_in_the_future_is_refused(advisor, case_file, english):
    person = case_file.young_person
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.young_person_update(
            young_person=person,
            acting_user=advisor,
            data={"birth_date": timezone.localdate() + datetime.timedelta(days=1)},
            expected_version=person.version,
            case_file=case_file,
        )
    assert "cannot be in the future" in error_text(excinfo, "birth_date")
    assert db_state() == before


def test_a_birth_date_that_puts_a_case_file_out_of_its_age_range_is_refused(
    advisor, case_file, english
):
    person = case_file.young_person
    too_young = years_ago(12, today=case_file.entry_date)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.young_person_update(
            young_person=person,
            acting_user=advisor,
            data={"birth_date": too_young},
            expected_version=person.version,
            case_file=case_file,
        )
    message = error_text(excinfo, "birth_date")
    assert f"#{case_file.pk}" in message
    assert "would be 12" in message
    assert db_state() == before


def test_a_stale_correction_of_a_young_person_is_refused(advisor, colleague, case_file):
    person = case_file.young_person
    opened_at = person.version
    services.young_person_update(
        young_person=person,
        acting_user=colleague,
        data={"phone": "0488 77 66 55"},
        expected_version=opened_at,
        case_file=case_file,
    )
    with pytest.raises(services.StaleEditError) as excinfo:
        services.young_person_update(
            young_person=person,
            acting_user=advisor,
            data={"phone": "0477 11 11 11"},
            expected_version=opened_at,
            case_file=case_file,
        )
    assert _reload(person).phone == "0488 77 66 55"
    # A phone number is personal: the trail keeps no value, only that it changed;
    # the refusal shows the number as it is now.
    assert [(c.before, c.after, c.by) for c in excinfo.value.changes] == [
        ("", "0488 77 66 55", str(colleague))
    ]


@pytest.mark.parametrize("role", REFUSED_EDITORS)
def test_only_the_owner_organisation_corrects_a_young_person(role, user_for, case_file):
    person = case_file.young_person
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.young_person_update(
            young_person=person,
            acting_user=user_for(role),
            data={"phone": "0400 00 00 00"},
            expected_version=person.version,
            case_file=case_file,
        )
    assert db_state() == before


def test_a_young_person_is_corrected_through_their_own_case_file_only(
    other_advisor, case_file
):
    own_case = CaseFileFactory(
        owner_organisation=other_advisor.organisation, advisor=other_advisor
    )
    person = case_file.young_person
    before = db_state()
    with pytest.raises((PermissionDenied, ValueError)):
        services.young_person_update(
            young_person=person,
            acting_user=other_advisor,
            data={"phone": "0400 00 00 00"},
            expected_version=person.version,
            case_file=own_case,
        )
    assert db_state() == before


# --- the lifecycle ---


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (Status.INTAKE, [Status.ACTIVE, Status.CLOSED]),
        (Status.ACTIVE, [Status.FOLLOW_UP, Status.CLOSED]),
        (Status.FOLLOW_UP, [Status.ACTIVE, Status.CLOSED]),
        (Status.CLOSED, [Status.ACTIVE]),
    ],
)
def test_allowed_transitions(status, allowed):
    assert sorted(services.allowed_transitions(CaseFile(status=status))) == sorted(
        allowed
    )


def test_starting_support_is_dated_and_recorded(colleague, advisor, today):
    case_file = CaseFileFactory(advisor=advisor, young_person__age=22)
    moved = services.case_file_transition(
        case_file=case_file,
        acting_user=colleague,
        to_status=Status.ACTIVE,
        effective_date=today,
        expected_version=case_file.version,
        comment="Premier entretien fait.",
    )
    assert _reload(case_file).status == Status.ACTIVE
    assert moved.version == case_file.version + 1
    last = case_file.status_changes.order_by("pk").last()
    assert (last.from_status, last.to_status) == (Status.INTAKE, Status.ACTIVE)
    assert (last.effective_date, last.comment) == (today, "Premier entretien fait.")
    assert last.changed_by == colleague
    (event,) = AuditEvent.objects.filter(
        object_type="youthtrack.casefile", object_id=case_file.pk, actor=colleague
    )
    assert event.changes == {"status": [Status.INTAKE, Status.ACTIVE]}
    assert event.object_version == moved.version


def test_a_move_outside_the_lifecycle_is_refused(advisor, today):
    case_file = CaseFileFactory(advisor=advisor)  # intake
    before = db_state()
    with pytest.raises(ValidationError):
        services.case_file_transition(
            case_file=case_file,
            acting_user=advisor,
            to_status=Status.FOLLOW_UP,
            effective_date=today,
            expected_version=case_file.version,
        )
    assert db_state() == before


def test_closing_records_the_exit_date_and_reason(advisor, case_file, today):
    services.case_file_transition(
        case_file=case_file,
        acting_user=advisor,
        to_status=Status.CLOSED,
        effective_date=today,
        exit_reason=CaseFile.ExitReason.REDIRECTED,
        expected_version=case_file.version,
    )
    stored = _reload(case_file)
    assert stored.status == Status.CLOSED
    assert stored.exit_date == today
    assert stored.exit_reason == CaseFile.ExitReason.REDIRECTED


@pytest.mark.parametrize(
    ("days_from_entry", "reason", "field"),
    [
        (0, "", "exit_reason"),  # a closure says why
        (-1, "completed", "effective_date"),  # not before the entry date
        (None, "completed", "effective_date"),  # not in the future (tomorrow)
    ],
)
def test_closing_refuses_a_bad_date_or_no_reason(
    advisor, case_file, today, days_from_entry, reason, field
):
    if days_from_entry is None:
        day = today + datetime.timedelta(days=1)
    else:
        day = case_file.entry_date + datetime.timedelta(days=days_from_entry)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.case_file_transition(
            case_file=case_file,
            acting_user=advisor,
            to_status=Status.CLOSED,
            effective_date=day,
            exit_reason=reason,
            expected_version=case_file.version,
        )
    assert error_fields(excinfo) == {field}
    assert db_state() == before


def test_reopening_clears_the_exit_and_keeps_the_closure_in_the_history(
    advisor, closed_case, today
):
    services.case_file_transition(
        case_file=closed_case,
        acting_user=advisor,
        to_status=Status.ACTIVE,
        effective_date=today,
        expected_version=closed_case.version,
    )
    stored = _reload(closed_case)
    assert (stored.status, stored.exit_date, stored.exit_reason) == (
        Status.ACTIVE,
        None,
        "",
    )
    moves = list(
        closed_case.status_changes.order_by("pk").values_list(
            "from_status", "to_status"
        )
    )
    assert moves[-2][1] == Status.CLOSED
    assert moves[-1] == (Status.CLOSED, Status.ACTIVE)


def test_a_stale_transition_is_refused(advisor, colleague, case_file, today):
    opened_at = case_file.version
    services.case_file_update(
        case_file=case_file,
        acting_user=colleague,
        data={"referred_by": "Infor Jeunes (test)"},
        expected_version=opened_at,
    )
    before = db_state()
    with pytest.raises(services.StaleEditError):
        services.case_file_transition(
            case_file=case_file,
            acting_user=advisor,
            to_status=Status.FOLLOW_UP,
            effective_date=today,
            expected_version=opened_at,
        )
    assert db_state() == before


@pytest.mark.parametrize("role", REFUSED_EDITORS)
def test_only_the_owner_organisation_moves_a_case_file(
    role, user_for, case_file, today
):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.case_file_transition(
            case_file=case_file,
            acting_user=user_for(role),
            to_status=Status.FOLLOW_UP,
            effective_date=today,
            expected_version=case_file.version,
        )
    assert db_state() == before


# --- follow-up notes ---


def _note_data(**overrides):
    data = {
        "contact_date": timezone.localdate(),
        "channel": reference.channel("phone"),
        "topic": "Appel de suivi",
        "text": "Inscrite à la séance d'information de jeudi.",
        "visibility": Note.Visibility.ORGANISATION,
    }
    data.update(overrides)
    return data


def test_a_note_is_written_by_the_user_for_their_organisation(colleague, case_file):
    CaseFile.objects.filter(pk=case_file.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=20)
    )
    note = services.note_create(
        case_file=case_file, acting_user=colleague, data=_note_data()
    )
    assert (note.author, note.organisation) == (colleague, colleague.organisation)
    assert note.case_file == case_file
    # A new contact is news on the advisor's dashboard.
    stored = _reload(case_file)
    assert stored.updated_at > timezone.now() - datetime.timedelta(minutes=1)
    assert stored.version == case_file.version  # a note does not make forms stale
    assert AuditEvent.objects.filter(
        object_type="youthtrack.note", object_id=note.pk, case_file=case_file
    ).exists()


def test_a_note_dated_in_the_future_is_refused(advisor, case_file, english):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.note_create(
            case_file=case_file,
            acting_user=advisor,
            data=_note_data(contact_date=tomorrow),
        )
    assert "cannot be dated in the future" in error_text(excinfo, "contact_date")
    assert db_state() == before


@pytest.mark.parametrize("role", REFUSED_EDITORS)
def test_only_the_owner_organisation_writes_notes(role, user_for, case_file):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.note_create(
            case_file=case_file, acting_user=user_for(role), data=_note_data()
        )
    assert db_state() == before


def test_a_note_is_corrected_by_its_author(advisor, note):
    updated = services.note_update(
        note=note,
        acting_user=advisor,
        data={"topic": "Entretien (corrigé)", "visibility": Note.Visibility.PRIVATE},
        expected_version=note.version,
    )
    stored = _reload(note)
    assert (stored.topic, stored.visibility) == (
        "Entretien (corrigé)",
        Note.Visibility.PRIVATE,
    )
    assert stored.version == updated.version == note.version + 1


@pytest.mark.parametrize("role", ["colleague", "lead", "other_advisor"])
def test_nobody_but_the_author_corrects_a_note(role, user_for, note):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.note_update(
            note=note,
            acting_user=user_for(role),
            data={"text": "réécrit"},
            expected_version=note.version,
        )
    assert db_state() == before


def test_a_stale_correction_of_a_note_is_refused(advisor, note):
    opened_at = note.version
    services.note_update(
        note=note,
        acting_user=advisor,
        data={"text": "Première correction."},
        expected_version=opened_at,
    )
    with pytest.raises(services.StaleEditError):
        services.note_update(
            note=note,
            acting_user=advisor,
            data={"text": "Seconde correction, depuis un autre onglet."},
            expected_version=opened_at,
        )
    assert _reload(note).text == "Première correction."


# --- consent ---


def _consent_data(**overrides):
    data = {
        "purpose": Consent.Purpose.DATA_PROCESSING,
        "partner": None,
        "scope": "",
        "given_by": Consent.GivenBy.YOUNG_PERSON,
        "guardian_name": "",
        "given_on": timezone.localdate(),
    }
    data.update(overrides)
    return data


def test_consent_is_recorded_and_audited(advisor, case_file):
    consent = services.consent_record(
        case_file=case_file, acting_user=advisor, data=_consent_data()
    )
    assert consent.recorded_by == advisor
    assert consent.is_active
    assert AuditEvent.objects.filter(
        object_type="youthtrack.consent", object_id=consent.pk
    ).exists()


@pytest.fixture
def minor_case(advisor, today) -> CaseFile:
    return CaseFileFactory(
        advisor=advisor,
        young_person__birth_date=years_ago(15) - datetime.timedelta(days=30),
        entry_date=today,
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"given_on": timezone.localdate() + datetime.timedelta(days=1)}, "given_on"),
        ({"given_by": Consent.GivenBy.GUARDIAN}, "guardian_name"),
        ({"purpose": Consent.Purpose.SHARING}, "partner"),
    ],
)
def test_consent_refused_when_incomplete(advisor, case_file, data, field):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.consent_record(
            case_file=case_file, acting_user=advisor, data=_consent_data(**data)
        )
    assert error_fields(excinfo) == {field}
    assert db_state() == before


def test_under_16_consent_comes_from_a_guardian(advisor, minor_case):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.consent_record(
            case_file=minor_case, acting_user=advisor, data=_consent_data()
        )
    assert error_fields(excinfo) == {"given_by"}
    assert db_state() == before
    consent = services.consent_record(
        case_file=minor_case,
        acting_user=advisor,
        data=_consent_data(given_by="guardian", guardian_name="Samira Benali"),
    )
    assert consent.guardian_name == "Samira Benali"


def test_consent_is_withdrawn_once(advisor, case_file, today):
    consent = ConsentFactory(case_file=case_file)
    services.consent_withdraw(consent=consent, acting_user=advisor, withdrawn_on=today)
    stored = _reload(consent)
    assert (stored.withdrawn_on, stored.withdrawn_by) == (today, advisor)
    assert not stored.is_active
    with pytest.raises(ValidationError):
        services.consent_withdraw(
            consent=stored, acting_user=advisor, withdrawn_on=today
        )


@pytest.mark.parametrize("days", [-1, None])
def test_a_withdrawal_is_dated_between_the_consent_and_today(
    advisor, case_file, today, days
):
    consent = ConsentFactory(case_file=case_file)
    if days is None:
        day = today + datetime.timedelta(days=1)
    else:
        day = consent.given_on + datetime.timedelta(days=days)
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.consent_withdraw(
            consent=consent, acting_user=advisor, withdrawn_on=day
        )
    assert error_fields(excinfo) == {"withdrawn_on"}
    assert db_state() == before


@pytest.mark.parametrize("role", REFUSED_EDITORS)
def test_only_the_owner_organisation_records_consent(role, user_for, case_file, today):
    consent = ConsentFactory(case_file=case_file)
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.consent_record(
            case_file=case_file, acting_user=user_for(role), data=_consent_data()
        )
    with pytest.raises(PermissionDenied):
        services.consent_withdraw(
            consent=consent, acting_user=user_for(role), withdrawn_on=today
        )
    assert db_state() == before


def test_the_status_history_is_kept_in_order(advisor, case_file, today):
    services.case_file_transition(
        case_file=case_file,
        acting_user=advisor,
        to_status=Status.FOLLOW_UP,
        effective_date=today,
        expected_version=case_file.version,
    )
    services.case_file_transition(
        case_file=case_file,
        acting_user=advisor,
        to_status=Status.CLOSED,
        effective_date=today,
        exit_reason="completed",
        expected_version=case_file.version + 1,
    )
    statuses = list(
        CaseStatusChange.objects.filter(case_file=case_file).values_list(
            "to_status", flat=True
        )
    )
    assert statuses == [Status.INTAKE, Status.ACTIVE, Status.FOLLOW_UP, Status.CLOSED]
