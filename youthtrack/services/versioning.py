"""Saving versioned records: refuse stale edits, write the audit diff."""

import datetime
from typing import Any

from django.db import models

from ..audit import record_audit_event
from ..models import (
    AuditEvent,
    CaseFile,
    Note,
    User,
    YoungPerson,
)
from ..selectors import changes_since
from .errors import StaleEditError


def comparable_value(value: Any) -> Any:
    """A value in the JSON-friendly form the audit trail stores (``_raw``)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date):  # datetimes included
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple | set | models.QuerySet):  # many-to-many
        return sorted(comparable_value(item) for item in value)
    return str(value)


def _raw(instance: models.Model, field_name: str) -> Any:
    """A field's stored value in a JSON-friendly form, for the audit trail. It is shown
    in the reader's language later (``selectors.changes_since``)."""
    field = instance._meta.get_field(field_name)
    return comparable_value(getattr(instance, getattr(field, "attname", field_name)))


def versioned_update(
    *,
    instance: CaseFile | YoungPerson | Note | models.Model,
    data: dict[str, Any],
    expected_version: int,
    acting_user: User,
    case_file: CaseFile | None,
    validate,
    action: str = AuditEvent.Action.UPDATE,
) -> tuple[Any, dict[str, list[str]]]:
    """Apply ``data`` to the current row unless someone saved it since
    ``expected_version``; refuse with what they changed otherwise."""
    # Any: a versioned model's manager and version field are not on models.Model,
    # which is all the type checker knows of it here.
    model: Any = type(instance)
    current = model.objects.get(pk=instance.pk)
    if current.version != expected_version:
        raise StaleEditError(
            changes_since(obj=current, version=expected_version), current
        )
    # Many-to-many values are compared as sorted ids and set after the row is saved.
    m2m = {
        name: data[name]
        for name in data
        if getattr(model._meta.get_field(name), "many_to_many", False)
    }
    before = {
        name: comparable_value(getattr(current, name).all())
        if name in m2m
        else _raw(current, name)
        for name in data
    }
    for name, value in data.items():
        if name not in m2m:
            setattr(current, name, value)
    validate(current)
    after = {
        name: comparable_value(m2m[name]) if name in m2m else _raw(current, name)
        for name in data
    }
    changed = {
        name: [before[name], after[name]]
        for name in data
        if before[name] != after[name]
    }
    if not changed:
        return current, {}
    # The conditional update is the lock: of two concurrent saves only one matches.
    claimed = model.objects.filter(pk=current.pk, version=expected_version).update(
        version=expected_version + 1
    )
    if not claimed:
        fresh = model.objects.get(pk=current.pk)
        raise StaleEditError(changes_since(obj=fresh, version=expected_version), fresh)
    current.version = expected_version + 1
    # Columns other services keep (a case file's last contact, written with each
    # note) are left as they are: this copy was read before the claim.
    kept = getattr(model, "KEPT_BY_SERVICES", ())
    current.save(
        update_fields=[
            field.name
            for field in model._meta.concrete_fields
            if not field.primary_key and field.name not in kept
        ]
        if kept
        else None
    )
    for name, value in m2m.items():
        getattr(current, name).set(value)
    record_audit_event(
        actor=acting_user,
        action=action,
        obj=current,
        case_file=case_file,
        changes=changed,
        version=current.version,
    )
    return current, changed
