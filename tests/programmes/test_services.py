"""Writes: eligibility, places and the waiting list, withdrawal, attendance with its
versions and audit, walk-ins and their conversion, sessions."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from programmes import selectors, services
from programmes.models import Attendance, Cohort, Enrolment, Programme, WalkIn
from programmes.selectors import Completion
from programmes.services import Mark
from tests.factories import (
    AttendanceFactory,
    CohortFactory,
    EligibleCaseFileFactory,
    EnrolmentFactory,
    SessionFactory,
    WalkInFactory,
    reference,
)
from tests.factories.programmes import at
from youthtrack.models import AuditEvent, CaseFile, User

from .conftest import INTENSIVE_SESSIONS, weekdays

pytestmark = pytest.mark.django_db

Status = Enrolment.Status
Present = Attendance.Status


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def refusals(cohort: Cohort, case_file: CaseFile, user: User) -> dict[str, str]:
    with pytest.raises(services.EnrolmentRefusedError) as info:
        services.enrolment_create(cohort=cohort, case_file=case_file, acting_user=user)
    return {refusal.code: refusal.message for refusal in info.value.refusals}


def audit_rows(obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=obj.pk
        ).order_by("pk")
    )


# --- eligibility ---


def test_an_eligible_case_file_gets_a_place(cohort, cdm_case, advisor):
    enrolment = services.enrolment_create(
        cohort=cohort, case_file=cdm_case, acting_user=advisor
    )
    assert enrolment.status == Status.ENROLLED
    assert enrolment.enrolled_at is not None
    (event,) = audit_rows(enrolment)
    assert event.action == AuditEvent.Action.CREATE
    assert event.case_file_id == cdm_case.pk
    assert event.changes == {"cohort": [None, cohort.pk], "status": [None, "enrolled"]}


@pytest.mark.parametrize(
    ("age_at_start", "refused"), [(29, False), (30, True)], ids=["29", "30"]
)
def test_age_is_taken_on_the_cohort_start_date(
    cohort, advisor, uppercut, english, age_at_start, refused
):
    # Born exactly ``age_at_start`` years before the cohort starts.
    case_file = EligibleCaseFileFactory(
        programme=uppercut,
        advisor=advisor,
        young_person__birth_date=years_before(cohort.start_date, age_at_start),
    )
    if not refused:
        services.enrolment_create(
            cohort=cohort, case_file=case_file, acting_user=advisor
        )
        return
    reasons = refusals(cohort, case_file, advisor)
    assert list(reasons) == ["too_old"]
    assert reasons["too_old"].startswith("Too old at entry: 30 on ")
    assert "accepts young people aged 18 to 29" in reasons["too_old"]


def test_too_young_at_entry(cohort, advisor, uppercut, english):
    birth = years_before(cohort.start_date, 18) + datetime.timedelta(days=1)
    case_file = EligibleCaseFileFactory(
        programme=uppercut, advisor=advisor, young_person__birth_date=birth
    )
    reasons = refusals(cohort, case_file, advisor)
    assert reasons["too_young"].startswith("Too young at entry: 17 on ")


def test_registration_at_actiris_when_the_programme_requires_it(
    cohort, advisor, uppercut, english
):
    Programme.objects.filter(pk=uppercut.pk).update(requires_actiris_registration=True)
    cohort.refresh_from_db()
    cohort.programme.refresh_from_db()
    case_file = EligibleCaseFileFactory(
        programme=uppercut, advisor=advisor, registered_at_actiris=False
    )
    assert refusals(cohort, case_file, advisor) == {
        "actiris": "Not registered as a job seeker at Actiris, which Uppercut! Find "
        "your voice, find your way requires."
    }


@pytest.mark.parametrize(
    ("employment", "education"),
    [("employed", "none"), ("inactive", "student")],
    ids=["employed", "full-time student"],
)
def test_a_situation_outside_the_target_profiles_is_refused(
    cohort, advisor, uppercut, english, employment, education
):
    case_file = EligibleCaseFileFactory(
        programme=uppercut,
        advisor=advisor,
        employment_status=employment,
        education=education,
        registered_at_actiris=False,
    )
    reasons = refusals(cohort, case_file, advisor)
    assert list(reasons) == ["profile"]
    assert "matches none of the profiles" in reasons["profile"]
    assert "NEETs" in reasons["profile"]


def test_a_case_file_of_another_programme_closed_into_an_ended_cohort(
    advisor, uppercut, today, english
):
    ended = CohortFactory(
        programme=uppercut,
        start_date=today - datetime.timedelta(days=100),
        end_date=today - datetime.timedelta(days=1),
    )
    case_file = EligibleCaseFileFactory(
        programme=Programme.objects.get(code="touchngo"),
        advisor=advisor,
        status=CaseFile.Status.CLOSED,
        exit_reason="completed",
    )
    reasons = refusals(ended, case_file, advisor)
    assert set(reasons) == {"ended", "closed", "programme"}
    assert reasons["closed"] == "The case file is closed."
    assert reasons["programme"].startswith("This case file is for Touch'N'Go")


def test_the_same_case_file_is_not_enrolled_twice(cohort, cdm_case, advisor, english):
    services.enrolment_create(cohort=cohort, case_file=cdm_case, acting_user=advisor)
    assert refusals(cohort, cdm_case, advisor) == {
        "already": "Already enrolled in this cohort."
    }


def test_only_the_case_files_owners_enrol_it(cohort, actiris_case, advisor, partner):
    for user in (advisor, partner):
        with pytest.raises(PermissionDenied):
            services.enrolment_create(
                cohort=cohort, case_file=actiris_case, acting_user=user
            )
    assert not Enrolment.objects.exists()


# --- places and the waiting list ---


def test_the_twelfth_waits_when_eleven_places_are_taken(
    cohort, enrol, cdm_case, advisor
):
    enrol(11)
    with pytest.raises(services.CohortFullError):
        services.enrolment_create(
            cohort=cohort,
            case_file=cdm_case,
            acting_user=advisor,
            accept_waiting_list=False,
        )
    assert not cdm_case.enrolments.exists()
    enrolment = services.enrolment_create(
        cohort=cohort, case_file=cdm_case, acting_user=advisor
    )
    assert enrolment.status == Status.WAITING
    assert enrolment.enrolled_at is None
    assert cohort.enrolments.filter(status=Status.ENROLLED).count() == 11


def test_a_withdrawal_moves_the_first_in_order_of_request_in(
    cohort, enrol, advisor, today
):
    enrolled = enrol(11)
    now = timezone.now()
    # Created first, asked last: the order is that of the requests, not of the rows.
    asked_last = EnrolmentFactory(
        cohort=cohort,
        status=Status.WAITING,
        requested_at=now - datetime.timedelta(hours=1),
        case_file__advisor=advisor,
    )
    asked_first = EnrolmentFactory(
        cohort=cohort,
        status=Status.WAITING,
        requested_at=now - datetime.timedelta(hours=2),
        case_file__advisor=advisor,
    )
    result = services.enrolment_withdraw(
        enrolment=enrolled[3],
        acting_user=advisor,
        withdrawn_on=today,
        reason=Enrolment.WithdrawalReason.JOB,
        comment="CDD de 6 mois",
    )
    assert [e.pk for e in result.promoted] == [asked_first.pk]
    asked_first.refresh_from_db()
    asked_last.refresh_from_db()
    enrolled[3].refresh_from_db()
    assert enrolled[3].status == Status.WITHDRAWN
    assert enrolled[3].withdrawn_on == today
    assert enrolled[3].withdrawal_reason == "job"
    assert asked_first.status == Status.ENROLLED
    assert asked_first.from_waiting_list
    assert asked_first.enrolled_at is not None
    assert asked_last.status == Status.WAITING
    assert cohort.enrolments.filter(status=Status.ENROLLED).count() == 11
    (withdrawal,) = audit_rows(enrolled[3])
    assert withdrawal.changes["status"] == ["enrolled", "withdrawn"]
    (promotion,) = audit_rows(asked_first)
    assert promotion.actor == advisor
    assert promotion.changes["status"] == ["waiting", "enrolled"]


def test_leaving_the_waiting_list_moves_nobody(cohort, enrol, advisor, today):
    enrol(11)
    first, second = enrol(2)
    assert {first.status, second.status} == {Status.ENROLLED}  # the factory's default
    Enrolment.objects.filter(pk__in=[first.pk, second.pk]).update(
        status=Status.WAITING, enrolled_at=None
    )
    first.refresh_from_db()
    result = services.enrolment_withdraw(
        enrolment=first,
        acting_user=advisor,
        withdrawn_on=today,
        reason=Enrolment.WithdrawalReason.PERSONAL,
    )
    assert result.promoted == []
    assert Enrolment.objects.get(pk=second.pk).status == Status.WAITING


def test_a_waiting_case_file_closed_meanwhile_is_skipped(cohort, enrol, advisor, today):
    enrolled = enrol(11)
    closed = EnrolmentFactory(
        cohort=cohort,
        status=Status.WAITING,
        requested_at=timezone.now() - datetime.timedelta(hours=2),
        case_file__advisor=advisor,
    )
    CaseFile.objects.filter(pk=closed.case_file_id).update(status="closed")
    waiting = EnrolmentFactory(
        cohort=cohort, status=Status.WAITING, case_file__advisor=advisor
    )
    result = services.enrolment_withdraw(
        enrolment=enrolled[0], acting_user=advisor, withdrawn_on=today, reason="other"
    )
    assert [e.pk for e in result.promoted] == [waiting.pk]
    assert Enrolment.objects.get(pk=closed.pk).status == Status.WAITING


def test_more_places_move_people_in_and_fewer_than_enrolled_are_refused(
    cohort, enrol, lead
):
    enrol(11)
    waiting = enrol(2, status=Status.WAITING)
    updated, promoted = services.cohort_update(
        cohort=cohort,
        acting_user=lead,
        data={"capacity": 12},
        expected_version=cohort.version,
    )
    assert [e.pk for e in promoted] == [waiting[0].pk]
    assert updated.version == cohort.version + 1
    with pytest.raises(ValidationError) as info:
        services.cohort_update(
            cohort=updated,
            acting_user=lead,
            data={"capacity": 10},
            expected_version=updated.version,
        )
    assert "capacity" in info.value.error_dict
    assert Cohort.objects.get(pk=cohort.pk).capacity == 12


def test_a_stale_cohort_edit_is_refused(cohort, lead):
    services.cohort_update(
        cohort=cohort, acting_user=lead, data={"capacity": 15}, expected_version=1
    )
    with pytest.raises(services.StaleCohortError):
        services.cohort_update(
            cohort=cohort, acting_user=lead, data={"capacity": 9}, expected_version=1
        )


@pytest.mark.parametrize("role", ["advisor", "partner", "actiris_advisor"])
def test_only_project_leads_manage_cohorts(cohort, user_for, role, uppercut):
    user = user_for(role)
    with pytest.raises(PermissionDenied):
        services.cohort_update(
            cohort=cohort, acting_user=user, data={"capacity": 20}, expected_version=1
        )
    with pytest.raises(PermissionDenied):
        services.cohort_create(
            acting_user=user,
            programme=uppercut,
            data={
                "name": "x",
                "start_date": cohort.start_date,
                "end_date": cohort.end_date,
                "capacity": 3,
            },
        )
    assert Cohort.objects.get().capacity == 11


def test_bulk_enrolment_reports_each_refusal(
    cohort, enrol, advisor, uppercut, actiris_case, english
):
    enrol(10)
    fits, also_fits = (
        EligibleCaseFileFactory(programme=uppercut, advisor=advisor) for _ in range(2)
    )
    employed = EligibleCaseFileFactory(
        programme=uppercut,
        advisor=advisor,
        employment_status="employed",
        registered_at_actiris=False,
    )
    results = services.enrolments_create_many(
        cohort=cohort,
        case_files=[fits, employed, also_fits, actiris_case],
        acting_user=advisor,
    )
    outcome = {
        r.case_file.pk: (r.enrolment.status if r.enrolment else None) for r in results
    }
    assert outcome == {
        fits.pk: Status.ENROLLED,
        employed.pk: None,
        also_fits.pk: Status.WAITING,
        actiris_case.pk: None,
    }
    refused = {r.case_file.pk: [x.code for x in r.refusals] for r in results}
    assert refused[employed.pk] == ["profile"]
    assert refused[actiris_case.pk] == ["forbidden"]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_advisors_cannot_both_take_the_last_place(lead, advisor, colleague, today):
    """The first advisor's enrolment is still uncommitted when the second one asks for
    the last place: the second waits for the cohort's row, then counts the first."""
    cohort = CohortFactory(capacity=1, created_by=lead)
    first, second = (
        EligibleCaseFileFactory(programme=cohort.programme, advisor=user)
        for user in (advisor, colleague)
    )
    first_enrolled, commit_first = threading.Event(), threading.Event()
    statuses: dict[str, str] = {}

    def enrol_first():
        try:
            with transaction.atomic():
                enrolment = services.enrolment_create(
                    cohort=cohort, case_file=first, acting_user=advisor
                )
                statuses["first"] = enrolment.status
                first_enrolled.set()
                commit_first.wait(timeout=10)
        finally:
            connection.close()

    def enrol_second():
        try:
            enrolment = services.enrolment_create(
                cohort=cohort, case_file=second, acting_user=colleague
            )
            statuses["second"] = enrolment.status
        finally:
            connection.close()

    one = threading.Thread(target=enrol_first)
    one.start()
    assert first_enrolled.wait(timeout=10)
    two = threading.Thread(target=enrol_second)
    two.start()
    two.join(timeout=0.5)  # without the row lock it would be done by now
    commit_first.set()
    one.join(timeout=10)
    two.join(timeout=10)
    assert statuses == {"first": Status.ENROLLED, "second": Status.WAITING}
    assert cohort.enrolments.filter(status=Status.ENROLLED).count() == 1


