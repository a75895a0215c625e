"""Django admin for reference data and users. Case files are kept through the
application, where the access rules and the audit apply.

Accounts: every change an administrator makes is audited and told to the account's
owner (services/accounts.py); a password the administrator chose must be changed at the
next login; nobody widens their own access, and a change that would let another account
read case files or make it a superuser waits for a second administrator's approval.
Nothing with history is deleted here (admin_history.py)."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .admin_history import AuditedDeleteAdmin, HistoryKeptAdmin
from .models import (
    AccountChangeRequest,
    AuditEvent,
    Commune,
    ContactChannel,
    Diploma,
    Funder,
    Gender,
    IscedLevel,
    Operation,
    Organisation,
    User,
)
from .services import accounts, operation_saved

# Groups and model permissions are not given through the admin: access follows the
# role and the organisation (access.py), and organisations' groups carry the sharing
# grants, which the sharing services give and take.
admin.site.unregister(Group)


class AccountChangeForm(UserChangeForm):
    """Refuses a change of one's own role, organisation, programmes or superuser
    status: nobody widens their own access."""

    acting_user: User | None = None  # set per request by UserAdmin.get_form
    OWN_ACCESS_FIELDS = (
        "role",
        "organisation",
        "programmes_led",
        "is_superuser",
        "is_data_protection_officer",
    )

    def clean(self):
        cleaned_data = super().clean()
        acting_user = self.acting_user
        if acting_user is not None and self.instance.pk == acting_user.pk:
            for name in self.OWN_ACCESS_FIELDS:
                if name in self.changed_data:
                    self.add_error(
                        name,
                        forms.ValidationError(
                            _(
                                "You cannot change this on your own account: ask "
                                "another administrator."
                            ),
                            code="own_access",
                        ),
                    )
        return cleaned_data


@admin.register(User)
class UserAdmin(HistoryKeptAdmin, BaseUserAdmin):
    form = AccountChangeForm
    list_display = [
        "username",
        "first_name",
        "last_name",
        "organisation",
        "role",
        "is_active",
    ]
    list_filter = ["role", "organisation", "is_active"]
    filter_horizontal = ["programmes_led"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Organisation and role"),
            {
                "fields": (
                    "organisation",
                    "role",
                    "is_data_protection_officer",
                    "programmes_led",
                )
            },
        ),
        (
            _("Access"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "must_change_password",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined", "must_change_password"]
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Organisation and role"), {"fields": ("organisation", "role")}),
    )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.acting_user = request.user  # a class made for this request
        return form

    def save_model(self, request, obj, form, change):
        """Applies what does not widen access; what does waits for a second
        administrator (an AccountChangeRequest)."""
        before = User.objects.get(pk=obj.pk) if change else None
        old = accounts.access_state(before) if before else accounts.NO_ACCESS
        programmes = form.cleaned_data.get("programmes_led")
        if programmes is None:
            programmes = before.programmes_led.all() if before else []
        new = accounts.access_state(obj, programmes_led=programmes)
        waits = accounts.needs_second_administrator(old, new)
        if waits and before is not None:
            obj.role = before.role
            obj.organisation_id = before.organisation_id
            obj.is_active = before.is_active
            obj.is_superuser = before.is_superuser
            obj.is_data_protection_officer = before.is_data_protection_officer
            if "programmes_led" in form.cleaned_data:
                form.cleaned_data["programmes_led"] = before.programmes_led.all()
        elif waits:
            obj.is_active = False  # a new account opens once approved
        if before is None and obj.has_usable_password():
            obj.must_change_password = True
        super().save_model(request, obj, form, change)
        form._account_audit = {"before": before, "old": old, "new": new}
        if waits:
            accounts.account_change_request_create(
                account=obj,
                acting_user=request.user,
                old=accounts.access_state(obj, programmes_led=[])
                if before is None
                else old,
                new=new,
            )
            self.message_user(
                request,
                _(
                    "The change that lets this account read case files (or makes "
                    "it a superuser) waits for another administrator's approval, "
                    "under Account change requests."
                ),
                messages.WARNING,
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        saved = getattr(form, "_account_audit", None)
        if saved is None:
            return
        account, before = form.instance, saved["before"]
        changes = {}
        if before is None:
            changes["account"] = [None, None]
        changes.update(
            accounts.access_changes(saved["old"], accounts.access_state(account))
        )
        for name in accounts.NOTIFIED_FIELDS:
            old_value = getattr(before, name) if before else ""
            if old_value != getattr(account, name) and (before or old_value):
                changes[name] = [old_value, getattr(account, name)]
        if before is not None and "email" in changes and before.email:
            # Told to the address it had too: a new address cannot hide the change.
            accounts.account_owner_notify(
                account=before, acting_user=request.user, changes=changes
            )
        accounts.account_changes_record(
            account=account,
            acting_user=request.user,
            changes=changes,
            created=before is None,
        )

    def user_change_password(self, request, id, form_url=""):
        """A password set here is audited, told to its owner, and must be changed
        by them at the next login."""
        before = User.objects.filter(pk=unquote(id)).values_list("password", flat=True)
        before = before.first()
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            account = User.objects.filter(pk=unquote(id)).first()
            if (
                account is not None
                and before is not None
                and account.password != before
            ):
                accounts.account_password_set_by_admin(
                    account=account, acting_user=request.user
                )
        return response


@admin.register(AccountChangeRequest)
class AccountChangeRequestAdmin(HistoryKeptAdmin):
    """Read-only; a different administrator than the one who asked approves."""

    list_display = [
        "pk",
        "account",
        "summary",
        "requested_by",
        "requested_at",
        "status",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status"]
    list_select_related = ["account", "requested_by", "decided_by"]
    fields = [
        "account",
        "summary",
        "requested_by",
        "requested_at",
        "status",
        "decided_by",
        "decided_at",
    ]
    # Only names, all read-only; mypy gives the list the base's type of fields (groups).
    readonly_fields = fields  # type: ignore[assignment]
    actions = ["approve", "reject"]

    @admin.display(description=_("change asked"))
    def summary(self, obj):
        return accounts.describe_request(obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm("youthtrack.change_accountchangerequest")

    def _decide(self, request, queryset, service, done_message):
        for change_request in queryset:
            try:
                service(change_request=change_request, acting_user=request.user)
            except (PermissionDenied, ValidationError) as refusal:
                reason = (
                    " ".join(refusal.messages)
                    if isinstance(refusal, ValidationError)
                    else str(refusal)
                )
                self.message_user(
                    request, f"#{change_request.pk}: {reason}", messages.ERROR
                )
            else:
                self.message_user(
                    request, done_message % {"pk": change_request.pk}, messages.SUCCESS
                )

    @admin.action(description=_("Approve the selected changes"), permissions=["decide"])
    def approve(self, request, queryset):
        self._decide(
            request,
            queryset,
            accounts.account_change_request_approve,
            _("Request #%(pk)s approved: the change is applied."),
        )

    @admin.action(description=_("Reject the selected changes"), permissions=["decide"])
    def reject(self, request, queryset):
        self._decide(
            request,
            queryset,
            accounts.account_change_request_reject,
            _("Request #%(pk)s rejected."),
        )


# Two-factor reset: deleting a user's authenticator is audited and told to its owner;
# the admin never adds or edits one, nor shows its secret
# (OTP_ADMIN_HIDE_SENSITIVE_DATA).
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TwoFactorDeviceAdmin(TOTPDeviceAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        accounts.account_two_factor_reset(device=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for device in queryset.select_related("user"):
                accounts.account_two_factor_reset(
                    device=device, acting_user=request.user
                )


# Login throttling (django-axes): the log of logins is history; deleting a failed
# attempt unlocks an account, and is audited.
for model in (AccessAttempt, AccessLog, AccessFailureLog):
    admin.site.unregister(model)


@admin.register(AccessAttempt)
class AuditedAccessAttemptAdmin(AuditedDeleteAdmin, AccessAttemptAdmin):
    actions = []  # not the unaudited "clean up expired attempts"


@admin.register(AccessLog)
class KeptAccessLogAdmin(HistoryKeptAdmin, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class KeptAccessFailureLogAdmin(HistoryKeptAdmin, AccessFailureLogAdmin):
    pass


@admin.register(Organisation)
class OrganisationAdmin(HistoryKeptAdmin):
    """Members, case files and shares point at an organisation: deactivate it."""

    list_display = ["name", "short_name", "code", "circle", "is_active"]
    list_filter = ["circle", "is_active"]
    search_fields = ["name", "short_name", "code"]


class ReferenceAdmin(AuditedDeleteAdmin):
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


@admin.register(Funder)
class FunderAdmin(ReferenceAdmin):
    list_display = ["code", "name_fr", "name_nl", "name_en"]


@admin.register(Operation)
class OperationAdmin(HistoryKeptAdmin):
    """Operations: a programme under one funding decision. Saving one lets the case
    files of its programme count under the operation covering their entry date."""

    list_display = ["reference", "programme", "rule_set", "start", "end"]
    list_filter = ["programme", "rule_set", "funders"]
    search_fields = ["reference"]
    filter_horizontal = ["funders"]
    date_hierarchy = "start"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        operation_saved(
            operation=form.instance, acting_user=request.user, created=not change
        )


@admin.register(AuditEvent)
class AuditEventAdmin(HistoryKeptAdmin):
    """Read-only: the audit trail is append-only, the admin included. A case file is
    shown by its number, never by the young person's name (CaseFile.__str__)."""

    list_display = [
        "at",
        "actor",
        "organisation",
        "action",
        "object_type",
        "object_id",
        "case_file_number",
    ]
    list_filter = ["action", "object_type", "organisation"]
    list_select_related = ["actor", "organisation"]
    # The before/after values may hold personal data and note texts, which
    # administrators do not read: only the names of the fields changed are shown.
    fields = [
        "at",
        "actor",
        "organisation",
        "action",
        "object_type",
        "object_id",
        "object_version",
        "case_file_number",
        "ip_address",
        "fields_changed",
    ]
    # Only names, all read-only; mypy gives the list the base's type of fields (groups).
    readonly_fields = fields  # type: ignore[assignment]

    @admin.display(description=_("fields changed"))
    def fields_changed(self, obj):
        return ", ".join(sorted(obj.changes)) if obj.changes else "—"

    @admin.display(description=_("case file"), ordering="case_file_id")
    def case_file_number(self, obj):
        return f"#{obj.case_file_id}" if obj.case_file_id else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
