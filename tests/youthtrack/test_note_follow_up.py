"""The next follow-up date can be set from the note form (issue 10): the
appointment agreed during a contact is written with the note, audited, and only by
the case file's editors."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.youthtrack.sharing_helpers import make_case, make_user, share_case, signed_in
from youthtrack.models import AuditEvent, CaseFile, Note, Share, User

pytestmark = pytest.mark.django_db


def _post(client, case, **extra):
    page = client.get(reverse("note_create", args=[case.pk]))
    form = page.context["form"]
    data = {
        "contact_date": timezone.localdate().isoformat(),
        "channel": form.fields["channel"].queryset.first().pk,
        "topic": "Rendez-vous",
        "text": "On se revoit bientôt.",
        "visibility": Note.Visibility.SHARED,
        "idempotency_key": form.fields["idempotency_key"].initial,
        **extra,
    }
    return page, client.post(reverse("note_create", args=[case.pk]), data)


def test_the_advisor_sets_the_next_follow_up_with_the_note():
    advisor = make_user("sarah", org_code="cdm", role=User.Role.ADVISOR)
    case = make_case(
        advisor=advisor,
        first_name="Amira",
        last_name="Benali",
        phone="0470000000",
        email="amira@example.org",
    )
    day = timezone.localdate() + datetime.timedelta(days=14)
    _page, response = _post(signed_in(advisor), case, next_follow_up_on=day.isoformat())
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.next_follow_up_on == day
    assert case.notes.count() == 1
    assert AuditEvent.objects.filter(
        object_type="youthtrack.casefile",
        object_id=case.pk,
        changes__has_key="next_follow_up_on",
    ).exists()


def test_a_follow_up_in_the_past_is_refused_beside_the_field_and_no_note_is_written():
    advisor = make_user("sarah", org_code="cdm", role=User.Role.ADVISOR)
    case = make_case(
        advisor=advisor,
        first_name="Amira",
        last_name="Benali",
        phone="0470000000",
        email="amira@example.org",
    )
    before = CaseFile.objects.get(pk=case.pk).next_follow_up_on
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    _page, response = _post(
        signed_in(advisor), case, next_follow_up_on=yesterday.isoformat()
    )
    assert response.status_code == 200
    assert response.context["form"].errors["next_follow_up_on"]
    assert response.context["form"]["text"].value() == "On se revoit bientôt."
    assert case.notes.count() == 0
    assert CaseFile.objects.get(pk=case.pk).next_follow_up_on == before


def test_a_partner_writing_a_note_is_not_offered_the_follow_up_date():
    advisor = make_user("sarah", org_code="cdm", role=User.Role.ADVISOR)
    partner = make_user("lotte", org_code="actiris", role=User.Role.PARTNER)
    case = make_case(
        advisor=advisor,
        first_name="Amira",
        last_name="Benali",
        phone="0470000000",
        email="amira@example.org",
    )
    share_case(case, owner=advisor, partner_user=partner, scope=Share.Scope.NOTES)
    before = CaseFile.objects.get(pk=case.pk).next_follow_up_on
    day = timezone.localdate() + datetime.timedelta(days=3)
    page, response = _post(signed_in(partner), case, next_follow_up_on=day.isoformat())
    assert "next_follow_up_on" not in page.context["form"].fields
    assert response.status_code == 302
    assert CaseFile.objects.get(pk=case.pk).next_follow_up_on == before
