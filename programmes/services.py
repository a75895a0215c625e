"""Writes. Each service takes the acting user, checks the permission, applies the rules,
changes the data and writes its audit rows in one transaction.

Places are counted in the database with the cohort's row locked (``select_for_update``),
so that two advisors enrolling at the same moment cannot both take the last place, and a
freed place goes to the first person on the waiting list, in order of request.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from youthtrack import services as case_services
from youthtrack.audit import record_audit_event
from youthtrack.models import AuditEvent, CaseFile, User, YoungPerson
from youthtrack.services import comparable_value

from . import access, eligibility, selectors
from .eligibility import Refusal
from .models import (
    Attendance,
    Cohort,
    Enrolment,
    Programme,
    Session,
    WalkIn,
)

MAX_REPEATED_SESSIONS = 60


class EnrolmentRefusedError(Exception):
    """The case file cannot join the cohort; ``refusals`` say why in plain words."""

    def __init__(self, refusals: list[Refusal]):
        super().__init__("; ".join(r.message for r in refusals))
        self.refusals = refusals


class CohortFullError(Exception):
    """No place left: the young person may be put on the waiting list instead."""


class StaleCohortError(Exception):
    def __init__(self, current: Cohort):
        super().__init__("stale cohort")
        self.current = current


@dataclass(frozen=True)
class Mark:
    """What the register says for one participant, and the version it was opened on
    (0: nothing was recorded yet)."""

    status: str
    presence: str
    version: int


@dataclass(frozen=True)
class AttendanceConflict:
    case_file: CaseFile
    current: Attendance | None
    yours: Mark


class AttendanceConflictError(Exception):
    """Someone else saved some of these rows after the register was opened."""

    def __init__(self, conflicts: list[AttendanceConflict]):
        super().__init__("stale register")
        self.conflicts = conflicts


@dataclass
class EnrolResult:
    case_file: CaseFile
    enrolment: Enrolment | None = None
    refusals: list[Refusal] = field(default_factory=list)


@dataclass
class WithdrawResult:
    enrolment: Enrolment
    promoted: list[Enrolment]


@dataclass
class AttendanceSaveResult:
    created: int = 0
    updated: int = 0


def _short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


# --- programmes ---


def validate_programme(programme: Programme) -> None:
    if programme.min_age > programme.max_age:
        raise ValidationError(
            {"max_age": _("The maximum age cannot be below the minimum age.")}
        )


@transaction.atomic
def programme_update(
    *, programme: Programme, acting_user: User, data: dict[str, Any]
) -> Programme:
    """Change a programme's eligibility, funding and completion rule."""
    if not access.can_manage_programme(acting_user, programme):
        raise PermissionDenied
    current = Programme.objects.select_for_update().get(pk=programme.pk)
    m2m = {name: data.pop(name) for name in ("funders",) if name in data}
    before = {name: comparable_value(getattr(current, name)) for name in data}
    before.update({name: comparable_value(current.funders.all()) for name in m2m})
    for name, value in data.items():
        setattr(current, name, value)
    validate_programme(current)
    current.save()
    for name, value in m2m.items():
        getattr(current, name).set(value)
    after = {name: comparable_value(getattr(current, name)) for name in data}
    after.update({name: comparable_value(value) for name, value in m2m.items()})
    changes = {n: [before[n], after[n]] for n in after if before[n] != after[n]}
    if changes:
        record_audit_event(
            actor=acting_user,
            action=AuditEvent.Action.UPDATE,
            obj=current,
            case_file=None,
            changes=changes,
        )
    return current


# --- cohorts ---


def validate_cohort(cohort: Cohort) -> None:
    errors: dict[str, str] = {}
    if cohort.start_date and cohort.end_date and cohort.end_date < cohort.start_date:
        errors["end_date"] = _("The end date cannot be before the start date.")
    if cohort.capacity is not None and cohort.capacity < 1:
        errors["capacity"] = _("A cohort has at least one place.")
    if cohort.pk is None and not cohort.programme.is_active:
        errors["programme"] = _("This programme is no longer active.")
    if errors:
        raise ValidationError(errors)


COHORT_M2M = ("advisors", "partners")


