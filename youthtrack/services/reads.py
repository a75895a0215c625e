"""Audited reads: opening a case file, exporting."""

from django.db import models

from ..audit import record_audit_event, record_audit_event_on_files
from ..models import (
    AuditEvent,
    CaseFile,
    User,
    YoungPerson,
)


def _record_person_read(
    *, person_id: int, acting_user: User, action: str, through: CaseFile | None
) -> None:
    """A read of a young person is a read on every file of theirs: the organisation
    that keeps another file of the same person sees it in its own "who accessed this
    file" (a partner reading the person through its own file included)."""
    others = CaseFile.objects.filter(young_person_id=person_id)
    if through is not None:
        others = others.exclude(pk=through.pk)
    record_audit_event_on_files(
        actor=acting_user,
        action=action,
        obj=YoungPerson(pk=person_id),
        case_files=others.only("pk"),
    )


def case_file_record_view(*, case_file: CaseFile, acting_user: User) -> None:
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.VIEW,
        obj=case_file,
        case_file=case_file,
    )
    _record_person_read(
        person_id=case_file.young_person_id,
        acting_user=acting_user,
        action=AuditEvent.Action.VIEW,
        through=case_file,
    )


def young_person_record_view(*, young_person: YoungPerson, acting_user: User) -> None:
    """The person's details read without a case file (the intake of a new file for
    someone already registered)."""
    _record_person_read(
        person_id=young_person.pk,
        acting_user=acting_user,
        action=AuditEvent.Action.VIEW,
        through=None,
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
    if case_file is not None:  # the export names the person
        _record_person_read(
            person_id=case_file.young_person_id,
            acting_user=acting_user,
            action=AuditEvent.Action.EXPORT,
            through=case_file,
        )
