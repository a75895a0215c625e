"""Writes of outcomes, exits and follow-ups: each checks the permission, changes the
data and writes its audit row in one transaction."""

import calendar
import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from youthtrack.access import can_edit_case_file, can_record_outcome
from youthtrack.audit import record_audit_event
from youthtrack.jobs import TransientError, is_transient
from youthtrack.models import AuditEvent, CaseFile, User
from youthtrack.services import case_file_transition

from ..models import FollowUp, Outcome, evidence_storage

logger = logging.getLogger(__name__)

EVIDENCE_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}
# How far ahead an outcome may start (an offer or a training starting later).
MAX_DAYS_AHEAD = 366

# What a follow-up answer records as an outcome (unreachable records none).
SITUATION_OUTCOME = {
    FollowUp.Situation.EMPLOYED: Outcome.Kind.JOB,
    FollowUp.Situation.SELF_EMPLOYED: Outcome.Kind.SELF_EMPLOYMENT,
    FollowUp.Situation.TRAINING: Outcome.Kind.QUALIFYING_TRAINING,
    FollowUp.Situation.STUDIES: Outcome.Kind.RETURN_TO_STUDIES,
    FollowUp.Situation.JOB_SEARCH: Outcome.Kind.JOB_SEARCH,
    FollowUp.Situation.INACTIVE: Outcome.Kind.INACTIVE,
}


@dataclass(frozen=True)
class Evidence:
    """A checked evidence document: its content, its type and the name it was given."""

    upload: UploadedFile
    content_type: str
    name: str


def evidence_check(upload: UploadedFile) -> Evidence:
    """PDF, JPEG or PNG by content (not by name), at most the configured size."""
    limit = settings.OUTCOMES_EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            {
                "evidence_file": _("The document is too large: at most %(limit)s.")
                % {"limit": filesizeformat(limit)}
            }
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in EVIDENCE_TYPES:
        raise ValidationError(
            {
                "evidence_file": _(
                    "Only a PDF document or a JPEG or PNG picture can be kept as "
                    "evidence."
                )
            }
        )
    name = (upload.name or "").rsplit("/", 1)[-1][:150] or _("document")
    return Evidence(upload=upload, content_type=kind.mime, name=name)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def follow_up_due_dates(exit_date: datetime.date) -> dict[str, datetime.date]:
    """The check of the situation upon leaving falls on the last day of the window
    (the last event in it counts); the second one six months after exit."""
    return {
        FollowUp.Kind.UPON_LEAVING: exit_date
        + datetime.timedelta(days=settings.OUTCOMES_UPON_LEAVING_DAYS),
        FollowUp.Kind.SIX_MONTHS: _add_months(exit_date, 6),
    }


def _validate_outcome(outcome: Outcome, case_file: CaseFile) -> None:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if outcome.start_date < case_file.entry_date:
        errors.setdefault("start_date", []).append(
            _("An outcome cannot start before the entry date (%(date)s).")
            % {"date": formats.date_format(case_file.entry_date, "SHORT_DATE_FORMAT")}
        )
    elif outcome.start_date > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        errors.setdefault("start_date", []).append(
            _("The start date is more than a year away.")
        )
    if outcome.end_date is not None and outcome.end_date < outcome.start_date:
        errors.setdefault("end_date", []).append(
            _("The end date cannot be before the start date.")
        )
    if outcome.kind in Outcome.JOB_KINDS:
        if outcome.weekly_hours is not None and not (
            Decimal("0") < outcome.weekly_hours <= Decimal("60")
        ):
            errors.setdefault("weekly_hours", []).append(
                _("Give the hours a week, between 1 and 60.")
            )
    else:
        # Contract and hours describe a job only: not kept for anything else.
        outcome.contract_kind = ""
        outcome.weekly_hours = None
    if errors:
        raise ValidationError(errors)


