"""Forms of the reports pages: they parse input; the rules are in the services."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youthtrack.forms import DateInput
from youthtrack.models import Operation, User

from ..models import ReportFile, ReportJob
from .selectors import operations_led_by


def _last_year() -> tuple[datetime.date, datetime.date]:
    year = timezone.localdate().year - 1
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


class ReportRequestForm(forms.Form):
    rule_set = forms.ChoiceField(label=_("Report"), choices=ReportJob.RuleSet.choices)
    operation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Operation"),
        queryset=Operation.objects.none(),
        required=False,
        help_text=_(
            "An operation of a programme you lead. Leave empty for the yearly "
            "activity figures of your organisation."
        ),
    )
    date_from = forms.DateField(label=_("From"), widget=DateInput())
    date_to = forms.DateField(label=_("To"), widget=DateInput())
    formats = forms.MultipleChoiceField(
        label=_("Formats"),
        choices=ReportFile.Format.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["pdf", "xlsx"],
    )

    def __init__(self, *args, user: User, **kwargs):
        start, end = _last_year()
        kwargs.setdefault("initial", {"date_from": start, "date_to": end})
        super().__init__(*args, **kwargs)
        operation = self.fields["operation"]
        assert isinstance(operation, forms.ModelChoiceField)
        operation.queryset = operations_led_by(user=user)


class QualityForm(forms.Form):
    operation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Operation"), queryset=Operation.objects.none()
    )
    date_from = forms.DateField(label=_("From"), widget=DateInput())
    date_to = forms.DateField(label=_("To"), widget=DateInput())

    def __init__(self, *args, user: User, **kwargs):
        # The same period as the report form offers, so that the check runs on what
        # the lead is about to report.
        start, end = _last_year()
        kwargs.setdefault("initial", {"date_from": start, "date_to": end})
        super().__init__(*args, **kwargs)
        operation = self.fields["operation"]
        assert isinstance(operation, forms.ModelChoiceField)
        operation.queryset = operations_led_by(user=user)