# --- completion, derived from attendance ---


def mark(enrolment, sessions, status=Present.PRESENT):
    for session in sessions:
        AttendanceFactory(session=session, case_file=enrolment.case_file, status=status)


def completion_of(user, cohort, enrolment):
    (row,) = [
        r
        for r in selectors.participant_rows(user=user, cohort=cohort)
        if r.enrolment.pk == enrolment.pk
    ]
    return row


@pytest.mark.parametrize(
    ("present", "expected", "rate"),
    [(8, Completion.COMPLETED, 80), (7, Completion.NOT_COMPLETED, 70)],
    ids=["exactly 80 %", "just under"],
)
def test_completion_at_the_boundary(
    cohort, intensive, enrol, advisor, present, expected, rate
):
    (enrolment,) = enrol(1)
    mark(enrolment, intensive[:present])
    mark(enrolment, intensive[present:], Present.ABSENT)
    row = completion_of(advisor, cohort, enrolment)
    assert (row.completion, row.rate, row.attended, row.total) == (
        expected,
        rate,
        present,
        INTENSIVE_SESSIONS,
    )


def test_completion_rule_in_whole_numbers():
    def state(attended, total, held=None):
        return selectors.completion_state(
            attended=attended,
            total=total,
            held=total if held is None else held,
            min_rate=80,
            has_rule=True,
        )

    assert state(80, 100) == Completion.COMPLETED
    assert state(79, 100) == Completion.NOT_COMPLETED
    assert state(4, 5) == Completion.COMPLETED
    assert state(3, 5) == Completion.NOT_COMPLETED
    assert state(6, 10, held=6) == Completion.IN_PROGRESS  # 4 to come: 10 reachable
    assert state(5, 10, held=8) == Completion.NOT_COMPLETED  # 7 at best


