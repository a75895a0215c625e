"""Audited reads: opening a case file, exporting."""

from django.db import models

from ..audit import record_audit_event
from ..models import (
    AuditEvent,
    CaseFile,
    User,
)


def case_file_record_view(*, case_file: CaseFile, acting_user: User) -> None:
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.VIEW,
        obj=case_file,
        case_file=case_file,
    )


def record_export(
    *, acting_user: User, obj: models.Model, case_file: CaseFile | None, what: str
) -> None:
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.EXPORT,
        obj=obj,
        case_file=case_file,
        changes={"export": [None, what]},
    )
