"""Sharing case files with partner organisations (referrals and guardian grants)."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from ..access import (
    SCOPE_PERMISSIONS,
    can_override_consent,
    can_share,
)
from ..audit import record_audit_event
from ..models import (
    AuditEvent,
    CaseFile,
    CaseFileGroupObjectPermission,
    Consent,
    Organisation,
    Share,
    User,
    age_on,
)

logger = logging.getLogger(__name__)

Status = CaseFile.Status


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
        owner_organisation_id=case_file.owner_organisation_id,
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
        or not user.reads_case_files
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
def share_decline(*, share: Share, acting_user: User, reason: str) -> Share:
    """The partner declines a referral, saying why. The owner's advisor finds it on
    their dashboard and is told by e-mail (the case file's number only)."""
    _require_partner_member(acting_user, share)
    share = (
        Share.objects.select_for_update(of=("self",))
        .select_related("case_file__advisor", "created_by", "partner")
        .get(pk=share.pk)
    )
    if share.status != Share.Status.PENDING:
        raise ValidationError(_("This sharing is no longer awaiting an answer."))
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Say why your organisation declines this referral.")}
        )
    share.status = Share.Status.DECLINED
    share.answered_by = acting_user
    share.answered_at = timezone.now()
    share.decline_reason = reason.strip()
    share.save(update_fields=["status", "answered_by", "answered_at", "decline_reason"])
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.DECLINE,
        obj=share,
        case_file=share.case_file,
        # The reason is on the sharing: typed text stays out of the trail.
        changes={"status": [Share.Status.PENDING, Share.Status.DECLINED]},
    )
    _tell_owner_of_decline(share)
    return share


def decline_recipient(share: Share) -> User | None:
    """Whom a decline is for: the advisor in charge of the file, else who shared it."""
    return share.case_file.advisor or share.created_by


def _recipient_language(user: User) -> str:
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    known = {code for code, _name in settings.LANGUAGES}
    return language if language in known else settings.LANGUAGE_CODE


def _tell_owner_of_decline(share: Share) -> None:
    """E-mail once the decline is saved. Only the case file's number and the partner
    are named (an e-mail leaves the system); the reason is read on the case page."""
    recipient = decline_recipient(share)
    if recipient is None or not recipient.email:
        return
    link = settings.YOUTHTRACK_SITE_URL.rstrip("/") + reverse(
        "case_detail", args=[share.case_file_id]
    )
    with translation.override(_recipient_language(recipient)):
        subject = _("Referral declined: case file #%(pk)s") % {"pk": share.case_file_id}
        body = _(
            "%(partner)s declined the referral of case file #%(pk)s.\n\n"
            "Their reason is on the case page: %(link)s"
        ) % {"partner": share.partner, "pk": share.case_file_id, "link": link}
    address, share_pk = recipient.email, share.pk

    def send() -> None:
        try:
            send_mail(subject, body, None, [address])
        except Exception:  # the decline is saved; a mail server down must not hide it
            logger.exception("Could not tell of the decline of sharing %s", share_pk)

    transaction.on_commit(send)


def share_declines_seen(*, case_file: CaseFile, acting_user: User) -> int:
    """The advisor the declines of this file are for has opened it, where each
    decline reads with its reason: their dashboard notices go. Others' visits
    change nothing."""
    if not acting_user.is_authenticated or not acting_user.works_on_cases:
        return 0
    if case_file.owner_organisation_id != acting_user.organisation_id:
        return 0
    for_user = (
        Q(created_by_id=acting_user.pk)
        if case_file.advisor_id is None
        else Q(pk__isnull=False)
    )
    if case_file.advisor_id not in (None, acting_user.pk):
        return 0
    return (
        Share.objects.filter(
            case_file=case_file,
            status=Share.Status.DECLINED,
            decline_seen_at__isnull=True,
        )
        .filter(for_user)
        .update(decline_seen_at=timezone.now())
    )


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
