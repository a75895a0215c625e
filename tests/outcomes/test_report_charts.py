"""The report page draws each section's figures by gender (a bar per gender per
indicator, its figure written beside it) above the section's table; a suppressed small
cell is printed as the report prints it, with no bar."""

import pytest
from django.urls import reverse

from outcomes.models import ReportJob
from tests.charts import chart_rows, chart_summary, chart_svg
from tests.youthtrack.sharing_helpers import signed_in
from youthtrack.models import Operation

from .indicators_helpers import FROM, TO
from .reports_helpers import sample_result
from .test_reports_views import lead

pytestmark = pytest.mark.django_db


def done_job(user, result) -> ReportJob:
    return ReportJob.objects.create(
        organisation=user.organisation,
        requested_by=user,
        rule_set="esfplus2021",
        operation=Operation.objects.get(reference="TNG-ESFPLUS-2021-2027"),
        date_from=FROM,
        date_to=TO,
        formats=["pdf"],
        status=ReportJob.Status.DONE,
        result=result,
    )


def report_page(user, job, language="en") -> str:
    client = signed_in(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.get(reverse("outcomes:report_detail", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_each_section_is_charted_by_gender_with_the_reports_figures():
    user = lead()
    result = sample_result()
    result["indicators"]["EECO04"] = {"women": "<5", "men": 7, "non_binary": None}
    page = report_page(user, done_job(user, result))

    outputs = chart_svg(page, "report-section-1")
    assert outputs.get("role") == "img"
    assert chart_summary(outputs).startswith("Common output indicators:")
    rows = dict(chart_rows(outputs))
    # Each label is text in the SVG (never markup), cut to the drawing's width.
    assert list(rows) == [
        "EECO01 · Total number of participants",
        "EECO02 · Unemployed, including long-term unempl…",
        "EECO04 · Inactive",
        "EECO05 · Employed, including self-employed",
        'EECO12 · =HYPERLINK("http://evil","Participants…',
    ]
    # A cut label keeps its whole text as its tooltip.
    assert "<title>EECO02 · Unemployed, including long-term unemployed</title>" in page
    assert rows["EECO01 · Total number of participants"] == {
        "women": "5",
        "men": "5",
        "non_binary": "2",
    }
    # Suppressed and missing cells are written as the table writes them.
    assert rows["EECO04 · Inactive"] == {"women": "<5", "men": "7", "non_binary": "–"}

    results = chart_rows(chart_svg(page, "report-section-2"))
    assert [(label.split(" ·")[0], f) for label, f in results] == [
        ("EECR03", {"women": "1", "men": "2", "non_binary": "1"}),
        ("EECR01", {"women": "2", "men": "1", "non_binary": "0"}),
    ]
    # The section's table comes right below its chart, with the totals.
    section = page.split('id="report-section-2"', 1)[1].split("</section>", 1)[0]
    assert "<table" in section and "Total" in section


def test_a_section_with_nothing_but_zeros_says_so_instead_of_an_empty_chart():
    user = lead()
    result = sample_result()
    for code in ("EECR01", "EECR03"):
        result["indicators"][code] = {"women": 0, "men": 0, "non_binary": 0, "total": 0}
    page = report_page(user, done_job(user, result))
    assert 'id="report-section-1"' in page
    assert 'id="report-section-2"' not in page
    assert "Every figure of this section is zero: there is nothing to draw." in page


def test_a_report_without_figures_points_to_the_data_quality_list():
    user = lead()
    page = report_page(user, done_job(user, {"indicators": {}}))
    assert "This report holds no figure" in page
    assert reverse("outcomes:report_quality") in page


def test_the_charts_speak_dutch():
    user = lead()
    page = report_page(user, done_job(user, sample_result()), "nl")
    summary = chart_summary(chart_svg(page, "report-section-1"))
    assert summary.startswith("Common output indicators: de cijfers")
    assert "Vrouwen: 5" in page
