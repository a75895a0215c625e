"""Horizontal bar charts drawn on the server as inline SVG (no JavaScript, no CDN).

A chart is a list of categories (a session, an indicator), each with one value per
series (present/excused/absent, women/men/non-binary). Bars are either stacked (one
bar per category, a segment per series) or grouped (a thin bar per series). Every bar
carries its figure as text beside or inside it and every series has its own pattern as
well as its colour, so the chart reads without colour; the page shows the same figures
as a table below it (``templates/includes/bar_chart.html``).

The label of each category sits on its own line above its bars, so that long labels
and a phone's width leave the bars their full width."""

from dataclasses import dataclass, field

# The drawing's own units; the SVG scales to the width of its container.
WIDTH = 420
LABEL_HEIGHT = 21
STACKED_BAR = 24
GROUPED_BAR = 15
GAP = 10
# Room kept right of the longest grouped bar for its direct label ("Non-binary: 120").
GROUPED_TEXT = 140
LABEL_CHARS = 48
# A segment narrower than this carries no number inside (the table and the tooltip do).
MIN_SEGMENT_TEXT = 24

# Colours of at least 3:1 against white (WCAG 1.4.11) and apart for the common
# colour-vision deficiencies; each also has a pattern (below).
PATTERNS = ("solid", "stripes", "dots", "cross")


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str
    pattern: str = "solid"


@dataclass(frozen=True)
class Category:
    label: str
    # One per series: an int to draw, a string as printed (a suppressed "<5"), None.
    values: list[int | str | None]


@dataclass(frozen=True)
class Segment:
    series: Series
    x: float
    y: float
    width: float
    height: float
    value: int | str | None
    text: str  # the direct label
    text_x: float
    text_y: float
    text_inside: bool


@dataclass(frozen=True)
class Row:
    label: str
    short_label: str
    label_y: float
    segments: list[Segment]


@dataclass
class BarChart:
    chart_id: str
    summary: str
    series: list[Series]
    categories: list[Category]
    stacked: bool
    width: int = WIDTH
    height: float = 0
    rows: list[Row] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing to draw: no category, or every figure nil (zero or missing)."""
        return not any(
            value not in (None, 0, "") for c in self.categories for value in c.values
        )


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _number(value: int | str | None) -> int:
    return value if isinstance(value, int) else 0


def _shown(value: int | str | None) -> str:
    return "–" if value is None else str(value)


def bar_chart(
    *,
    chart_id: str,
    summary: str,
    series: list[Series],
    categories: list[Category],
    stacked: bool,
) -> BarChart:
    """Lay the chart out: every rectangle and text position, in the SVG's units."""
    chart = BarChart(chart_id, summary, series, categories, stacked)
    if stacked:
        top = max([sum(_number(v) for v in c.values) for c in categories] + [1])
        span = WIDTH - 2
    else:
        top = max([_number(v) for c in categories for v in c.values] + [1])
        span = WIDTH - GROUPED_TEXT
    y = 0.0
    for category in categories:
        label_y = y + LABEL_HEIGHT - 5
        y += LABEL_HEIGHT
        segments = []
        if stacked:
            x = 1.0
            for one, value in zip(series, category.values, strict=True):
                width = span * _number(value) / top
                inside = width >= MIN_SEGMENT_TEXT
                segments.append(
                    Segment(
                        one,
                        x,
                        y,
                        width,
                        STACKED_BAR,
                        value,
                        _shown(value),
                        x + width / 2,
                        y + STACKED_BAR - 7,
                        inside,
                    )
                )
                x += width
            y += STACKED_BAR + GAP
        else:
            for one, value in zip(series, category.values, strict=True):
                width = span * _number(value) / top
                segments.append(
                    Segment(
                        one,
                        1.0,
                        y,
                        width,
                        GROUPED_BAR,
                        value,
                        f"{one.label}: {_shown(value)}",
                        width + 6,
                        y + GROUPED_BAR - 3,
                        False,
                    )
                )
                y += GROUPED_BAR + 2
            y += GAP
        chart.rows.append(
            Row(category.label, _short(category.label), label_y, segments)
        )
    chart.height = max(y, 1)
    return chart
