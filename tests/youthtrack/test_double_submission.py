"""Double submission creates one record: the same note form posted twice (a double
click, a request resent after a timeout) gives one note, and the second post lands
on the case file like the first."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import CaseFileFactory, reference
from tests.youthtrack.conftest import sign_in
from tests.youthtrack.sharing_helpers import form_post, today
from youthtrack import services
from youthtrack.models import AuditEvent, Note


def _note_form(client, case_file) -> dict[str, str]:
    response = client.get(reverse("note_create", args=[case_file.pk]))
    assert response.status_code == 200
    return form_post(
        response.context["form"],
        topic="Bilan",
        text="Premier entretien.",
        visibility=Note.Visibility.ORGANISATION,
        channel=reference.channel("in_person"),
    )


def test_the_same_note_form_posted_twice_gives_one_note(client, advisor, case_file):
    sign_in(client, advisor)
    data = _note_form(client, case_file)
    assert data["idempotency_key"]
    url = reverse("note_create", args=[case_file.pk])
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert case_file.notes.count() == 1
    assert (
        AuditEvent.objects.filter(
            object_type="youthtrack.note", action=AuditEvent.Action.CREATE
        ).count()
        == 1
    )


def test_two_forms_opened_give_two_notes(client, advisor, case_file):
    """Each rendering has its own token: two notes written on purpose both stay."""
    sign_in(client, advisor)
    url = reverse("note_create", args=[case_file.pk])
    client.post(url, _note_form(client, case_file))
    client.post(url, _note_form(client, case_file))
    assert case_file.notes.count() == 2


def _data():
    return {
        "contact_date": today(),
        "channel": reference.channel("in_person"),
        "topic": "Bilan",
        "text": "Premier entretien.",
        "visibility": Note.Visibility.ORGANISATION,
    }


def test_the_service_returns_the_note_already_written(advisor, case_file):
    first = services.note_create(
        case_file=case_file, acting_user=advisor, data=_data(), idempotency_key="k1"
    )
    again = services.note_create(
        case_file=case_file, acting_user=advisor, data=_data(), idempotency_key="k1"
    )
    assert again.pk == first.pk
    assert Note.objects.count() == 1
    # Without a key (an older page), every post is a note.
    services.note_create(case_file=case_file, acting_user=advisor, data=_data())
    services.note_create(case_file=case_file, acting_user=advisor, data=_data())
    assert Note.objects.count() == 3


def test_a_key_reused_on_another_file_is_refused(advisor, case_file):
    other = CaseFileFactory(advisor=advisor, owner_organisation=advisor.organisation)
    services.note_create(
        case_file=case_file, acting_user=advisor, data=_data(), idempotency_key="k1"
    )
    with pytest.raises(ValidationError):
        services.note_create(
            case_file=other, acting_user=advisor, data=_data(), idempotency_key="k1"
        )
    assert other.notes.count() == 0
