"""No lost update, however the form is posted.

The probe posted edit forms without their hidden ``version`` (or with 0): the stale-
edit check read that as "the current version" and saved over a colleague's change
without a word. Every form that carries a version now refuses a missing, zero,
negative, malformed or old one, and saves nothing.

The forms are discovered (every form class of the project with a ``version`` field),
so that a new versioned form without a case here fails ``test_every_versioned_form_
is_covered``.
"""

import datetime
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django import forms
from django.db import models
from django.urls import reverse

from programmes import services as programme_services
from programmes.models import Cohort
from tests.factories.programmes import CohortFactory
from tests.youthtrack.conftest import sign_in
from tests.youthtrack.sharing_helpers import Visibility, body, form_post, make_note
from youthtrack import services
from youthtrack.forms import VersionedForm
from youthtrack.models import CaseFile, Note, YoungPerson

FORM_MODULES = ["youthtrack.forms", "programmes.forms"]


def versioned_form_classes() -> set[str]:
    found = set()
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, forms.BaseForm)
                and cls.__module__ == module_name
                and "version" in cls.base_fields
                and cls is not VersionedForm  # the base, no model
            ):
                found.add(f"{module_name}.{name}")
    return found


@dataclass
class Edit:
    url: str
    record: Callable[[], models.Model]  # the row as it is now in the database
    change: dict[str, object]  # what the user changes in the form
    someone_else_saves: Callable[[], None]  # a colleague's save, for "old version"
    user_key: str = "advisor"


def _person(advisor, case_file, lead) -> Edit:
    def someone_else_saves():
        person = YoungPerson.objects.get(pk=case_file.young_person_id)
        services.young_person_update(
            young_person=person,
            acting_user=advisor,
            data={"phone": "0499 00 00 00"},
            expected_version=person.version,
            case_file=case_file,
        )

    return Edit(
        url=reverse("person_edit", args=[case_file.pk]),
        record=lambda: YoungPerson.objects.get(pk=case_file.young_person_id),
        change={"first_name": "Changed"},
        someone_else_saves=someone_else_saves,
    )


def _case(advisor, case_file, lead) -> Edit:
    def someone_else_saves():
        current = CaseFile.objects.get(pk=case_file.pk)
        services.case_file_update(
            case_file=current,
            acting_user=advisor,
            data={"referred_by": "A colleague"},
            expected_version=current.version,
        )

    return Edit(
        url=reverse("case_edit", args=[case_file.pk]),
        record=lambda: CaseFile.objects.get(pk=case_file.pk),
        change={"referred_by": "Changed"},
        someone_else_saves=someone_else_saves,
    )


def _note(advisor, case_file, lead) -> Edit:
    note = make_note(case_file, advisor, Visibility.ORGANISATION, "Before", "Topic")

    def someone_else_saves():
        current = Note.objects.get(pk=note.pk)
        services.note_update(
            note=current,
            acting_user=advisor,
            data={"topic": "Another topic"},
            expected_version=current.version,
        )

    return Edit(
        url=reverse("note_edit", args=[case_file.pk, note.pk]),
        record=lambda: Note.objects.get(pk=note.pk),
        change={"text": "Changed"},
        someone_else_saves=someone_else_saves,
    )


def _transition(advisor, case_file, lead) -> Edit:
    return Edit(
        url=reverse("case_transition", args=[case_file.pk, "follow_up"]),
        record=lambda: CaseFile.objects.get(pk=case_file.pk),
        change={"comment": "Moving on"},
        someone_else_saves=_case(advisor, case_file, lead).someone_else_saves,
    )


def _cohort(advisor, case_file, lead) -> Edit:
    cohort = CohortFactory(
        owner_organisation=lead.organisation,
        created_by=lead,
        start_date=datetime.date.today() + datetime.timedelta(days=10),
    )

    def someone_else_saves():
        current = Cohort.objects.get(pk=cohort.pk)
        programme_services.cohort_update(
            cohort=current,
            acting_user=lead,
            data={"capacity": current.capacity + 1},
            expected_version=current.version,
        )

    return Edit(
        url=reverse("programmes:cohort_edit", args=[cohort.pk]),
        record=lambda: Cohort.objects.get(pk=cohort.pk),
        change={"name": "Changed"},
        someone_else_saves=someone_else_saves,
        user_key="lead",
    )


EDITS: dict[str, Callable[..., Edit]] = {
    "youthtrack.forms.YoungPersonForm": _person,
    "youthtrack.forms.CaseFileForm": _case,
    "youthtrack.forms.NoteForm": _note,
    "youthtrack.forms.TransitionForm": _transition,
    "programmes.forms.CohortForm": _cohort,
}

BAD_VERSIONS = ["missing", "", "0", "-1", "abc", "1.5", "old"]


def test_every_versioned_form_is_covered():
    assert versioned_form_classes() == set(EDITS)


def _row(record: models.Model) -> dict:
    return type(record).objects.filter(pk=record.pk).values().get()


@pytest.fixture
def edit_for(request, client, advisor, case_file, lead):
    def make(form_name: str):
        edit = EDITS[form_name](advisor, case_file, lead)
        sign_in(client, {"advisor": advisor, "lead": lead}[edit.user_key])
        return edit

    return make


def _opened(client, edit: Edit) -> dict:
    """What the browser posts for the form as opened, with the user's change."""
    response = client.get(edit.url)
    assert response.status_code == 200
    form = response.context["form"]
    data = form_post(form, **edit.change)
    for name in form.fields:  # many-to-many: one value per choice
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[form.add_prefix(name)] = [str(getattr(v, "pk", v)) for v in value]
    return data


@pytest.mark.parametrize("form_name", sorted(EDITS))
@pytest.mark.parametrize("version", BAD_VERSIONS)
def test_a_save_without_the_version_it_was_opened_on_is_refused(
    client, edit_for, form_name, version
):
    edit = edit_for(form_name)
    data = _opened(client, edit)
    key = next(k for k in data if k == "version" or k.endswith("-version"))
    if version == "missing":
        del data[key]
    elif version == "old":
        edit.someone_else_saves()
    else:
        data[key] = version
    before = _row(edit.record())
    response = client.post(edit.url, data)
    assert response.status_code == 200  # the form again, nothing saved
    assert _row(edit.record()) == before
    text = body(response)
    if version != "old":
        assert "Reload the page" in text or "Rechargez" in text or "Herlaad" in text


@pytest.mark.parametrize("form_name", sorted(EDITS))
def test_the_same_form_with_its_version_saves(client, edit_for, form_name):
    """The posts above are refused for their version alone."""
    edit = edit_for(form_name)
    data = _opened(client, edit)
    before = _row(edit.record())
    response = client.post(edit.url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert _row(edit.record()) != before
