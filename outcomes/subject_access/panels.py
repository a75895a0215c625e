"""The right of access's part of the data protection officer's person page."""

from django.http import HttpRequest

from youthtrack.models import YoungPerson

from .forms import SubjectAccessForm


def subject_access_context(*, request: HttpRequest, person: YoungPerson) -> dict:
    # The page was reached through youthtrack's officer gate (dpo_person_get).
    return {"subject_access_form": SubjectAccessForm(person=person)}
