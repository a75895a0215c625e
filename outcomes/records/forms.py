"""Forms of outcomes, exits and follow-up answers: they parse input; the rules are
in the services (their refusals come back beside the fields)."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youthtrack.forms import DateInput, lift_version_error, version_field
from youthtrack.models import CaseFile

from ..models import FollowUp, Outcome
from . import services

OUTCOME_FIELDS = [
    "kind",
    "start_date",
    "end_date",
    "organisation_name",
    "contract_kind",
    "weekly_hours",
    "source",
    "verification_note",
]


class OutcomeForm(forms.ModelForm):
    """An outcome with its evidence. ``optional``: the exit form's situation upon
    leaving may be left for the follow-up to ask (no kind: nothing recorded).
    ``with_kind=False``: the follow-up answer gives the kind from its situation."""

    evidence_file = forms.FileField(
        label=_("Evidence document"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png"}
        ),
    )

    class Meta:
        model = Outcome
        fields = OUTCOME_FIELDS
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "verification_note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "contract_kind": _("For a job."),
            "weekly_hours": _("For a job."),
            "verification_note": _(
                "Without a document: how the outcome was checked (who confirmed it, "
                "when)."
            ),
        }

    def __init__(self, *args, optional: bool = False, with_kind: bool = True, **kw):
        super().__init__(*args, **kw)
        self.optional = optional
        if not with_kind:
            del self.fields["kind"]
        elif optional:
            kind = self.fields["kind"]
            assert isinstance(kind, forms.ChoiceField)
            kind.required = False
            kind.choices = [
                ("", _("Not known yet (the follow-up will ask)")),
                *Outcome.Kind.choices,
            ]
        if optional or not with_kind:
            for name in ("start_date", "source"):
                self.fields[name].required = False
        self.evidence: services.Evidence | None = None

    @property
    def records_outcome(self) -> bool:
        return "kind" not in self.fields or bool(self.cleaned_data.get("kind"))

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            try:
                self.evidence = services.evidence_check(upload)
            except ValidationError as error:
                raise ValidationError(error.message_dict["evidence_file"]) from None
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.records_outcome:
            return cleaned
        for name in ("start_date", "source"):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, self.fields[name].error_messages["required"])
        if (
            self.evidence is None
            and "evidence_file" not in self.errors
            and not cleaned.get("verification_note")
        ):
            self.add_error(
                "verification_note",
                _("Attach a document or say how the outcome was verified."),
            )
        return cleaned

    def _post_clean(self) -> None:
        # The model is built by the service (with its case file): no model check here.
        pass

    def model_data(self) -> dict[str, Any] | None:
        if not self.records_outcome:
            return None
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if name in OUTCOME_FIELDS
        }


class ExitForm(forms.Form):
    version = version_field()
    exit_date = forms.DateField(label=_("Exit date"), widget=DateInput())
    exit_reason = forms.ChoiceField(
        label=_("Exit reason"),
        choices=[("", "—"), *CaseFile.ExitReason.choices],
        error_messages={"required": _("Say why the case file is closed.")},
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exit_date"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        lift_version_error(self)
        return cleaned


class FollowUpAnswerForm(forms.Form):
    situation = forms.ChoiceField(
        label=_("Situation"),
        choices=FollowUp.Situation.choices,
        widget=forms.RadioSelect,
    )
    attempts = forms.IntegerField(
        label=_("Attempts to reach the young person"),
        min_value=0,
        max_value=50,
        initial=1,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @property
    def records_outcome(self) -> bool:
        situation = self.cleaned_data.get("situation")
        return situation in services.SITUATION_OUTCOME

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attempts"].help_text = _(
            "“Unreachable” needs at least %(count)s attempts."
        ) % {"count": settings.OUTCOMES_UNREACHABLE_ATTEMPTS}
