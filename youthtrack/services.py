"""Writes. Each service takes the acting user, checks the permission, validates the
business rules, changes the data and writes its audit row in one transaction."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import can_add_note, can_edit_case_file, can_edit_note
from .audit import record_audit_event
from .models import (
    AuditEvent,
    CaseFile,
    CaseStatusChange,
    Consent,
    Note,
    User,
    YoungPerson,
    age_on,
)
from .selectors import FieldChange, changes_since, young_person_possible_duplicates

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


class StaleEditError(Exception):
    """Someone else saved the record after the form was opened."""

    def __init__(self, changes: list[FieldChange]):
        super().__init__("stale edit")
        self.changes = changes


class DuplicatePersonError(Exception):
    """A young person with the same name and birth date is already registered."""

    def __init__(self, matches: list[YoungPerson]):
        super().__init__("possible duplicate")
        self.matches = matches


def allowed_transitions(case_file: CaseFile) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == case_file.status]


# --- audit ---


def _raw(instance: models.Model, field_name: str) -> Any:
    """A field's stored value in a JSON-friendly form, for the audit trail. It is shown
    in the reader's language later (``selectors.changes_since``)."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, getattr(field, "attname", field_name))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _save_versioned(
    *,
    instance: CaseFile | YoungPerson | Note,
    data: dict[str, Any],
    expected_version: int,
    acting_user: User,
    case_file: CaseFile | None,
    validate,
) -> tuple[Any, dict[str, list[str]]]:
    """Apply ``data`` to the current row unless someone saved it since
    ``expected_version``; refuse with what they changed otherwise."""
    model = type(instance)
    current = model.objects.get(pk=instance.pk)
    if current.version != expected_version:
        raise StaleEditError(changes_since(obj=current, version=expected_version))
    before = {name: _raw(current, name) for name in data}
    for name, value in data.items():
        setattr(current, name, value)
    validate(current)
    after = {name: _raw(current, name) for name in data}
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
        raise StaleEditError(changes_since(obj=current, version=expected_version))
    current.version = expected_version + 1
    current.save()
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.UPDATE,
        obj=current,
        case_file=case_file,
        changes=changed,
        version=current.version,
    )
    return current, changed


# --- validation of business rules ---


def validate_young_person(person: YoungPerson) -> None:
    today = timezone.localdate()
    if person.birth_date and person.birth_date > today:
        raise ValidationError(
            {"birth_date": _("The date of birth cannot be in the future.")}
        )
    if person.birth_date and age_on(person.birth_date, today) > 120:
        raise ValidationError(
            {
                "birth_date": _(
                    "Please check the date of birth: this is over 120 years ago."
                )
            }
        )
    if person.pk:
        for case_file in person.case_files.select_related("programme"):
            age = age_on(person.birth_date, case_file.entry_date)
            if not case_file.programme.accepts_age(age):
                raise ValidationError(
                    {
                        "birth_date": _(
                            "With this date of birth, the age at entry in case file "
                            "#%(case)s (%(programme)s) would be %(age)s, outside the "
                            "programme's range of %(min)s to %(max)s."
                        )
                        % {
                            "case": case_file.pk,
                            "programme": case_file.programme,
                            "age": age,
                            "min": case_file.programme.min_age,
                            "max": case_file.programme.max_age,
                        }
                    }
                )


def validate_case_file(case_file: CaseFile) -> None:
    """Rules of the situation at entry and of the dates (funder-indicators.md)."""
    today = timezone.localdate()
    errors: dict[str, str] = {}
    person = case_file.young_person
    programme = case_file.programme
    if case_file.entry_date and case_file.entry_date > today:
        errors["entry_date"] = _("The entry date cannot be in the future.")
    if case_file.entry_date and person.birth_date:
        if case_file.entry_date < person.birth_date:
            errors["entry_date"] = _("The entry date is before the date of birth.")
        else:
            age = age_on(person.birth_date, case_file.entry_date)
            if not programme.accepts_age(age):
                errors["entry_date"] = _(
                    "Age at entry is %(age)s: %(programme)s accepts young people "
                    "aged %(min)s to %(max)s at entry."
                ) % {
                    "age": age,
                    "programme": programme,
                    "min": programme.min_age,
                    "max": programme.max_age,
                }
    if case_file.exit_date:
        if case_file.entry_date and case_file.exit_date < case_file.entry_date:
            errors["exit_date"] = _("The exit date cannot be before the entry date.")
        elif case_file.exit_date > today:
            errors["exit_date"] = _("The exit date cannot be in the future.")
    if case_file.status == Status.CLOSED and not case_file.exit_date:
        errors["exit_date"] = _("A closed case file needs an exit date.")
    if case_file.status == Status.CLOSED and not case_file.exit_reason:
        errors["exit_reason"] = _("A closed case file needs an exit reason.")
    employment = case_file.employment_status
    if case_file.unemployed_since:
        if employment != CaseFile.EmploymentStatus.UNEMPLOYED:
            errors["unemployed_since"] = _(
                "Only an unemployed person has an unemployment start date."
            )
        elif case_file.entry_date and case_file.unemployed_since > case_file.entry_date:
            errors["unemployed_since"] = _(
                "The unemployment start date cannot be after the entry date."
            )
    if (
        case_file.education == CaseFile.Education.FULL_TIME_STUDENT
        and employment != CaseFile.EmploymentStatus.INACTIVE
    ):
        errors["employment_status"] = _(
            "A full-time student counts as inactive for the funders."
        )
    if (
        case_file.registered_at_actiris
        and employment == CaseFile.EmploymentStatus.INACTIVE
    ):
        errors["employment_status"] = _(
            "A person registered as a job seeker at Actiris counts as unemployed."
        )
    if case_file.referral == CaseFile.Referral.REFERRED and not case_file.referred_by:
        errors["referred_by"] = _("Say which organisation referred them.")
    if errors:
        raise ValidationError(errors)