@transaction.atomic
def cohort_create(
    *, acting_user: User, programme: Programme, data: dict[str, Any]
) -> Cohort:
    """A new edition of a programme; the lead's organisation is in charge of it."""
    if not access.can_create_cohort(acting_user):
        raise PermissionDenied
    assert acting_user.organisation_id is not None  # a member (can_create_cohort)
    data = dict(data)
    m2m = {name: data.pop(name, []) for name in COHORT_M2M}
    cohort = Cohort(
        programme=programme,
        owner_organisation_id=acting_user.organisation_id,
        created_by=acting_user,
        **data,
    )
    validate_cohort(cohort)
    cohort.save()
    for name, value in m2m.items():
        getattr(cohort, name).set(value)
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.CREATE,
        obj=cohort,
        case_file=None,
        changes={
            "programme": [None, programme.pk],
            "capacity": [None, cohort.capacity],
            "start_date": [None, comparable_value(cohort.start_date)],
            "end_date": [None, comparable_value(cohort.end_date)],
        },
        version=cohort.version,
    )
    return cohort


def _lock(cohort: Cohort) -> Cohort:
    return (
        Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    )


@transaction.atomic
def cohort_update(
    *,
    cohort: Cohort,
    acting_user: User,
    data: dict[str, Any],
    expected_version: int,
) -> tuple[Cohort, list[Enrolment]]:
    """Change a cohort. More places move people in from the waiting list; fewer places
    than people already enrolled are refused."""
    if not access.can_manage_cohort(acting_user, cohort):
        raise PermissionDenied
    _lock(cohort)  # held until the end: places are counted with the row locked

    def validate(current: Cohort) -> None:
        validate_cohort(current)
        enrolled = current.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
        if current.capacity < enrolled:
            raise ValidationError(
                {
                    "capacity": _(
                        "%(count)s young people are already enrolled: keep at least "
                        "%(count)s places, or withdraw someone first."
                    )
                    % {"count": enrolled}
                }
            )

    try:
        current, changes = case_services.versioned_update(
            instance=cohort,
            data=dict(data),
            expected_version=expected_version,
            acting_user=acting_user,
            case_file=None,
            validate=validate,
        )
    except case_services.StaleEditError as error:
        # versioned_update was given the cohort: the current row is a Cohort.
        raise StaleCohortError(cast(Cohort, error.current)) from None
    if not changes:
        return current, []
    promoted = _promote_waiting(current, acting_user)
    return current, promoted


# --- sessions ---


def validate_session(session: Session) -> None:
    errors: dict[str, str] = {}
    cohort = session.cohort
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        errors["ends_at"] = _("A session ends after it starts.")
    if session.starts_at:
        day = timezone.localtime(session.starts_at).date()
        if not cohort.start_date <= day <= cohort.end_date:
            errors["starts_at"] = _(
                "The session is outside the cohort's dates (%(start)s to %(end)s)."
            ) % {"start": _short(cohort.start_date), "end": _short(cohort.end_date)}
    if session.phase is not None and session.phase.programme_id != cohort.programme_id:
        errors["phase"] = _("This phase belongs to another programme.")
    if session.mode != "in_person" and not session.link:
        errors["link"] = _("Give the link of an online or hybrid session.")
    if session.mode != "online" and not session.place:
        errors["place"] = _("Say where the session takes place.")
    if errors:
        raise ValidationError(errors)


def _weekdays_after(day: datetime.date, until: datetime.date) -> list[datetime.date]:
    days = []
    current = day + datetime.timedelta(days=1)
    while current <= until:
        if current.weekday() < 5:
            days.append(current)
        current += datetime.timedelta(days=1)
    return days


@transaction.atomic
def session_create(
    *,
    cohort: Cohort,
    acting_user: User,
    data: dict[str, Any],
    repeat_until: datetime.date | None = None,
) -> list[Session]:
    """Schedule a session, or the same session every weekday until ``repeat_until``
    (an intensive fortnight in one go)."""
    if not access.can_manage_cohort(acting_user, cohort):
        raise PermissionDenied
    first = Session(cohort=cohort, created_by=acting_user, **data)
    validate_session(first)
    sessions = [first]
    if repeat_until is not None:
        first_day = timezone.localtime(first.starts_at).date()
        if repeat_until <= first_day:
            raise ValidationError(
                {"repeat_until": _("Repeat until a day after the first session.")}
            )
        if repeat_until > cohort.end_date:
            raise ValidationError(
                {"repeat_until": _("Repeat no later than the cohort's end date.")}
            )
        days = _weekdays_after(first_day, repeat_until)
        if len(days) + 1 > MAX_REPEATED_SESSIONS:
            raise ValidationError(
                {
                    "repeat_until": _("At most %(count)s sessions at once.")
                    % {"count": MAX_REPEATED_SESSIONS}
                }
            )
        for day in days:
            offset = datetime.timedelta(days=(day - first_day).days)
            sessions.append(
                Session(
                    cohort=cohort,
                    created_by=acting_user,
                    **{
                        **data,
                        "starts_at": first.starts_at + offset,
                        "ends_at": first.ends_at + offset,
                    },
                )
            )
    for session in sessions:
        session.save()
        record_audit_event(
            actor=acting_user,
            action=AuditEvent.Action.CREATE,
            obj=session,
            case_file=None,
            changes={
                "cohort": [None, cohort.pk],
                "starts_at": [None, comparable_value(session.starts_at)],
            },
        )
    return sessions


