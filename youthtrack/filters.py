import datetime

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .fields import (
    SEARCH_MAX_LENGTH,
    BoundedDateFilter,
    IdNumberFilter,
    PersonNameChoiceFilter,
    TranslatedNameChoiceFilter,
    date_range_form,
)
from .models import (
    AuditEvent,
    CaseFile,
    Commune,
    Consent,
    Gender,
    Organisation,
    Programme,
    User,
    normalise_name,
)


class PlainSelect(forms.Select):
    """A select written in one pass, not through a template per option: the same
    element, for choice lists that grow with the data (670 programmes at 1,000,000
    young people took 31 ms of the case list's 70 through Django's option template).
    No option groups: for flat lists only."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if str(key) in selected else "", label)
                for key, label in self.choices
            ),
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            options,
        )


AGE_BANDS = {
    "15-17": (15, 17),
    "18-24": (18, 24),
    "25-29": (25, 29),
    "30+": (30, 200),
}


def birth_date_range(
    min_age: int, max_age: int, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """Birth dates of people aged min_age..max_age (completed years) today."""

    def years_ago(years: int) -> datetime.date:
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    latest = years_ago(min_age)
    earliest = years_ago(max_age + 1) + datetime.timedelta(days=1)
    return earliest, latest


def keep_consent_in_force(day: datetime.date) -> Exists:
    """The case file holds, on ``day``, a consent to keep it (processing of personal
    data) that is neither withdrawn nor expired."""
    return Exists(
        Consent.objects.filter(
            case_file_id=OuterRef("pk"),
            purpose=Consent.Purpose.DATA_PROCESSING,
            given_on__lte=day,
            withdrawn_on__isnull=True,
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
    )


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Files without a date come last, whatever the database's habit."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        field = self.param_map[param.lstrip("-")]
        expression = F(field)
        if descending:
            return expression.desc(nulls_last=True)
        return expression.asc(nulls_last=True)


class CaseFileFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name or file number")}
        ),
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=CaseFile.Status.choices,
        widget=forms.CheckboxSelectMultiple,
        # A column of the case file itself: no join, so no duplicate to remove (the
        # default DISTINCT would make the database compare every column of every row).
        distinct=False,
    )
    programme = TranslatedNameChoiceFilter(
        label=_("Programme"),
        queryset=Programme.objects.all(),
        empty_label=_("All"),
        widget=PlainSelect,
    )
    advisor = PersonNameChoiceFilter(
        label=_("Advisor"),
        queryset=User.objects.none(),
        empty_label=_("All"),
        widget=PlainSelect,
    )
    commune = django_filters.ModelChoiceFilter(
        label=_("Commune"),
        field_name="young_person__commune",
        queryset=Commune.objects.all(),
        empty_label=_("All"),
    )
    gender = TranslatedNameChoiceFilter(
        label=_("Gender"),
        field_name="young_person__gender",
        queryset=Gender.objects.all(),
        empty_label=_("All"),
    )
    age_band = django_filters.ChoiceFilter(
        label=_("Age today"),
        choices=[(key, key) for key in AGE_BANDS],
        method="filter_age_band",
        empty_label=_("All"),
    )
    consent = django_filters.ChoiceFilter(
        label=_("Consent"),
        choices=[("missing", _("No consent to keep the file"))],
        method="filter_consent",
        empty_label=_("All"),
    )
    entry_from = BoundedDateFilter(
        label=_("Entry from"),
        field_name="entry_date",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    entry_to = BoundedDateFilter(
        label=_("Entry until"),
        field_name="entry_date",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    follow_up_from = BoundedDateFilter(
        label=_("Next follow-up from"),
        field_name="next_follow_up_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    follow_up_to = BoundedDateFilter(
        label=_("Next follow-up until"),
        field_name="next_follow_up_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = NullsLastOrderingFilter(
        label=_("Sort by"),
        empty_label=None,
        fields=(
            # The normalised "last first" name: accent- and case-insensitive, and
            # read in order from its index (the copy the case file keeps).
            ("name_key", "name"),
            ("entry_date", "entry"),
            ("updated_at", "updated"),
            ("next_follow_up_on", "follow_up"),
            ("status", "status"),
        ),
        # Explicit lazy labels: django-filter would otherwise build the descending
        # ones once, at import, in whatever language was active then.
        choices=[
            ("-updated", _("Last change, newest first")),
            ("name", _("Name, A to Z")),
            ("-name", _("Name, Z to A")),
            ("-entry", _("Entry date, newest first")),
            ("entry", _("Entry date, oldest first")),
            ("follow_up", _("Next follow-up, soonest first")),
            ("status", _("Status")),
        ],
    )

    class Meta:
        model = CaseFile
        fields: list[str] = []
        form = date_range_form(
            ("entry_from", "entry_to"), ("follow_up_from", "follow_up_to")
        )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["advisor"].queryset = User.objects.filter(
            # None means IS NULL to Django; the stubs' lookup type leaves None out.
            organisation_id=user.organisation_id,  # type: ignore[misc]
            role__in=[User.Role.ADVISOR, User.Role.LEAD],
        )

    def filter_search(self, queryset, name, value):
        value = value.strip().lstrip("#")
        if not value:
            return queryset
        if value.isdigit():
            return queryset.filter(pk=int(value))
        condition = Q()
        for word in normalise_name(value).split():
            # The case file's copy of the name: on PostgreSQL, a trigram index
            # that leads with the organisation (migration 0011).
            condition &= Q(name_key__contains=word)
        return queryset.filter(condition)

    def filter_consent(self, queryset, name, value):
        if value != "missing":
            return queryset
        # Consents are the owner organisation's to read: its own files only.
        return queryset.filter(owner_organisation_id=self.user.organisation_id).exclude(
            keep_consent_in_force(timezone.localdate())
        )

    def filter_age_band(self, queryset, name, value):
        if value not in AGE_BANDS:
            return queryset
        earliest, latest = birth_date_range(*AGE_BANDS[value], timezone.localdate())
        return queryset.filter(
            young_person__birth_date__gte=earliest,
            young_person__birth_date__lte=latest,
        )


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(
        label=_("Who"),
        queryset=User.objects.order_by("last_name", "first_name"),
        empty_label=_("All"),
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        queryset=Organisation.objects.all(),
        empty_label=_("All"),
    )
    action = django_filters.MultipleChoiceFilter(
        label=_("Action"),
        choices=AuditEvent.Action.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,  # a column of the event itself: no duplicate to remove
    )
    case_file = IdNumberFilter(label=_("Case file number"))
    date_from = BoundedDateFilter(
        label=_("From"),
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = BoundedDateFilter(
        label=_("Until"),
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []
        form = date_range_form(("date_from", "date_to"))
