"""Writes. Each service takes the acting user, checks the permission, validates the
business rules, changes the data and writes its audit row in one transaction."""

import base64
import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.shortcuts import assign_perm

from .access import (
    SCOPE_PERMISSIONS,
    can_add_note,
    can_edit_case_file,
    can_edit_note,
    can_override_consent,
    can_share,
    case_files_visible_to,
)
from .audit import record_audit_event
from .models import (
    AuditEvent,
    CaseFile,
    CaseFileGroupObjectPermission,
    CaseStatusChange,
    Consent,
    Note,
    Organisation,
    Share,
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

    def __init__(self, changes: list[FieldChange], current: models.Model):
        super().__init__("stale edit")
        self.changes = changes
        self.current = current  # the record as it is now in the database


class DuplicatePersonError(Exception):
    """A young person with the same name and birth date is already registered."""

    def __init__(self, matches: list[YoungPerson]):
        super().__init__("possible duplicate")
        self.matches = matches


def allowed_transitions(case_file: CaseFile) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == case_file.status]


# --- audit ---


def comparable_value(value: Any) -> Any:
    """A value in the JSON-friendly form the audit trail stores (``_raw``)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date):  # datetimes included
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple | set | models.QuerySet):  # many-to-many
        return sorted(comparable_value(item) for item in value)
    return str(value)


def _raw(instance: models.Model, field_name: str) -> Any:
    """A field's stored value in a JSON-friendly form, for the audit trail. It is shown
    in the reader's language later (``selectors.changes_since``)."""
    field = instance._meta.get_field(field_name)
    return comparable_value(getattr(instance, getattr(field, "attname", field_name)))