@transaction.atomic
def session_update(
    *, session: Session, acting_user: User, data: dict[str, Any]
) -> Session:
    if not access.can_manage_cohort(acting_user, session.cohort):
        raise PermissionDenied
    current = Session.objects.select_for_update().get(pk=session.pk)
    current.cohort = session.cohort
    before = {name: comparable_value(getattr(current, name)) for name in data}
    for name, value in data.items():
        setattr(current, name, value)
    validate_session(current)
    after = {name: comparable_value(getattr(current, name)) for name in data}
    changes = {n: [before[n], after[n]] for n in after if before[n] != after[n]}
    if changes:
        current.save()
        record_audit_event(
            actor=acting_user,
            action=AuditEvent.Action.UPDATE,
            obj=current,
            case_file=None,
            changes=changes,
        )
    return current


# --- enrolment, waiting list, withdrawal ---


def _current_enrolment(cohort: Cohort, case_file: CaseFile) -> Enrolment | None:
    return (
        Enrolment.objects.filter(cohort=cohort, case_file=case_file)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .first()
    )


def _enrol_locked(
    *,
    cohort: Cohort,
    case_file: CaseFile,
    acting_user: User,
    accept_waiting_list: bool,
) -> Enrolment:
    today = timezone.localdate()
    refusals = eligibility.refusals(
        case_file=case_file,
        cohort=cohort,
        current=_current_enrolment(cohort, case_file),
        today=today,
    )
    if refusals:
        raise EnrolmentRefusedError(refusals)
    enrolled = cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
    now = timezone.now()
    if enrolled < cohort.capacity:
        status, enrolled_at = Enrolment.Status.ENROLLED, now
    elif accept_waiting_list:
        status, enrolled_at = Enrolment.Status.WAITING, None
    else:
        raise CohortFullError
    enrolment = Enrolment.objects.create(
        cohort=cohort,
        case_file=case_file,
        status=status,
        requested_at=now,
        enrolled_at=enrolled_at,
        created_by=acting_user,
    )
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.CREATE,
        obj=enrolment,
        case_file=case_file,
        changes={"cohort": [None, cohort.pk], "status": [None, status]},
        version=enrolment.version,
    )
    return enrolment


@transaction.atomic
def enrolment_create(
    *,
    cohort: Cohort,
    case_file: CaseFile,
    acting_user: User,
    accept_waiting_list: bool = True,
) -> Enrolment:
    """Enrol a case file: a place if one is left, else the waiting list (or
    ``CohortFullError`` when the waiting list was not accepted). Refusals raise
    ``EnrolmentRefusedError`` with the reasons."""
    if not access.can_enrol(acting_user, case_file):
        raise PermissionDenied
    locked = _lock(cohort)
    return _enrol_locked(
        cohort=locked,
        case_file=case_file,
        acting_user=acting_user,
        accept_waiting_list=accept_waiting_list,
    )


@transaction.atomic
def enrolments_create_many(
    *, cohort: Cohort, case_files: Iterable[CaseFile], acting_user: User
) -> list[EnrolResult]:
    """Enrol a selection in one go: each is enrolled, put on the waiting list, or
    refused with its reasons; one refusal does not stop the others."""
    locked = _lock(cohort)
    results = []
    for case_file in case_files:
        result = EnrolResult(case_file=case_file)
        if not access.can_enrol(acting_user, case_file):
            result.refusals = [
                Refusal("forbidden", _("You may not change this case file."))
            ]
        else:
            try:
                result.enrolment = _enrol_locked(
                    cohort=locked,
                    case_file=case_file,
                    acting_user=acting_user,
                    accept_waiting_list=True,
                )
            except EnrolmentRefusedError as error:
                result.refusals = error.refusals
        results.append(result)
    return results


