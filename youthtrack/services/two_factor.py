"""Two-factor authentication devices."""

import base64

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..audit import record_audit_event
from ..models import (
    AuditEvent,
    User,
)


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
