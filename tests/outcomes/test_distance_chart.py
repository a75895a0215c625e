"""The case page's distance-travelled chart: its points carry the scores taken, its
summary says how many moments, and before any assessment the panel says what to do."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from .test_progress import SCORES, _client, _post, _url, advisor, case  # noqa: F401

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def distance_svg(html: str) -> ET.Element:
    start = html.index("<svg", html.index('id="distance-title"'))
    return ET.fromstring(html[start : html.index("</svg>", start) + len("</svg>")])


def test_the_chart_points_are_the_scores_taken(case, advisor):  # noqa: F811
    client = _client(advisor)
    client.post(_url(case, "entry"), _post(SCORES))
    client.post(_url(case, "exit"), _post({**SCORES, "confidence": 9, "digital": 2}))
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    svg = distance_svg(html)
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    assert title is not None and "2 moments taken" in (title.text or "")
    scores = {}
    for line in svg.iter(f"{SVG}g"):
        for point in line.iter(f"{SVG}circle"):
            moment, score = (
                (point.findtext(f"{SVG}title") or "").split(", ")[1].split(": ")
            )
            scores[(line.get("data-scale"), moment)] = int(score)
    assert len(scores) == 2 * len(SCORES)  # every scale at both moments
    assert scores[("confidence", "Entry")] == 3
    assert scores[("confidence", "Exit")] == 9
    assert scores[("digital", "Exit")] == 2
    assert scores[("languages", "Exit")] == SCORES["languages"]


def test_before_any_assessment_the_panel_says_how_to_start(case, advisor):  # noqa: F811
    html = _client(advisor).get(reverse("case_detail", args=[case.pk])).content.decode()
    panel = html[html.index('id="distance-title"') :].split("</section>", 1)[0]
    assert "<svg" not in panel
    assert "No self-assessment taken yet." in panel
    assert "Take the first one with the buttons below" in panel
    assert _url(case, "entry") in panel
    french = _client(advisor, "fr").get(reverse("case_detail", args=[case.pk]))
    assert "Faites la première" in french.content.decode()
