"""Follow-up notes."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import (
    can_add_note,
    can_edit_case_file,
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


def last_contact_of_case_file() -> Subquery:
    """``CaseFile.last_contact_on`` as it should be, for an update of case files: the
    latest contact date of the file's notes that its whole owner organisation reads
    (shared notes, and the organisation's own internal notes; not a private note, not
    a partner's internal note), on the index ``Note(case_file, contact_date)``."""
    readable = Q(visibility=Note.Visibility.SHARED) | Q(
        visibility=Note.Visibility.ORGANISATION,
        organisation_id=OuterRef("owner_organisation_id"),
    )
    return Subquery(
        Note.objects.filter(readable, case_file_id=OuterRef("pk"))
        .order_by()
        .values("case_file_id")
        .annotate(latest=Max("contact_date"))
        .values("latest")[:1]
    )


def refresh_last_contact(case_file_id: int, **also: Any) -> None:
    """Recompute the case file's last contact (in the caller's transaction), with
    ``also`` any other column to set in the same UPDATE."""
    CaseFile.objects.filter(pk=case_file_id).update(
        last_contact_on=last_contact_of_case_file(), **also
    )


def _already_written(
    case_file: CaseFile, author: User, idempotency_key: str | None
) -> Note | None:
    if not idempotency_key:
        return None
    return Note.objects.filter(
        case_file=case_file, author=author, idempotency_key=idempotency_key
    ).first()


@transaction.atomic
def note_create(
    *,
    case_file: CaseFile,
    acting_user: User,
    data: dict[str, Any],
    idempotency_key: str | None = None,
    next_follow_up_on: datetime.date | None = None,
) -> Note:
    """Write a note. The same form posted again (same ``idempotency_key``, same
    author) returns the note it already wrote instead of a second one.

    ``next_follow_up_on`` sets the case file's next follow-up in the same step (the
    appointment agreed during the contact); only the file's editors may."""
    if not can_add_note(acting_user, case_file):
        raise PermissionDenied
    if next_follow_up_on is not None and not can_edit_case_file(acting_user, case_file):
        raise PermissionDenied
    existing = _already_written(case_file, acting_user, idempotency_key)
    if existing is not None:
        return existing
    if next_follow_up_on is not None and next_follow_up_on < timezone.localdate():
        raise ValidationError(
            {"next_follow_up_on": _("The next follow-up cannot be in the past.")}
        )
    note = Note(
        case_file=case_file,
        author=acting_user,
        organisation=acting_user.organisation,
        idempotency_key=idempotency_key or None,
        **data,
    )
    validate_note(note)
    try:
        with transaction.atomic():  # a savepoint: the twin post may win the race
            note.save()
    except IntegrityError:
        existing = _already_written(case_file, acting_user, idempotency_key)
        if existing is None:  # the key was used on another file: not a resend
            raise ValidationError(
                _("This form was already used. Reload the page to write a note.")
            ) from None
        return existing
    # A new contact is a change to the case file the advisor's lists should show, and
    # may be its last contact.
    refresh_last_contact(case_file.pk, updated_at=timezone.now())
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.CREATE,
        obj=note,
        case_file=case_file,
        version=note.version,
    )
    if next_follow_up_on is not None:
        current = CaseFile.objects.get(pk=case_file.pk)
        versioned_update(
            instance=current,
            data={"next_follow_up_on": next_follow_up_on},
            expected_version=current.version,
            acting_user=acting_user,
            case_file=current,
            validate=lambda _case_file: None,
        )
    return note


@transaction.atomic
def note_update(
    *, note: Note, acting_user: User, data: dict[str, Any], expected_version: int
) -> Note:
    if not can_edit_note(acting_user, note):
        raise PermissionDenied
    updated, changed = versioned_update(
        instance=note,
        data=data,
        expected_version=expected_version,
        acting_user=acting_user,
        case_file=note.case_file,
        validate=validate_note,
    )
    if {"contact_date", "visibility"} & set(changed):
        refresh_last_contact(note.case_file_id)
    return updated
