"""Writes of distance-travelled assessments and goals: each checks the acting user's
right on the case file, saves, and writes its audit row in the same transaction."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from youthtrack.access import can_record_outcome
from youthtrack.audit import record_audit_event
from youthtrack.models import AuditEvent, CaseFile, User
from youthtrack.services import versioned_update

from ..models import Assessment, Goal


def _check(user: User, case_file: CaseFile) -> None:
    """The case file's editors and partners with the outcomes scope."""
    if not can_record_outcome(user, case_file):
        raise PermissionDenied


def validate_assessment(assessment: Assessment) -> None:
    if assessment.assessed_on and assessment.assessed_on > timezone.localdate():
        raise ValidationError(
            {"assessed_on": _("An assessment cannot be dated in the future.")}
        )
    entry = assessment.case_file.entry_date
    if assessment.assessed_on and entry and assessment.assessed_on < entry:
        raise ValidationError(
            {"assessed_on": _("An assessment cannot be dated before the entry date.")}
        )
    # The model's validators (1 to 10) hold in the service too, not only in forms.
    try:
        assessment.full_clean(exclude=["case_file", "recorded_by", "version"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None


@transaction.atomic
def assessment_record(
    *, case_file: CaseFile, moment: str, acting_user: User, data: dict[str, Any]
) -> Assessment:
    """The assessment of a moment, taken for the first time."""
    _check(acting_user, case_file)
    assessment = Assessment(
        case_file=case_file, moment=moment, recorded_by=acting_user, **data
    )
    validate_assessment(assessment)
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError:
        raise ValidationError(
            _(
                "This assessment was recorded by someone else meanwhile. Reload the "
                "page to see it."
            )
        ) from None
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.CREATE,
        obj=assessment,
        case_file=case_file,
        version=assessment.version,
    )
    return assessment


@transaction.atomic
def assessment_update(
    *,
    assessment: Assessment,
    acting_user: User,
    data: dict[str, Any],
    expected_version: int,
) -> Assessment:
    _check(acting_user, assessment.case_file)
    updated, _changed = versioned_update(
        instance=assessment,
        data=data,
        expected_version=expected_version,
        acting_user=acting_user,
        case_file=assessment.case_file,
        validate=validate_assessment,
    )
    return updated


def validate_goal(goal: Goal) -> None:
    errors = {}
    if goal.reviewed_on and goal.reviewed_on > timezone.localdate():
        errors["reviewed_on"] = _("A review cannot be dated in the future.")
    if goal.review_note and not goal.reviewed_on:
        errors["reviewed_on"] = _("Say when the goal was reviewed.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def goal_create(
    *, case_file: CaseFile, acting_user: User, data: dict[str, Any]
) -> Goal:
    _check(acting_user, case_file)
    goal = Goal(case_file=case_file, created_by=acting_user, **data)
    validate_goal(goal)
    goal.save()
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.CREATE,
        obj=goal,
        case_file=case_file,
        version=goal.version,
    )
    return goal


@transaction.atomic
def goal_update(
    *, goal: Goal, acting_user: User, data: dict[str, Any], expected_version: int
) -> Goal:
    """Edit or review a goal (its status, review date and note)."""
    _check(acting_user, goal.case_file)
    updated, _changed = versioned_update(
        instance=goal,
        data=data,
        expected_version=expected_version,
        acting_user=acting_user,
        case_file=goal.case_file,
        validate=validate_goal,
    )
    return updated
