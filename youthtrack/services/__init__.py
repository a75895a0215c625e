"""Writes. Each service takes the acting user, checks the permission, validates the
business rules, changes the data and writes its audit row in one transaction.

One module per concern; import from here."""

from .cases import (
    Status,
    _require_case_editor,
    allowed_transitions,
    case_file_intake,
    case_file_transition,
    case_file_update,
    case_files_reassign_operations,
    operation_for_entry,
    operation_saved,
    young_person_update,
)
from .consent import (
    case_file_open_with_consent,
    consent_errors,
    consent_record,
    consent_withdraw,
)
from .errors import (
    DuplicatePersonError,
    StaleEditError,
)
from .notes import (
    note_create,
    note_update,
    validate_note,
)
from .reads import (
    case_file_record_view,
    record_export,
    young_person_record_view,
)
from .sharing import (
    _end_share,
    _require_partner_member,
    case_file_share,
    consent_covering_share,
    decline_recipient,
    organisation_group,
    share_accept,
    share_decline,
    share_declines_seen,
    share_revoke,
    shares_expire_due,
)
from .two_factor import (
    totp_device_confirm,
    totp_device_pending,
    totp_secret_for_display,
)
from .validation import (
    _validate_all,
    validate_case_file,
    validate_young_person,
)
from .versioning import (
    _raw,
    comparable_value,
    versioned_update,
)

__all__ = [
    "DuplicatePersonError",
    "StaleEditError",
    "Status",
    "_end_share",
    "_raw",
    "_require_case_editor",
    "_require_partner_member",
    "versioned_update",
    "_validate_all",
    "allowed_transitions",
    "case_file_intake",
    "case_file_open_with_consent",
    "case_file_record_view",
    "case_file_share",
    "case_file_transition",
    "case_file_update",
    "case_files_reassign_operations",
    "comparable_value",
    "consent_covering_share",
    "consent_errors",
    "consent_record",
    "consent_withdraw",
    "note_create",
    "note_update",
    "operation_for_entry",
    "operation_saved",
    "organisation_group",
    "record_export",
    "share_accept",
    "decline_recipient",
    "share_decline",
    "share_declines_seen",
    "share_revoke",
    "shares_expire_due",
    "totp_device_confirm",
    "totp_device_pending",
    "totp_secret_for_display",
    "validate_case_file",
    "validate_note",
    "validate_young_person",
    "young_person_record_view",
    "young_person_update",
]
