"""Attendance is taken once a session has started: before, the register is shown
read-only and says when it opens; a register or walk-in posted early saves nothing."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import Attendance, WalkIn
from tests.factories import SessionFactory
from tests.factories.programmes import at

from .conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, user_for):
    """``as_user("advisor")``: a client signed in with that role, in English."""

    def signed_in(role: str):
        sign_in(client, user_for(role))
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return signed_in


def text(response) -> str:
    return html.unescape(response.content.decode())


def _tomorrow_session(cohort):
    return SessionFactory(
        cohort=cohort,
        starts_at=at(timezone.localdate() + datetime.timedelta(days=1), 14, 0),
    )


def test_the_register_of_a_session_to_come_is_read_only_and_says_when(
    as_user, cohort, enrol
):
    enrol(2)
    session = _tomorrow_session(cohort)
    client = as_user("advisor")
    page = text(client.get(reverse("programmes:session_register", args=[session.pk])))
    assert "This session has not started yet" in page
    assert "at 14:00" in page
    assert 'name="all_present"' not in page  # no form to tick
    assert "Record the walk-in" not in page


def test_attendance_posted_before_the_start_saves_nothing_and_says_why(
    as_user, cohort, enrol
):
    (enrolment,) = enrol(1)
    session = _tomorrow_session(cohort)
    client = as_user("advisor")
    url = reverse("programmes:session_register", args=[session.pk])
    response = client.post(url, {"all_present": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "This session has not started yet" in text(response)
    assert not Attendance.objects.exists()
    response = client.post(
        reverse("programmes:walk_in_create", args=[session.pk]),
        {"first_name": "Inès", "age_band": "18-24", "gender": "female"},
        follow=True,
    )
    assert "This session has not started yet" in text(response)
    assert not WalkIn.objects.exists()


def test_a_session_under_way_takes_attendance(as_user, cohort, enrol):
    enrol(1)
    session = SessionFactory(
        cohort=cohort, starts_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    page = text(
        as_user("advisor").get(
            reverse("programmes:session_register", args=[session.pk])
        )
    )
    assert "This session has not started yet" not in page
    assert 'name="all_present"' in page


def test_a_walk_ins_gender_is_not_chosen_beforehand(as_user, cohort, intensive):
    page = as_user("advisor").get(
        reverse("programmes:session_register", args=[intensive[0].pk])
    )
    form = page.context["walk_in_form"]
    rendered = str(form["gender"])
    assert 'type="radio"' in rendered
    assert "checked" not in rendered
    # Sent without one: said beside the field, nothing recorded.
    response = as_user("advisor").post(
        reverse("programmes:walk_in_create", args=[intensive[0].pk]),
        {"first_name": "Inès", "age_band": "18-24", "commune": "21015"},
    )
    assert response.context["walk_in_form"].errors["gender"]
    assert not WalkIn.objects.exists()
