"""A funder report's result (the shape in ``outcomes.indicators``) as files: CSV and
XLSX with the indicator codes in the funder's order (through ``youthtrack.exports``,
formula-safe), JSON as it is, and a PDF for reading and signing.

Labels come from the result (the engine writes them in the current language); only
the renderers' own words (column heads, titles) are translated here."""

import datetime
import io
import json
from collections.abc import Callable, Iterator
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from programmes.pdf import _register_fonts
from youthtrack import exports

GENDERS = ("women", "men", "non_binary", "total")
CHART_GENDERS = ("women", "men", "non_binary")
CHART_COLOURS = (
    colors.HexColor("#8e3b8a"),
    colors.HexColor("#2b6ca3"),
    colors.HexColor("#d08a1e"),
)
CHART_CODES_PER_ROW = 10


def gender_label(key: str) -> str:
    return {
        "women": _("Women"),
        "men": _("Men"),
        "non_binary": _("Non-binary"),
        "total": _("Total"),
    }.get(key, key.replace("_", " "))


def _columns(result: dict) -> list[str]:
    """The breakdown columns: the genders when the figures are split by gender, or
    the keys the figures have (in their order) otherwise."""
    keys: list[str] = []
    for value in result.get("indicators", {}).values():
        if isinstance(value, dict):
            for key in value:
                if key not in keys:
                    keys.append(key)
    if not keys:
        return ["total"]
    if set(keys) <= set(GENDERS):
        return [g for g in GENDERS if g in keys]
    return keys


def _value(figure: Any, column: str) -> Any:
    if isinstance(figure, dict):
        return figure.get(column)
    return figure if column == "total" else None


def _label(result: dict, code: str) -> str:
    return str(result.get("labels", {}).get(code, ""))


def sections(result: dict) -> list[tuple[str, list[str]]]:
    """(title, codes) in the funder's order. Sections may be given as dicts with a
    title and their codes; codes no section names come last, in the result's order."""
    indicators = result.get("indicators", {})
    found: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    for section in result.get("sections") or []:
        if isinstance(section, dict):
            title = str(
                section.get("title")
                or section.get("label")
                or section.get("name")
                or ""
            )
            codes = section.get("codes") or section.get("indicators") or []
            if isinstance(codes, dict):
                codes = list(codes)
        else:
            title, codes = str(section), []
        codes = [str(c) for c in codes if str(c) in indicators and str(c) not in seen]
        seen.update(codes)
        if codes:
            found.append((title, codes))
    rest = [code for code in indicators if code not in seen]
    if rest:
        found.append((_("Indicators") if not found else _("Other figures"), rest))
    return found


def ordered_codes(result: dict) -> list[str]:
    return [code for _title, codes in sections(result) for code in codes]


def table_rows(result: dict) -> Iterator[list[Any]]:
    """The head and one row per indicator, in the funder's order."""
    columns = _columns(result)
    declined = result.get("declined") or {}
    head = [_("Code"), _("Indicator"), *[gender_label(c) for c in columns]]
    if declined:
        head.append(_("Declined to answer"))
    yield head
    for code in ordered_codes(result):
        figure = result["indicators"][code]
        row = [code, _label(result, code), *[_value(figure, c) for c in columns]]
        if declined:
            row.append(declined.get(code))
        yield row


def render_json(result: dict) -> bytes:
    return json.dumps(result, ensure_ascii=False, indent=2, sort_keys=False).encode()


def render_csv(result: dict) -> bytes:
    """One row per indicator in the funder's order (UTF-8 with a byte order mark,
    so spreadsheet programs read it as UTF-8)."""
    return ("\ufeff" + exports.csv_text(table_rows(result))).encode("utf-8")


def _rule_set_text(code: str) -> str:
    """The rule set named in the reader's language, its code beside it (what the
    JSON and the command line use)."""
    from ..models import ReportJob

    try:
        return f"{ReportJob.RuleSet(code).label} ({code})"
    except ValueError:
        return code


def _report_title(result: dict) -> str:
    """ "Funder report" followed by the rule set's name, when the result has one."""
    from ..models import ReportJob

    try:
        label = ReportJob.RuleSet(result.get("rule_set", "")).label
    except ValueError:
        return _("Funder report")
    return f"{_('Funder report')} · {label}"


