"""Operations: a programme under one funding decision. A participation (a case file)
counts under the operation of its programme whose period covers its entry date; the
intake chooses it, a change of entry date or programme chooses again, and a file no
operation covers says so on its page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.factories import reference
from tests.factories.helpers import case_data, person_data
from youthtrack import services
from youthtrack.models import (
    OPERATION_PARAMETER_DEFAULTS,
    AuditEvent,
    Funder,
    Operation,
    RuleSet,
)

from .sharing_helpers import confirmed_device, signed_in, verify_session

BORN = datetime.date(1998, 6, 1)  # 20 in 2019, 28 today: Touch'N'Go all along


def intake(user, *, entry_date, programme="touchngo"):
    return services.case_file_intake(
        acting_user=user,
        person_data=person_data(birth_date=BORN),
        case_data=case_data(
            entry_date=entry_date, programme=reference.programme(programme)
        ),
    )


def operation(programme="uppercut", **fields) -> Operation:
    values = {
        "reference": "TEST-OP",
        "programme": reference.programme(programme),
        "rule_set": RuleSet.ESFPLUS2021,
        "start": datetime.date(2021, 1, 1),
        "end": datetime.date(2027, 12, 31),
        **fields,
    }
    return Operation(**values)


# --- the reference data ---


def test_touchngo_ran_under_esf_then_under_esf_plus_co_financed_by_actiris(db):
    operations = list(reference.programme("touchngo").operations.all())
    assert [(op.reference, op.rule_set) for op in operations] == [
        ("TNG-ESF-2014-2020", RuleSet.ESF2014),
        ("TNG-ESFPLUS-2021-2027", RuleSet.ESFPLUS2021),
    ]
    assert {f.code for f in operations[0].funders.all()} == {"actiris", "esf", "yei"}
    assert {f.code for f in operations[1].funders.all()} == {"actiris", "esf-plus"}
    assert operations[1].settings == OPERATION_PARAMETER_DEFAULTS


# --- chosen by the intake, chosen again on a change ---


@pytest.mark.parametrize(
    ("entry_date", "reference_expected"),
    [
        (datetime.date(2019, 5, 1), "TNG-ESF-2014-2020"),
        (datetime.date(2020, 12, 31), "TNG-ESF-2014-2020"),
        (datetime.date(2021, 1, 1), "TNG-ESFPLUS-2021-2027"),
        (datetime.date(2022, 3, 15), "TNG-ESFPLUS-2021-2027"),
    ],
)
def test_the_intake_picks_the_operation_covering_the_entry_date(
    advisor, entry_date, reference_expected
):
    case_file = intake(advisor, entry_date=entry_date)
    case_file.refresh_from_db()
    assert case_file.operation.reference == reference_expected


def test_a_programme_without_an_operation_at_that_date_leaves_it_empty(advisor):
    case_file = intake(
        advisor, entry_date=datetime.date(2022, 3, 15), programme="youth-cdm"
    )
    case_file.refresh_from_db()
    assert case_file.operation is None


def test_moving_the_entry_date_moves_the_participation_to_the_other_operation(
    advisor,
):
    case_file = intake(advisor, entry_date=datetime.date(2022, 3, 15))
    updated = services.case_file_update(
        case_file=case_file,
        acting_user=advisor,
        data={"entry_date": datetime.date(2019, 5, 1)},
        expected_version=case_file.version,
    )
    updated.refresh_from_db()
    assert updated.operation.reference == "TNG-ESF-2014-2020"
    event = AuditEvent.objects.filter(
        object_type="youthtrack.casefile", action=AuditEvent.Action.UPDATE
    ).get()
    esf2014 = Operation.objects.get(reference="TNG-ESF-2014-2020")
    esfplus = Operation.objects.get(reference="TNG-ESFPLUS-2021-2027")
    assert event.changes["operation"] == [esfplus.pk, esf2014.pk]


def test_changing_the_programme_chooses_among_the_new_programmes_operations(
    advisor,
):
    case_file = intake(advisor, entry_date=datetime.date(2022, 3, 15))
    updated = services.case_file_update(
        case_file=case_file,
        acting_user=advisor,
        data={"programme": reference.programme("youth-cdm")},
        expected_version=case_file.version,
    )
    updated.refresh_from_db()
    assert updated.operation is None


def test_other_changes_keep_the_operation(advisor):
    case_file = intake(advisor, entry_date=datetime.date(2022, 3, 15))
    chosen = case_file.operation
    updated = services.case_file_update(
        case_file=case_file,
        acting_user=advisor,
        data={"first_visit": False},
        expected_version=case_file.version,
    )
    updated.refresh_from_db()
    assert updated.operation == chosen


def test_the_operation_is_not_set_by_hand(advisor):
    case_file = intake(advisor, entry_date=datetime.date(2022, 3, 15))
    with pytest.raises(ValueError, match="operation"):
        services.case_file_update(
            case_file=case_file,
            acting_user=advisor,
            data={"operation": None},
            expected_version=case_file.version,
        )


def test_an_operation_added_later_takes_the_files_its_period_covers(
    advisor, administrator
):
    inside = intake(
        advisor, entry_date=datetime.date(2022, 3, 15), programme="youth-cdm"
    )
    before = services.case_file_intake(
        acting_user=advisor,
        person_data=person_data(first_name="Other", birth_date=BORN),
        case_data=case_data(
            entry_date=datetime.date(2020, 3, 15),
            programme=reference.programme("youth-cdm"),
        ),
    )
    added = operation(programme="youth-cdm", reference="YOUTH-CDM-2021")
    added.full_clean()
    added.save()
    services.operation_saved(operation=added, acting_user=administrator, created=True)
    inside.refresh_from_db()
    before.refresh_from_db()
    assert (inside.operation, before.operation) == (added, None)
    assert AuditEvent.objects.filter(
        object_type="youthtrack.operation", object_id=added.pk, actor=administrator
    ).exists()


# --- validation ---


def test_an_operation_cannot_end_before_it_starts(db):
    backwards = operation(
        start=datetime.date(2024, 1, 1), end=datetime.date(2023, 1, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        backwards.full_clean()
    assert "end" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        backwards.save()


def test_operations_of_one_programme_under_one_rule_set_do_not_overlap(db):
    with pytest.raises(ValidationError) as excinfo:
        operation(
            programme="touchngo",
            rule_set=RuleSet.ESFPLUS2021,
            start=datetime.date(2027, 6, 1),
            end=datetime.date(2028, 12, 31),
        ).full_clean()
    assert "TNG-ESFPLUS-2021-2027" in " ".join(excinfo.value.message_dict["start"])


@pytest.mark.parametrize(
    ("programme", "fields"),
    [
        # The day after the current one ends: no overlap.
        (
            "touchngo",
            {"start": datetime.date(2028, 1, 1), "end": datetime.date(2034, 12, 31)},
        ),
        # Co-financing under another rule set over the same years.
        ("touchngo", {"rule_set": RuleSet.ACTIRIS}),
        # The same years for another programme.
        ("youth-cdm", {}),
    ],
)
def test_what_does_not_overlap_is_accepted(db, programme, fields):
    operation(programme=programme, **fields).full_clean()


def test_an_operation_edited_does_not_clash_with_itself(db):
    current = Operation.objects.get(reference="TNG-ESFPLUS-2021-2027")
    current.end = datetime.date(2028, 6, 30)
    current.full_clean()


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"leaving_window_days": 0}, "leaving_window_days"),
        ({"leaving_window_days": "28"}, "leaving_window_days"),
        ({"small_cel_threshold": 5}, "small_cel_threshold"),
        (["leaving_window_days"], ""),
    ],
)
def test_parameters_are_known_settings_with_whole_numbers(
    db, english, parameters, message
):
    with pytest.raises(ValidationError) as excinfo:
        operation(parameters=parameters).full_clean()
    assert message in " ".join(excinfo.value.message_dict["parameters"])


def test_a_missing_parameter_takes_its_default(db):
    op = operation(parameters={"leaving_window_days": 42})
    op.full_clean()
    assert op.settings == {**OPERATION_PARAMETER_DEFAULTS, "leaving_window_days": 42}
    assert operation().parameters == OPERATION_PARAMETER_DEFAULTS


# --- shown ---


def test_the_case_page_shows_the_operation_or_its_absence(client_as, advisor, english):
    counted = intake(advisor, entry_date=datetime.date(2022, 3, 15))
    uncounted = services.case_file_intake(
        acting_user=advisor,
        person_data=person_data(first_name="Other", birth_date=BORN),
        case_data=case_data(
            entry_date=datetime.date(2022, 3, 15),
            programme=reference.programme("youth-cdm"),
        ),
    )
    client = client_as("advisor")
    page = client.get(reverse("case_detail", args=[counted.pk])).content.decode()
    assert "TNG-ESFPLUS-2021-2027" in page
    assert "No operation" not in page
    page = client.get(reverse("case_detail", args=[uncounted.pk])).content.decode()
    assert "No operation" in page
    assert "funder reports will not count this participation" in page


def test_the_programme_page_lists_its_operations_with_their_funders(client_as, english):
    client = client_as("advisor")
    programme = reference.programme("touchngo")
    page = client.get(
        reverse("programmes:programme_detail", args=[programme.pk])
    ).content.decode()
    assert "TNG-ESF-2014-2020" in page
    assert "TNG-ESFPLUS-2021-2027" in page
    assert str(Funder.objects.get(code="esf-plus")) in page


def test_administrators_keep_operations_in_the_admin(administrator):
    client = signed_in(administrator)
    verify_session(client, confirmed_device(administrator))
    listing = client.get(reverse("admin:youthtrack_operation_changelist"))
    assert listing.status_code == 200
    assert "TNG-ESF-2014-2020" in listing.content.decode()
    programme = reference.programme("uppercut")
    response = client.post(
        reverse("admin:youthtrack_operation_add"),
        {
            "reference": "UPPERCUT-ESFPLUS-2026",
            "programme": programme.pk,
            "rule_set": RuleSet.ESFPLUS2021,
            "start": "2026-01-01",
            "end": "2027-12-31",
            "parameters": '{"leaving_window_days": 28}',
            "funders": [Funder.objects.get(code="esf-plus").pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = Operation.objects.get(reference="UPPERCUT-ESFPLUS-2026")
    assert [f.code for f in added.funders.all()] == ["esf-plus"]
