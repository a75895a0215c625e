"""Follow-up notes."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import (
    can_add_note,
    can_edit_note,
)
from ..audit import record_audit_event
from ..models import (
    AuditEvent,
    CaseFile,
    Note,
    User,
)
from .versioning import versioned_update


def validate_note(note: Note) -> None:
    if note.contact_date and note.contact_date > timezone.localdate():
        raise ValidationError(
            {"contact_date": _("A note cannot be dated in the future.")}
        )


@transaction.atomic
def note_create(
    *, case_file: CaseFile, acting_user: User, data: dict[str, Any]
) -> Note:
    if not can_add_note(acting_user, case_file):
        raise PermissionDenied
    note = Note(
        case_file=case_file,
        author=acting_user,
        organisation=acting_user.organisation,
        **data,
    )
    validate_note(note)
    note.save()
    # A new contact is a change to the case file the advisor's lists should show.
    CaseFile.objects.filter(pk=case_file.pk).update(updated_at=timezone.now())
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.CREATE,
        obj=note,
        case_file=case_file,
        version=note.version,
    )
    return note


@transaction.atomic
def note_update(
    *, note: Note, acting_user: User, data: dict[str, Any], expected_version: int
) -> Note:
    if not can_edit_note(acting_user, note):
        raise PermissionDenied
    updated, _changed = versioned_update(
        instance=note,
        data=data,
        expected_version=expected_version,
        acting_user=acting_user,
        case_file=note.case_file,
        validate=validate_note,
    )
    return updated
