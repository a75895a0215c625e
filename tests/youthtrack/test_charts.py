"""The bar chart's layout: bar lengths follow the figures, a suppressed or missing
cell draws no bar but keeps its text, and a chart of zeros is empty."""

from youthtrack.charts import WIDTH, Category, Series, bar_chart

SERIES = [Series("a", "A", "#0b5394"), Series("b", "B", "#8a5a00", "stripes")]


def test_stacked_segments_are_as_long_as_their_figures():
    chart = bar_chart(
        chart_id="c",
        summary="s",
        series=SERIES,
        categories=[Category("one", [6, 2]), Category("two", [1, 3])],
        stacked=True,
    )
    first, second = chart.rows
    widths = [segment.width for segment in first.segments]
    assert widths[0] == 3 * widths[1]  # 6 against 2
    assert round(sum(widths)) == WIDTH - 2  # the longest bar fills the drawing
    assert round(sum(s.width for s in second.segments)) == round((WIDTH - 2) / 2)
    assert second.segments[1].x == second.segments[0].x + second.segments[0].width
    assert not chart.empty
    assert chart.height > second.label_y > first.label_y


def test_grouped_bars_write_their_figure_and_draw_none_for_a_suppressed_cell():
    chart = bar_chart(
        chart_id="c",
        summary="s",
        series=SERIES,
        categories=[Category("x", ["<5", 10]), Category("y", [None, 5])],
        stacked=False,
    )
    (suppressed, ten), (missing, five) = (row.segments for row in chart.rows)
    assert (suppressed.width, suppressed.text) == (0, "A: <5")
    assert (missing.width, missing.text) == (0, "A: –")
    assert ten.width == 2 * five.width and ten.text == "B: 10"


def test_a_chart_of_zeros_or_without_categories_is_empty():
    zeros = [Category("x", [0, None])]
    assert bar_chart(
        chart_id="c", summary="s", series=SERIES, categories=zeros, stacked=True
    ).empty
    assert bar_chart(
        chart_id="c", summary="s", series=SERIES, categories=[], stacked=False
    ).empty
