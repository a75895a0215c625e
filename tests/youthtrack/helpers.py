"""Reading pages as a user reads them, and the state of the database as a whole."""

import datetime
import html
import re

from django import forms
from django.contrib.messages import get_messages

from youthtrack.models import (
    AuditEvent,
    CaseFile,
    CaseStatusChange,
    Consent,
    Note,
    YoungPerson,
)

# The roles of the tests (fixtures of conftest.py), and what each may do with the CDM
# case file kept by ``advisor`` (access.py): advisors and project leads of its
# organisation see and change it; partner staff see only files shared with their
# organisation (this one is not); administrators see no case file at all; an advisor
# of another organisation sees nothing of it.
ROLES = [
    "advisor",
    "colleague",
    "lead",
    "other_advisor",
    "partner",
    "administrator",
    "anonymous",
]
CAN_EDIT = {"advisor", "colleague", "lead"}
CANNOT_SEE = {"other_advisor", "partner", "administrator"}


def page_text(response) -> str:
    """The page as characters (entities decoded), for "is this shown" checks."""
    return html.unescape(response.content.decode())


def field_errors(response, field_id: str) -> list[str]:
    """The error messages shown beside a field (``templates/includes/field.html``),
    e.g. ``field_errors(response, "id_person-birth_date")``."""
    match = re.search(
        rf'<div class="errors" id="{re.escape(field_id)}_error">(.*?)</div>',
        response.content.decode(),
        re.DOTALL,
    )
    if match is None:
        return []
    return [
        html.unescape(text.strip())
        for text in re.findall(r"<p>(.*?)</p>", match.group(1), re.DOTALL)
    ]


def input_value(response, name: str) -> str | None:
    """The value an ``<input name=...>`` of the page carries (None: no such input)."""
    for tag in re.findall(r"<input[^>]*>", response.content.decode()):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            value = re.search(r'\bvalue="([^"]*)"', tag)
            return html.unescape(value.group(1)) if value else ""
    return None


def flash_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_data(form: forms.BaseForm, **overrides) -> dict[str, str]:
    """What a browser posts for an unbound form as displayed, with some fields changed
    (names without the form's prefix; None empties a field, False unticks a box)."""
    values = {name: form[name].value() for name in form.fields}
    values.update(overrides)
    data: dict[str, str] = {}
    for name, value in values.items():
        key = form.add_prefix(name)
        if isinstance(form.fields.get(name), forms.BooleanField):
            if value:
                data[key] = "on"
            continue
        if value is None:
            value = ""
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        elif hasattr(value, "pk"):
            value = value.pk
        data[key] = str(value)
    return data


def db_state() -> dict:
    """Every row a refused request might have changed."""
    return {
        "people": list(YoungPerson.objects.order_by("pk").values()),
        "cases": list(CaseFile.objects.order_by("pk").values()),
        "notes": list(Note.objects.order_by("pk").values()),
        "consents": list(Consent.objects.order_by("pk").values()),
        "status_changes": list(CaseStatusChange.objects.order_by("pk").values()),
        "audit": AuditEvent.objects.count(),
    }


def personal_data(case_file: CaseFile) -> list[str]:
    """Strings that identify the young person of a case file or what was said."""
    person = case_file.young_person
    values = [person.last_name, person.phone, person.email]
    values += [note.text for note in case_file.notes.all()]
    values += [note.topic for note in case_file.notes.all()]
    return [value for value in values if value]


def assert_nothing_leaked(response, case_file: CaseFile) -> None:
    text = page_text(response)
    leaked = [value for value in personal_data(case_file) if value in text]
    assert not leaked, f"shown to someone who may not see case file #{case_file.pk}"