def test_late_counts_excused_counts_only_when_the_programme_says_so(
    cohort, intensive, enrol, advisor, uppercut
):
    (enrolment,) = enrol(1)
    mark(enrolment, intensive[:6])
    mark(enrolment, intensive[6:7], Present.LATE)
    mark(enrolment, intensive[7:8], Present.EXCUSED)
    mark(enrolment, intensive[8:], Present.ABSENT)
    row = completion_of(advisor, cohort, enrolment)
    assert (row.attended, row.excused, row.completion) == (
        7,
        1,
        Completion.NOT_COMPLETED,
    )
    Programme.objects.filter(pk=uppercut.pk).update(completion_counts_excused=True)
    row = completion_of(advisor, cohort, enrolment)
    assert (row.attended, row.completion) == (8, Completion.COMPLETED)


def test_sessions_of_other_phases_do_not_count(cohort, intensive, enrol, advisor):
    follow_up = cohort.programme.phases.get(counts_for_completion=False)
    extra = [
        SessionFactory(cohort=cohort, phase=follow_up, starts_at=at(day, 14))
        for day in weekdays(cohort.start_date, 3)
    ]
    (enrolment,) = enrol(1)
    mark(enrolment, intensive[:8])
    mark(enrolment, extra, Present.ABSENT)
    row = completion_of(advisor, cohort, enrolment)
    assert (row.total, row.completion) == (INTENSIVE_SESSIONS, Completion.COMPLETED)


