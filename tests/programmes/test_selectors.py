"""Reads: who sees which participants (through the case-file gate, sharing included),
eligibility of candidates, the calendar, and contacts for the activity figures."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from programmes import selectors
from programmes.models import Enrolment
from tests.factories import (
    AttendanceFactory,
    EligibleCaseFileFactory,
    EnrolmentFactory,
    NoteFactory,
    SessionFactory,
    WalkInFactory,
    reference,
)
from tests.factories.programmes import at
from youthtrack.models import CaseFile

from .conftest import share

pytestmark = pytest.mark.django_db


@pytest.fixture
def co_run(cohort, intensive, enrol, actiris_case, fwb):
    """Three CDM participants and one of Actiris; the third session is organised by
    the FWB (a co-run session)."""
    cdm_enrolments = enrol(3)
    actiris_enrolment = EnrolmentFactory(cohort=cohort, case_file=actiris_case)
    co_run_session = intensive[2]
    co_run_session.organiser = fwb
    co_run_session.save()
    return cdm_enrolments, actiris_enrolment, co_run_session


def names(rows) -> set[str]:
    return {str(row.case_file.young_person) for row in rows}


# --- who sees whom ---


def test_the_organisation_in_charge_sees_its_participants_and_counts_the_others(
    cohort, co_run, advisor
):
    cdm_enrolments, actiris_enrolment, _session = co_run
    rows = selectors.participant_rows(user=advisor, cohort=cohort)
    assert {row.enrolment.pk for row in rows} == {e.pk for e in cdm_enrolments}
    summary = selectors.cohort_summary(user=advisor, cohort=cohort, rows=rows)
    assert (summary.enrolled, summary.hidden, summary.places_left) == (4, 1, 7)


def test_a_co_organiser_sees_only_its_own_participants_and_no_count(
    cohort, co_run, actiris_advisor
):
    _cdm, actiris_enrolment, _session = co_run
    rows = selectors.participant_rows(user=actiris_advisor, cohort=cohort)
    assert [row.enrolment.pk for row in rows] == [actiris_enrolment.pk]
    summary = selectors.cohort_summary(user=actiris_advisor, cohort=cohort, rows=rows)
    assert (summary.enrolled, summary.hidden) == (1, None)


def test_a_partner_sees_nobody_until_a_case_file_is_shared_with_it(
    cohort, co_run, advisor, fwb_partner
):
    cdm_enrolments, _actiris, co_run_session = co_run
    assert selectors.participant_rows(user=fwb_partner, cohort=cohort) == []
    assert selectors.register_rows(user=fwb_partner, session=co_run_session) == []
    assert (
        selectors.hidden_register_count(user=fwb_partner, session=co_run_session)
        is None
    )
    shared = cdm_enrolments[1].case_file
    share(shared, owner=advisor, partner_user=fwb_partner)
    rows = selectors.register_rows(user=fwb_partner, session=co_run_session)
    assert [row.case_file.pk for row in rows] == [shared.pk]
    rows = selectors.participant_rows(user=fwb_partner, cohort=cohort)
    assert [row.case_file.pk for row in rows] == [shared.pk]
    summary = selectors.cohort_summary(user=fwb_partner, cohort=cohort, rows=rows)
    assert (summary.enrolled, summary.hidden) == (1, None)


def test_the_register_lists_the_enrolled_and_whoever_was_marked(
    cohort, intensive, enrol, advisor, today
):
    present, withdrawn, waiting = enrol(3)
    AttendanceFactory(session=intensive[0], case_file=withdrawn.case_file)
    Enrolment.objects.filter(pk=withdrawn.pk).update(
        status=Enrolment.Status.WITHDRAWN, withdrawn_on=today
    )
    Enrolment.objects.filter(pk=waiting.pk).update(status=Enrolment.Status.WAITING)
    rows = {
        row.case_file.pk: row
        for row in selectors.register_rows(user=advisor, session=intensive[0])
    }
    assert set(rows) == {present.case_file_id, withdrawn.case_file_id}
    assert rows[withdrawn.case_file_id].enrolment_status == "withdrawn"
    assert rows[withdrawn.case_file_id].version == 1
    assert rows[present.case_file_id].version == 0
    assert [
        row.case_file.pk
        for row in selectors.register_rows(user=advisor, session=intensive[1])
    ] == [present.case_file_id]


def test_administrators_see_nothing(cohort, co_run, administrator):
    assert not selectors.cohort_list_for_user(user=administrator).exists()
    assert selectors.participant_rows(user=administrator, cohort=cohort) == []


# --- waiting list order and case-file enrolments ---


def test_waiting_positions_follow_the_requests(cohort, enrol, advisor):
    enrol(11)
    now = timezone.now()
    later = EnrolmentFactory(
        cohort=cohort,
        status=Enrolment.Status.WAITING,
        requested_at=now,
        case_file__advisor=advisor,
    )
    sooner = EnrolmentFactory(
        cohort=cohort,
        status=Enrolment.Status.WAITING,
        requested_at=now - datetime.timedelta(minutes=5),
        case_file__advisor=advisor,
    )
    positions = {
        row.enrolment.pk: row.waiting_position
        for row in selectors.participant_rows(user=advisor, cohort=cohort)
        if row.waiting_position
    }
    assert positions == {sooner.pk: 1, later.pk: 2}
    (row,) = selectors.enrolment_list_for_case_file(
        user=advisor, case_file=later.case_file
    )
    assert row.waiting_position == 2


# --- candidates for enrolment ---


def test_candidates_are_the_user_s_open_case_files_of_the_programme(
    cohort, enrol, advisor, uppercut, actiris_case, english
):
    (already,) = enrol(1)
    fits = EligibleCaseFileFactory(
        programme=uppercut,
        advisor=advisor,
        young_person__first_name="Zoé",
        young_person__last_name="Peeters",
    )
    employed = EligibleCaseFileFactory(
        programme=uppercut,
        advisor=advisor,
        employment_status="employed",
        registered_at_actiris=False,
    )
    EligibleCaseFileFactory(programme=reference.programme("touchngo"), advisor=advisor)
    EligibleCaseFileFactory(
        programme=uppercut, advisor=advisor, status=CaseFile.Status.CLOSED
    )
    candidates = {
        c.case_file.pk: c
        for c in selectors.enrol_candidates(user=advisor, cohort=cohort)
    }
    assert set(candidates) == {fits.pk, employed.pk}
    assert candidates[fits.pk].eligible
    assert [r.code for r in candidates[employed.pk].refusals] == ["profile"]
    assert already.case_file_id not in candidates and actiris_case.pk not in candidates
    found = selectors.enrol_candidates(user=advisor, cohort=cohort, search="zoe peet")
    assert [c.case_file.pk for c in found] == [fits.pk]


# --- calendar ---


def test_the_calendar_takes_local_days_whole(cohort, lead, today):
    day = cohort.start_date + datetime.timedelta(days=7)
    early = SessionFactory(cohort=cohort, starts_at=at(day, 0, 15))
    late = SessionFactory(cohort=cohort, starts_at=at(day, 23, 0))
    SessionFactory(cohort=cohort, starts_at=at(day + datetime.timedelta(days=1), 0, 5))
    sessions = selectors.sessions_between(user=lead, start=day, end=day)
    assert list(sessions) == [early, late]


# --- contacts for the activity figures ---


def test_contacts_are_counted_by_channel_and_collective_participation(
    cohort, intensive, enrol, advisor, actiris_advisor, actiris_case, today
):
    first, second = enrol(2)
    start = cohort.start_date
    in_period = start + datetime.timedelta(days=1)
    for channel in ("in_person", "in_person", "phone", "collective"):
        NoteFactory(
            case_file=first.case_file,
            channel=reference.channel(channel),
            contact_date=in_period,
        )
    NoteFactory(
        case_file=first.case_file,
        channel=reference.channel("phone"),
        contact_date=start - datetime.timedelta(days=1),
    )
    NoteFactory(case_file=actiris_case, contact_date=in_period)  # not the CDM's
    session = intensive[0]
    AttendanceFactory(session=session, case_file=first.case_file, status="present")
    AttendanceFactory(
        session=session, case_file=second.case_file, status="late", presence="online"
    )
    AttendanceFactory(session=intensive[1], case_file=first.case_file, status="absent")
    AttendanceFactory(session=intensive[2], case_file=first.case_file, status="excused")
    WalkInFactory.create_batch(2, session=session)
    # A walk-in later linked to a participant marked at that session counts once.
    WalkInFactory(session=session, converted_case_file=first.case_file)
    figures = selectors.contacts_for_period(
        user=advisor, start=start, end=today + datetime.timedelta(days=1)
    )
    by_code = {channel.code: count for channel, count in figures.by_channel}
    assert by_code == {
        "in_person": 2,
        "video": 0,
        "phone": 1,
        "email": 0,
        "chat": 0,
        "collective": 1,
    }
    assert (figures.individual, figures.collective_on_site) == (4, 1)
    assert (figures.collective_online, figures.walk_ins) == (1, 2)
    assert (figures.collective, figures.total) == (4, 8)
    # Actiris counts its own.
    theirs = selectors.contacts_for_period(
        user=actiris_advisor, start=start, end=today + datetime.timedelta(days=1)
    )
    assert (theirs.individual, theirs.collective, theirs.walk_ins) == (1, 0, 0)


def test_contacts_outside_the_period_are_left_out(cohort, intensive, enrol, advisor):
    (enrolment,) = enrol(1)
    AttendanceFactory(session=intensive[0], case_file=enrolment.case_file)
    day = timezone.localtime(intensive[0].starts_at).date()
    before = selectors.contacts_for_period(
        user=advisor, start=day - datetime.timedelta(days=5), end=day
    )
    after = selectors.contacts_for_period(
        user=advisor,
        start=day + datetime.timedelta(days=1),
        end=day + datetime.timedelta(days=5),
    )
    assert (before.collective, after.collective) == (1, 0)


def test_walk_in_intake_initial_values(cohort, intensive, advisor, outsider):
    walk_in = WalkInFactory(
        session=intensive[0],
        first_name="Inès",
        gender=reference.gender("female"),
        commune=reference.commune("21015"),
    )
    assert selectors.walk_in_intake_initial(user=advisor, pk=walk_in.pk) == {
        "person": {"first_name": "Inès", "gender": "female", "commune": "21015"},
        "case": {"programme": cohort.programme_id},
    }
    with pytest.raises(Http404):
        selectors.walk_in_intake_initial(user=outsider, pk=walk_in.pk)
