from django import forms
from django.utils.translation import gettext_lazy as _

from youthtrack.fields import date_validators
from youthtrack.forms import DateInput
from youthtrack.models import Programme, User

from .selectors import statistics_programmes


class StatisticsExportForm(forms.Form):
    programme: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none()
    )
    date_from = forms.DateField(
        label=_("Entered from"),
        required=False,
        widget=DateInput(),
        validators=date_validators,
    )
    date_to = forms.DateField(
        label=_("Entered until"),
        required=False,
        widget=DateInput(),
        validators=date_validators,
        help_text=_("Leave both dates empty for every participation."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", "XLSX"), ("csv", "CSV")],
        initial="xlsx",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        programme = self.fields["programme"]
        assert isinstance(programme, forms.ModelChoiceField)
        programme.queryset = statistics_programmes(user).order_by("pk")

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("date_from"), cleaned_data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end comes before the start."))
        return cleaned_data