def test_completion_is_in_progress_while_sessions_remain(cohort, enrol, advisor, today):
    held = [SessionFactory(cohort=cohort, starts_at=at(cohort.start_date))]
    coming = [
        SessionFactory(cohort=cohort, starts_at=at(day))
        for day in weekdays(today + datetime.timedelta(days=1), 4)
    ]
    (enrolment,) = enrol(1)
    mark(enrolment, held)
    row = completion_of(advisor, cohort, enrolment)
    assert (row.held, row.total, row.rate) == (1, 5, 100)
    assert row.completion == Completion.IN_PROGRESS
    assert len(coming) == 4


def test_a_register_not_taken_is_not_counted_as_absences(
    cohort, intensive, enrol, advisor
):
    """Registers typed in after the fact: the first eight days are in, the last two
    are not yet; nobody is "not completed" for sessions nobody has recorded."""
    present, absent_twice = enrol(2)
    mark(present, intensive[:8])
    mark(absent_twice, intensive[:6])
    mark(absent_twice, intensive[6:8], Present.ABSENT)
    rows = {
        row.enrolment.pk: row
        for row in selectors.participant_rows(user=advisor, cohort=cohort)
    }
    assert (rows[present.pk].held, rows[present.pk].rate) == (8, 100)
    assert rows[present.pk].completion == Completion.COMPLETED
    assert rows[absent_twice.pk].rate == 75
    assert rows[absent_twice.pk].completion == Completion.IN_PROGRESS
    mark(absent_twice, intensive[8:9], Present.ABSENT)
    row = completion_of(advisor, cohort, absent_twice)
    assert (row.held, row.completion) == (9, Completion.NOT_COMPLETED)


