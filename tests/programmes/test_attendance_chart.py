"""The cohort page draws the attendance of each session whose register was taken
(present, excused, absent) and says what to do while there is none."""

import pytest
from django.urls import reverse

from programmes.models import Attendance
from tests.charts import chart_rows, chart_summary, chart_svg
from tests.factories import AttendanceFactory

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def cohort_page(client, user, cohort, language="en") -> str:
    sign_in(client, user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.get(reverse("programmes:cohort_detail", args=[cohort.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_each_taken_register_is_a_bar_of_present_excused_and_absent(
    client, advisor, cohort, intensive, enrol
):
    enrolments = enrol(5)
    Status = Attendance.Status
    marks = {
        0: [Status.PRESENT, Status.LATE, Status.PRESENT, Status.EXCUSED, Status.ABSENT],
        1: [Status.ABSENT, Status.ABSENT, Status.EXCUSED, Status.PRESENT],
    }
    for index, statuses in marks.items():
        for enrolment, status in zip(enrolments, statuses, strict=False):
            AttendanceFactory(
                session=intensive[index], case_file=enrolment.case_file, status=status
            )
    page = cohort_page(client, advisor, cohort)
    svg = chart_svg(page, "attendance-chart")
    assert svg.get("role") == "img"
    assert svg.get("viewBox", "").startswith("0 0 ")
    assert svg.get("width") == "100%"
    assert chart_summary(svg).startswith("Attendance at 2 sessions")
    rows = chart_rows(svg)
    # Only the two sessions with a register; late counts as present.
    assert [figures for _label, figures in rows] == [
        {"present": "3", "excused": "1", "absent": "1"},
        {"present": "1", "excused": "1", "absent": "2"},
    ]
    assert intensive[0].display_title in rows[0][0]
    # The same figures as a table right below the chart.
    table = page.split('id="attendance-chart"', 1)[1].split("</details>", 1)[0]
    assert "The figures as a table" in table
    cells = [c.strip() for c in table.split('<td class="number">')[1:]]
    assert [c.split("<", 1)[0] for c in cells] == ["3", "1", "1", "1", "1", "2"]


def test_without_a_register_the_page_says_how_the_chart_comes(
    client, lead, cohort, intensive
):
    page = cohort_page(client, lead, cohort)
    assert 'id="attendance-chart"' not in page
    assert "No register taken yet" in page
    assert "Open a past session above to take its register." in page


def test_a_cohort_without_enrolments_or_sessions_leads_to_adding_them(
    client, lead, advisor, cohort
):
    page = cohort_page(client, advisor, cohort)
    assert "Nobody enrolled yet." in page
    enrol_url = reverse("programmes:cohort_enrol", args=[cohort.pk])
    assert f'<a href="{enrol_url}">Enrol the first participants</a>' in page
    page = cohort_page(client, lead, cohort)
    sessions_url = reverse("programmes:session_create", args=[cohort.pk])
    assert f'<a href="{sessions_url}">Add the cohort\'s sessions</a>' in page


def test_the_chart_speaks_french(client, advisor, cohort, intensive, enrol):
    [enrolment] = enrol(1)
    AttendanceFactory(session=intensive[0], case_file=enrolment.case_file)
    svg = chart_svg(cohort_page(client, advisor, cohort, "fr"), "attendance-chart")
    assert chart_summary(svg).startswith("Présences à 1 séance")
    legend_page = cohort_page(client, advisor, cohort, "fr")
    assert "Présent" in legend_page and "Excusé·e" in legend_page
