"""The right of access's export, audited: one row per case file of the export
("exported for the right of access", with the format and language, never a personal
value), so that each file's access log shows it."""

from django.utils import translation

from youthtrack.access import dpo_case_files
from youthtrack.audit import record_audit_event, record_audit_event_on_files
from youthtrack.models import AuditEvent, User, YoungPerson

from . import render, selectors

RIGHT_OF_ACCESS = "right of access"


def subject_access_export(
    *, person: YoungPerson, acting_user: User, language: str, fmt: str
) -> bytes:
    """The file in ``fmt`` ("pdf" or "json") and ``language``. ``person`` was reached
    through ``youthtrack.selectors.dpo_person_get``."""
    with translation.override(language):
        data = selectors.subject_access_data(user=acting_user, person=person)
        content = render.render_pdf(data) if fmt == "pdf" else render.render_json(data)
    changes = {"export": [None, RIGHT_OF_ACCESS], "format": [None, f"{fmt} {language}"]}
    files = dpo_case_files(acting_user, person).only("pk")
    if files:
        record_audit_event_on_files(
            actor=acting_user,
            action=AuditEvent.Action.EXPORT,
            obj=person,
            case_files=files,
            changes=changes,
        )
    else:  # a person whose files were all moved away since the page was opened
        record_audit_event(
            actor=acting_user,
            action=AuditEvent.Action.EXPORT,
            obj=person,
            case_file=None,
            changes=changes,
        )
    return content