@transaction.atomic
def enrolments_end_on_closure(*, case_file: CaseFile, acting_user: User) -> int:
    """A closed case file leaves the cohorts that have not started yet: its place, or
    its turn on the waiting list, goes to the next person waiting. Cohorts already
    under way keep it (their register and completion count it). Runs inside the
    closing service's transaction, which checked the user may close the file."""
    today = timezone.localdate()
    pending = list(
        Enrolment.objects.filter(
            case_file=case_file,
            status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.WAITING],
            cohort__start_date__gt=today,
        ).order_by("cohort_id", "pk")
    )
    for enrolment in pending:
        cohort = _lock(enrolment.cohort)
        current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        was = current.status
        current.status = Enrolment.Status.WITHDRAWN
        current.withdrawn_on = today
        current.withdrawal_reason = Enrolment.WithdrawalReason.FILE_CLOSED
        current.version += 1
        current.save()
        record_audit_event(
            actor=acting_user,
            action=AuditEvent.Action.UPDATE,
            obj=current,
            case_file=case_file,
            changes={
                "status": [was, Enrolment.Status.WITHDRAWN],
                "withdrawn_on": [None, today.isoformat()],
                "withdrawal_reason": [None, Enrolment.WithdrawalReason.FILE_CLOSED],
            },
            version=current.version,
        )
        _promote_waiting(cohort, acting_user)
    return len(pending)


def _promote_waiting(cohort: Cohort, acting_user: User) -> list[Enrolment]:
    """Give the free places to the first people waiting, in order of request. The
    cohort's row must be locked by the caller. A waiting person whose case file was
    closed in the meantime keeps waiting and is skipped."""
    enrolled = cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
    free = cohort.capacity - enrolled
    if free <= 0:
        return []
    waiting = list(
        Enrolment.objects.select_for_update(of=("self",))
        .filter(cohort=cohort, status=Enrolment.Status.WAITING)
        .exclude(case_file__status=CaseFile.Status.CLOSED)
        .select_related("case_file")
        .order_by("requested_at", "pk")[:free]
    )
    now = timezone.now()
    for enrolment in waiting:
        enrolment.status = Enrolment.Status.ENROLLED
        enrolment.enrolled_at = now
        enrolment.from_waiting_list = True
        enrolment.version += 1
        enrolment.save(
            update_fields=["status", "enrolled_at", "from_waiting_list", "version"]
        )
        record_audit_event(
            actor=acting_user,
            action=AuditEvent.Action.UPDATE,
            obj=enrolment,
            case_file=enrolment.case_file,
            changes={
                "status": [Enrolment.Status.WAITING, Enrolment.Status.ENROLLED],
                "from_waiting_list": [False, True],
            },
            version=enrolment.version,
        )
    return waiting


@transaction.atomic
def enrolment_withdraw(
    *,
    enrolment: Enrolment,
    acting_user: User,
    withdrawn_on: datetime.date,
    reason: str,
    comment: str = "",
) -> WithdrawResult:
    """Withdraw a participant (or take them off the waiting list). The place they
    free goes to the first person waiting."""
    if not access.can_enrol(acting_user, enrolment.case_file):
        raise PermissionDenied
    cohort = _lock(enrolment.cohort)
    current = (
        Enrolment.objects.select_for_update()
        .select_related("case_file")
        .get(pk=enrolment.pk)
    )
    if current.status == Enrolment.Status.WITHDRAWN:
        raise ValidationError(_("This participant has already withdrawn."))
    errors: dict[str, str] = {}
    if withdrawn_on > timezone.localdate():
        errors["withdrawn_on"] = _("The date cannot be in the future.")
    elif withdrawn_on < timezone.localtime(current.requested_at).date():
        errors["withdrawn_on"] = _(
            "The date cannot be before the enrolment (%(date)s)."
        ) % {"date": _short(timezone.localtime(current.requested_at).date())}
    if reason not in Enrolment.WithdrawalReason.values:
        errors["reason"] = _("Say why they withdraw.")
    if errors:
        raise ValidationError(errors)
    was = current.status
    current.status = Enrolment.Status.WITHDRAWN
    current.withdrawn_on = withdrawn_on
    current.withdrawal_reason = reason
    current.withdrawal_comment = comment
    current.version += 1
    current.save()
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.UPDATE,
        obj=current,
        case_file=current.case_file,
        changes={
            "status": [was, Enrolment.Status.WITHDRAWN],
            "withdrawn_on": [None, withdrawn_on.isoformat()],
            "withdrawal_reason": [None, reason],
        },
        version=current.version,
    )
    promoted = _promote_waiting(cohort, acting_user)
    return WithdrawResult(enrolment=current, promoted=promoted)


