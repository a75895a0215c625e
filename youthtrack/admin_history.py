"""Nothing with history is deleted from the admin.

Every ModelAdmin says which of the two it is: ``HistoryKeptAdmin`` (no delete at all:
archive or deactivate instead, through the application or the record's own flag) or
``AuditedDeleteAdmin`` (reference data without history: a deletion, in the record's
page, the list's action or an inline, leaves a row in the audit trail).
tests/youthtrack/test_admin_history.py checks every registered admin."""

from django.contrib import admin
from django.db import transaction

from .audit import client_address, record_audit_event
from .models import AuditEvent
from .personal_data import personal_fields


class HistoryKeptAdmin(admin.ModelAdmin):
    """Records others point at or that are history themselves: never deleted here."""

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryKeptInline:
    """An inline of records with history: rows are not deleted from the parent."""

    can_delete = False

    def has_delete_permission(self, request, obj=None):
        return False


def record_deletion(request, obj) -> None:
    """Reference data is often keyed by a code (Gender "f", Commune "21004"): the
    audit row's record number is then 0 and the code is in the changes. A record
    holding personal data is named by its number only (its name would be one)."""
    if isinstance(obj.pk, int):
        record_audit_event(
            actor=request.user,
            action=AuditEvent.Action.DELETE,
            obj=obj,
            case_file=None,
            changes={"record": [obj.pk if personal_fields(obj) else str(obj), None]},
        )
        return
    AuditEvent.objects.create(
        actor=request.user,
        organisation_id=request.user.organisation_id,
        action=AuditEvent.Action.DELETE,
        object_type=obj._meta.label_lower,
        object_id=0,
        changes={"record": [f"{obj.pk}: {obj}", None]},
        ip_address=client_address.get(),
    )


class AuditedDeleteAdmin(admin.ModelAdmin):
    """Reference data: deletions are allowed and audited (the database still refuses
    to delete a record that is in use)."""

    def delete_model(self, request, obj):
        with transaction.atomic():
            record_deletion(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                record_deletion(request, obj)
            super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        # Rows ticked "delete" in an inline; the change form's transaction holds
        # both the rows and their audit.
        for inline_form in getattr(formset, "deleted_forms", []):
            if inline_form.instance.pk is not None:
                record_deletion(request, inline_form.instance)
        super().save_formset(request, form, formset, change)