def _date_text(value: Any) -> str:
    """An ISO date of the result as the reader's language writes it."""
    try:
        return date_format(datetime.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return str(value or "")


def _parameter_rows(result: dict) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [_("Rule set"), _rule_set_text(result.get("rule_set", ""))],
        [_("Organisation"), result.get("organisation", "")],
        [_("Operation"), result.get("operation") or ""],
    ]
    if result.get("programme"):
        rows.append([_("Programme"), result["programme"]])
    rows += [
        [_("From"), _date_text(result.get("from", ""))],
        [_("To"), _date_text(result.get("to", ""))],
    ]
    # The parameters used, named in the reader's language when the engine says how.
    names = result.get("parameter_labels") or {}
    for key, value in (result.get("parameters") or {}).items():
        shown = value if isinstance(value, (int, float, str)) else json.dumps(value)
        rows.append([str(names.get(key, key)), shown])
    rows.append([_("Incomplete participants"), result.get("incomplete", 0)])
    rows.append([_("Checksum"), result.get("checksum", "")])
    return rows


def render_xlsx(result: dict) -> bytes:
    """A sheet of figures in the funder's order and a sheet of the parameters used."""
    return exports.xlsx_bytes(
        {
            _("Indicators"): list(table_rows(result)),
            _("Parameters"): _parameter_rows(result),
        }
    )


# --- PDF -----------------------------------------------------------------------------


def _number(value: Any) -> str:
    if value is None:
        return "–"
    return str(value)


