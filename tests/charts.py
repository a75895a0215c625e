"""Reading an inline SVG chart (``youthtrack.charts``) back from a page, as a test
would check what a reader sees: its summary, the figure each bar is labelled with."""

import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def chart_svg(page: str, chart_id: str) -> ET.Element:
    match = re.search(
        rf'<figure class="chart chart--bars" id="{re.escape(chart_id)}">'
        r"\s*(<svg.*?</svg>)",
        page,
        re.S,
    )
    assert match, f"no chart {chart_id} on the page"
    return ET.fromstring(match.group(1))


def chart_summary(svg: ET.Element) -> str:
    title = svg.find(f"{SVG}title")
    assert title is not None
    return " ".join((title.text or "").split())


def chart_rows(svg: ET.Element) -> list[tuple[str, dict[str, str]]]:
    """Per category: its label and, per series, the figure the bar is labelled with
    (the bar's tooltip, which every drawn bar has, else its direct label)."""
    rows = []
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") != "chart__row":
            continue
        label_node = group.find(f"{SVG}text")
        assert label_node is not None
        label = " ".join((label_node.text or "").split())  # not its full-label tip
        figures: dict[str, str] = {}
        for node in group:
            series = node.get("data-series")
            if series is None:
                continue
            if node.tag == f"{SVG}rect":
                tip = node.find(f"{SVG}title")
                assert tip is not None
                figures[series] = (tip.text or "").rsplit(": ", 1)[1]
            else:
                figures.setdefault(series, (node.text or "").rsplit(": ", 1)[-1])
        rows.append((label, figures))
    return rows
