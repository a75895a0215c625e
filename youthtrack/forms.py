"""Forms parse input; the services hold the rules. Errors that services raise are put
beside the field they concern, and whatever the user typed is kept."""

import datetime
import secrets
from collections.abc import MutableMapping
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import SafeModelFormMixin, date_validators
from .models import (
    CaseFile,
    Consent,
    Note,
    Organisation,
    Programme,
    Share,
    User,
    YoungPerson,
)
from .personal_data import Category, fields_of_category


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


RELOAD_MESSAGE = _(
    "This form is out of date or incomplete: nothing was saved. Reload the page and "
    "make your changes again."
)


def version_field() -> forms.IntegerField:
    """The hidden version a form was opened on. Missing, zero, negative or not a
    number is refused (never read as "the current version", which would save over
    someone else's change without a word)."""
    return forms.IntegerField(
        widget=forms.HiddenInput,
        required=True,
        min_value=1,
        error_messages={
            "required": RELOAD_MESSAGE,
            "invalid": RELOAD_MESSAGE,
            "min_value": RELOAD_MESSAGE,
        },
    )


def data_copy(form: forms.BaseForm) -> MutableMapping[str, Any]:
    """A copy of a bound form's data that can be changed (``request.POST`` cannot).
    The data is a QueryDict (a dict in some tests); the stubs promise only a Mapping."""
    return cast("QueryDict | dict[str, Any]", form.data).copy()


def lift_version_error(form: forms.BaseForm) -> None:
    """The version field is hidden: say its refusal on top of the form, where the
    user reads it (call from ``clean``)."""
    # _errors is the bound form's error dict; django-stubs does not declare it.
    errors = form._errors  # type: ignore[attr-defined]
    if errors is not None and errors.pop("version", None):
        raise forms.ValidationError(RELOAD_MESSAGE, code="version")


class VersionedForm(SafeModelFormMixin, forms.ModelForm):
    """Carries the version the user opened, so a stale save can be refused. Editing a
    record needs that version; a new record (no ``instance.pk``) has none."""

    version = version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Per instance: the class's field is shared by every form.
            self.fields["version"] = version_field()
            if not self.is_bound:
                self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def clean(self):
        cleaned = super().clean()
        lift_version_error(self)
        return cleaned

    def model_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data

    def expected_version(self) -> int:
        return self.cleaned_data["version"]


class FieldGroupsMixin:
    """Fields shown in fieldsets, in reading order: ``field_groups`` lists (key,
    legend, why the questions are asked or ``None``, field names). A group whose
    fields the form does not have is left out."""

    field_groups: list[tuple[str, Any, Any, list[str]]] = []

    def grouped_fields(self) -> list[dict]:
        groups = []
        for key, legend, reason, names in self.field_groups:
            fields = [self[name] for name in names if name in self.fields]  # type: ignore[index, attr-defined]
            if fields:
                groups.append(
                    {"key": key, "legend": legend, "reason": reason, "fields": fields}
                )
        # A field no group names (added by a subclass) is never lost.
        grouped = {name for *_, names in self.field_groups for name in names}
        rest = [
            field
            for field in self.visible_fields()  # type: ignore[attr-defined]
            if field.name not in grouped
        ]
        if rest:
            groups.append(
                {"key": "other", "legend": _("Other"), "reason": None, "fields": rest}
            )
        return groups


