"""Django admin for reference data and users. Case files are kept through the
application, where the access rules and the audit apply."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .audit import record_audit_event
from .models import (
    AuditEvent,
    Commune,
    ContactChannel,
    Diploma,
    Gender,
    IscedLevel,
    Organisation,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "organisation",
        "role",
        "is_active",
    ]
    list_filter = ["role", "organisation", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Organisation and role"), {"fields": ("organisation", "role")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Organisation and role"), {"fields": ("organisation", "role")}),
    )

    def save_model(self, request, obj, form, change):
        """Changes to accounts (roles, organisations, rights) go to the audit trail
        too, with the names of the fields changed (never a password)."""
        super().save_model(request, obj, form, change)
        record_audit_event(
            actor=request.user,
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            obj=obj,
            case_file=None,
            changes={
                name: [None, None]
                for name in form.changed_data
                if name not in {"password", "password1", "password2"}
            },
        )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "circle", "is_active"]
    list_filter = ["circle", "is_active"]
    search_fields = ["name", "short_name", "code"]


class ReferenceAdmin(admin.ModelAdmin):
    search_fields = ["name_fr", "name_nl", "name_en"]


@admin.register(Commune)
class CommuneAdmin(ReferenceAdmin):
    list_display = ["code", "postcode", "name_fr", "name_nl", "in_brussels_region"]


@admin.register(Diploma)
class DiplomaAdmin(ReferenceAdmin):
    list_display = ["code", "name_fr", "name_nl", "isced_level"]
    list_filter = ["isced_level"]


for model in (Gender, ContactChannel, IscedLevel):
    admin.site.register(model, ReferenceAdmin)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only, the admin included."""

    list_display = ["at", "actor", "organisation", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type", "organisation"]
    # The before/after values may hold personal data and note texts, which
    # administrators do not read: only the names of the fields changed are shown.
    exclude = ["changes"]
    readonly_fields = ["fields_changed"]

    @admin.display(description=_("fields changed"))
    def fields_changed(self, obj):
        return ", ".join(sorted(obj.changes)) if obj.changes else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