# --- attendance ---


def _normalise(mark: Mark, session: Session) -> Mark:
    if mark.status not in Attendance.Status.values:
        raise ValidationError(_("Unknown attendance value."))
    if mark.status in Attendance.ATTENDED:
        presence = mark.presence or session.default_presence
        if presence not in Attendance.Presence.values:
            raise ValidationError(_("Unknown attendance value."))
    else:
        presence = ""
    return Mark(status=mark.status, presence=presence, version=mark.version)


def session_not_started_message(session: Session) -> str:
    start = timezone.localtime(session.starts_at)
    return _(
        "This session has not started yet: attendance can be taken from "
        "%(date)s at %(time)s."
    ) % {
        "date": date_format(start.date(), "DATE_FORMAT"),
        "time": date_format(start, "TIME_FORMAT"),
    }


def session_has_started(session: Session) -> bool:
    return session.starts_at <= timezone.now()


def _require_started(session: Session) -> None:
    """Nobody is marked present, late or absent at a session still to come."""
    if not session_has_started(session):
        raise ValidationError(session_not_started_message(session))


@transaction.atomic
def attendance_save(
    *,
    session: Session,
    acting_user: User,
    marks: dict[int, Mark],
) -> AttendanceSaveResult:
    """Record the register of a session: ``marks`` maps case file ids to what was
    ticked. Rows that someone else saved since the register was opened (their version
    moved on) and that this save would change are refused, all together, with what they
    now say; nothing is saved then. Only the participants of the register the acting
    user may see can be marked."""
    if not access.can_take_attendance(acting_user, session):
        raise PermissionDenied
    _require_started(session)
    allowed = selectors.register_case_file_ids(user=acting_user, session=session)
    if not set(marks) <= allowed:
        raise PermissionDenied
    # One save of a register at a time (PostgreSQL); SQLite serialises writes anyway.
    Session.objects.select_for_update().filter(pk=session.pk).first()
    marks = {pk: _normalise(mark, session) for pk, mark in marks.items()}
    existing = {
        row.case_file_id: row
        for row in Attendance.objects.select_related("updated_by").filter(
            session=session, case_file_id__in=marks
        )
    }
    case_files = CaseFile.objects.select_related("young_person").in_bulk(list(marks))
    conflicts = []
    for pk, mark in marks.items():
        row = existing.get(pk)
        current_version = row.version if row else 0
        if current_version == mark.version:
            continue
        if row is not None and (row.status, row.presence) == (
            mark.status,
            mark.presence,
        ):
            continue  # someone else already recorded the same thing
        conflicts.append(
            AttendanceConflict(case_file=case_files[pk], current=row, yours=mark)
        )
    if conflicts:
        raise AttendanceConflictError(conflicts)
    now = timezone.now()
    result = AttendanceSaveResult()
    for pk, mark in marks.items():
        row = existing.get(pk)
        if row is None:
            row = Attendance.objects.create(
                session=session,
                case_file_id=pk,
                status=mark.status,
                presence=mark.presence,
                recorded_by=acting_user,
                updated_by=acting_user,
                updated_at=now,
            )
            record_audit_event(
                actor=acting_user,
                action=AuditEvent.Action.CREATE,
                obj=row,
                case_file=case_files[pk],
                changes={
                    "status": [None, row.status],
                    "presence": [None, row.presence],
                },
                version=row.version,
            )
            result.created += 1
            continue
        changes = {
            name: [getattr(row, name), getattr(mark, name)]
            for name in ("status", "presence")
            if getattr(row, name) != getattr(mark, name)
        }
        if not changes:
            continue
        claimed = Attendance.objects.filter(pk=row.pk, version=row.version).update(
            status=mark.status,
            presence=mark.presence,
            updated_by=acting_user,
            updated_at=now,
            version=row.version + 1,
        )
        if not claimed:  # only possible without the session lock (SQLite)
            row.refresh_from_db()
            raise AttendanceConflictError(
                [AttendanceConflict(case_file=case_files[pk], current=row, yours=mark)]
            )
        row.version += 1
        record_audit_event(
            actor=acting_user,
            action=AuditEvent.Action.UPDATE,
            obj=row,
            case_file=case_files[pk],
            changes=changes,
            version=row.version,
        )
        result.updated += 1
    return result


