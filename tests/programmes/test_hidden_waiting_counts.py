"""Counts reveal nothing hidden: a partner whose one young person waits for a place
was shown "waiting list, no. 6", telling them five others (of another organisation)
wait ahead. Positions and totals are computed over what the user may see; the
organisation in charge of the cohort sees the real queue."""

import datetime

import pytest
from django.utils import timezone

from programmes import selectors
from programmes.models import Enrolment
from tests.factories.programmes import EnrolmentFactory


def _waiting(cohort, case_file=None, *, minutes_ago: int, **kwargs) -> Enrolment:
    if case_file is not None:
        kwargs["case_file"] = case_file
    return EnrolmentFactory(
        cohort=cohort,
        status=Enrolment.Status.WAITING,
        requested_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        **kwargs,
    )


def _partner_sees(user, cohort, case_file):
    rows = selectors.participant_rows(user=user, cohort=cohort)
    summary = selectors.cohort_summary(user=user, cohort=cohort, rows=rows)
    case_rows = selectors.enrolment_list_for_case_file(user=user, case_file=case_file)
    listed = selectors.cohort_list_for_user(user=user).get(pk=cohort.pk)
    return {
        "cohort page positions": [r.waiting_position for r in rows],
        "case page positions": [r.waiting_position for r in case_rows],
        "waiting shown": summary.waiting,
        "hidden": summary.hidden,
        "places left": summary.places_left,
        "cohort list waiting": listed.waiting_count,
        "cohort list enrolled": listed.enrolled_count,
    }


@pytest.mark.parametrize("hidden_ahead", [5, 9])
def test_a_partner_sees_its_own_place_in_the_queue_not_the_others(
    cohort, actiris_advisor, actiris_case, hidden_ahead
):
    _waiting(cohort, actiris_case, minutes_ago=1)
    seen = _partner_sees(actiris_advisor, cohort, actiris_case)
    assert seen["cohort page positions"] == seen["case page positions"] == [1]
    assert seen["waiting shown"] == seen["cohort list waiting"] == 1
    assert seen["hidden"] is None and seen["places left"] is None
    # The CDM's people wait ahead of them; the partner may not see them.
    for minutes in range(hidden_ahead):
        _waiting(cohort, minutes_ago=60 + minutes)
    assert _partner_sees(actiris_advisor, cohort, actiris_case) == seen


def test_the_organisation_in_charge_sees_the_real_queue(cohort, advisor, actiris_case):
    ahead = [_waiting(cohort, minutes_ago=60 + m) for m in range(5)]
    _waiting(cohort, actiris_case, minutes_ago=1)
    rows = selectors.participant_rows(user=advisor, cohort=cohort)
    summary = selectors.cohort_summary(user=advisor, cohort=cohort, rows=rows)
    assert sorted(r.waiting_position for r in rows) == [1, 2, 3, 4, 5]
    assert summary.waiting == 6 and summary.hidden == 1
    assert len(ahead) == 5


def _sessions_seen(user, cohort):
    return [
        (s.attended_count, s.recorded_count, s.register_taken)
        for s in selectors.cohort_sessions(user=user, cohort=cohort)
    ]


def test_a_session_register_counts_only_the_participants_the_user_sees(
    cohort, intensive, enrol, advisor, actiris_advisor, actiris_case
):
    """A co-running partner is told a register was taken, and how many attended,
    from its own participants only; the organisation in charge, from everyone."""
    from programmes.models import Attendance
    from tests.factories.programmes import AttendanceFactory

    first, second = intensive[0], intensive[1]
    (cdm_enrolment,) = enrol(1)
    EnrolmentFactory(cohort=cohort, case_file=actiris_case)
    # The first session: only the CDM's participant was marked.
    AttendanceFactory(
        session=first, case_file=cdm_enrolment.case_file, status="present"
    )
    # The second: both, the partner's own one excused.
    AttendanceFactory(
        session=second, case_file=cdm_enrolment.case_file, status="present"
    )
    AttendanceFactory(
        session=second, case_file=actiris_case, status=Attendance.Status.EXCUSED
    )
    partner = _sessions_seen(actiris_advisor, cohort)
    assert partner[:3] == [(0, 0, False), (0, 1, True), (0, 0, False)]
    in_charge = _sessions_seen(advisor, cohort)
    assert in_charge[:3] == [(1, 1, True), (1, 1, True), (0, 0, False)]
