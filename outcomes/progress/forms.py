"""Forms parse input; the services hold the rules."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youthtrack.forms import DateInput, VersionedForm

from ..models import SCALES, Assessment, Goal
from ..models.progress import SCORE_MAX, SCORE_MIN


class AssessmentForm(VersionedForm):
    class Meta:
        model = Assessment
        fields = ["assessed_on", *SCALES]
        widgets = {"assessed_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].widget.attrs["max"] = (
            timezone.localdate().isoformat()
        )
        if not self.instance.pk and not self.is_bound:
            self.fields["assessed_on"].initial = timezone.localdate()
        message = _("Give a score from 1 to 10.")
        for name in SCALES:
            field = self.fields[name]
            # Said in the scale's words, beside the field (the model holds the same
            # bounds for the services).
            field.validators = [
                MinValueValidator(SCORE_MIN, message=message),
                MaxValueValidator(SCORE_MAX, message=message),
            ]
            field.error_messages["invalid"] = message
            field.widget.attrs.update(
                {"min": SCORE_MIN, "max": SCORE_MAX, "inputmode": "numeric"}
            )


class GoalForm(VersionedForm):
    class Meta:
        model = Goal
        fields = ["text", "target_date", "status", "reviewed_on", "review_note"]
        widgets = {
            "target_date": DateInput(),
            "reviewed_on": DateInput(),
            "review_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # A new goal is open and not reviewed yet.
            for name in ("status", "reviewed_on", "review_note"):
                del self.fields[name]
        else:
            self.fields["reviewed_on"].widget.attrs["max"] = (
                timezone.localdate().isoformat()
            )
