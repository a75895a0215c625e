"""Attendance sheets, printed (PDF, A4) and exported (CSV). They list only the
participants the user may see, as the register does."""

import io
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.rl_config import TTFSearchPath

from youthtrack import exports
from youthtrack.models import User

from .models import Session, WalkIn
from .selectors import RegisterRow

# A font with every letter of Brussels' names (ł, ı, ğ …), not only Latin-1.
_FONT_FILES = {
    "Sheet": ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "Vera.ttf"],
    "Sheet-Bold": [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "VeraBd.ttf",
    ],
}


def _register_fonts() -> tuple[str, str]:
    names = []
    for name, candidates in _FONT_FILES.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            for candidate in candidates:
                path = Path(candidate)
                if not path.is_absolute():
                    found = [Path(d) / candidate for d in TTFSearchPath]
                    path = next((p for p in found if p.exists()), path)
                if path.exists():
                    pdfmetrics.registerFont(TTFont(name, str(path)))
                    break
        names.append(
            name if name in pdfmetrics.getRegisteredFontNames() else "Helvetica"
        )
    return names[0], names[1]


def _when(session: Session) -> str:
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    return _("%(day)s, %(start)s to %(end)s") % {
        "day": date_format(start, "l j F Y"),
        "start": time_format(start, "H:i"),
        "end": time_format(end, "H:i"),
    }


def _where(session: Session) -> str:
    return " · ".join(part for part in (session.place, session.link) if part)


def attendance_sheet_pdf(
    *,
    session: Session,
    rows: list[RegisterRow],
    walk_ins: list[WalkIn],
    printed_by: User,
    blank: bool = False,
) -> bytes:
    """An A4 sheet: the session in the header, one line per participant with what was
    recorded (unless ``blank``) and room for a signature."""
    regular, bold = _register_fonts()
    styles = getSampleStyleSheet()
    title = ParagraphStyle("title", parent=styles["Title"], fontName=bold, fontSize=16)
    normal = ParagraphStyle("normal", parent=styles["Normal"], fontName=regular)
    cell = ParagraphStyle("cell", parent=normal, fontSize=10, leading=12)
    buffer = io.BytesIO()
    cohort = session.cohort
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=_("Attendance sheet"),
        author=str(printed_by),
    )
    story = [
        Paragraph(escape(_("Attendance sheet")), title),
        Paragraph(
            f"<b>{escape(str(cohort.programme))}</b> — {escape(str(cohort))}", normal
        ),
        Paragraph(
            escape(
                f"{session.display_title} · {session.activity_type} · "
                f"{session.get_theme_display()} · {session.get_language_display()} · "
                f"{session.get_mode_display()}"
            ),
            normal,
        ),
        Paragraph(escape(_when(session)), normal),
        Paragraph(escape(_where(session) or "—"), normal),
        Paragraph(
            escape(_("Organised by %(organiser)s") % {"organiser": session.organiser}),
            normal,
        ),
        Spacer(1, 6 * mm),
    ]
    header = [
        "#",
        _("Last name"),
        _("First name"),
        _("Attendance"),
        _("Signature"),
    ]
    data = [header]
    for number, row in enumerate(rows, start=1):
        person = row.case_file.young_person
        recorded = ""
        if row.attendance and not blank:
            recorded = row.attendance.get_status_display()
            if row.attendance.presence:
                recorded += f" ({row.attendance.get_presence_display()})"
        data.append(
            [
                str(number),
                Paragraph(escape(person.last_name), cell),
                Paragraph(escape(person.first_name), cell),
                Paragraph(escape(recorded), cell),
                "",
            ]
        )
    for number, walk_in in enumerate(walk_ins, start=len(rows) + 1):
        data.append(
            [
                str(number),
                Paragraph("—", cell),
                Paragraph(escape(walk_in.first_name), cell),
                Paragraph(escape(_("Walk-in")), cell),
                "",
            ]
        )
    for number in range(len(data), len(data) + 3):
        data.append([str(number), "", "", "", ""])
    table = Table(
        data,
        colWidths=[10 * mm, 45 * mm, 40 * mm, 35 * mm, 50 * mm],
        repeatRows=1,
        rowHeights=[8 * mm] + [11 * mm] * (len(data) - 1),
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), bold, 10),
                ("FONT", (0, 1), (-1, -1), regular, 10),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#767f8a")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 6 * mm))
    story.append(
        Paragraph(
            escape(_("Advisor's signature: ________________________________")),
            normal,
        )
    )

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(
            15 * mm,
            10 * mm,
            _("Printed on %(when)s by %(who)s — personal data, keep confidential")
            % {
                "when": date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT"),
                "who": printed_by,
            },
        )
        canvas.drawRightString(
            A4[0] - 15 * mm,
            10 * mm,
            _("Page %(page)s") % {"page": doc.page},
        )
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def attendance_sheet_csv(
    *, session: Session, rows: list[RegisterRow], walk_ins: list[WalkIn]
) -> str:
    out = io.StringIO()
    writer = exports.csv_writer(out)  # every text cell neutralised
    start = timezone.localtime(session.starts_at)
    writer.writerow(
        [
            _("Case file"),
            _("Last name"),
            _("First name"),
            _("Date"),
            _("Session"),
            _("Attendance"),
            _("On site or online"),
        ]
    )
    for row in rows:
        person = row.case_file.young_person
        writer.writerow(
            [
                row.case_file.pk,
                person.last_name,
                person.first_name,
                start.date().isoformat(),
                session.display_title,
                row.attendance.get_status_display() if row.attendance else "",
                row.attendance.get_presence_display()
                if row.attendance and row.attendance.presence
                else "",
            ]
        )
    for walk_in in walk_ins:
        writer.writerow(
            [
                "",
                "",
                walk_in.first_name,
                start.date().isoformat(),
                session.display_title,
                _("Walk-in"),
                walk_in.get_presence_display(),
            ]
        )
    return out.getvalue()


def cohort_attendance_csv(*, sessions: list[Session], rows, marks) -> str:
    """One line per participant, one column per session, then the rate and the
    completion. ``marks`` maps (case file id, session id) to an attendance status."""
    out = io.StringIO()
    writer = exports.csv_writer(out)  # every text cell neutralised
    writer.writerow(
        [
            _("Case file"),
            _("Last name"),
            _("First name"),
            _("Status"),
            *[
                f"{timezone.localtime(s.starts_at):%Y-%m-%d %H:%M} {s.display_title}"
                for s in sessions
            ],
            _("Attended"),
            _("Attendance rate (%)"),
            _("Completion"),
        ]
    )
    for row, completion_label in rows:
        person = row.case_file.young_person
        writer.writerow(
            [
                row.case_file.pk,
                person.last_name,
                person.first_name,
                row.enrolment.get_status_display(),
                *[marks.get((row.case_file.pk, s.pk), "") for s in sessions],
                row.attended,
                "" if row.rate is None else row.rate,
                completion_label,
            ]
        )
    return out.getvalue()
