"""The audit trail: every service writes its row through here, inside the service's
transaction, so that a change and its trace are saved together or not at all.

The trail keeps who changed which field of which record when, and the values before
and after of the fields that hold no personal data. A personal field
(``youthtrack.personal_data``) is kept as a reference, never its value::

    {"first_name": {"changed": true, "before": "<fingerprint>", "after": "…"}}

The fingerprint is a keyed HMAC (the server's secret, never in the database) of the
value bound to the record and field: the database alone cannot tell a value from it,
not even a birth date by trying every day, and the same value on two records gives
two unrelated fingerprints. It lets a form refused as stale (``stale_edits``) tell a
field the user left as it was from one they changed; erasure removes it with the
rest."""

import contextvars
import dataclasses
import json
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import AuditEvent, CaseFile, User
from .personal_data import is_personal

# Where the current request comes from; set by AuditContextMiddleware.
client_address: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "client_address", default=None
)


_FINGERPRINT_SALT = "youthtrack.audit.personal-value"


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def value_fingerprint(
    *, object_type: str, object_id: Any, field: str, value: Any
) -> str | None:
    """The keyed fingerprint of a personal value on one record (None when empty)."""
    if _empty(value):
        return None
    message = json.dumps(
        [object_type, str(object_id), field, value], sort_keys=True, default=str
    )
    return salted_hmac(_FINGERPRINT_SALT, message, algorithm="sha256").hexdigest()[:32]


def personal_reference(obj: models.Model, field: str, value: Any) -> dict[str, Any]:
    """What the trail keeps of a personal field's change: that it changed, and the
    fingerprints of the values before and after."""
    reference: dict[str, Any] = {"changed": True}
    if isinstance(value, list | tuple) and len(value) == 2:
        for key, item in zip(("before", "after"), value, strict=True):
            reference[key] = value_fingerprint(
                object_type=obj._meta.label_lower,
                object_id=obj.pk,
                field=field,
                value=item,
            )
    return reference


def is_personal_reference(value: Any) -> bool:
    return isinstance(value, dict) and value.get("changed") is True


def audit_changes(obj: models.Model, changes: dict[str, Any]) -> dict[str, Any]:
    """The changes as the trail keeps them: personal fields as references."""
    return {
        name: personal_reference(obj, name, value)
        if is_personal(obj, name) and not is_personal_reference(value)
        else value
        for name, value in changes.items()
    }


@dataclasses.dataclass(frozen=True)
class OpenedValue:
    """The value a personal field had before a change, known only by its
    fingerprint: it can say whether a value is that one, not what it was."""

    object_type: str
    object_id: Any
    field: str
    fingerprint: str | None
    known: bool = True

    def matches(self, value: Any) -> bool:
        if not self.known:
            return False
        fingerprint = value_fingerprint(
            object_type=self.object_type,
            object_id=self.object_id,
            field=self.field,
            value=value,
        )
        if fingerprint is None or self.fingerprint is None:
            return fingerprint is None and self.fingerprint is None
        return constant_time_compare(fingerprint, self.fingerprint)


def opened_value(obj: models.Model, field: str, reference: Any) -> OpenedValue:
    """The value before a change of a personal field, from its audit reference
    (rows written before the fingerprints, or scrubbed, know nothing of it)."""
    known = isinstance(reference, dict) and "before" in reference
    return OpenedValue(
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        field=field,
        fingerprint=reference.get("before") if known else None,
        known=known,
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
        changes=audit_changes(obj, changes or {}),
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
    kept = audit_changes(obj, changes or {})
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            organisation_id=actor.organisation_id if actor else None,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            case_file=case_file,
            changes=kept,
            ip_address=address,
        )
        for case_file in case_files
    )
