"""The yearly activity figures: contacts by channel (each note once, only the notes the
viewer may read), participants by gender, age band at entry, support; small cells
hidden with their complements. Figures computed by hand."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcomes.indicators import activity
from outcomes.indicators.figures import one_way_table, two_way_table
from tests.factories import NoteFactory
from tests.factories import reference as ref
from tests.factories.programmes import (
    AttendanceFactory,
    CohortFactory,
    SessionFactory,
    at,
)
from tests.youthtrack.sharing_helpers import make_user, org, share_case
from youthtrack.models import Note

from .report_helpers import D, actiris_operation, participant

pytestmark = pytest.mark.django_db

YEAR = {"date_from": D(2026, 1, 1), "date_to": D(2026, 12, 31)}


def exact_operation():
    """The Actiris operation with a threshold of 1: no count is hidden."""
    op = actiris_operation()
    op.parameters = {**op.parameters, "small_cell_threshold": 1}
    op.save()
    return op


def table(report, code):
    return next(t for t in report["tables"] if t["code"] == code)


# --- small cells, on hand-made tables ---


def test_a_small_cell_and_its_complement_in_a_one_way_table():
    shown = one_way_table(
        code="T",
        label="T",
        rows=[("f", "F", 6), ("m", "M", 8), ("x", "X", 3), ("n", "N", 0)],
        threshold=5,
    )

    assert [row["value"] for row in shown["rows"]] == ["x", 8, "<5", 0]
    assert shown["total"] == 17


def test_two_small_cells_need_no_complement_and_a_small_total_is_hidden():
    two = one_way_table(
        code="T",
        label="T",
        rows=[("f", "F", 7), ("m", "M", 3), ("x", "X", 2)],
        threshold=5,
    )
    tiny = one_way_table(
        code="T", label="T", rows=[("a", "A", 3), ("b", "B", 0)], threshold=5
    )

    assert [row["value"] for row in two["rows"]] == [7, "<5", "<5"]
    assert two["total"] == 12
    assert [row["value"] for row in tiny["rows"]] == ["<5", 0]
    assert tiny["total"] == "<5"


def test_complements_in_rows_and_columns_of_a_two_way_table():
    # r1: 10, 3 | r2: 8, 9 | r3: 7, 6. The 3 is small; its row's other cell hides
    # it from the row total (10); then columns a and b each hide one count: the
    # smallest others (7 and 6), which row r3 now hides twice.
    shown = two_way_table(
        code="T",
        label="T",
        rows=[("r1", "R1"), ("r2", "R2"), ("r3", "R3")],
        columns=[("a", "A"), ("b", "B")],
        counts={
            ("r1", "a"): 10,
            ("r1", "b"): 3,
            ("r2", "a"): 8,
            ("r2", "b"): 9,
            ("r3", "a"): 7,
            ("r3", "b"): 6,
        },
        threshold=5,
    )

    assert [row["values"] for row in shown["rows"]] == [
        {"a": "x", "b": "<5", "total": 13},
        {"a": 8, "b": 9, "total": 17},
        {"a": "x", "b": "x", "total": 13},
    ]
    assert shown["total"] == {"a": 25, "b": 18, "total": 43}


# --- the report ---


def test_participants_by_gender_with_a_hidden_cell_and_its_complement():
    for gender, count in (("female", 6), ("male", 8), ("non_binary", 3)):
        for _ in range(count):
            participant(gender=gender, entry=D(2026, 2, 1))
    # Left in 2025: not a participant of 2026.
    participant(entry=D(2025, 2, 1), exit=D(2025, 12, 31))

    report = activity.report_compute(operation=None, organisation=org("cdm"), **YEAR)

    assert report["parameters"]["small_cell_threshold"] == 5
    assert report["operation"] is None
    assert report["indicators"]["ACTY02"] == {
        "female": "x",
        "male": 8,
        "non_binary": "<5",
        "not_stated": 0,
        "total": 17,
    }
    assert "<5" in report["legend"] and "x" in report["legend"]


def test_age_bands_are_ages_at_entry():
    op = exact_operation()
    # 19 on entering (20 today): 15-19.
    participant(operation=op, born=D(2006, 2, 1), entry=D(2026, 1, 31))
    # 20 on the birthday itself: 20-24.
    participant(operation=op, born=D(2006, 2, 1), entry=D(2026, 2, 1))
    # The day before turning 25, then the birthday: 20-24 and 25-29.
    participant(operation=op, born=D(2001, 3, 1), entry=D(2026, 2, 28))
    participant(operation=op, gender="male", born=D(2001, 3, 1), entry=D(2026, 3, 1))

    report = activity.report_compute(operation=op, **YEAR)

    five = {row["key"]: row["values"] for row in table(report, "ACTY03")["rows"]}
    assert five["15-19"] == {
        "female": 1,
        "male": 0,
        "non_binary": 0,
        "not_stated": 0,
        "total": 1,
    }
    assert five["20-24"]["female"] == 2
    assert five["25-29"] == {
        "female": 0,
        "male": 1,
        "non_binary": 0,
        "not_stated": 0,
        "total": 1,
    }
    ten = report["indicators"]["ACTY04"]
    assert (ten["0-19"], ten["20-29"], ten["30-39"], ten["total"]) == (1, 3, 0, 4)


def test_individual_and_collective_support():
    op = exact_operation()
    session = SessionFactory(
        cohort=CohortFactory(start_date=D(2026, 3, 2)), starts_at=at(D(2026, 3, 2))
    )
    individual = participant(operation=op)
    NoteFactory(case_file=individual, contact_date=D(2026, 3, 1))
    collective = participant(operation=op)
    AttendanceFactory(session=session, case_file=collective)
    both = participant(operation=op)
    NoteFactory(case_file=both, contact_date=D(2026, 3, 1))
    AttendanceFactory(session=session, case_file=both)
    absent = participant(operation=op)  # absent from the workshop: neither
    AttendanceFactory(session=session, case_file=absent, status="absent")

    report = activity.report_compute(operation=op, **YEAR)

    assert report["indicators"]["ACTY10"] == {
        "individual_only": 1,
        "collective_only": 1,
        "both": 1,
        "neither": 1,
        "total": 4,
    }


@pytest.fixture
def notes_of_a_shared_file():
    op = exact_operation()
    author = make_user("sarah", org_code="cdm")
    colleague = make_user("karim", org_code="cdm")
    partner = make_user("ines", org_code="actiris")
    shared = participant(operation=op, entry=D(2026, 1, 5))
    shared.advisor = author
    shared.save()
    other = participant(operation=op, entry=D(2026, 1, 5))
    share_case(shared, owner=author, partner_user=partner)

    def note(case_file, visibility, channel):
        NoteFactory(
            case_file=case_file,
            author=author,
            visibility=visibility,
            channel=ref.channel(channel),
            contact_date=D(2026, 2, 10),
        )

    note(shared, Note.Visibility.SHARED, "phone")
    note(shared, Note.Visibility.SHARED, "in_person")
    note(shared, Note.Visibility.ORGANISATION, "phone")
    note(shared, Note.Visibility.PRIVATE, "phone")
    note(other, Note.Visibility.ORGANISATION, "email")
    return {"op": op, "author": author, "colleague": colleague, "partner": partner}


def test_contacts_by_channel_each_note_once(notes_of_a_shared_file):
    op = notes_of_a_shared_file["op"]

    every = activity.report_compute(operation=op, **YEAR)["indicators"]["ACTY01"]
    colleague = activity.report_compute(
        operation=op, user=notes_of_a_shared_file["colleague"], **YEAR
    )["indicators"]["ACTY01"]

    assert (every["phone"], every["in_person"], every["email"]) == (3, 1, 1)
    assert every["total"] == 5
    # A colleague does not read the author's private note.
    assert (colleague["phone"], colleague["in_person"], colleague["email"]) == (
        2,
        1,
        1,
    )
    assert colleague["total"] == 4


def test_a_partner_counts_only_the_notes_it_may_read(notes_of_a_shared_file):
    report = activity.report_compute(
        operation=notes_of_a_shared_file["op"],
        user=notes_of_a_shared_file["partner"],
        **YEAR,
    )

    contacts = report["indicators"]["ACTY01"]
    assert (contacts["phone"], contacts["in_person"], contacts["email"]) == (1, 1, 0)
    assert contacts["total"] == 2
    # The one shared file only.
    assert report["indicators"]["ACTY02"]["total"] == 1


def test_query_count_does_not_grow_with_participants():
    op = exact_operation()

    def add(n):
        for _ in range(n):
            case = participant(operation=op)
            NoteFactory(case_file=case, contact_date=D(2026, 2, 1))

    add(2)
    with CaptureQueriesContext(connection) as few:
        small = activity.report_compute(operation=op, **YEAR)
    add(8)
    with CaptureQueriesContext(connection) as many:
        large = activity.report_compute(operation=op, **YEAR)

    assert small["indicators"]["ACTY02"]["total"] == 2
    assert large["indicators"]["ACTY02"]["total"] == 10
    assert len(many) == len(few)


def test_same_data_same_checksum():
    op = exact_operation()
    case = participant(operation=op)
    first = activity.report_compute(operation=op, **YEAR)["checksum"]
    assert activity.report_compute(operation=op, **YEAR)["checksum"] == first

    NoteFactory(case_file=case, contact_date=D(2026, 2, 1))

    assert activity.report_compute(operation=op, **YEAR)["checksum"] != first
