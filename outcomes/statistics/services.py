"""The pseudonymised statistics export, audited: one row naming the programme, the
period, the format and how many rows left (no personal value: the file holds none)."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from youthtrack import exports
from youthtrack.audit import record_audit_event
from youthtrack.models import AuditEvent, Programme, User

from . import selectors

PSEUDONYMISED_STATISTICS = "pseudonymised statistics"


def about_rows(export: selectors.StatisticsExport) -> list[list[Any]]:
    """The "About" sheet: what the file is, the rule for small cells, the counts."""
    return [
        [_("Pseudonymised statistics: one row per participation.")],
        [
            _(
                "No name, contact details, date of birth or typed text. The pseudonym "
                "is the same for the participations of one person within this file, "
                "and differs from one export to the next."
            )
        ],
        [
            _(
                "Small cells: where fewer than %(k)s people share a gender, an age "
                "band and a commune, the commune is replaced by its region (column "
                "coarsened: area); where gender, age band and region are still shared "
                "by fewer than %(k)s, the age band is replaced by * (area+age); where "
                "gender and region are still shared by fewer than %(k)s, the rows are "
                "left out."
            )
            % {"k": selectors.SMALL_CELL}
        ],
        [],
        [_("Participations"), export.participations],
        [_("People"), export.people],
        [_("Rows with the commune replaced by the region"), export.coarsened_area],
        [_("Rows with the age band replaced too"), export.coarsened_age],
        [_("Rows left out"), export.dropped_rows],
        [_("People left out"), export.dropped_people],
    ]


def table_rows(export: selectors.StatisticsExport) -> list[list[Any]]:
    return [export.columns] + [
        [row[column] for column in export.columns] for row in export.rows
    ]


def statistics_export_file(
    *,
    acting_user: User,
    programme: Programme,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    fmt: str,
) -> bytes:
    if not selectors.statistics_programmes(acting_user).filter(pk=programme.pk):
        raise PermissionDenied
    export = selectors.statistics_export(
        user=acting_user, programme=programme, date_from=date_from, date_to=date_to
    )
    if fmt == "xlsx":
        content = exports.xlsx_bytes(
            {_("Participations"): table_rows(export), _("About"): about_rows(export)}
        )
    else:
        content = ("\ufeff" + exports.csv_text(table_rows(export))).encode("utf-8")
    period = f"{date_from or ''}..{date_to or ''}"
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.EXPORT,
        obj=programme,
        case_file=None,
        changes={
            "export": [None, PSEUDONYMISED_STATISTICS],
            "period": [None, period],
            "format": [None, fmt],
            "rows": [None, len(export.rows)],
            "rows_left_out": [None, export.dropped_rows],
        },
    )
    return content