# --- attendance ---


def test_a_register_is_recorded_and_audited(cohort, intensive, enrol, advisor):
    first, second = enrol(2)
    session = intensive[0]
    result = services.attendance_save(
        session=session,
        acting_user=advisor,
        marks={
            first.case_file_id: Mark("present", "", 0),
            second.case_file_id: Mark("absent", "online", 0),
        },
    )
    assert (result.created, result.updated) == (2, 0)
    rows = {a.case_file_id: a for a in Attendance.objects.filter(session=session)}
    assert rows[first.case_file_id].presence == "on_site"  # the session's default
    assert rows[second.case_file_id].presence == ""  # absent: neither
    (event,) = audit_rows(rows[first.case_file_id])
    assert event.action == AuditEvent.Action.CREATE
    assert event.changes == {"status": [None, "present"], "presence": [None, "on_site"]}


def test_an_edit_afterwards_is_audited_with_before_and_after(
    cohort, intensive, enrol, advisor, colleague
):
    (enrolment,) = enrol(1)
    session = intensive[0]
    services.attendance_save(
        session=session,
        acting_user=advisor,
        marks={enrolment.case_file_id: Mark("absent", "", 0)},
    )
    result = services.attendance_save(
        session=session,
        acting_user=colleague,
        marks={enrolment.case_file_id: Mark("late", "on_site", 1)},
    )
    assert result.updated == 1
    row = Attendance.objects.get(session=session)
    assert (row.status, row.version, row.updated_by, row.recorded_by) == (
        "late",
        2,
        colleague,
        advisor,
    )
    update = audit_rows(row)[-1]
    assert update.action == AuditEvent.Action.UPDATE
    assert update.actor == colleague
    assert update.object_version == 2
    assert update.changes == {
        "status": ["absent", "late"],
        "presence": ["", "on_site"],
    }


def test_a_stale_register_is_refused_with_what_changed(
    cohort, intensive, enrol, advisor, colleague
):
    first, second = enrol(2)
    session = intensive[0]
    # Both open the empty register; the colleague saves first.
    services.attendance_save(
        session=session,
        acting_user=colleague,
        marks={first.case_file_id: Mark("present", "", 0)},
    )
    audit_before = AuditEvent.objects.count()
    with pytest.raises(services.AttendanceConflictError) as info:
        services.attendance_save(
            session=session,
            acting_user=advisor,
            marks={
                first.case_file_id: Mark("absent", "", 0),
                second.case_file_id: Mark("present", "", 0),
            },
        )
    (conflict,) = info.value.conflicts
    assert conflict.case_file.pk == first.case_file_id
    assert (conflict.current.status, conflict.current.updated_by) == (
        "present",
        colleague,
    )
    assert conflict.yours.status == "absent"
    # Nothing saved, not even the row nobody else touched.
    assert Attendance.objects.filter(session=session).count() == 1
    assert AuditEvent.objects.count() == audit_before
    # Saved again on the current version: the advisor's choice wins, knowingly.
    services.attendance_save(
        session=session,
        acting_user=advisor,
        marks={
            first.case_file_id: Mark("absent", "", 1),
            second.case_file_id: Mark("present", "", 0),
        },
    )
    assert Attendance.objects.get(case_file=first.case_file).status == "absent"


