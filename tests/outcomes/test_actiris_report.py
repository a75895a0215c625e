"""The Actiris report: young people accompanied by support and registration, positive
exits in the window after leaving, by gender; figures computed by hand."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcomes.indicators import actiris
from outcomes.models import FollowUp, Outcome
from tests.factories import NoteFactory
from tests.factories import reference as ref
from tests.factories.programmes import (
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
    WalkInFactory,
    at,
)

from .report_helpers import D, actiris_operation, outcome, participant

pytestmark = pytest.mark.django_db

PERIOD = {"date_from": D(2026, 1, 1), "date_to": D(2026, 6, 30)}
Kind = Outcome.Kind


def compute(operation=None, **kwargs):
    return actiris.report_compute(
        operation=operation or actiris_operation(), **PERIOD, **kwargs
    )


def row(women=0, men=0, non_binary=0):
    return {
        "women": women,
        "men": men,
        "non_binary": non_binary,
        "total": women + men + non_binary,
    }


@pytest.fixture
def people():
    op = actiris_operation()
    cohort = CohortFactory(start_date=D(2026, 2, 2))
    session = SessionFactory(cohort=cohort, starts_at=at(D(2026, 2, 2)))
    # A: counselled, left on 1 March, a job from day 27 after: a positive exit.
    a = participant(operation=op, exit=D(2026, 3, 1), registered_at_actiris=True)
    NoteFactory(case_file=a, contact_date=D(2026, 2, 3))
    outcome(a, Kind.JOB, D(2026, 3, 28))
    # B: at a workshop, left on 1 March, a job only from day 29: not positive, and
    # nothing else known of that window: incomplete.
    b = participant(
        gender="male", operation=op, exit=D(2026, 3, 1), registered_at_actiris=False
    )
    AttendanceFactory(session=session, case_file=b)
    outcome(b, Kind.JOB, D(2026, 3, 30))
    # C: counselled and enrolled, still accompanied.
    c = participant(gender="non_binary", operation=op, registered_at_actiris=True)
    NoteFactory(case_file=c, contact_date=D(2026, 6, 30))
    EnrolmentFactory(cohort=cohort, case_file=c)
    # D: left before the period: not accompanied in it.
    participant(operation=op, entry=D(2025, 6, 1), exit=D(2025, 12, 31))
    # E: accompanied, but their only contact was before the period.
    e = participant(operation=op, entry=D(2025, 12, 1), registered_at_actiris=False)
    NoteFactory(case_file=e, contact_date=D(2025, 12, 20))
    # F: left on 10 April, in a qualifying training since 1 April (still going): a
    # positive exit; an internship that ended before leaving does not count.
    f = participant(operation=op, exit=D(2026, 4, 10), registered_at_actiris=True)
    outcome(f, Kind.QUALIFYING_TRAINING, D(2026, 4, 1))
    outcome(f, Kind.INTERNSHIP, D(2026, 2, 1), end=D(2026, 3, 15))
    # G: left on 1 May, back in studies on day 28 (the last day of the window).
    g = participant(
        gender="male", operation=op, exit=D(2026, 5, 1), registered_at_actiris=False
    )
    outcome(g, Kind.RETURN_TO_STUDIES, D(2026, 5, 29))
    # Another operation's participant (the ESF+ operation of Touch'N'Go).
    participant(
        programme="touchngo",
        operation=None,
        exit=D(2026, 3, 1),
        registered_at_actiris=True,
    )
    return {"a": a, "b": b, "c": c, "e": e, "f": f, "g": g}


def test_figures_by_support_registration_and_positive_exit(people):
    report = compute()

    assert report["rule_set"] == "actiris"
    assert report["operation"] == "UPPERCUT-ACTIRIS-2026-2027"
    assert (report["from"], report["to"]) == ("2026-01-01", "2026-06-30")
    assert report["parameters"]["leaving_window_days"] == 28
    figures = report["indicators"]
    assert figures["ACT01"] == row(women=3, men=2, non_binary=1)
    assert figures["ACT02"] == row(women=1, non_binary=1)  # individual: A, C
    assert figures["ACT03"] == row(men=1, non_binary=1)  # collective: B, C
    assert figures["ACT04"] == row(women=2, non_binary=1)  # A, C, F registered
    assert figures["ACT05"] == row(women=1, men=2)  # B, E, G not registered
    assert figures["ACT11"] == row(women=2, men=2)  # left: A, B, F, G
    assert figures["ACT06"] == row(women=2, men=1)  # positive: A, F, G
    assert figures["ACT07"] == row(women=1)  # job on day 27
    assert figures["ACT08"] == row(women=1)
    assert figures["ACT09"] == row(men=1)  # studies on day 28
    assert figures["ACT10"] == row()  # internship ended before leaving
    assert report["incomplete"] == 1  # B: nothing known in the window
    assert list(figures) == [d.code for d in actiris.DEFINITIONS]


def test_job_on_day_27_counts_on_day_29_not(people):
    outcome(people["b"], Kind.JOB, D(2026, 3, 28))  # day 27 after 1 March

    figures = compute()["indicators"]

    assert figures["ACT07"] == row(women=1, men=1)
    assert compute()["incomplete"] == 0


def test_the_window_is_the_operations_setting(people):
    op = actiris_operation()
    op.parameters = {**op.parameters, "leaving_window_days": 30}
    op.save()

    report = compute()

    assert report["parameters"]["leaving_window_days"] == 30
    # B's job on day 29 now falls in the window.
    assert report["indicators"]["ACT07"] == row(women=1, men=1)


def test_an_answered_upon_leaving_follow_up_makes_the_exit_known(people):
    b = people["b"]
    FollowUp.objects.create(
        case_file=b,
        kind=FollowUp.Kind.UPON_LEAVING,
        due_on=D(2026, 3, 29),
        situation=FollowUp.Situation.JOB_SEARCH,
        answered_on=D(2026, 3, 29),
        answered_by=b.advisor,
    )

    assert compute()["incomplete"] == 0


def test_same_data_same_checksum_changed_fact_another(people):
    first = compute()["checksum"]
    assert compute()["checksum"] == first

    NoteFactory(case_file=people["e"], contact_date=D(2026, 2, 1))

    changed = compute()
    assert changed["checksum"] != first
    assert changed["indicators"]["ACT02"] == row(women=2, non_binary=1)


def test_only_the_case_files_the_user_may_open(people):
    from tests.youthtrack.sharing_helpers import make_user

    partner = make_user("ines", org_code="actiris")

    report = compute(user=partner)

    assert report["indicators"]["ACT01"] == row()


def test_query_count_does_not_grow_with_participants():
    op = actiris_operation()

    def add(n):
        for _ in range(n):
            case = participant(operation=op, exit=D(2026, 3, 1))
            NoteFactory(case_file=case, contact_date=D(2026, 2, 1))
            outcome(case, Kind.JOB, D(2026, 3, 5))

    add(2)
    with CaptureQueriesContext(connection) as few:
        small = compute(operation=op)
    add(8)
    with CaptureQueriesContext(connection) as many:
        large = compute(operation=op)

    assert small["indicators"]["ACT06"]["total"] == 2
    assert large["indicators"]["ACT06"]["total"] == 10
    assert len(many) == len(few) <= 3


def test_labels_in_the_readers_language(people):
    from django.utils import translation

    with translation.override("fr"):
        french = compute()
    with translation.override("nl"):
        dutch = compute()
    with translation.override("en"):
        english = compute()

    assert french["labels"]["ACT06"] == "Sorties positives"
    assert dutch["labels"]["ACT06"] == "Positieve uitstroom"
    assert english["labels"]["ACT06"] == "Positive exits"
    assert french["indicators"] == dutch["indicators"]


def test_walk_ins_without_a_case_file_counted_apart(people):
    session = SessionFactory(
        cohort=CohortFactory(start_date=D(2026, 5, 4)), starts_at=at(D(2026, 5, 4))
    )
    WalkInFactory(session=session, gender=ref.gender("non_binary"))
    # Turned into C's case file: C is counted, not the walk-in.
    WalkInFactory(session=session, converted_case_file=people["c"])
    # At a session after the period.
    later = SessionFactory(cohort=session.cohort, starts_at=at(D(2026, 7, 1)))
    WalkInFactory(session=later)

    figures = compute()["indicators"]

    assert figures["ACT12"] == row(non_binary=1)
    assert figures["ACT03"] == row(men=1, non_binary=1)
