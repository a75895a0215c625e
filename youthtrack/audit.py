"""The audit trail: every service writes its row through here, inside the service's
transaction, so that a change and its trace are saved together or not at all."""

import contextvars
from collections.abc import Iterable
from typing import Any

from django.db import models

from .models import AuditEvent, CaseFile, User

# Where the current request comes from; set by AuditContextMiddleware.
client_address: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "client_address", default=None
)


def record_audit_event(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    case_file: CaseFile | None,
    changes: dict[str, Any] | None = None,
    version: int | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        organisation_id=actor.organisation_id if actor else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        object_version=version,
        case_file=case_file,
        changes=changes or {},
        ip_address=client_address.get(),
    )


def record_audit_event_on_files(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    case_files: Iterable[CaseFile],
    changes: dict[str, Any] | None = None,
) -> list[AuditEvent]:
    """The same event written once per case file, so that each file's "who accessed
    this file" shows it (a read of a young person concerns every file of theirs)."""
    address = client_address.get()
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            organisation_id=actor.organisation_id if actor else None,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            case_file=case_file,
            changes=changes or {},
            ip_address=address,
        )
        for case_file in case_files
    )