def test_the_same_choice_saved_twice_is_no_conflict(
    cohort, intensive, enrol, advisor, colleague
):
    (enrolment,) = enrol(1)
    for user in (colleague, advisor):
        services.attendance_save(
            session=intensive[0],
            acting_user=user,
            marks={enrolment.case_file_id: Mark("present", "", 0)},
        )
    assert Attendance.objects.get().version == 1


def test_only_the_register_s_participants_can_be_marked(
    cohort, intensive, enrol, advisor, cdm_case, actiris_advisor, actiris_case
):
    (enrolment,) = enrol(1)
    EnrolmentFactory(cohort=cohort, case_file=actiris_case)
    # A case file not enrolled in the cohort.
    with pytest.raises(PermissionDenied):
        services.attendance_save(
            session=intensive[0],
            acting_user=advisor,
            marks={cdm_case.pk: Mark("present", "", 0)},
        )
    # Actiris' advisor marks her own participant, not the CDM's.
    services.attendance_save(
        session=intensive[0],
        acting_user=actiris_advisor,
        marks={actiris_case.pk: Mark("present", "", 0)},
    )
    with pytest.raises(PermissionDenied):
        services.attendance_save(
            session=intensive[0],
            acting_user=actiris_advisor,
            marks={enrolment.case_file_id: Mark("absent", "", 0)},
        )
    assert list(Attendance.objects.values_list("case_file_id", flat=True)) == [
        actiris_case.pk
    ]


@pytest.mark.parametrize(
    "role", ["partner", "fwb_partner", "outsider", "administrator"]
)
def test_who_may_not_take_attendance(cohort, intensive, enrol, user_for, role):
    (enrolment,) = enrol(1)
    with pytest.raises(PermissionDenied):
        services.attendance_save(
            session=intensive[0],
            acting_user=user_for(role),
            marks={enrolment.case_file_id: Mark("present", "", 0)},
        )
    assert not Attendance.objects.exists()


def test_an_advisor_of_the_cohort_from_elsewhere_takes_attendance(
    cohort, intensive, outsider, uppercut
):
    cohort.advisors.add(outsider)
    assert (
        services.attendance_save(session=intensive[0], acting_user=outsider, marks={})
        == services.AttendanceSaveResult()
    )


# --- walk-ins ---


def test_a_walk_in_is_recorded_with_the_minimum(
    cohort, intensive, advisor, fwb_partner
):
    data = {
        "first_name": "Inès",
        "age_band": "18-24",
        "commune": reference.commune("21015"),
        "gender": reference.gender("female"),
        "presence": "on_site",
    }
    walk_in = services.walk_in_record(
        session=intensive[0], acting_user=advisor, data=data
    )
    assert (walk_in.organisation, walk_in.recorded_by) == (
        advisor.organisation,
        advisor,
    )
    (event,) = audit_rows(walk_in)
    assert "Inès" not in str(event.changes)  # no personal data in the trail
    with pytest.raises(PermissionDenied):
        services.walk_in_record(
            session=intensive[0], acting_user=fwb_partner, data=data
        )


def test_converting_a_walk_in_of_an_enrolled_participant_records_the_presence(
    cohort, intensive, enrol, advisor
):
    (enrolment,) = enrol(1)
    walk_in = WalkInFactory(session=intensive[2], presence="online")
    converted, attendance = services.walk_in_convert(
        walk_in=walk_in, case_file=enrolment.case_file, acting_user=advisor
    )
    assert converted.converted_case_file == enrolment.case_file
    assert converted.converted_at is not None
    assert (attendance.session, attendance.status, attendance.presence) == (
        intensive[2],
        "present",
        "online",
    )
    assert audit_rows(attendance)[0].changes["walk_in"] == [None, walk_in.pk]
    with pytest.raises(ValidationError):
        services.walk_in_convert(
            walk_in=walk_in, case_file=enrolment.case_file, acting_user=advisor
        )


