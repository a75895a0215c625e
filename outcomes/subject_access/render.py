"""The right of access's files: a JSON for machines (the data as gathered) and an A4
PDF for the person to read, both in the language the data was gathered in."""

import datetime
import io
import json
import re
from typing import Any
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from programmes.pdf import _register_fonts

CONTENT_TYPES = {"pdf": "application/pdf", "json": "application/json"}

# The sections shown as one table with a column per field (few, short fields);
# the others as one label/value table per record.
COLUMNAR = {"access_log", "notes_withheld", "status_history", "attendance"}

HEAD_GREY = colors.HexColor("#e8e8e8")
LABEL_GREY = colors.HexColor("#f0f0f0")

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def render_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def shown(value: Any) -> str:
    """A value as printed: yes/no, dates in the reader's format, a dash for none."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str) and ISO_DATETIME.match(value):
        moment = datetime.datetime.fromisoformat(value)
        return date_format(moment, "SHORT_DATETIME_FORMAT")
    if isinstance(value, str) and ISO_DATE.match(value):
        return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _person_name(data: dict[str, Any]) -> str:
    records = data["identity"]["records"]
    if not records:
        return ""
    person = records[0]
    return f"{person.get('first_name', '')} {person.get('last_name', '')}".strip()


def render_pdf(data: dict[str, Any]) -> bytes:
    regular, bold = _register_fonts()
    styles = getSampleStyleSheet()
    title_style = ParagraphStyle(
        "title", parent=styles["Title"], fontName=bold, fontSize=16
    )
    heading = ParagraphStyle(
        "heading", parent=styles["Heading2"], fontName=bold, fontSize=12
    )
    subheading = ParagraphStyle(
        "subheading", parent=styles["Heading4"], fontName=bold, fontSize=9
    )
    body = ParagraphStyle("body", parent=styles["Normal"], fontName=regular, fontSize=9)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    head_cell = ParagraphStyle("head", parent=cell, fontName=bold)
    table_style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), regular),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )

    def p(text: Any, style=cell) -> Paragraph:
        return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)

    name = _person_name(data)
    generated = shown(data["generated_at"])
    story: list[Any] = [
        Paragraph(
            escape(_("Personal data held about %(name)s") % {"name": name}),
            title_style,
        ),
        p(
            _(
                "This is a copy of everything %(organisation)s holds about you in "
                "youthtrack, made on %(date)s at your request (right of access, "
                "article 15 of the General Data Protection Regulation). Staff are "
                "named by their organisation."
            )
            % {"organisation": data["organisation"], "date": generated},
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    for key in data["titles"]:
        section = data[key]
        labels: dict[str, str] = section["labels"]
        records: list[dict[str, Any]] = section["records"]
        story.append(CondPageBreak(30 * mm))
        part: list[Any] = [p(data["titles"][key], heading)]
        if key == "notes_withheld":
            part.append(
                p(
                    ngettext(
                        "%(count)s note withheld.",
                        "%(count)s notes withheld.",
                        section["count"],
                    )
                    % {"count": section["count"]}
                    + " "
                    + section["reason"],
                    body,
                )
            )
        if not records:
            part.append(p(_("None."), body))
            story += part
            continue
        if key in COLUMNAR:
            columns = list(labels)
            rows = [[p(labels[c], head_cell) for c in columns]]
            rows += [[p(shown(r.get(c))) for c in columns] for r in records]
            width = 170 * mm / len(columns)
            table = Table(rows, colWidths=[width] * len(columns), repeatRows=1)
            table.setStyle(table_style)
            table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), HEAD_GREY)]))
            story += part
            story.append(table)
            continue
        story += part
        for record in records:
            rows = [
                [p(label, head_cell), p(shown(record.get(field)))]
                for field, label in labels.items()
            ]
            table = Table(rows, colWidths=[55 * mm, 115 * mm])
            table.setStyle(table_style)
            table.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), LABEL_GREY)]))
            if key != "identity":
                story.append(
                    p(
                        _("%(record)s no. %(number)s")
                        % {
                            "record": section["record_title"],
                            "number": record["number"],
                        },
                        subheading,
                    )
                )
            story.append(table)
            story.append(Spacer(1, 2 * mm))

    footer = _("Right of access · %(name)s · made on %(date)s") % {
        "name": name,
        "date": generated,
    }

    def on_page(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.drawString(20 * mm, 10 * mm, footer)
        canvas.drawRightString(
            A4[0] - 20 * mm, 10 * mm, _("Page %(number)s") % {"number": document.page}
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
        title=_("Right of access"),
    )
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
