"""Young people and case files: intake, corrections, lifecycle."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ..access import (
    can_edit_case_file,
    can_edit_person,
    can_link_person,
)
from ..audit import record_audit_event
from ..duplicates import intake_duplicates
from ..models import (
    AuditEvent,
    CaseFile,
    CaseStatusChange,
    Operation,
    Programme,
    User,
    YoungPerson,
)
from ..selectors import changes_since
from ..signals import case_file_advisor_changed, participation_exit_changed
from .errors import DuplicatePersonError, StaleEditError
from .validation import _validate_all, validate_case_file, validate_young_person
from .versioning import versioned_update

Status = CaseFile.Status

# The lifecycle of a case file: (from, to) pairs that are allowed.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.INTAKE, Status.ACTIVE): "start",
    (Status.ACTIVE, Status.FOLLOW_UP): "follow_up",
    (Status.FOLLOW_UP, Status.ACTIVE): "resume",
    (Status.INTAKE, Status.CLOSED): "close",
    (Status.ACTIVE, Status.CLOSED): "close",
    (Status.FOLLOW_UP, Status.CLOSED): "close",
    (Status.CLOSED, Status.ACTIVE): "reopen",
}


def allowed_transitions(case_file: CaseFile) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == case_file.status]


def operation_for_entry(
    *, programme: Programme | None, entry_date: datetime.date | None
) -> Operation | None:
    """The operation a participation counts under: the one of its programme whose
    period covers the entry date (the latest-starting if several rule sets overlap),
    or none."""
    if programme is None or entry_date is None:
        return None
    return (
        Operation.objects.filter(
            programme=programme, start__lte=entry_date, end__gte=entry_date
        )
        .order_by("-start", "pk")
        .first()
    )


@transaction.atomic
def operation_saved(*, operation: Operation, acting_user: User, created: bool) -> int:
    """After an operation was added or its period or programme changed (in the
    administration): audit it, and let every case file of the programmes concerned
    count under the operation now covering its entry date. Returns how many files
    of those programmes were re-examined."""
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=operation,
        case_file=None,
    )
    programme_ids = {operation.programme_id} | set(
        CaseFile.objects.filter(operation=operation)
        .values_list("programme_id", flat=True)
        .distinct()
    )
    return case_files_reassign_operations(programme_ids=programme_ids)


def case_files_reassign_operations(*, programme_ids: set[int] | None = None) -> int:
    """Let every case file of the programmes (all programmes when None) count under
    the operation covering its entry date; for operation changes and bulk loads."""
    files = CaseFile.objects.all()
    if programme_ids is not None:
        files = files.filter(programme_id__in=programme_ids)
    covering = (
        Operation.objects.filter(
            programme=OuterRef("programme"),
            start__lte=OuterRef("entry_date"),
            end__gte=OuterRef("entry_date"),
        )
        .order_by("-start", "pk")
        .values("pk")[:1]
    )
    # One statement in the database (same choice as ``operation_for_entry``).
    return files.update(operation=Subquery(covering))


def _require_case_editor(user: User, case_file: CaseFile) -> None:
    if not can_edit_case_file(user, case_file):
        raise PermissionDenied


@transaction.atomic
def case_file_intake(
    *,
    acting_user: User,
    person_data: dict[str, Any] | None,
    case_data: dict[str, Any],
    existing_person: YoungPerson | None = None,
    confirmed_new_person: bool = False,
) -> CaseFile:
    """Register a young person (or reuse one already known) and open a case file."""
    if not acting_user.works_on_cases or acting_user.organisation_id is None:
        raise PermissionDenied
    if existing_person is not None and not can_link_person(
        acting_user, existing_person
    ):
        # Only a person the user's organisation already keeps a file of can be
        # reused: seeing a partner's file of them is not enough.
        raise PermissionDenied
    if existing_person is None:
        assert person_data is not None
        person = YoungPerson(
            created_by_organisation_id=acting_user.organisation_id, **person_data
        )
        # The likely matches, best first (``duplicates``): shown before anything is
        # created; once the advisor confirms a different person, the numbers of the
        # people they were shown are kept on the new person's audit row.
        matches = intake_duplicates(
            user=acting_user,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
        )
        if matches and not confirmed_new_person:
            raise DuplicatePersonError(matches)
        not_duplicate_of = [match.person.pk for match in matches]
    else:
        person = existing_person
        not_duplicate_of = []
    case_data = {"advisor": acting_user, **case_data}
    case_file = CaseFile(
        young_person=person,
        owner_organisation_id=acting_user.organisation_id,
        created_by=acting_user,
        status=Status.INTAKE,
        **case_data,
    )
    case_file.operation = operation_for_entry(
        programme=case_file.programme if case_file.programme_id else None,
        entry_date=case_file.entry_date,
    )
    if person.pk is not None and case_file.operation is not None:
        earlier = (
            CaseFile.objects.filter(
                young_person=person,
                owner_organisation_id=acting_user.organisation_id,
                operation=case_file.operation,
                status=Status.CLOSED,
            )
            .order_by("-exit_date", "-pk")
            .first()
        )
        if earlier is not None:
            return _participation_reenter(
                earlier,
                acting_user=acting_user,
                entry_date=case_file.entry_date,
                advisor=case_data["advisor"],
            )
    _validate_all(
        (validate_young_person, person) if person.pk is None else None,
        (validate_case_file, case_file),
    )
    if person.pk is None:
        person.save()
        record_audit_event(
            actor=acting_user,
            action=AuditEvent.Action.CREATE,
            obj=person,
            case_file=None,
            version=person.version,
            changes=(
                {"confirmed_not_duplicate_of": [None, not_duplicate_of]}
                if not_duplicate_of
                else None
            ),
        )
        case_file.young_person = person
    case_file.save()
    CaseStatusChange.objects.create(
        case_file=case_file,
        from_status="",
        to_status=Status.INTAKE,
        effective_date=case_file.entry_date,
        changed_by=acting_user,
    )
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.CREATE,
        obj=case_file,
        case_file=case_file,
        version=case_file.version,
    )
    return case_file


def _participation_reenter(
    case_file: CaseFile,
    *,
    acting_user: User,
    entry_date: datetime.date,
    advisor: User | None,
) -> CaseFile:
    """A person counts once per operation (funder-indicators.md): coming back to the
    same operation reopens the same participation. Its first entry date and the
    situation at that entry stay; the next closure gives the final exit date."""
    assert case_file.exit_date is not None
    if entry_date < case_file.exit_date:
        raise ValidationError(
            {
                "entry_date": _(
                    "This young person left this operation on %(date)s: a re-entry "
                    "cannot be dated before that."
                )
                % {
                    "date": formats.date_format(
                        case_file.exit_date, "SHORT_DATE_FORMAT"
                    )
                }
            }
        )
    reopened = case_file_transition(
        case_file=case_file,
        acting_user=acting_user,
        to_status=Status.ACTIVE,
        effective_date=entry_date,
        expected_version=case_file.version,
        comment=_("Re-entry in the same operation: the participation goes on."),
    )
    if advisor is not None and reopened.advisor_id != advisor.pk:
        reopened = case_file_update(
            case_file=reopened,
            acting_user=acting_user,
            data={"advisor": advisor},
            expected_version=reopened.version,
        )
    return reopened


@transaction.atomic
def young_person_update(
    *,
    young_person: YoungPerson,
    acting_user: User,
    data: dict[str, Any],
    expected_version: int,
    case_file: CaseFile,
) -> YoungPerson:
    """Correct a young person's details, through a case file the user may edit."""
    _require_case_editor(acting_user, case_file)
    if young_person.pk != case_file.young_person_id:
        raise PermissionDenied
    if not can_edit_person(acting_user, young_person):
        # Who the person is belongs to the organisation that registered them.
        raise PermissionDenied
    person, _changed = versioned_update(
        instance=young_person,
        data=data,
        expected_version=expected_version,
        acting_user=acting_user,
        case_file=case_file,
        validate=validate_young_person,
    )
    return person