def test_converting_a_walk_in_not_enrolled_only_links_it(
    cohort, intensive, advisor, cdm_case
):
    walk_in = WalkInFactory(session=intensive[0])
    _converted, attendance = services.walk_in_convert(
        walk_in=walk_in, case_file=cdm_case, acting_user=advisor
    )
    assert attendance is None
    assert WalkIn.objects.get().converted_case_file == cdm_case


def test_a_walk_in_is_converted_only_by_who_sees_it_into_a_file_they_may_change(
    cohort, intensive, advisor, outsider, actiris_advisor, actiris_case, cdm_case
):
    walk_in = WalkInFactory(session=intensive[0])
    with pytest.raises(PermissionDenied):  # not their walk-in
        services.walk_in_convert(
            walk_in=walk_in, case_file=cdm_case, acting_user=outsider
        )
    with pytest.raises(PermissionDenied):  # not their case file
        services.walk_in_convert(
            walk_in=walk_in, case_file=actiris_case, acting_user=advisor
        )
    assert WalkIn.objects.get().converted_case_file is None


def test_the_intake_of_a_walk_in_opens_the_case_file_and_links_it(
    cohort, intensive, advisor, uppercut, today
):
    walk_in = WalkInFactory(session=intensive[0], first_name="Inès")
    initial = selectors.walk_in_intake_initial(user=advisor, pk=walk_in.pk)
    person_data = {
        **initial["person"],
        "gender": reference.gender(initial["person"]["gender"]),
        "commune": reference.commune(initial["person"]["commune"]),
        "last_name": "Benali",
        "birth_date": years_before(today, 20),
    }
    case_data = {
        "programme": uppercut,
        "entry_date": today,
        "employment_status": "unemployed",
        "education": "none",
        "highest_diploma": reference.diploma("cess"),
        "registered_at_actiris": True,
    }
    case_file = services.case_file_intake_from_walk_in(
        walk_in=walk_in,
        acting_user=advisor,
        person_data=person_data,
        case_data=case_data,
    )
    assert case_file.young_person.first_name == "Inès"
    assert WalkIn.objects.get().converted_case_file == case_file
    # Linked once: a second intake of the same walk-in opens nothing.
    with pytest.raises(ValidationError):
        services.case_file_intake_from_walk_in(
            walk_in=walk_in,
            acting_user=advisor,
            person_data={**person_data, "last_name": "Autre"},
            case_data=case_data,
            confirmed_new_person=True,
        )
    assert CaseFile.objects.filter(young_person__first_name="Inès").count() == 1


# --- sessions ---


def session_data(cohort, day, **overrides):
    data = {
        "activity_type": cohort.programme.phases.first().activity_types.first(),
        "title": "Atelier CV",
        "phase": cohort.programme.phases.get(counts_for_completion=True),
        "theme": "work",
        "language": "bilingual",
        "mode": "in_person",
        "organiser": cohort.owner_organisation,
        "place": "Cité des métiers",
        "link": "",
        "capacity": None,
        "starts_at": at(day),
        "ends_at": at(day, 12, 30),
    }
    return {**data, **overrides}


def test_a_fortnight_of_sessions_in_one_go(cohort, lead):
    monday = cohort.start_date + datetime.timedelta(
        days=-cohort.start_date.weekday() + 7
    )
    sessions = services.session_create(
        cohort=cohort,
        acting_user=lead,
        data=session_data(cohort, monday),
        repeat_until=monday + datetime.timedelta(days=11),
    )
    days = [timezone.localtime(s.starts_at).date() for s in sessions]
    assert len(sessions) == 10
    assert all(day.weekday() < 5 for day in days)
    assert {timezone.localtime(s.starts_at).time() for s in sessions} == {
        datetime.time(9, 30)
    }


def test_a_session_is_checked(cohort, lead, advisor):
    outside = cohort.end_date + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as info:
        services.session_create(
            cohort=cohort,
            acting_user=lead,
            data=session_data(cohort, outside, mode="online", place=""),
        )
    assert set(info.value.error_dict) == {"starts_at", "link"}
    with pytest.raises(PermissionDenied):
        services.session_create(
            cohort=cohort,
            acting_user=advisor,
            data=session_data(cohort, cohort.start_date),
        )
