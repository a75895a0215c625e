"""``{% bar_chart chart %}``: a ``youthtrack.charts.BarChart`` as inline SVG, with its
figures as a table in a ``<details>`` below when ``table`` is given."""

from django import template

from youthtrack.charts import BarChart

register = template.Library()


@register.inclusion_tag("includes/bar_chart.html")
def bar_chart(chart: BarChart, table: bool = False, first_column: str = "") -> dict:
    return {"chart": chart, "table": table, "first_column": first_column}