@contextmanager
def _evidence_kept_only_on_commit() -> Iterator[list[str]]:
    """Evidence files stored by a service that then fails are deleted again."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            evidence_storage.delete(name)
        raise


def _outcome_save(
    outcome: Outcome, *, acting_user: User, evidence: Evidence | None, stored: list
) -> Outcome:
    """Save a validated outcome, its evidence file and its audit row."""
    if evidence is not None:
        outcome.evidence_name = evidence.name
        outcome.evidence_content_type = evidence.content_type
        outcome.evidence_file.save(
            "evidence" + EVIDENCE_TYPES[evidence.content_type],
            evidence.upload,
            save=False,
        )
        stored.append(outcome.evidence_file.name)
    outcome.save()
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.CREATE,
        obj=outcome,
        case_file=outcome.case_file,
        changes={
            "kind": [None, outcome.kind],
            "start_date": [None, outcome.start_date.isoformat()],
            "evidence": [None, bool(outcome.evidence_file)],
        },
    )
    return outcome


def _new_outcome(
    *, case_file: CaseFile, acting_user: User, data: dict[str, Any]
) -> Outcome:
    return Outcome(case_file=case_file, recorded_by=acting_user, **data)


def outcome_record(
    *,
    case_file: CaseFile,
    acting_user: User,
    data: dict[str, Any],
    evidence: Evidence | None = None,
) -> Outcome:
    """Record what happened to the young person (the owner's advisors, or a partner
    the case is shared with under the "outcomes" scope)."""
    if not can_record_outcome(acting_user, case_file):
        raise PermissionDenied
    outcome = _new_outcome(case_file=case_file, acting_user=acting_user, data=data)
    _validate_outcome(outcome, case_file)
    with _evidence_kept_only_on_commit() as stored, transaction.atomic():
        return _outcome_save(
            outcome, acting_user=acting_user, evidence=evidence, stored=stored
        )


def participation_exit(
    *,
    case_file: CaseFile,
    acting_user: User,
    exit_date: datetime.date,
    exit_reason: str,
    comment: str,
    expected_version: int,
    outcome_data: dict[str, Any] | None,
    evidence: Evidence | None = None,
) -> CaseFile:
    """Close a participation and record the situation upon leaving in the same step;
    the follow-ups are scheduled from the exit (``follow_ups_on_exit_change``)."""
    if not can_edit_case_file(acting_user, case_file):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    outcome = None
    if outcome_data is not None:
        outcome = _new_outcome(
            case_file=case_file, acting_user=acting_user, data=outcome_data
        )
        try:
            _validate_outcome(outcome, case_file)
        except ValidationError as error:
            errors.update(error.message_dict)
    if outcome is None and evidence is not None:
        errors["kind"] = [_("Say which situation the document shows.")]
    with _evidence_kept_only_on_commit() as stored, transaction.atomic():
        try:
            closed = case_file_transition(
                case_file=case_file,
                acting_user=acting_user,
                to_status=CaseFile.Status.CLOSED,
                effective_date=exit_date,
                exit_reason=exit_reason,
                comment=comment,
                expected_version=expected_version,
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                raise
            for field, messages in error.message_dict.items():
                target = "exit_date" if field == "effective_date" else field
                errors.setdefault(target, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        if outcome is not None:
            outcome.case_file = closed
            _outcome_save(
                outcome, acting_user=acting_user, evidence=evidence, stored=stored
            )
        return closed


def follow_ups_follow_advisor(*, case_file: CaseFile) -> None:
    """The file's follow-ups take its (new) advisor in charge, whose dashboard lists
    them (the copy ``FollowUp.advisor``); in the file's transaction."""
    FollowUp.objects.filter(case_file=case_file).exclude(
        advisor_id=case_file.advisor_id
    ).update(advisor_id=case_file.advisor_id)


def follow_ups_on_exit_change(
    *, case_file: CaseFile, acting_user: User | None, change: str
) -> None:
    """Closing schedules both follow-ups (moving those still open); correcting the
    exit date moves the open ones; reopening withdraws the open ones (the
    participation goes on; answered ones stay, with the outcomes they recorded)."""
    open_ones = FollowUp.objects.filter(case_file=case_file, answered_on__isnull=True)
    if change == "reopened" or case_file.exit_date is None:
        for withdrawn in open_ones:
            record_audit_event(
                actor=acting_user,
                action=AuditEvent.Action.DELETE,
                obj=withdrawn,
                case_file=case_file,
                changes={"due_on": [withdrawn.due_on.isoformat(), None]},
            )
        open_ones.delete()
        return
    by_kind = {follow_up.kind: follow_up for follow_up in open_ones}
    for kind, due_on in follow_up_due_dates(case_file.exit_date).items():
        follow_up = by_kind.get(kind)
        if follow_up is None:
            if change != "closed":
                continue  # a correction moves open ones; answered ones stay answered
            follow_up = FollowUp.objects.create(
                case_file=case_file,
                kind=kind,
                due_on=due_on,
                advisor_id=case_file.advisor_id,
            )
            record_audit_event(
                actor=acting_user,
                action=AuditEvent.Action.CREATE,
                obj=follow_up,
                case_file=case_file,
                changes={"due_on": [None, due_on.isoformat()]},
            )
        elif follow_up.due_on != due_on:
            before = follow_up.due_on
            follow_up.due_on = due_on
            follow_up.reminder_sent_at = None  # a new date, a new reminder
            follow_up.save(update_fields=["due_on", "reminder_sent_at"])
            record_audit_event(
                actor=acting_user,
                action=AuditEvent.Action.UPDATE,
                obj=follow_up,
                case_file=case_file,
                changes={"due_on": [before.isoformat(), due_on.isoformat()]},
            )


