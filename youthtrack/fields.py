"""The limits of what a filter, a search box or a form accepts, in one place, so that
odd input (a 20-digit id, the year 9999, a 60,000-character search, a NUL) is
refused beside its field instead of reaching the database or date arithmetic and
giving a server error. ``tests/test_hostile_query_params.py`` sends such input to
every page.
"""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

# Ids are 64-bit integers in every database we run on.
MAX_ID = 2**63 - 1
# A search or a filter value longer than this is not something a person typed
# (SQLite also refuses LIKE patterns over 50,000 bytes).
SEARCH_MAX_LENGTH = 200
# Dates the service deals with: births, entries, sessions. Calendars and period
# pickers stay inside these, and date arithmetic never leaves Python's range.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2199, 12, 31)

date_validators = [
    MinValueValidator(
        EARLIEST_DATE,
        message=format_lazy(
            gettext_lazy("Enter a date from {year} on."), year=EARLIEST_DATE.year
        ),
    ),
    MaxValueValidator(
        LATEST_DATE,
        message=format_lazy(
            gettext_lazy("Enter a date until the end of {year}."), year=LATEST_DATE.year
        ),
    ),
]


def clamp_date(day: datetime.date) -> datetime.date:
    return min(max(day, EARLIEST_DATE), LATEST_DATE)


def parse_day(value: str | None, default: datetime.date) -> datetime.date:
    """A date from a query parameter: ``default`` when it is missing or not a date,
    clamped to the dates the service deals with."""
    try:
        day = datetime.date.fromisoformat(value) if value else default
    except (TypeError, ValueError):
        day = default
    return clamp_date(day)


def clean_search(value: str | None) -> tuple[str, str | None]:
    """A search typed in a box outside a filter form: (what to search, the error to
    show beside the box). A refused search searches nothing."""
    value = value or ""
    if len(value) > SEARCH_MAX_LENGTH:
        return "", _("Search with at most %(count)s characters.") % {
            "count": SEARCH_MAX_LENGTH
        }
    if any(ord(char) < 32 and char not in "\t" for char in value):
        return "", _("Search with letters, digits and spaces only.")
    return value, None


def _check_ids(field: forms.Field, values) -> None:
    for value in values:
        try:
            number = int(str(value))
        except (TypeError, ValueError):
            number = None
        if number is None or not 0 < number <= MAX_ID:
            raise ValidationError(
                field.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": str(value)[:40]},
            )


class IdsField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows whose ids are checked before any query: an id out of
    the database's range is "not a valid value", not an OverflowError."""

    def _check_values(self, value):
        if (self.to_field_name or "pk") == "pk":
            try:
                values = frozenset(value)
            except TypeError:
                values = frozenset()  # the parent says why
            _check_ids(self, values)
        return super()._check_values(value)


class IdField(forms.ModelChoiceField):
    """A choice of one row, its id checked before the query."""

    def to_python(self, value):
        if value not in self.empty_values and (self.to_field_name or "pk") == "pk":
            if not isinstance(value, self.queryset.model):
                _check_ids(self, [value])
        return super().to_python(value)


class IdNumberFilter(django_filters.NumberFilter):
    """A filter on a row's number (``?case_file=123``): a whole number in range."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        message = gettext_lazy("Enter a whole number.")
        kwargs.setdefault(
            "error_messages", {"min_value": message, "max_value": message}
        )
        super().__init__(*args, **kwargs)


class BoundedDateFilter(django_filters.DateFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", date_validators)
        super().__init__(*args, **kwargs)


class SafeModelFormMixin:
    """For model forms: relations chosen by id are checked before any query, and
    dates stay in the range the service deals with."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field) is forms.ModelMultipleChoiceField:
                field.__class__ = IdsField
            elif type(field) is forms.ModelChoiceField:
                field.__class__ = IdField
            elif isinstance(field, forms.DateField):
                field.validators = [*field.validators, *date_validators]


def date_range_form(*pairs: tuple[str, str]) -> type[forms.Form]:
    """A filter form whose (start, end) date fields must come in order: an end
    before its start is an error beside the end."""

    class DateRangeForm(forms.Form):
        def clean(self):
            cleaned = super().clean()
            for start, end in pairs:
                first, last = cleaned.get(start), cleaned.get(end)
                if first and last and last < first:
                    self.add_error(end, _("This date comes before the first one."))
            return cleaned

    return DateRangeForm


class RowChoiceIterator(django_filters.fields.ModelChoiceIterator):
    """A model choice field's options read as rows of the columns their labels need
    (``field.label_fields``), not as model instances: the case list's programme
    filter offers every programme (670 at 1,000,000 young people), and building a
    model a programme was a seventh of the page's time. Validation still reads the
    chosen object through the field's queryset."""

    def __init__(self, field):
        super().__init__(field)
        self.queryset = field.queryset.values_list("pk", *field.label_fields)

    def choice(self, obj):
        key, *values = obj
        return (
            forms.models.ModelChoiceIteratorValue(key, None),
            self.field.label_from_row(*values),
        )


class TranslatedNameChoiceField(django_filters.fields.ModelChoiceField):
    """Choices of a ``TranslatedNameMixin`` model, labelled in the active language
    (French when the translation is empty), as ``TranslatedNameMixin.name``."""

    iterator = RowChoiceIterator
    label_fields = ("name_fr", "name_nl", "name_en")

    def label_from_row(self, name_fr: str, name_nl: str, name_en: str) -> str:
        language = (get_language() or "fr")[:2]
        return {"nl": name_nl, "en": name_en}.get(language) or name_fr


class PersonNameChoiceField(django_filters.fields.ModelChoiceField):
    """Choices of users, labelled as ``User.__str__``: the full name, else the
    username."""

    iterator = RowChoiceIterator
    label_fields = ("first_name", "last_name", "username")

    def label_from_row(self, first_name: str, last_name: str, username: str) -> str:
        return f"{first_name} {last_name}".strip() or username


class TranslatedNameChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = TranslatedNameChoiceField


class PersonNameChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = PersonNameChoiceField
