"""The yearly activity figures: contacts by channel (each note once, only the notes the
viewer may read), participants by gender, age band at entry, support; small cells
hidden with their complements. Figures computed by hand."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcomes.indicators import activity
from outcomes.indicators.figures import two_way_table
from tests.factories import NoteFactory
from tests.factories import reference as ref
from tests.factories.programmes import (
    AttendanceFactory,
    CohortFactory,
    SessionFactory,
    WalkInFactory,
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


def test_a_small_cell_its_complement_and_the_total_equal_to_it():
    # One row: 6, 8, 3, 0. The 3 is small; the 6 hides it from the row total; and
    # the column totals, equal to that one row, are hidden alike.
    shown = two_way_table(
        code="T",
        label="T",
        rows=[("all", "All")],
        columns=[("f", "F"), ("m", "M"), ("x", "X"), ("n", "N")],
        counts={("all", "f"): 6, ("all", "m"): 8, ("all", "x"): 3, ("all", "n"): 0},
        threshold=5,
    )

    expected = {"f": "x", "m": 8, "x": "<5", "n": 0, "total": 17}
    assert shown["rows"][0]["values"] == expected
    assert shown["total"] == expected


def test_two_small_cells_need_no_complement_and_a_small_total_is_hidden():
    shown = two_way_table(
        code="T",
        label="T",
        rows=[("r1", "R1"), ("r2", "R2")],
        columns=[("f", "F"), ("m", "M"), ("x", "X")],
        counts={
            ("r1", "f"): 7,
            ("r1", "m"): 3,
            ("r1", "x"): 2,
            ("r2", "f"): 3,
        },
        threshold=5,
    )

    # Row r1 hides two small counts, row r2 its only one and its total (3). Column
    # f would give 10 - 7 = 3: the 7 goes too; the row totals would give
    # 15 - 12 = 3: the 12 goes too.
    assert [row["values"] for row in shown["rows"]] == [
        {"f": "x", "m": "<5", "x": "<5", "total": "x"},
        {"f": "<5", "m": 0, "x": 0, "total": "<5"},
    ]
    assert shown["total"] == {"f": 10, "m": "<5", "x": "<5", "total": 15}


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
        "women": "x",
        "men": 8,
        "non_binary": "<5",
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

    figures = report["indicators"]
    assert figures["ACTY03.15-19"] == {
        "women": 1,
        "men": 0,
        "non_binary": 0,
        "total": 1,
    }
    assert figures["ACTY03.20-24"] == {
        "women": 2,
        "men": 0,
        "non_binary": 0,
        "total": 2,
    }
    assert figures["ACTY03.25-29"] == {
        "women": 0,
        "men": 1,
        "non_binary": 0,
        "total": 1,
    }
    ten = [figures[f"ACTY04.{band}"]["total"] for band in ("0-19", "20-29", "30-39")]
    assert ten == [1, 3, 0]
    assert figures["ACTY04"] == {"women": 3, "men": 1, "non_binary": 0, "total": 4}


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

    figures = report["indicators"]
    support = ("individual_only", "collective_only", "both", "neither", "")
    assert [figures[f"ACTY10.{key}".rstrip(".")]["total"] for key in support] == [
        1,
        1,
        1,
        1,
        4,
    ]


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


def contacts(report):
    figures = report["indicators"]
    by_channel = [
        figures[f"ACTY01.{channel}"]["total"]
        for channel in ("phone", "in_person", "email")
    ]
    return by_channel, figures["ACTY01"]["total"]


def test_contacts_by_channel_each_note_once(notes_of_a_shared_file):
    op = notes_of_a_shared_file["op"]
    colleague = notes_of_a_shared_file["colleague"]

    every = activity.report_compute(operation=op, **YEAR)
    as_colleague = activity.report_compute(operation=op, user=colleague, **YEAR)

    assert contacts(every) == ([3, 1, 1], 5)
    # A colleague does not read the author's private note.
    assert contacts(as_colleague) == ([2, 1, 1], 4)


def test_a_partner_counts_only_the_notes_it_may_read(notes_of_a_shared_file):
    report = activity.report_compute(
        operation=notes_of_a_shared_file["op"],
        user=notes_of_a_shared_file["partner"],
        **YEAR,
    )

    assert contacts(report) == ([1, 1, 0], 2)
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


def test_no_hidden_count_is_the_only_unknown_of_a_row_or_column():
    import random

    rng = random.Random(11)
    for _ in range(200):
        rows = [(f"r{i}", "") for i in range(rng.randint(1, 5))]
        columns = [(f"c{j}", "") for j in range(rng.randint(1, 4))]
        counts = {
            (r, c): rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 20])
            for r, _l in rows
            for c, _m in columns
        }
        shown = two_way_table(
            code="T", label="T", rows=rows, columns=columns, counts=counts, threshold=5
        )
        lines = [row["values"] for row in shown["rows"]] + [shown["total"]]
        # Each row, and each column, with its total: never exactly one hidden.
        for line in lines:
            assert sum(isinstance(v, str) for v in line.values()) != 1, (counts, lines)
        for key in [c for c, _m in columns] + ["total"]:
            column = [line[key] for line in lines]
            assert sum(isinstance(v, str) for v in column) != 1, (counts, lines)
        # Every count from 1 to 4 is hidden.
        for (r, c), value in counts.items():
            line = next(x["values"] for x in shown["rows"] if x["key"] == r)
            assert (line[c] == "<5") == (0 < value < 5)


def test_walk_ins_without_a_case_file_counted_apart():
    op = exact_operation()
    session = SessionFactory(
        cohort=CohortFactory(start_date=D(2026, 3, 2)), starts_at=at(D(2026, 3, 2))
    )
    WalkInFactory(session=session, gender=ref.gender("female"))
    WalkInFactory(session=session, gender=ref.gender("male"))
    # Turned into a case file: counted as that participant, not as a walk-in.
    case = participant(operation=op)
    WalkInFactory(session=session, converted_case_file=case)

    report = activity.report_compute(operation=op, **YEAR)

    assert report["indicators"]["ACTY11"] == {
        "women": 1,
        "men": 1,
        "non_binary": 0,
        "total": 2,
    }
    assert report["indicators"]["ACTY10.collective_only"]["total"] == 1
