"""Consent to keeping a file and to sharing it."""

import datetime
from collections.abc import Callable, Sequence
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
    Organisation,
    Share,
    User,
    age_on,
)
from ..personal_data import Category, fields_of_category
from .cases import _require_case_editor
from .sharing import _end_share

Status = CaseFile.Status


def consent_errors(consent: Consent, *, birth_date: datetime.date) -> dict[str, str]:
    """What is wrong with a consent about to be recorded, by field (empty: nothing).
    Under 16 on the date it is given, it must come from a parent or guardian."""
    errors = {}
    today = timezone.localdate()
    if consent.given_on is None:
        errors["given_on"] = _("Give the date the consent was given.")
    elif consent.given_on > today:
        errors["given_on"] = _("The consent date cannot be in the future.")
    elif consent.expires_on and consent.expires_on < consent.given_on:
        errors["expires_on"] = _("A consent cannot end before it was given.")
    elif (
        age_on(birth_date, consent.given_on) < 16
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
    named = consent.sensitive_data or []
    if named and consent.purpose != Consent.Purpose.SHARING:
        errors["sensitive_data"] = _(
            "Only a consent to sharing with a partner names sensitive answers."
        )
    elif not isinstance(named, list) or not set(named) <= fields_of_category(
        CaseFile, Category.SENSITIVE
    ):
        errors["sensitive_data"] = _("Choose among the sensitive answers listed.")
    return errors


@transaction.atomic
def case_file_open_with_consent(
    *,
    open_case_file: Callable[..., CaseFile],
    acting_user: User,
    consent: dict[str, Any] | None,
    sharing_partners: Sequence[Organisation] = (),
    funder_reporting: bool = False,
    **intake: Any,
) -> CaseFile:
    """The intake: open the case file (``open_case_file`` takes
    ``case_file_intake``'s arguments) and record, in the same transaction, the
    consent to keep it (``consent``: given_by, guardian_name, given_on; ``None`` when
    it is not given yet, and the file is flagged until it is) with the sharing and
    reporting consents given with it. A refused consent opens nothing; its errors
    come with the file's in one round."""
    errors: dict[str, str] = {}
    if consent is None and (sharing_partners or funder_reporting):
        errors["partners"] = _(
            "Sharing and reporting consents are recorded with the consent to keep "
            "the file: record that one first."
        )
    person = intake.get("existing_person") or intake.get("person_data") or {}
    birth_date = (
        person.get("birth_date") if isinstance(person, dict) else person.birth_date
    )
    if consent is not None and birth_date is not None:
        errors |= consent_errors(
            Consent(purpose=Consent.Purpose.DATA_PROCESSING, **consent),
            birth_date=birth_date,
        )
    try:
        case_file = open_case_file(acting_user=acting_user, **intake)
    except ValidationError as error:
        if not errors:
            raise
        raise ValidationError({**error.update_error_dict({}), **errors}) from None
    if errors:
        raise ValidationError(errors)
    if consent is not None:
        purposes: list[dict[str, Any]] = [
            {"purpose": Consent.Purpose.DATA_PROCESSING},
            *(
                {"purpose": Consent.Purpose.SHARING, "partner": partner}
                for partner in sharing_partners
            ),
        ]
        if funder_reporting:
            purposes.append({"purpose": Consent.Purpose.FUNDER_REPORTING})
        for purpose in purposes:
            consent_record(
                case_file=case_file,
                acting_user=acting_user,
                data={**consent, **purpose},
            )
    return case_file


@transaction.atomic
def consent_record(
    *, case_file: CaseFile, acting_user: User, data: dict[str, Any]
) -> Consent:
    _require_case_editor(acting_user, case_file)
    consent = Consent(case_file=case_file, recorded_by=acting_user, **data)
    named = consent.sensitive_data
    errors = consent_errors(consent, birth_date=case_file.young_person.birth_date)
    if errors:
        raise ValidationError(errors)
    consent.save()
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.CONSENT,
        obj=consent,
        case_file=case_file,
        changes={"purpose": [None, consent.purpose]}
        | ({"sensitive_data": [None, consent.sensitive_data]} if named else {}),
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