# --- walk-ins ---


@transaction.atomic
def walk_in_record(
    *, session: Session, acting_user: User, data: dict[str, Any]
) -> WalkIn:
    """Someone without a case file came: first name, age band, commune, gender."""
    if not access.can_take_attendance(acting_user, session):
        raise PermissionDenied
    _require_started(session)
    assert acting_user.organisation_id is not None  # a member (can_take_attendance)
    walk_in = WalkIn(
        session=session,
        organisation_id=acting_user.organisation_id,
        recorded_by=acting_user,
        **data,
    )
    if not walk_in.first_name.strip():
        raise ValidationError({"first_name": _("Give at least a first name.")})
    walk_in.save()
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.CREATE,
        obj=walk_in,
        case_file=None,
        changes={"session": [None, session.pk]},
    )
    return walk_in


@transaction.atomic
def walk_in_convert(
    *, walk_in: WalkIn, case_file: CaseFile, acting_user: User
) -> tuple[WalkIn, Attendance | None]:
    """Link a walk-in to the case file opened for them. If that case file is enrolled
    in the session's cohort, the walk-in's presence becomes an attendance row, so that
    it counts once, for the right person."""
    if not access.walk_ins_visible_to(acting_user).filter(pk=walk_in.pk).exists():
        raise PermissionDenied
    if not access.can_edit_case_file(acting_user, case_file):
        raise PermissionDenied
    current = WalkIn.objects.select_for_update().get(pk=walk_in.pk)
    if current.converted_case_file_id is not None:
        raise ValidationError(
            _("This walk-in is already linked to case file #%(pk)s.")
            % {"pk": current.converted_case_file_id}
        )
    current.converted_case_file = case_file
    current.converted_at = timezone.now()
    current.save(update_fields=["converted_case_file", "converted_at"])
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.UPDATE,
        obj=current,
        case_file=case_file,
        changes={"converted_case_file": [None, case_file.pk]},
    )
    attendance = None
    session = current.session
    enrolled = Enrolment.objects.filter(
        cohort_id=session.cohort_id,
        case_file=case_file,
        status=Enrolment.Status.ENROLLED,
    ).exists()
    if (
        enrolled
        and not Attendance.objects.filter(session=session, case_file=case_file).exists()
    ):
        attendance = Attendance.objects.create(
            session=session,
            case_file=case_file,
            status=Attendance.Status.PRESENT,
            presence=current.presence,
            recorded_by=acting_user,
            updated_by=acting_user,
        )
        record_audit_event(
            actor=acting_user,
            action=AuditEvent.Action.CREATE,
            obj=attendance,
            case_file=case_file,
            changes={
                "status": [None, attendance.status],
                "presence": [None, attendance.presence],
                "walk_in": [None, current.pk],
            },
            version=attendance.version,
        )
    return current, attendance


@transaction.atomic
def case_file_intake_from_walk_in(
    *,
    walk_in: WalkIn,
    acting_user: User,
    person_data: dict[str, Any] | None,
    case_data: dict[str, Any],
    existing_person: YoungPerson | None = None,
    confirmed_new_person: bool = False,
) -> CaseFile:
    """The intake of a walk-in: the case file is opened (youthtrack's intake, with its
    duplicate guard) and the walk-in linked to it, together or not at all."""
    case_file = case_services.case_file_intake(
        acting_user=acting_user,
        person_data=person_data,
        case_data=case_data,
        existing_person=existing_person,
        confirmed_new_person=confirmed_new_person,
    )
    walk_in_convert(walk_in=walk_in, case_file=case_file, acting_user=acting_user)
    return case_file


# --- exports ---


def record_export(*, acting_user: User, obj: models.Model, what: str) -> None:
    """An attendance sheet names participants: who printed or downloaded it is kept."""
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.EXPORT,
        obj=obj,
        case_file=None,
        changes={"export": [None, what]},
    )
