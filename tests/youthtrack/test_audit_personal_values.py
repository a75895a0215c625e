"""The audit trail keeps who changed which field when, and no personal value: a name,
a birth date, a phone number, a note's text or a sensitive answer is kept as a
reference (``{"changed": true, …}``), never as its value; rows written before lose
their values (migration 0010). A form refused as stale still takes over the other
person's change of a field the user left alone."""

import datetime
import hashlib
import importlib
import json

import pytest
from django.apps import apps
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from youthtrack import services
from youthtrack.audit import record_audit_event
from youthtrack.forms import YoungPersonForm
from youthtrack.models import AuditEvent, CaseFile, Note, User, YoungPerson

from .helpers import form_data, input_value
from .sharing_helpers import make_case, make_note, make_user, signed_in

OLD_BIRTH = datetime.date(2004, 3, 2)
NEW_BIRTH = datetime.date(2004, 3, 12)


@pytest.fixture
def owner(db) -> User:
    return make_user("sarah", org_code="cdm")


@pytest.fixture
def colleague(db) -> User:
    return make_user("karim", org_code="cdm")


@pytest.fixture
def case(owner) -> CaseFile:
    case_file = make_case(
        advisor=owner,
        first_name="Mélodie",
        last_name="Vandersmissen",
        phone="0470 12 34 56",
        email="melodie.vandersmissen@example.net",
    )
    person = case_file.young_person
    YoungPerson.objects.filter(pk=person.pk).update(birth_date=OLD_BIRTH)
    case_file.young_person.refresh_from_db()
    return case_file


def _date_spellings(day: datetime.date) -> list[str]:
    return [
        day.isoformat(),
        day.strftime("%d/%m/%Y"),
        day.strftime("%d.%m.%Y"),
        day.strftime("%Y%m%d"),
        # An unsalted hash of a birth date is reversed by trying every day.
        hashlib.sha256(day.isoformat().encode()).hexdigest(),
        hashlib.md5(day.isoformat().encode()).hexdigest(),  # noqa: S324
    ]


def _trail_json(obj) -> str:
    rows = AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=obj.pk
    )
    return json.dumps([row.changes for row in rows], ensure_ascii=False)


def _last_changes(obj) -> dict:
    return (
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=obj.pk)
        .order_by("-pk")
        .first()
        .changes
    )


def test_a_corrected_name_and_birth_date_leave_no_value_in_the_trail(owner, case):
    person = case.young_person
    services.young_person_update(
        young_person=person,
        acting_user=owner,
        data={
            "first_name": "Melody",
            "last_name": "Van der Smissen",
            "birth_date": NEW_BIRTH,
            "phone": "0488 99 88 77",
            "speaks_dutch": True,
        },
        expected_version=person.version,
        case_file=case,
    )

    changes = _last_changes(person)
    assert set(changes) == {
        "first_name",
        "last_name",
        "birth_date",
        "phone",
        "speaks_dutch",
    }
    for name in ("first_name", "last_name", "birth_date", "phone"):
        assert changes[name]["changed"] is True
    # A field that is not personal keeps its values.
    assert changes["speaks_dutch"] == [False, True]
    trail = _trail_json(person)
    for value in (
        "Mélodie",
        "Melody",
        "Vandersmissen",
        "Van der Smissen",
        "0470 12 34 56",
        "0488 99 88 77",
        *_date_spellings(OLD_BIRTH),
        *_date_spellings(NEW_BIRTH),
    ):
        assert value not in trail, value


def test_a_corrected_note_text_leaves_no_text_in_the_trail(owner, case):
    note = make_note(
        case,
        owner,
        Note.Visibility.ORGANISATION,
        text="Mélodie a parlé de ses dettes chez son oncle.",
        topic="Logement chez l'oncle",
    )
    services.note_update(
        note=note,
        acting_user=owner,
        data={"text": "Mélodie cherche un studio à Anderlecht."},
        expected_version=note.version,
    )

    changes = _last_changes(note)
    assert list(changes) == ["text"]
    assert changes["text"]["changed"] is True
    trail = _trail_json(note)
    for value in ("dettes", "oncle", "studio", "Anderlecht", "Mélodie"):
        assert value not in trail, value


def test_a_sensitive_answer_changed_leaves_no_answer_in_the_trail(owner, case):
    services.case_file_update(
        case_file=case,
        acting_user=owner,
        data={
            "disability": "yes",
            "homeless": "yes",
            "referred_by": "Dr Lemaire, CPAS d'Ixelles",
            "first_visit": not case.first_visit,
        },
        expected_version=case.version,
    )

    changes = _last_changes(case)
    assert changes["disability"] == {
        "changed": True,
        "before": changes["disability"]["before"],
        "after": changes["disability"]["after"],
    }
    assert changes["first_visit"] == [case.first_visit, not case.first_visit]
    trail = _trail_json(case)
    assert "yes" not in trail
    assert "Lemaire" not in trail and "Ixelles" not in trail


def test_the_same_value_on_two_records_gives_unrelated_references(owner, case):
    other_case = make_case(
        advisor=owner,
        first_name="Jonas",
        last_name="Peeters",
        phone="0470 00 00 00",
        email="jonas@example.net",
    )
    other = other_case.young_person
    for case_file in (case, other_case):
        services.young_person_update(
            young_person=case_file.young_person,
            acting_user=owner,
            data={"birth_date": NEW_BIRTH},
            expected_version=case_file.young_person.version,
            case_file=case_file,
        )
    first = _last_changes(case.young_person)["birth_date"]["after"]
    second = _last_changes(other)["birth_date"]["after"]
    assert first and second and first != second


