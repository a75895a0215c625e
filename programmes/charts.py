"""The cohort page's attendance chart: per session whose register was taken, how many
of the participants the user may see were present (or late), excused and absent."""

from collections.abc import Iterable

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from youthtrack.charts import BarChart, Category, Series, bar_chart

from .models import Session


def attendance_series() -> list[Series]:
    return [
        Series("present", _("Present"), "#0b5394", "solid"),
        Series("excused", _("Excused"), "#8a5a00", "stripes"),
        Series("absent", _("Absent"), "#b3261e", "dots"),
    ]


def session_label(session: Session) -> str:
    when = formats.date_format(timezone.localtime(session.starts_at), "D j N, H:i")
    return f"{when} · {session.display_title}"


def attendance_chart(sessions: Iterable[Session]) -> BarChart:
    """``sessions`` come from ``selectors.cohort_sessions`` (their counts annotated);
    a session nobody the user sees was marked at is left out."""
    categories = []
    for session in sessions:
        recorded = session.recorded_count  # type: ignore[attr-defined]
        if not recorded:
            continue
        present = session.attended_count  # type: ignore[attr-defined]
        excused = session.excused_count  # type: ignore[attr-defined]
        categories.append(
            Category(
                session_label(session),
                [present, excused, recorded - present - excused],
            )
        )
    summary = ngettext(
        "Attendance at %(count)d session: present (late included), excused and "
        "absent participants; the table below the chart gives the figures.",
        "Attendance at %(count)d sessions: present (late included), excused and "
        "absent participants; the table below the chart gives the figures.",
        len(categories),
    ) % {"count": len(categories)}
    return bar_chart(
        chart_id="attendance-chart",
        summary=summary,
        series=attendance_series(),
        categories=categories,
        stacked=True,
    )