def _save_versioned(
    *,
    instance: CaseFile | YoungPerson | Note,
    data: dict[str, Any],
    expected_version: int,
    acting_user: User,
    case_file: CaseFile | None,
    validate,
    action: str = AuditEvent.Action.UPDATE,
) -> tuple[Any, dict[str, list[str]]]:
    """Apply ``data`` to the current row unless someone saved it since
    ``expected_version``; refuse with what they changed otherwise."""
    model = type(instance)
    current = model.objects.get(pk=instance.pk)
    if current.version != expected_version:
        raise StaleEditError(
            changes_since(obj=current, version=expected_version), current
        )
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
        fresh = model.objects.get(pk=current.pk)
        raise StaleEditError(changes_since(obj=fresh, version=expected_version), fresh)
    current.version = expected_version + 1
    current.save()
    record_audit_event(
        actor=acting_user,
        action=action,
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
    if (
        existing_person is not None
        and not case_files_visible_to(acting_user)
        .filter(young_person_id=existing_person.pk)
        .exists()
    ):
        # Only a person the user already sees through a case file can be reused.
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
    if young_person.pk != case_file.young_person_id:
        raise PermissionDenied
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
    updated, _changed = _save_versioned(
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


# --- sharing with partner organisations ---


def organisation_group(organisation: Organisation) -> Group:
    """The guardian group through which an organisation receives shared case files."""
    if organisation.group is not None:
        return organisation.group
    group, _created = Group.objects.get_or_create(
        name=f"organisation:{organisation.code}"
    )
    Organisation.objects.filter(pk=organisation.pk).update(group=group)
    organisation.group = group
    return group


def consent_covering_share(
    *, case_file: CaseFile, partner: Organisation, day: datetime.date
) -> Consent | None:
    """The recorded consent that allows sharing with this partner on this day.

    A minor under 16 on the day of the consent must have consented through a parent
    or guardian; such a consent recorded otherwise does not count."""
    candidates = case_file.consents.filter(
        purpose=Consent.Purpose.SHARING,
        partner=partner,
        given_on__lte=day,
        withdrawn_on__isnull=True,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
    birth_date = case_file.young_person.birth_date
    for consent in candidates.order_by("-given_on"):
        if (
            age_on(birth_date, consent.given_on) < 16
            and consent.given_by != Consent.GivenBy.GUARDIAN
        ):
            continue
        return consent
    return None


@transaction.atomic
def case_file_share(
    *,
    case_file: CaseFile,
    acting_user: User,
    partner: Organisation,
    purpose: str,
    scope: str,
    end_date: datetime.date | None = None,
    override_reason: str = "",
) -> Share:
    """Refer a case file to a partner organisation. It needs a recorded consent
    covering that partner; sharing without one needs a separate permission and a
    written reason, and is logged as such."""
    if not can_share(acting_user, case_file):
        raise PermissionDenied
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if partner.pk == case_file.owner_organisation_id:
        errors["partner"] = _("The case file already belongs to this organisation.")
    elif not partner.is_active:
        errors["partner"] = _("This organisation is no longer active.")
    elif case_file.shares.filter(
        partner=partner, status__in=[Share.Status.PENDING, Share.Status.ACCEPTED]
    ).exists():
        errors["partner"] = _(
            "The case file is already shared with %(partner)s. Revoke that sharing "
            "first to change it."
        ) % {"partner": partner}
    if end_date is not None and end_date < today:
        errors["end_date"] = _("The end of the sharing cannot be in the past.")
    if not purpose.strip():
        errors["purpose"] = _("Say why the case file is shared.")
    consent = None
    if "partner" not in errors:
        consent = consent_covering_share(
            case_file=case_file, partner=partner, day=today
        )
        if consent is None and not override_reason.strip():
            errors["partner"] = _(
                "No recorded consent covers sharing with %(partner)s. Record the "
                "young person's consent first (a parent's or guardian's under 16)."
            ) % {"partner": partner}
        elif consent is None and not can_override_consent(acting_user):
            errors["override_reason"] = _(
                "You are not allowed to share a case file without a recorded consent."
            )
    if errors:
        raise ValidationError(errors)
    share = Share.objects.create(
        case_file=case_file,
        partner=partner,
        purpose=purpose.strip(),
        scope=scope,
        end_date=end_date,
        consent=consent,
        override_reason="" if consent else override_reason.strip(),
        created_by=acting_user,
    )
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.SHARE,
        obj=share,
        case_file=case_file,
        changes={
            "partner": [None, partner.pk],
            "scope": [None, scope],
            "end_date": [None, end_date.isoformat() if end_date else None],
        },
    )
    if consent is None:
        record_audit_event(
            actor=acting_user,
            action=AuditEvent.Action.OVERRIDE,
            obj=share,
            case_file=case_file,
            changes={"override_reason": [None, share.override_reason]},
        )
    return share


def _require_partner_member(user: User, share: Share) -> None:
    if (
        not user.is_authenticated
        or user.organisation_id != share.partner_id
        or user.role == User.Role.ADMIN
    ):
        raise PermissionDenied


def share_accept(*, share: Share, acting_user: User) -> Share:
    _require_partner_member(acting_user, share)
    with transaction.atomic():
        share = (
            Share.objects.select_for_update().select_related("partner").get(pk=share.pk)
        )
        if share.status != Share.Status.PENDING:
            raise ValidationError(
                _("This sharing is no longer awaiting an answer (%(status)s).")
                % {"status": share.get_status_display()}
            )
        if share.end_date is None or share.end_date >= timezone.localdate():
            group = organisation_group(share.partner)
            for codename in SCOPE_PERMISSIONS[Share.Scope(share.scope)]:
                assign_perm(f"youthtrack.{codename}", group, share.case_file)
            share.status = Share.Status.ACCEPTED
            share.answered_by = acting_user
            share.answered_at = timezone.now()
            share.save(update_fields=["status", "answered_by", "answered_at"])
            record_audit_event(
                actor=acting_user,
                action=AuditEvent.Action.ACCEPT,
                obj=share,
                case_file=share.case_file,
            )
            return share
        # Too late: the referral ended before it was answered. That is recorded
        # (committed) before the refusal is raised.
        _end_share(share, status=Share.Status.EXPIRED, acting_user=None)
    raise ValidationError(_("This sharing has expired."))


@transaction.atomic
def share_decline(*, share: Share, acting_user: User) -> Share:
    _require_partner_member(acting_user, share)
    share = Share.objects.select_for_update().get(pk=share.pk)
    if share.status != Share.Status.PENDING:
        raise ValidationError(_("This sharing is no longer awaiting an answer."))
    share.status = Share.Status.DECLINED
    share.answered_by = acting_user
    share.answered_at = timezone.now()
    share.save(update_fields=["status", "answered_by", "answered_at"])
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.DECLINE,
        obj=share,
        case_file=share.case_file,
    )
    return share


def _end_share(share: Share, *, status: str, acting_user: User | None) -> None:
    """End a sharing and take the partner's access away in the same transaction."""
    if share.partner.group_id is not None:
        CaseFileGroupObjectPermission.objects.filter(
            group_id=share.partner.group_id, content_object_id=share.case_file_id
        ).delete()
    Share.objects.filter(pk=share.pk).update(
        status=status, ended_by=acting_user, ended_at=timezone.now()
    )
    share.status = status
    action = {
        Share.Status.REVOKED: AuditEvent.Action.REVOKE,
        Share.Status.EXPIRED: AuditEvent.Action.EXPIRE,
        Share.Status.WITHDRAWN: AuditEvent.Action.WITHDRAW,
    }[Share.Status(status)]
    record_audit_event(
        actor=acting_user,
        action=action,
        obj=share,
        case_file=share.case_file,
        changes={"status": [None, status]},
    )


@transaction.atomic
def share_revoke(*, share: Share, acting_user: User) -> Share:
    if not can_share(acting_user, share.case_file):
        raise PermissionDenied
    share = Share.objects.select_for_update().select_related("partner").get(pk=share.pk)
    if not share.is_live:
        raise ValidationError(_("This sharing has already ended."))
    _end_share(share, status=Share.Status.REVOKED, acting_user=acting_user)
    return share


@transaction.atomic
def shares_expire_due(*, today: datetime.date | None = None) -> int:
    """End the sharings whose end date has passed or whose consent has lapsed.

    Safe to run twice: only live sharings are touched."""
    today = today or timezone.localdate()
    lapsed_consent = Q(consent__isnull=False) & (
        Q(consent__expires_on__lt=today) | Q(consent__withdrawn_on__isnull=False)
    )
    due = (
        Share.objects.select_for_update(of=("self",))
        .filter(status__in=[Share.Status.PENDING, Share.Status.ACCEPTED])
        .filter(Q(end_date__lt=today) | lapsed_consent)
        .select_related("partner", "case_file")
    )
    count = 0
    for share in due:
        _end_share(share, status=Share.Status.EXPIRED, acting_user=None)
        count += 1
    return count


# --- case file views and exports (audited reads) ---


def case_file_record_view(*, case_file: CaseFile, acting_user: User) -> None:
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.VIEW,
        obj=case_file,
        case_file=case_file,
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


# --- two-factor authentication ---


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="youthtrack", confirmed=False
        )
    return device


def totp_device_confirm(*, device: TOTPDevice, acting_user: User, token: str) -> bool:
    if device.user_id != acting_user.pk:
        raise PermissionDenied
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=acting_user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_audit_event(
            actor=acting_user,
            action=AuditEvent.Action.UPDATE,
            obj=acting_user,
            case_file=None,
            changes={"two_factor": [False, True]},
        )
    return True


def totp_secret_for_display(device: TOTPDevice) -> str:
    """The secret in the base32 form authenticator apps accept when typed in."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
