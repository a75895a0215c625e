"""Forms parse input; the services hold the rules."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from youthtrack.fields import SafeModelFormMixin
from youthtrack.forms import DateInput, VersionedForm, data_copy
from youthtrack.models import Organisation, User

from .models import (
    ActivityType,
    Attendance,
    Cohort,
    Enrolment,
    Funder,
    Programme,
    Session,
    TargetProfile,
    WalkIn,
)
from .services import Mark


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class ProgrammeForm(SafeModelFormMixin, forms.ModelForm):
    target_profiles = forms.MultipleChoiceField(
        label=_("Target profiles"),
        choices=TargetProfile.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty when the programme is open to every young person."),
    )

    class Meta:
        model = Programme
        fields = [
            "description_fr",
            "description_nl",
            "description_en",
            "min_age",
            "max_age",
            "requires_actiris_registration",
            "target_profiles",
            "funders",
            "completion_min_rate",
            "completion_counts_excused",
        ]
        widgets = {
            "description_fr": forms.Textarea(attrs={"rows": 4}),
            "description_nl": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "funders": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funders"].queryset = Funder.objects.all()


class CohortForm(VersionedForm):  # safe ids and dates: VersionedForm
    class Meta:
        model = Cohort
        fields = ["name", "start_date", "end_date", "capacity", "advisors", "partners"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "advisors": forms.CheckboxSelectMultiple,
            "partners": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "end_date": _("The end of the whole path, individual follow-up included."),
            "advisors": _("They take attendance and follow the participants."),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].widget.attrs.update(min=1, inputmode="numeric")
        advisors, partners = self.fields["advisors"], self.fields["partners"]
        assert isinstance(advisors, forms.ModelChoiceField)
        assert isinstance(partners, forms.ModelChoiceField)
        advisors.queryset = User.objects.filter(
            is_active=True,
            role__in=[User.Role.ADVISOR, User.Role.LEAD],
            organisation__isnull=False,
        ).select_related("organisation")
        # An instance attribute the field calls as label_from_instance(obj); mypy
        # reads the lambda as a replacement of the method.
        advisors.label_from_instance = lambda u: (  # type: ignore[method-assign, assignment]
            f"{u} ({u.organisation})"
        )
        partners.queryset = Organisation.objects.filter(is_active=True).exclude(
            # None means IS NULL to Django; the stubs' lookup type leaves None out.
            pk=self.instance.owner_organisation_id or user.organisation_id  # type: ignore[misc]
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            # Beside the end date, rather than the database's rule on top.
            self.add_error(
                "end_date", _("The end date cannot be before the start date.")
            )
        return cleaned


class SessionForm(SafeModelFormMixin, forms.ModelForm):
    """A date and two times (easier on a phone than date-times); ``repeat_until``
    schedules the same session every weekday until that day."""

    day = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput())
    link = forms.URLField(
        label=_("Link"), required=False, assume_scheme="https", max_length=200
    )
    repeat_until = forms.DateField(
        label=_("Repeat every weekday until"),
        required=False,
        widget=DateInput(),
        help_text=_("Optional: the same session, Monday to Friday, until this day."),
    )

    class Meta:
        model = Session
        fields = [
            "activity_type",
            "title",
            "phase",
            "theme",
            "language",
            "mode",
            "organiser",
            "place",
            "link",
            "capacity",
        ]

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        phase = self.fields["phase"]
        activity_type = self.fields["activity_type"]
        organiser = self.fields["organiser"]
        assert isinstance(phase, forms.ModelChoiceField)
        assert isinstance(activity_type, forms.ModelChoiceField)
        assert isinstance(organiser, forms.ModelChoiceField)
        phase.queryset = cohort.programme.phases.all()
        activity_type.queryset = ActivityType.objects.all()
        activity_type.empty_label = None
        organiser.queryset = Organisation.objects.filter(is_active=True)
        if self.instance.pk:
            del self.fields["repeat_until"]
            start = timezone.localtime(self.instance.starts_at)
            end = timezone.localtime(self.instance.ends_at)
            self.initial.update(
                day=start.date(), start_time=start.time(), end_time=end.time()
            )
        else:
            self.initial.setdefault("organiser", cohort.owner_organisation_id)
            phases = list(phase.queryset)
            counting = [p for p in phases if p.counts_for_completion]
            if counting or phases:
                self.initial.setdefault("phase", (counting or phases)[0].pk)
            self.initial.setdefault("day", max(cohort.start_date, timezone.localdate()))
            self.initial.setdefault("start_time", datetime.time(9, 30))
            self.initial.setdefault("end_time", datetime.time(12, 30))

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("day")
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if day and start and end:
            tz = timezone.get_current_timezone()
            cleaned["starts_at"] = datetime.datetime.combine(day, start, tzinfo=tz)
            cleaned["ends_at"] = datetime.datetime.combine(day, end, tzinfo=tz)
        return cleaned

    def model_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["starts_at"] = self.cleaned_data["starts_at"]
        data["ends_at"] = self.cleaned_data["ends_at"]
        return data


# The service's error keys that this form shows under other names.
SESSION_ERROR_FIELDS = {"starts_at": "day", "ends_at": "end_time"}


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(
        label=pgettext_lazy("leaving a cohort", "Withdrawn on"), widget=DateInput()
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=Enrolment.WithdrawalReason.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = timezone.localdate()
        self.fields["withdrawn_on"].widget.attrs["max"] = (
            timezone.localdate().isoformat()
        )


class WalkInForm(SafeModelFormMixin, forms.ModelForm):
    class Meta:
        model = WalkIn
        fields = ["first_name", "age_band", "gender", "commune", "presence"]
        # No gender ticked beforehand: the advisor asks (a select showed the first).
        widgets = {
            "age_band": forms.RadioSelect,
            "gender": forms.RadioSelect,
            "presence": forms.RadioSelect,
        }

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "off"
        gender, age_band = self.fields["gender"], self.fields["age_band"]
        assert isinstance(gender, forms.ModelChoiceField)
        assert isinstance(age_band, forms.ChoiceField)
        gender.empty_label = None
        age_band.choices = WalkIn.AgeBand.choices
        self.fields["presence"].initial = session.default_presence
        if session.mode != "hybrid":
            self.fields["presence"].widget = forms.HiddenInput()


class WalkInLinkForm(forms.Form):
    case_file = forms.TypedChoiceField(label=_("Case file"), coerce=int)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_file"].choices = choices


class EnrolSelectionForm(forms.Form):
    case_files = forms.TypedMultipleChoiceField(
        label=_("Case files"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_files"].choices = choices
        self.fields["case_files"].error_messages["required"] = _(
            "Tick at least one young person."
        )


class RegisterForm(forms.Form):
    """One line per participant: attendance (present, late, excused, absent), on site or
    online, and the version of the row the register was opened on."""

    def __init__(self, *args, rows, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.session = session
        self.show_presence = session.mode == "hybrid"
        for row in rows:
            pk = row.case_file.pk
            attendance = row.attendance
            self.fields[f"status_{pk}"] = forms.ChoiceField(
                label=str(row.case_file.young_person),
                choices=Attendance.Status.choices,
                required=False,
                widget=forms.RadioSelect,
                initial=attendance.status if attendance else None,
            )
            self.fields[f"presence_{pk}"] = forms.ChoiceField(
                label=_("On site or online"),
                choices=Attendance.Presence.choices,
                required=False,
                widget=forms.RadioSelect,
                initial=(
                    attendance.presence
                    if attendance and attendance.presence
                    else session.default_presence
                ),
            )
            self.fields[f"version_{pk}"] = forms.IntegerField(
                widget=forms.HiddenInput,
                initial=row.version,
                min_value=0,
                required=False,
            )

    def lines(self):
        """(row, status field, presence field, version field) for the template."""
        for row in self.rows:
            pk = row.case_file.pk
            yield (
                row,
                self[f"status_{pk}"],
                self[f"presence_{pk}"],
                self[f"version_{pk}"],
            )

    def marks(self, *, all_present: bool) -> dict[int, Mark]:
        """What was ticked; with ``all_present``, everyone left unticked is present."""
        marks = {}
        for row in self.rows:
            pk = row.case_file.pk
            status = self.cleaned_data.get(f"status_{pk}") or (
                Attendance.Status.PRESENT if all_present else ""
            )
            if not status:
                continue
            marks[pk] = Mark(
                status=status,
                presence=self.cleaned_data.get(f"presence_{pk}") or "",
                version=self.cleaned_data.get(f"version_{pk}") or 0,
            )
        return marks

    def after_conflict(self, fresh_rows, conflicting: set[int]) -> "RegisterForm":
        """After a refused (stale) save: the register as it now is, with what the user
        ticked kept. Their conflicting lines carry the versions now current, so that
        a second save decides; lines they left alone show what others recorded."""
        data = data_copy(self)
        for row in fresh_rows:
            pk = row.case_file.pk
            ticked = self.data.get(f"status_{pk}")
            if ticked and pk in conflicting:
                data[f"version_{pk}"] = str(row.version)
            elif not ticked:
                data[f"version_{pk}"] = str(row.version)
                if row.attendance:
                    data[f"status_{pk}"] = row.attendance.status
                    data[f"presence_{pk}"] = (
                        row.attendance.presence or self.session.default_presence
                    )
        return RegisterForm(data, rows=fresh_rows, session=self.session)
