"""Accounts changed by an administrator: every change is in the audit trail and told
to the account's owner by e-mail; a password an administrator chose must be changed
at the next login; a change that would let an account read case files (or make it a
superuser) waits for a second administrator.

An administrator who sets an advisor's password to read their files as them is
therefore seen three times: in the trail, in the advisor's mailbox, and by the advisor
who can no longer log in with their own password."""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..audit import record_audit_event
from ..models import AccountChangeRequest, AuditEvent, Organisation, Programme, User

logger = logging.getLogger(__name__)

# Roles that read young people's data: their own organisation's case files (advisors,
# leads, through the programmes they lead), those shared with it (partner staff), or
# everything held about its young people (the data protection officer).
CASE_READING_ROLES = frozenset(
    {User.Role.ADVISOR, User.Role.LEAD, User.Role.PARTNER, User.Role.DPO}
)

# What decides which case files an account reads, and whether it is a superuser.
ACCESS_FIELDS = (
    "role",
    "organisation",
    "programmes_led",
    "is_active",
    "is_superuser",
    "is_data_protection_officer",
)

# Other account fields whose change the owner is told about.
NOTIFIED_FIELDS = ("is_staff", "username", "email", "first_name", "last_name")

# What the e-mail says for changes that are not a field's value.
EVENT_LABELS = {
    "password": gettext_lazy(
        "Password: set by an administrator. You will be asked to choose a new one "
        "at your next login."
    ),
    "password_disabled": gettext_lazy("Password: login with a password turned off."),
    "two_factor": gettext_lazy(
        "Two-factor authentication: reset (your authenticator app no longer works "
        "for this account)."
    ),
    "account": gettext_lazy("Account: created."),
}


def access_state(user: User, *, programmes_led=None) -> dict[str, Any]:
    """The account's access as plain values (organisation and programmes as ids)."""
    if programmes_led is None:
        programmes_led = user.programmes_led.all() if user.pk else []
    return {
        "role": user.role,
        "organisation": user.organisation_id,
        "programmes_led": sorted(p.pk for p in programmes_led),
        "is_active": user.is_active,
        "is_superuser": user.is_superuser,
        "is_data_protection_officer": user.is_data_protection_officer,
    }


# An account that does not exist yet reads nothing.
NO_ACCESS: dict[str, Any] = {
    "role": User.Role.ADMIN,
    "organisation": None,
    "programmes_led": [],
    "is_active": False,
    "is_superuser": False,
    "is_data_protection_officer": False,
}


def _reads_cases(state: dict[str, Any]) -> bool:
    """Reads young people's data: a case-reading role, or an administrator who holds
    the data protection officer's role."""
    dpo = state["role"] == User.Role.ADMIN and state.get("is_data_protection_officer")
    return bool(state["is_active"] and (state["role"] in CASE_READING_ROLES or dpo))


