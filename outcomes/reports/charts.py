"""The report page's charts: per section of a report split by gender, a bar per gender
for each indicator (as the PDF draws them), with its figure written beside it. A
suppressed small cell is shown as printed ("<5") with no bar."""

from django.utils.translation import gettext as _

from youthtrack.charts import BarChart, Category, Series, bar_chart

from . import render as renderers

# Distinct from the attendance chart's, each at least 4.5:1 on white, each its pattern.
GENDER_SERIES = (
    ("women", "#8e3b8a", "solid"),
    ("men", "#0b5394", "stripes"),
    ("non_binary", "#8a5a00", "dots"),
)


def section_chart(result: dict, index: int, title: str, codes: list[str]) -> BarChart:
    """The section's chart; ``.empty`` when it has nothing by gender to draw."""
    labels = result.get("labels") or {}
    indicators = result.get("indicators") or {}
    by_gender = [
        code
        for code in codes
        if isinstance(indicators.get(code), dict)
        and any(key in indicators[code] for key, _c, _p in GENDER_SERIES)
    ]
    categories = [
        Category(
            f"{code} · {labels.get(code, '')}".rstrip(" ·"),
            [renderers._value(indicators[code], key) for key, _c, _p in GENDER_SERIES],
        )
        for code in by_gender
    ]
    summary = _(
        "%(section)s: each indicator's figures for women, men and non-binary "
        "participants; the table below the chart gives them with the totals."
    ) % {"section": title}
    return bar_chart(
        chart_id=f"report-section-{index}",
        summary=summary,
        series=[
            Series(key, renderers.gender_label(key), colour, pattern)
            for key, colour, pattern in GENDER_SERIES
        ],
        categories=categories,
        stacked=False,
    )
