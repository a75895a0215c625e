"""The attendance CSVs are safe to open in a spreadsheet: names, walk-ins' first names
and session titles that start like a formula come out with a leading ``'``."""

import csv
import io

import pytest
from django.urls import reverse

from tests.factories import AttendanceFactory, WalkInFactory

from .conftest import sign_in

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def advisor_client(client, advisor):
    sign_in(client, advisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def csv_cells(response) -> list[str]:
    assert response.status_code == 200
    text = response.content.decode("utf-8").lstrip("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_the_session_sheet_neutralises_names_walk_ins_and_titles(
    advisor_client, intensive, enrol
):
    session = intensive[0]
    session.title = "@SUM(A1:A9)"
    session.save()
    (enrolment,) = enrol(1, case_file__young_person__first_name="+33 6 12")
    AttendanceFactory(session=session, case_file=enrolment.case_file)
    WalkInFactory(session=session, first_name='=HYPERLINK("http://x","y")')

    cells = csv_cells(
        advisor_client.get(reverse("programmes:session_csv", args=[session.pk]))
    )

    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert {"'@SUM(A1:A9)", "'+33 6 12", '\'=HYPERLINK("http://x","y")'} <= set(cells)


def test_the_cohort_sheet_neutralises_names_and_session_titles(
    advisor_client, cohort, intensive, enrol
):
    session = intensive[0]
    session.title = "-1+1"
    session.save()
    (enrolment,) = enrol(
        1,
        case_file__young_person__first_name="\t=1+1",
        case_file__young_person__last_name="=cmd|'/C calc'!A0",
    )

    cells = csv_cells(
        advisor_client.get(
            reverse("programmes:cohort_attendance_csv", args=[cohort.pk])
        )
    )

    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert {"'\t=1+1", "'=cmd|'/C calc'!A0"} <= set(cells)
    # The session's column is headed by its date and title; the title is not a
    # formula there because the header starts with the date.
    assert any(c.endswith(" -1+1") for c in cells)