@transaction.atomic
def case_file_update(
    *,
    case_file: CaseFile,
    acting_user: User,
    data: dict[str, Any],
    expected_version: int,
) -> CaseFile:
    _require_case_editor(acting_user, case_file)
    forbidden = {
        "status",
        "young_person",
        "owner_organisation",
        "operation",
        "version",
    } & set(data)
    if forbidden:
        raise ValueError(f"use the dedicated service to change {sorted(forbidden)}")
    if {"entry_date", "programme"} & set(data):
        # The participation moves to the operation covering its (new) entry date.
        data = {
            **data,
            "operation": operation_for_entry(
                programme=data.get("programme", case_file.programme),
                entry_date=data.get("entry_date", case_file.entry_date),
            ),
        }
    updated, changed = versioned_update(
        instance=case_file,
        data=data,
        expected_version=expected_version,
        acting_user=acting_user,
        case_file=case_file,
        validate=validate_case_file,
    )
    if "exit_date" in changed and updated.status == Status.CLOSED:
        participation_exit_changed.send(
            sender=CaseFile, case_file=updated, acting_user=acting_user, change="moved"
        )
    if "advisor" in changed:
        case_file_advisor_changed.send(sender=CaseFile, case_file=updated)
    return updated


@transaction.atomic
def case_file_transition(
    *,
    case_file: CaseFile,
    acting_user: User,
    to_status: str,
    effective_date: datetime.date,
    expected_version: int,
    exit_reason: str = "",
    comment: str = "",
) -> CaseFile:
    """Move a case file through its lifecycle; the move is dated and recorded."""
    _require_case_editor(acting_user, case_file)
    current = CaseFile.objects.select_related("young_person", "programme").get(
        pk=case_file.pk
    )
    if current.version != expected_version:
        raise StaleEditError(
            changes_since(obj=current, version=expected_version), current
        )
    from_status = current.status
    if (from_status, to_status) not in TRANSITIONS:
        raise ValidationError(
            _("A case file cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": Status(from_status).label,
                "to": Status(to_status).label
                if to_status in Status.values
                else to_status,
            }
        )
    today = timezone.localdate()
    if effective_date > today:
        raise ValidationError(
            {"effective_date": _("The date cannot be in the future.")}
        )
    if effective_date < current.entry_date:
        raise ValidationError(
            {"effective_date": _("The date cannot be before the entry date.")}
        )
    data: dict[str, Any] = {"status": to_status}
    if to_status == Status.CLOSED:
        # A closed file has no follow-up due (the six-month follow-up is an outcome).
        data.update(
            exit_date=effective_date, exit_reason=exit_reason, next_follow_up_on=None
        )
        if not exit_reason:
            raise ValidationError(
                {"exit_reason": _("Say why the case file is closed.")}
            )
    elif from_status == Status.CLOSED:
        # Reopening: the path goes on; the final exit will be the next closure. The
        # previous exit stays in the status history.
        data.update(exit_date=None, exit_reason="")
    updated, _changed = versioned_update(
        instance=current,
        data=data,
        expected_version=expected_version,
        acting_user=acting_user,
        case_file=current,
        validate=validate_case_file,
        action=AuditEvent.Action.TRANSITION,
    )
    CaseStatusChange.objects.create(
        case_file=updated,
        from_status=from_status,
        to_status=to_status,
        effective_date=effective_date,
        comment=comment,
        changed_by=acting_user,
    )
    if to_status == Status.CLOSED or from_status == Status.CLOSED:
        participation_exit_changed.send(
            sender=CaseFile,
            case_file=updated,
            acting_user=acting_user,
            change="closed" if to_status == Status.CLOSED else "reopened",
        )
    return updated