class YoungPersonForm(FieldGroupsMixin, VersionedForm):
    field_groups = [
        (
            "identity",
            _("Identity"),
            None,
            ["first_name", "last_name", "birth_date", "gender", "citizenship"],
        ),
        (
            "contact",
            _("Contact"),
            None,
            [
                "phone",
                "email",
                "commune",
                "speaks_french",
                "speaks_dutch",
                "other_languages",
            ],
        ),
    ]

    class Meta:
        model = YoungPerson
        fields = [
            "first_name",
            "last_name",
            "birth_date",
            "gender",
            "commune",
            "phone",
            "email",
            "speaks_french",
            "speaks_dutch",
            "other_languages",
            "citizenship",
        ]
        widgets = {"birth_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "off"
        self.fields["last_name"].widget.attrs["autocomplete"] = "off"
        self.fields["birth_date"].widget.attrs["max"] = timezone.localdate().isoformat()


CASE_FIELDS = [
    "programme",
    "advisor",
    "entry_date",
    "next_follow_up_on",
    "employment_status",
    "unemployed_since",
    "education",
    "highest_diploma",
    "registered_at_actiris",
    "disability",
    "foreign_background",
    "minority",
    "homeless",
    "first_visit",
    "referral",
    "referred_by",
]


class CaseFileForm(FieldGroupsMixin, VersionedForm):
    field_groups = [
        (
            "situation",
            _("Situation at entry"),
            None,
            [
                "employment_status",
                "unemployed_since",
                "education",
                "highest_diploma",
                "registered_at_actiris",
                "first_visit",
            ],
        ),
        (
            "sensitive",
            _("Sensitive questions"),
            _(
                "The European Social Fund (ESF+) asks these questions to count "
                "whom the programme reaches; the answers only appear in anonymous "
                "totals. The young person may decline: choose “Declined to state”."
            ),
            ["disability", "foreign_background", "minority", "homeless"],
        ),
        ("referral", _("Referral"), None, ["referral", "referred_by"]),
        (
            "case",
            _("Programme and follow-up"),
            None,
            ["programme", "advisor", "entry_date", "next_follow_up_on"],
        ),
        ("exit", _("Exit"), None, ["exit_date", "exit_reason"]),
    ]

    class Meta:
        model = CaseFile
        fields = [*CASE_FIELDS, "exit_date", "exit_reason"]
        widgets = {
            "entry_date": DateInput(),
            "next_follow_up_on": DateInput(),
            "unemployed_since": DateInput(),
            "exit_date": DateInput(),
            "disability": forms.RadioSelect,
            "foreign_background": forms.RadioSelect,
            "minority": forms.RadioSelect,
            "homeless": forms.RadioSelect,
            "employment_status": forms.RadioSelect,
            "referral": forms.RadioSelect,
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        programme, advisor = self.fields["programme"], self.fields["advisor"]
        assert isinstance(programme, forms.ModelChoiceField)
        assert isinstance(advisor, forms.ModelChoiceField)
        programme.queryset = Programme.objects.filter(is_active=True)
        advisor.queryset = User.objects.filter(
            # None means IS NULL to Django; the stubs' lookup type leaves None out.
            organisation_id=user.organisation_id,  # type: ignore[misc]
            role__in=[User.Role.ADVISOR, User.Role.LEAD],
            is_active=True,
        )
        if not self.instance.pk:
            self.fields["advisor"].initial = user.pk
            self.fields["entry_date"].initial = timezone.localdate()
        # Exit fields are set by closing the case; they can be corrected once closed.
        if self.instance.status != CaseFile.Status.CLOSED:
            del self.fields["exit_date"]
            del self.fields["exit_reason"]
        highest_diploma = self.fields["highest_diploma"]
        assert isinstance(highest_diploma, forms.ModelChoiceField)
        highest_diploma.empty_label = None
        for name in ("employment_status", "referral"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            # The getter gives a list; the stubs give it the setter's (wider) type.
            field.choices = [c for c in field.choices if c[0] != ""]  # type: ignore[union-attr, index, misc]


class IntakeChoiceForm(forms.Form):
    """After the duplicate guard: use the existing person, or confirm a new one."""

    existing_person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    confirm_new_person = forms.BooleanField(
        required=False,
        label=_("This is a different person: register them anyway"),
    )


class NoteForm(VersionedForm):
    class Meta:
        model = Note
        fields = ["contact_date", "channel", "topic", "text", "visibility"]
        widgets = {
            "contact_date": DateInput(),
            "text": forms.Textarea(attrs={"rows": 6}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args, can_set_follow_up: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and can_set_follow_up:
            # The next appointment is often agreed during the contact the note is about.
            self.fields["next_follow_up_on"] = forms.DateField(
                label=_("Next follow-up"),
                required=False,
                widget=DateInput(attrs={"min": timezone.localdate().isoformat()}),
                validators=[*date_validators],
                help_text=_("Leave empty to keep the case file's next follow-up."),
            )
        if not self.instance.pk:
            self.fields["contact_date"].initial = timezone.localdate()
            # A token per rendered form: posting it twice gives one note.
            self.fields["idempotency_key"] = forms.CharField(
                widget=forms.HiddenInput,
                required=False,
                max_length=64,
                initial=secrets.token_urlsafe(24),
            )
        self.fields["contact_date"].widget.attrs["max"] = (
            timezone.localdate().isoformat()
        )
        channel = self.fields["channel"]
        assert isinstance(channel, forms.ModelChoiceField)
        channel.empty_label = None

    def model_data(self) -> dict:
        data = super().model_data()
        data.pop("idempotency_key", None)
        data.pop("next_follow_up_on", None)
        return data

    def next_follow_up_on(self) -> datetime.date | None:
        return self.cleaned_data.get("next_follow_up_on")

    def idempotency_key(self) -> str | None:
        return self.cleaned_data.get("idempotency_key") or None


class TransitionForm(forms.Form):
    version = version_field()
    effective_date = forms.DateField(label=_("Date"), widget=DateInput())
    exit_reason = forms.ChoiceField(
        label=_("Exit reason"),
        choices=[("", "—"), *CaseFile.ExitReason.choices],
        required=False,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, closing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].initial = timezone.localdate()
        if closing:
            self.fields["effective_date"].label = _("Exit date")
            self.fields["exit_reason"].required = True
            self.fields["exit_reason"].error_messages["required"] = _(
                "Say why the case file is closed."
            )
        else:
            del self.fields["exit_reason"]

    def clean(self):
        cleaned = super().clean()
        lift_version_error(self)
        return cleaned


def sensitive_answer_choices() -> list[tuple[str, str]]:
    """The sensitive answers at entry (``personal_data``), in the form's order."""
    sensitive = fields_of_category(CaseFile, Category.SENSITIVE)
    return [
        (field.name, str(field.verbose_name).capitalize())
        for field in CaseFile._meta.fields
        if field.name in sensitive
    ]


class ConsentForm(SafeModelFormMixin, forms.ModelForm):
    sensitive_data = forms.MultipleChoiceField(
        label=_("Sensitive answers the partner may see"),
        choices=sensitive_answer_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "For a sharing only. Tick only what the young person agreed to show this "
            "partner: the partner sees none of the other sensitive answers at entry."
        ),
    )

    class Meta:
        model = Consent
        fields = [
            "purpose",
            "partner",
            "scope",
            "sensitive_data",
            "given_by",
            "guardian_name",
            "given_on",
            "expires_on",
        ]
        widgets = {
            "given_on": DateInput(),
            "expires_on": DateInput(),
            "given_by": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Organisation.objects.filter(is_active=True)
        self.fields["given_on"].initial = timezone.localdate()
        self.fields["given_by"].choices = [
            c for c in self.fields["given_by"].choices if c[0] != ""
        ]


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = timezone.localdate()


class IntakeConsentForm(forms.Form):
    """The intake's consent step: the consent to keep the file, given now or asked
    for later (the file is then flagged on the advisor's dashboard), and with it the
    sharing and reporting consents. The rules (under 16: a parent or guardian) are
    the consent service's."""

    GIVEN, LATER = "given", "later"

    keep = forms.ChoiceField(
        label=_("Consent to keep this case file"),
        choices=[
            (GIVEN, _("Given")),
            (LATER, _("Not yet: the file is flagged until it is recorded")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say whether the consent to keep this case file was given.")
        },
    )
    given_by = forms.ChoiceField(
        label=_("Given by"),
        choices=Consent.GivenBy.choices,
        widget=forms.RadioSelect,
        initial=Consent.GivenBy.YOUNG_PERSON,
        required=False,
        help_text=_("Under 16 on the date given: a parent or guardian."),
    )
    guardian_name = forms.CharField(
        label=_("Name of parent or guardian"), max_length=200, required=False
    )
    given_on = forms.DateField(
        label=_("Date given"), widget=DateInput(), required=False
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Also consents to sharing the file with"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only the partners they agreed to; more can be recorded later."),
    )
    funder_reporting = forms.BooleanField(
        label=_("Also consents to reporting to funders (ESF+, Actiris)"),
        required=False,
    )

    def __init__(self, *args, organisation_id: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        partners = self.fields["partners"]
        assert isinstance(partners, forms.ModelChoiceField)
        # Partners: the active organisations other than the user's own.
        partners.queryset = (
            Organisation.objects.filter(is_active=True)
            .exclude(pk__in=[organisation_id] if organisation_id else [])
            .order_by("name")
        )
        self.fields["given_on"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("keep") == self.GIVEN:
            if not cleaned.get("given_by"):
                self.add_error("given_by", _("Say who gave the consent."))
            if not cleaned.get("given_on") and "given_on" not in self.errors:
                self.add_error("given_on", _("Give the date the consent was given."))
        return cleaned

    def consent_data(self) -> dict[str, Any] | None:
        """The consent to keep the file, for the service; None when not given yet."""
        if self.cleaned_data["keep"] != self.GIVEN:
            return None
        by_guardian = self.cleaned_data["given_by"] == Consent.GivenBy.GUARDIAN
        return {
            "given_by": self.cleaned_data["given_by"],
            "guardian_name": self.cleaned_data["guardian_name"].strip()
            if by_guardian
            else "",
            "given_on": self.cleaned_data["given_on"],
        }


class ConfirmForm(forms.Form):
    """The second step of a destructive action: posted from its confirmation page.
    Without it, the view shows that page and does nothing."""

    confirm = forms.BooleanField(required=True, widget=forms.HiddenInput)


class ShareDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does your organisation decline this referral?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": _("Say why your organisation declines this referral.")
        },
        help_text=_(
            "The advisor who referred the young person reads it on the case page."
        ),
    )


class ShareForm(SafeModelFormMixin, forms.ModelForm):
    class Meta:
        model = Share
        fields = ["partner", "purpose", "scope", "end_date", "override_reason"]
        widgets = {
            "end_date": DateInput(),
            "scope": forms.RadioSelect,
            "override_reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, case_file: CaseFile, may_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        partner, scope = self.fields["partner"], self.fields["scope"]
        assert isinstance(partner, forms.ModelChoiceField)
        assert isinstance(scope, forms.ChoiceField)
        partner.queryset = Organisation.objects.filter(is_active=True).exclude(
            pk=case_file.owner_organisation_id
        )
        # The getter gives a list; the stubs give it the setter's (wider) type.
        scope.choices = [c for c in scope.choices if c[0] != ""]  # type: ignore[union-attr, index, misc]
        self.fields["end_date"].widget.attrs["min"] = timezone.localdate().isoformat()
        if may_override:
            self.fields["override_reason"].help_text = _(
                "Only when no consent is recorded and sharing cannot wait: the reason "
                "is kept in the audit trail."
            )
        else:
            del self.fields["override_reason"]


class OneTimeCodeForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
            }
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("The code has six digits."))
        return token


class DpoSearchForm(forms.Form):
    """The data protection officer finds a young person by name and date of birth
    (posted, so that neither is written in an address or a server's log)."""

    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DateInput(),
        validators=date_validators,
    )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        cleaned_data = super().clean()
        name = cleaned_data.get("name", "")
        if not self.errors and not name and not cleaned_data.get("birth_date"):
            raise forms.ValidationError(
                _("Give a name, a date of birth or both."), code="empty"
            )
        if name and len(name) < 2:
            self.add_error("name", _("Give at least two letters of the name."))
        return cleaned_data