def test_the_reference_is_keyed_by_the_servers_secret(owner, case):
    person = case.young_person

    def reference_of_the_new_birth_date():
        current = YoungPerson.objects.get(pk=person.pk)
        record_audit_event(
            actor=owner,
            action=AuditEvent.Action.UPDATE,
            obj=current,
            case_file=None,
            changes={"birth_date": [None, NEW_BIRTH.isoformat()]},
        )
        return _last_changes(person)["birth_date"]["after"]

    with override_settings(SECRET_KEY="one secret " * 5):
        first = reference_of_the_new_birth_date()
    with override_settings(SECRET_KEY="another secret " * 5):
        second = reference_of_the_new_birth_date()
    assert first != second


def test_the_audit_pages_list_the_fields_changed_without_values(owner, case):
    person = case.young_person
    services.young_person_update(
        young_person=person,
        acting_user=owner,
        data={"first_name": "Melody", "birth_date": NEW_BIRTH},
        expected_version=person.version,
        case_file=case,
    )
    # Who changed what is on the file's "Who accessed this file" tab.
    response = signed_in(owner).get(reverse("case_access_log", args=[case.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    with translation.override(response.headers["Content-Language"]):
        names = [
            str(YoungPerson._meta.get_field(name).verbose_name)
            for name in ("first_name", "birth_date")
        ]
    # In either order: PostgreSQL's jsonb keeps keys in its own order.
    listed = [", ".join(names), ", ".join(reversed(names))]
    assert any(text in page for text in listed), "the change's fields are listed"
    # The page shows the birth date as it is now; the old one is nowhere.
    for value in _date_spellings(OLD_BIRTH)[:3]:
        assert value not in page


# --- the stale form still merges a personal field the user left alone ---


def _hidden_version(response) -> str:
    return input_value(response, "version")


def test_a_stale_form_takes_over_a_name_the_user_left_alone(owner, colleague, case):
    person = case.young_person
    client = signed_in(owner)
    url = reverse("person_edit", args=[case.pk])
    opened_version = _hidden_version(client.get(url))
    services.young_person_update(
        young_person=person,
        acting_user=colleague,
        data={"last_name": "Van der Smissen"},
        expected_version=person.version,
        case_file=case,
    )
    data = form_data(
        YoungPersonForm(instance=person),
        version=opened_version,
        phone="0477 00 00 02",
    )
    response = client.post(url, data)

    assert response.status_code == 200
    changes = {c.name: c for c in response.context["form"].stale_changes}
    assert changes["last_name"].after == "Van der Smissen"  # what it is now
    assert changes["last_name"].before == ""  # the trail does not keep it
    assert input_value(response, "last_name") == "Van der Smissen"
    assert input_value(response, "phone") == "0477 00 00 02"

    # Saved again as the form now stands.
    again = client.post(url, response.context["form"].data)
    assert again.status_code == 302
    stored = YoungPerson.objects.get(pk=person.pk)
    assert (stored.last_name, stored.phone) == ("Van der Smissen", "0477 00 00 02")


def test_a_stale_form_keeps_a_name_the_user_changed_too(owner, colleague, case):
    person = case.young_person
    client = signed_in(owner)
    url = reverse("person_edit", args=[case.pk])
    opened_version = _hidden_version(client.get(url))
    services.young_person_update(
        young_person=person,
        acting_user=colleague,
        data={"last_name": "Van der Smissen"},
        expected_version=person.version,
        case_file=case,
    )
    data = form_data(
        YoungPersonForm(instance=person),
        version=opened_version,
        last_name="Vandersmissen-Lambert",
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert input_value(response, "last_name") == "Vandersmissen-Lambert"


# --- the rows written before ---


def test_the_migration_removes_the_values_already_in_the_trail(owner, case):
    migration = importlib.import_module(
        "youthtrack.migrations.0010_scrub_audit_personal_values"
    )
    person = case.young_person
    raw = {
        "first_name": ["Mélodie", "Melody"],
        "birth_date": [OLD_BIRTH.isoformat(), NEW_BIRTH.isoformat()],
        "speaks_dutch": [False, True],
    }
    # As the trail wrote them before: straight into the table.
    legacy = AuditEvent.objects.create(
        actor=owner,
        action=AuditEvent.Action.UPDATE,
        object_type="youthtrack.youngperson",
        object_id=person.pk,
        case_file=case,
        changes=raw,
    )
    note_row = AuditEvent.objects.create(
        actor=owner,
        action=AuditEvent.Action.UPDATE,
        object_type="youthtrack.note",
        object_id=1,
        changes={"text": ["Ses dettes", "Un studio"], "visibility": ["a", "b"]},
    )
    unrelated = AuditEvent.objects.create(
        actor=owner,
        action=AuditEvent.Action.CREATE,
        object_type="programmes.cohort",
        object_id=1,
        changes={"capacity": [None, 12]},
    )

    migration.scrub(apps, None)
    migration.scrub(apps, None)  # twice: nothing more changes

    assert AuditEvent.objects.get(pk=legacy.pk).changes == {
        "first_name": {"changed": True},
        "birth_date": {"changed": True},
        "speaks_dutch": [False, True],
    }
    assert AuditEvent.objects.get(pk=note_row.pk).changes == {
        "text": {"changed": True},
        "visibility": ["a", "b"],
    }
    assert AuditEvent.objects.get(pk=unrelated.pk).changes == {"capacity": [None, 12]}