def _validate_all(*checks) -> None:
    """Run every check and report all their errors at once."""
    errors: dict[str, list] = {}
    for check in checks:
        if check is None:
            continue
        validate, obj = check
        try:
            validate(obj)
        except ValidationError as error:
            for field, messages in error.update_error_dict({}).items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


# --- young people and case files ---


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
    if existing_person is None:
        assert person_data is not None
        person = YoungPerson(
            created_by_organisation_id=acting_user.organisation_id, **person_data
        )
        if not confirmed_new_person:
            matches = list(
                young_person_possible_duplicates(
                    user=acting_user,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    birth_date=person.birth_date,
                )
            )
            if matches:
                raise DuplicatePersonError(matches)
    else:
        person = existing_person
    case_data = {"advisor": acting_user, **case_data}
    case_file = CaseFile(
        young_person=person,
        owner_organisation_id=acting_user.organisation_id,
        created_by=acting_user,
        status=Status.INTAKE,
        **case_data,
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
    person, _changed = _save_versioned(
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
    forbidden = {"status", "young_person", "owner_organisation", "version"} & set(data)
    if forbidden:
        raise ValueError(f"use the dedicated service to change {sorted(forbidden)}")
    updated, _changed = _save_versioned(
        instance=case_file,
        data=data,
        expected_version=expected_version,
        acting_user=acting_user,
        case_file=case_file,
        validate=validate_case_file,
    )
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
        raise StaleEditError(changes_since(obj=current, version=expected_version))
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
        data.update(exit_date=effective_date, exit_reason=exit_reason)
        if not exit_reason:
            raise ValidationError(
                {"exit_reason": _("Say why the case file is closed.")}
            )
    elif from_status == Status.CLOSED:
        # Reopening: the path goes on; the final exit will be the next closure. The
        # previous exit stays in the status history.
        data.update(exit_date=None, exit_reason="")
    updated, _changed = _save_versioned(
        instance=current,
        data=data,
        expected_version=expected_version,
        acting_user=acting_user,
        case_file=current,
        validate=validate_case_file,
    )
    CaseStatusChange.objects.create(
        case_file=updated,
        from_status=from_status,
        to_status=to_status,
        effective_date=effective_date,
        comment=comment,
        changed_by=acting_user,
    )
    return updated


# --- consent ---


@transaction.atomic
def consent_record(
    *, case_file: CaseFile, acting_user: User, data: dict[str, Any]
) -> Consent:
    _require_case_editor(acting_user, case_file)
    consent = Consent(case_file=case_file, recorded_by=acting_user, **data)
    errors = {}
    today = timezone.localdate()
    if consent.given_on > today:
        errors["given_on"] = _("The consent date cannot be in the future.")
    elif (
        age_on(case_file.young_person.birth_date, consent.given_on) < 16
        and consent.given_by != Consent.GivenBy.GUARDIAN
    ):
        errors["given_by"] = _(
            "The young person was under 16 on that date: consent must come from a "
            "parent or guardian."
        )
    if consent.given_by == Consent.GivenBy.GUARDIAN and not consent.guardian_name:
        errors["guardian_name"] = _("Give the name of the parent or guardian.")
    if consent.purpose == Consent.Purpose.SHARING and consent.partner_id is None:
        errors["partner"] = _("Say which partner organisation the sharing covers.")
    if errors:
        raise ValidationError(errors)
    consent.save()
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.CREATE,
        obj=consent,
        case_file=case_file,
        changes={"purpose": [None, consent.purpose]},
    )
    return consent


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, acting_user: User, withdrawn_on: datetime.date
) -> Consent:
    _require_case_editor(acting_user, consent.case_file)
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": _("The date cannot be in the future.")})
    if withdrawn_on < consent.given_on:
        raise ValidationError(
            {"withdrawn_on": _("A consent cannot be withdrawn before it was given.")}
        )
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_by = acting_user
    consent.save(update_fields=["withdrawn_on", "withdrawn_by"])
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.UPDATE,
        obj=consent,
        case_file=consent.case_file,
        changes={"withdrawn_on": [None, withdrawn_on.isoformat()]},
    )
    return consent


# --- notes ---


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
    updated, _changed = _save_versioned(
        instance=note,
        data=data,
        expected_version=expected_version,
        acting_user=acting_user,
        case_file=note.case_file,
        validate=validate_note,
    )
    return updated
