import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from youthtrack.fields import SEARCH_MAX_LENGTH

from .models import Language, Programme, Session, Theme


class SessionFilter(django_filters.FilterSet):
    """The calendar's filters: programme, theme, language."""

    programme = django_filters.ModelChoiceFilter(
        label=_("Programme"),
        field_name="cohort__programme",
        queryset=Programme.objects.filter(is_active=True),
        empty_label=_("All programmes"),
    )
    theme = django_filters.ChoiceFilter(
        label=_("Theme"), choices=Theme.choices, empty_label=_("All themes")
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"), choices=Language.choices, empty_label=_("All languages")
    )
    view = django_filters.CharFilter(
        method="ignore", widget=forms.HiddenInput, max_length=SEARCH_MAX_LENGTH
    )
    day = django_filters.CharFilter(
        method="ignore", widget=forms.HiddenInput, max_length=SEARCH_MAX_LENGTH
    )

    class Meta:
        model = Session
        fields: list[str] = []

    def ignore(self, queryset, name, value):
        return queryset
