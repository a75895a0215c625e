"""Consent to keeping a file and to sharing it."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import record_audit_event
from ..models import (
    AuditEvent,
    CaseFile,
    Consent,
    Share,
    User,
    age_on,
)
from .cases import _require_case_editor
from .sharing import _end_share

Status = CaseFile.Status


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
    elif consent.expires_on and consent.expires_on < consent.given_on:
        errors["expires_on"] = _("A consent cannot end before it was given.")
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
        action=AuditEvent.Action.CONSENT,
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
        action=AuditEvent.Action.WITHDRAW,
        obj=consent,
        case_file=consent.case_file,
        changes={"withdrawn_on": [None, withdrawn_on.isoformat()]},
    )
    # Access ends with the consent, at once.
    for share in consent.shares.filter(
        status__in=[Share.Status.PENDING, Share.Status.ACCEPTED]
    ).select_related("partner__group"):
        _end_share(share, status=Share.Status.WITHDRAWN, acting_user=acting_user)
    return consent