def needs_second_administrator(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether going from ``old`` to ``new`` gives the account something to read or
    makes it a superuser. Taking access away never waits."""
    if new["is_superuser"] and not old["is_superuser"]:
        return True
    if not _reads_cases(new):
        return False
    if not _reads_cases(old) or old["role"] != new["role"]:
        return True
    if old["organisation"] != new["organisation"]:
        return True
    added = set(new["programmes_led"]) - set(old["programmes_led"])
    return bool(added and new["role"] == User.Role.LEAD)


def access_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list]:
    return {
        name: [old[name], new[name]] for name in ACCESS_FIELDS if old[name] != new[name]
    }


# --- Telling the owner ---


def _describe_value(name: str, value: Any) -> str:
    if name == "role":
        return str(User.Role(value).label) if value else "—"
    if name == "organisation":
        organisation = Organisation.objects.filter(pk=value).first()
        return str(organisation) if organisation else "—"
    if name == "programmes_led":
        names = [str(p) for p in Programme.objects.filter(pk__in=value or [])]
        return ", ".join(sorted(names)) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value) if value not in (None, "") else "—"


def _describe_changes(changes: dict[str, list]) -> list[str]:
    lines = []
    for name, values in changes.items():
        if name in EVENT_LABELS:
            lines.append(str(EVENT_LABELS[name]))
            continue
        field = User._meta.get_field(name)
        assert isinstance(field, models.Field)  # a change is to one of User's fields
        label = str(field.verbose_name)
        old, new = values
        lines.append(
            _("%(field)s: %(old)s → %(new)s")
            % {
                "field": label[:1].upper() + label[1:],
                "old": _describe_value(name, old),
                "new": _describe_value(name, new),
            }
        )
    return lines


def _owner_language(account: User) -> str:
    language = getattr(account, "language", "") or settings.LANGUAGE_CODE
    known = {code for code, _name in settings.LANGUAGES}
    return language if language in known else settings.LANGUAGE_CODE


def account_owner_notify(
    *,
    account: User,
    acting_user: User | None,
    changes: dict[str, list],
    approved_by: User | None = None,
) -> None:
    """E-mail the account's owner, in their language, what changed, who changed it,
    when, and whom to contact; sent once the change is saved."""
    if not account.email or not changes:
        return
    at = timezone.localtime()
    with translation.override(_owner_language(account)):
        context = {
            "name": account.get_full_name() or account.username,
            "username": account.username,
            "actor": str(acting_user) if acting_user else _("the system"),
            "actor_email": getattr(acting_user, "email", ""),
            "approved_by": str(approved_by) if approved_by else "",
            "when": date_format(at, "DATETIME_FORMAT"),
            "lines": _describe_changes(changes),
            "contact": settings.ACCOUNT_SECURITY_CONTACT,
        }
        subject = _("Your youthtrack account was changed")
        body = render_to_string("account/email/account_changed.txt", context)
    recipient = account.email
    account_pk = account.pk

    def send() -> None:
        try:
            send_mail(subject, body, None, [recipient])
        except Exception:  # the change is saved; a mail server down must not hide it
            logger.exception("Could not tell account %s of a change", account_pk)

    transaction.on_commit(send)


def account_changes_record(
    *, account: User, acting_user: User, changes: dict[str, list], created=False
) -> None:
    """Audit row and e-mail for changes already applied to the account (names and
    values of fields; never password material)."""
    if not changes:
        return
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=account,
        case_file=None,
        changes=changes,
    )
    if account.pk != acting_user.pk:
        account_owner_notify(account=account, acting_user=acting_user, changes=changes)


@transaction.atomic
def account_password_set_by_admin(*, account: User, acting_user: User) -> None:
    """An administrator chose the password: its owner must change it at the next
    login (unless the administrator set their own)."""
    if not account.has_usable_password():
        changes = {"password_disabled": [None, None]}
    else:
        changes = {"password": [None, None]}
        if account.pk != acting_user.pk:
            User.objects.filter(pk=account.pk).update(must_change_password=True)
            account.must_change_password = True
    account_changes_record(account=account, acting_user=acting_user, changes=changes)


@transaction.atomic
def account_password_changed_by_owner(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    user.must_change_password = False
    record_audit_event(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        obj=user,
        case_file=None,
        changes={"password": [None, None]},
    )


@transaction.atomic
def account_two_factor_reset(*, device, acting_user: User) -> None:
    """Delete an authenticator of the account (its owner pairs a new one)."""
    account = device.user
    device.delete()
    account_changes_record(
        account=account,
        acting_user=acting_user,
        changes={"two_factor": [True, False]},
    )


# --- Changes that wait for a second administrator ---


def account_change_request_create(
    *, account: User, acting_user: User, old: dict[str, Any], new: dict[str, Any]
) -> AccountChangeRequest:
    if account.pk == acting_user.pk:
        raise PermissionDenied(_("Nobody may widen their own access."))
    change_request = AccountChangeRequest.objects.create(
        account=account,
        changes=access_changes(old, new),
        state_before=old,
        requested_by=acting_user,
    )
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.CREATE,
        obj=change_request,
        case_file=None,
        changes=change_request.changes,
    )
    return change_request


def _can_decide(acting_user: User) -> bool:
    return bool(
        acting_user.is_active
        and acting_user.is_staff
        and acting_user.has_perm("youthtrack.change_accountchangerequest")
    )


def _require_decider(change_request: AccountChangeRequest, acting_user: User) -> None:
    if not _can_decide(acting_user):
        raise PermissionDenied(_("Only an administrator decides on account changes."))
    if change_request.status != AccountChangeRequest.Status.PENDING:
        raise ValidationError(_("This request was already decided."))


@transaction.atomic
def account_change_request_approve(
    *, change_request: AccountChangeRequest, acting_user: User
) -> User:
    """Apply the change, if a different administrator than the one who asked (and
    not the account itself) approves it, and the account did not change since."""
    change_request = AccountChangeRequest.objects.select_for_update().get(
        pk=change_request.pk
    )
    _require_decider(change_request, acting_user)
    if acting_user.pk == change_request.requested_by_id:
        raise PermissionDenied(
            _("Another administrator than the one who asked must approve this change.")
        )
    if acting_user.pk == change_request.account_id:
        raise PermissionDenied(_("Nobody may approve a change to their own account."))
    account = User.objects.select_for_update().get(pk=change_request.account_id)
    current = access_state(account)
    # Compared on the fields the request knew (one asked before a field was added
    # to the access state is still decided on what it saw).
    before = change_request.state_before
    if {name: current.get(name) for name in before} != before:
        raise ValidationError(
            _(
                "The account changed since this was asked: reject it, and ask again "
                "if the change is still needed."
            )
        )
    for name, (_old, new) in change_request.changes.items():
        if name == "programmes_led":
            account.programmes_led.set(new)
        elif name == "organisation":
            account.organisation_id = new
        else:
            setattr(account, name, new)
    account.save()
    change_request.status = AccountChangeRequest.Status.APPROVED
    change_request.decided_by = acting_user
    change_request.decided_at = timezone.now()
    change_request.save(update_fields=["status", "decided_by", "decided_at"])
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.UPDATE,
        obj=change_request,
        case_file=None,
        changes={"status": ["pending", "approved"]},
    )
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.UPDATE,
        obj=account,
        case_file=None,
        changes=change_request.changes,
    )
    account_owner_notify(
        account=account,
        acting_user=change_request.requested_by,
        changes=change_request.changes,
        approved_by=acting_user,
    )
    return account


@transaction.atomic
def account_change_request_reject(
    *, change_request: AccountChangeRequest, acting_user: User
) -> None:
    change_request = AccountChangeRequest.objects.select_for_update().get(
        pk=change_request.pk
    )
    _require_decider(change_request, acting_user)
    change_request.status = AccountChangeRequest.Status.REJECTED
    change_request.decided_by = acting_user
    change_request.decided_at = timezone.now()
    change_request.save(update_fields=["status", "decided_by", "decided_at"])
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.UPDATE,
        obj=change_request,
        case_file=None,
        changes={"status": ["pending", "rejected"]},
    )


def describe_request(change_request: AccountChangeRequest) -> str:
    """The change asked, in the administrator's language (for the admin list)."""
    return "; ".join(_describe_changes(change_request.changes))


def user_language_set(*, user: User, language: str) -> bool:
    """Keep the language the user switched to (their e-mails follow it). Not
    audited: a preference, not an access. Returns whether it changed."""
    known = {code for code, _name in settings.LANGUAGES}
    if language not in known or user.language == language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    return True


def user_language_at_login(*, user: User, current: str) -> str:
    """The language the interface takes at login: the user's own, or, the first
    time, the one they are reading (which becomes theirs)."""
    if user.language:
        return user.messages_language
    user_language_set(user=user, language=current)
    return user.messages_language
