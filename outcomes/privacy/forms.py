"""Forms parse input; the services hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why the person is erased (e.g. the request received and its date). "
            "Do not write the person's name: it would be removed anyway."
        ),
        error_messages={"required": _("Say why the person is erased.")},
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Which audit or procedure needs the file kept as it is."),
        error_messages={"required": _("Say which audit or procedure the hold is for.")},
    )
