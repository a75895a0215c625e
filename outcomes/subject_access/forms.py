from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from youthtrack.models import YoungPerson


class SubjectAccessForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the export"),
        choices=settings.LANGUAGES,
        initial="fr",
        help_text=_("The young person's language."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("pdf", _("PDF, to read")),
            ("json", _("JSON, for a machine")),
        ],
        initial="pdf",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, person: YoungPerson | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # French unless the person speaks only Dutch.
        if person is not None and person.speaks_dutch and not person.speaks_french:
            self.fields["language"].initial = "nl"