def _chart(result: dict, codes: list[str], font: str) -> Drawing:
    """Grouped bars per indicator, one bar per gender, with a legend."""
    width, height = 170 * mm, 56 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 14 * mm
    chart.width, chart.height = width - 16 * mm, height - 28 * mm
    # A suppressed small cell ("<5") is drawn as an empty bar labelled as printed.
    raw = [
        [_value(result["indicators"][code], gender) for code in codes]
        for gender in CHART_GENDERS
    ]
    data = [[v if isinstance(v, int) else 0 for v in series] for series in raw]
    labels = [["" if v is None else str(v) for v in series] for series in raw]
    chart.data = data
    top = max([max(series) for series in data] + [1])
    step = max(1, -(-top // 5))
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = step * 5
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.categoryAxis.categoryNames = codes
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.groupSpacing = 6
    chart.barSpacing = 1
    for index, colour in enumerate(CHART_COLOURS):
        chart.bars[index].fillColor = colour
        chart.bars[index].strokeColor = None
    chart.barLabelFormat = "values"
    chart.barLabelArray = labels
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 6
    chart.barLabels.nudge = 5
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 12 * mm, height - 3 * mm
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 30 * mm
    legend.fontName = font
    legend.fontSize = 8
    legend.colorNamePairs = [
        (colour, gender_label(gender))
        for colour, gender in zip(CHART_COLOURS, CHART_GENDERS, strict=True)
    ]
    drawing.add(legend)
    return drawing


def _chartable(result: dict, codes: list[str]) -> bool:
    return any(
        isinstance(result["indicators"][code], dict)
        and any(g in result["indicators"][code] for g in CHART_GENDERS)
        for code in codes
    )


def render_pdf(result: dict, *, generated_at=None) -> bytes:
    """An A4 report: organisation and operation, the parameters used, per section a
    table by gender in the funder's order and a bar chart; page numbers, the
    generation time and the checksum on every page."""
    regular, bold = _register_fonts()
    styles = getSampleStyleSheet()
    title_style = ParagraphStyle(
        "title", parent=styles["Title"], fontName=bold, fontSize=16
    )
    heading = ParagraphStyle(
        "heading", parent=styles["Heading2"], fontName=bold, fontSize=12
    )
    body = ParagraphStyle("body", parent=styles["Normal"], fontName=regular, fontSize=9)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    generated_at = timezone.localtime(generated_at or timezone.now())
    generated = date_format(generated_at, "DATETIME_FORMAT")
    checksum = str(result.get("checksum", ""))

    story: list[Any] = [Paragraph(escape(_report_title(result)), title_style)]
    head_rows = _parameter_rows(result)
    story.append(
        Table(
            [
                [Paragraph(escape(str(k)), cell), Paragraph(escape(str(v)), cell)]
                for k, v in head_rows
            ],
            colWidths=[70 * mm, 100 * mm],
            style=TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), regular),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            ),
        )
    )
    if result.get("incomplete"):
        story.append(Spacer(1, 3 * mm))
        story.append(
            Paragraph(
                escape(
                    _(
                        "%(count)s participants have missing or inconsistent facts: "
                        "they are counted only where their facts allow it."
                    )
                    % {"count": result["incomplete"]}
                ),
                body,
            )
        )
    columns = _columns(result)
    declined = result.get("declined") or {}
    for title, codes in sections(result):
        story.append(CondPageBreak(60 * mm))
        part_story: list[Any] = [Paragraph(escape(title), heading)]
        head = [_("Code"), _("Indicator"), *[gender_label(c) for c in columns]]
        if declined:
            head.append(_("Declined to answer"))
        head_cell = ParagraphStyle(
            "head", parent=cell, fontName=bold, fontSize=6.5, leading=8
        )
        rows: list[list[Any]] = [[Paragraph(escape(h), head_cell) for h in head]]
        for code in codes:
            figure = result["indicators"][code]
            row: list[Any] = [
                code,
                Paragraph(escape(_label(result, code)), cell),
                *[_number(_value(figure, c)) for c in columns],
            ]
            if declined:
                row.append(_number(declined.get(code)))
            rows.append(row)
        figure_width = 19 * mm
        extra = len(columns) + (1 if declined else 0)
        # The code column fits the longest code (the activity figures' "ACTY04.20-29").
        code_width = min(
            32 * mm,
            max(17 * mm, max(stringWidth(c, regular, 8) for c in codes) + 4 * mm),
        )
        label_width = max(50 * mm, 170 * mm - code_width - extra * figure_width)
        part_story.append(
            Table(
                rows,
                colWidths=[code_width, label_width, *[figure_width] * extra],
                repeatRows=1,
                style=TableStyle(
                    [
                        ("FONTNAME", (0, 0), (-1, -1), regular),
                        ("FONTSIZE", (0, 0), (-1, -1), 8),
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                        ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ]
                ),
            )
        )
        charts = []
        if _chartable(result, codes):
            for start in range(0, len(codes), CHART_CODES_PER_ROW):
                chunk = codes[start : start + CHART_CODES_PER_ROW]
                charts += [Spacer(1, 3 * mm), _chart(result, chunk, regular)]
        # A section's heading, table and first chart on one page when they fit.
        story.append(KeepTogether(part_story + charts[:2]))
        story += charts[2:]

    checks = result.get("checks") or []
    if checks:
        story.append(CondPageBreak(40 * mm))
        checks_story: list[Any] = [Paragraph(escape(_("Consistency checks")), heading)]
        check_rows: list[list[Any]] = [
            [
                Paragraph(escape(h), cell)
                for h in (_("Rule"), _("Breakdown"), _("Figures"), _("Result"))
            ]
        ]
        failed_rows = []
        for index, check in enumerate(checks, start=1):
            passed = bool(check.get("passed"))
            if not passed:
                failed_rows.append(("TEXTCOLOR", (0, index), (-1, index), colors.red))
            check_rows.append(
                [
                    str(check.get("rule", "")),
                    gender_label(str(check.get("gender", ""))),
                    f"{check.get('left')} / {check.get('right')}",
                    _("respected") if passed else _("NOT respected"),
                ]
            )
        checks_story.append(
            Table(
                check_rows,
                colWidths=[70 * mm, 35 * mm, 30 * mm, 35 * mm],
                repeatRows=1,
                style=TableStyle(
                    [
                        ("FONTNAME", (0, 0), (-1, -1), regular),
                        ("FONTSIZE", (0, 0), (-1, -1), 8),
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                        *failed_rows,
                    ]
                ),
            )
        )
        story.append(KeepTogether(checks_story))

    # Two lines: a checksum of 64 hexadecimal digits leaves no room for the page.
    generated_line = _("Generated %(when)s") % {"when": generated}
    checksum_line = _("Checksum: %(checksum)s") % {"checksum": checksum}

    def on_page(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.drawString(20 * mm, 13 * mm, generated_line)
        canvas.drawString(20 * mm, 9.5 * mm, checksum_line)
        canvas.drawRightString(
            A4[0] - 20 * mm,
            13 * mm,
            _("Page %(number)s") % {"number": document.page},
        )
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_report_title(result),
        invariant=True,
    )
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


RENDERERS: dict[str, Callable[[dict], bytes]] = {
    "pdf": render_pdf,
    "xlsx": render_xlsx,
    "csv": render_csv,
    "json": render_json,
}

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}

__all__ = [
    "render_csv",
    "render_xlsx",
    "render_pdf",
    "render_json",
    "RENDERERS",
    "CONTENT_TYPES",
]