def follow_up_answer(
    *,
    follow_up: FollowUp,
    acting_user: User,
    situation: str,
    attempts: int,
    comment: str,
    outcome_data: dict[str, Any] | None,
    evidence: Evidence | None = None,
) -> FollowUp:
    """Record the answer of a follow-up; a situation that is an outcome records it."""
    case_file = follow_up.case_file
    if not can_record_outcome(acting_user, case_file):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    needed = settings.OUTCOMES_UNREACHABLE_ATTEMPTS
    if situation == FollowUp.Situation.UNREACHABLE and attempts < needed:
        errors["attempts"] = [
            _(
                "“Unreachable” is an answer after %(count)s attempts to reach the "
                "young person."
            )
            % {"count": needed}
        ]
    outcome = None
    kind = SITUATION_OUTCOME.get(situation)  # type: ignore[call-overload]
    if kind is not None:
        outcome = _new_outcome(
            case_file=case_file,
            acting_user=acting_user,
            data={**(outcome_data or {}), "kind": kind},
        )
        try:
            _validate_outcome(outcome, case_file)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with _evidence_kept_only_on_commit() as stored, transaction.atomic():
        current = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if current.answered_on is not None:
            raise ValidationError(_("This follow-up was already answered."))
        if outcome is not None:
            _outcome_save(
                outcome, acting_user=acting_user, evidence=evidence, stored=stored
            )
        current.situation = situation
        current.attempts = attempts
        current.comment = comment
        current.outcome = outcome
        current.answered_on = timezone.localdate()
        current.answered_by = acting_user
        current.save()
        record_audit_event(
            actor=acting_user,
            action=AuditEvent.Action.UPDATE,
            obj=current,
            case_file=case_file,
            changes={"situation": [None, situation], "attempts": [None, attempts]},
        )
        return current


def evidence_record_download(*, outcome: Outcome, acting_user: User) -> None:
    """Who opened an evidence document is in the case file's audit trail."""
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.VIEW,
        obj=outcome,
        case_file=outcome.case_file,
        changes={"evidence": [None, "downloaded"]},
    )


def _reminder_due() -> Q:
    return Q(
        answered_on__isnull=True,
        reminder_sent_at__isnull=True,
        due_on__lte=timezone.localdate(),
        case_file__status=CaseFile.Status.CLOSED,
    )


def follow_up_reminders_send() -> int:
    """E-mail each advisor once for each follow-up that fell due. Each follow-up is
    claimed with a conditional UPDATE before its e-mail goes: a second run, or a
    second worker, finds nothing left to claim. Returns how many were sent."""
    sent = 0
    candidates = (
        FollowUp.objects.filter(_reminder_due())
        .exclude(case_file__advisor__isnull=True)
        .exclude(case_file__advisor__email="")
        .values_list("pk", flat=True)
    )
    for pk in list(candidates[:500]):
        claimed = FollowUp.objects.filter(_reminder_due(), pk=pk).update(
            reminder_sent_at=timezone.now()
        )
        if not claimed:
            continue
        follow_up = FollowUp.objects.select_related("case_file__advisor").get(pk=pk)
        try:
            _send_reminder(follow_up)
        except Exception as error:
            # Not sent: let the next run try again. When the mail server is away or
            # says "try later", stop here: the task retries with backoff (those
            # already sent stay claimed and are not sent twice).
            FollowUp.objects.filter(pk=pk).update(reminder_sent_at=None)
            if is_transient(error):
                raise TransientError(f"follow-up reminder {pk} not sent") from error
            logger.exception("follow-up reminder %s not sent", pk)
            continue
        sent += 1
    return sent


def _send_reminder(follow_up: FollowUp) -> None:
    """The e-mail names the case file's number, never the young person."""
    advisor = follow_up.case_file.advisor
    assert advisor is not None
    link = settings.YOUTHTRACK_SITE_URL.rstrip("/") + reverse(
        "outcomes:follow_up_answer", args=[follow_up.case_file_id, follow_up.pk]
    )
    with translation.override(advisor.messages_language):
        subject = _("Follow-up due: case file #%(pk)s") % {"pk": follow_up.case_file_id}
        body = _(
            "%(kind)s of case file #%(pk)s is due on %(date)s.\n\n"
            "Record the answer here: %(link)s"
        ) % {
            "kind": follow_up.get_kind_display(),
            "pk": follow_up.case_file_id,
            "date": formats.date_format(follow_up.due_on, "SHORT_DATE_FORMAT"),
            "link": link,
        }
    send_mail(subject, body, None, [advisor.email])
