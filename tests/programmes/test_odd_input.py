"""Odd input on the programmes pages is answered beside its field, never with a
server error (issue 7's findings; tests/test_hostile_query_params.py covers the
class)."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from programmes.models import Cohort, WalkIn
from youthtrack.fields import LATEST_DATE

from .conftest import sign_in

HUGE_ID = "12345678901234567890"


@pytest.fixture
def as_user(db, client, user_for):
    """(``db``: so that pytest-django runs these before the transactional tests,
    which empty the tables.)"""

    def signed_in(role: str):
        sign_in(client, user_for(role))
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return signed_in


def errors_beside(response, field_id: str) -> list[str]:
    match = re.search(
        rf'<div class="errors" id="{re.escape(field_id)}_error">(.*?)</div>',
        response.content.decode(),
        re.DOTALL,
    )
    if match is None:
        return []
    return [html.unescape(p.strip()) for p in re.findall(r"<p>(.*?)</p>", match[1])]


@pytest.mark.parametrize("view", ["week", "month"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_calendar_stays_within_the_dates_it_knows(as_user, view, day):
    response = as_user("advisor").get(
        reverse("programmes:calendar"), {"day": day, "view": view}
    )

    assert response.status_code == 200
    assert datetime.date(1900, 1, 1) <= response.context["start"]
    assert response.context["following"] <= LATEST_DATE + datetime.timedelta(days=7)


def test_the_contacts_of_an_absurd_period_are_counted_on_a_clamped_one(as_user):
    response = as_user("advisor").get(
        reverse("programmes:contacts"), {"start": "0001-01-01", "end": "9999-12-31"}
    )

    assert response.status_code == 200
    assert response.context["start"] == datetime.date(1900, 1, 1)
    assert response.context["end"] == LATEST_DATE


def test_a_huge_search_for_enrolment_is_refused_beside_the_box(as_user, cohort):
    response = as_user("advisor").get(
        reverse("programmes:cohort_enrol", args=[cohort.pk]), {"q": "x" * 60_000}
    )

    assert response.status_code == 200
    assert errors_beside(response, "enrol-search") == [
        "Search with at most 200 characters."
    ]


def test_a_huge_search_for_a_walk_in_s_file_is_refused(as_user, intensive):
    walk_in = WalkIn.objects.create(
        session=intensive[0],
        first_name="Inès",
        age_band="18-24",
        gender_id="female",
        commune_id="21015",
        presence="on_site",
        organisation=intensive[0].organiser,
        recorded_by=intensive[0].created_by,
    )
    response = as_user("advisor").get(
        reverse("programmes:walk_in_convert", args=[walk_in.pk]),
        {"q": "é" * 60_000},
    )

    assert response.status_code == 200
    assert errors_beside(response, "link-search") == [
        "Search with at most 200 characters."
    ]


def cohort_post(advisor, today, **changes) -> dict:
    return {
        "name": "Uppercut — automne",
        "start_date": today.isoformat(),
        "end_date": (today + datetime.timedelta(days=90)).isoformat(),
        "capacity": "11",
        "advisors": [advisor.pk],
        **changes,
    }


def test_a_20_digit_advisor_id_is_not_a_valid_choice(as_user, uppercut, advisor, today):
    response = as_user("lead").post(
        reverse("programmes:cohort_create", args=[uppercut.pk]),
        cohort_post(advisor, today, advisors=[HUGE_ID], partners=["-1"]),
    )

    assert response.status_code == 200
    assert errors_beside(response, "id_advisors")[0].startswith(
        "Select a valid choice."
    )
    assert errors_beside(response, "id_partners")[0].startswith(
        "Select a valid choice."
    )
    assert not Cohort.objects.filter(name="Uppercut — automne").exists()


def test_a_20_digit_funder_id_is_not_a_valid_choice(as_user, uppercut, lead):
    lead.programmes_led.add(uppercut)
    response = as_user("lead").post(
        reverse("programmes:programme_edit", args=[uppercut.pk]),
        {"min_age": "15", "max_age": "29", "funders": [HUGE_ID]},
    )

    assert response.status_code == 200
    assert errors_beside(response, "id_funders")[0].startswith("Select a valid choice.")


def test_an_end_before_the_start_is_said_beside_the_end_date(
    as_user, uppercut, advisor, today
):
    response = as_user("lead").post(
        reverse("programmes:cohort_create", args=[uppercut.pk]),
        cohort_post(
            advisor,
            today,
            end_date=(today - datetime.timedelta(days=1)).isoformat(),
        ),
    )

    assert response.status_code == 200
    assert errors_beside(response, "id_end_date") == [
        "The end date cannot be before the start date."
    ]
    assert "cohort_ends_after_start" not in response.content.decode()
    assert response.context["form"].non_field_errors() == []


def test_a_cohort_in_the_year_9999_is_refused(as_user, uppercut, advisor, today):
    response = as_user("lead").post(
        reverse("programmes:cohort_create", args=[uppercut.pk]),
        cohort_post(advisor, today, end_date="9999-12-31"),
    )

    assert response.status_code == 200
    assert errors_beside(response, "id_end_date") == [
        "Enter a date until the end of 2199."
    ]


def test_a_refused_walk_in_keeps_what_was_typed_beside_its_errors(as_user, intensive):
    session = intensive[0]
    response = as_user("advisor").post(
        reverse("programmes:walk_in_create", args=[session.pk]),
        {"first_name": "Inès Kabongo", "age_band": "", "gender": "female"},
    )

    assert response.status_code == 200  # the register again, not a redirect
    assert response.context["session"] == session
    assert errors_beside(response, "id_age_band") == ["This field is required."]
    assert 'value="Inès Kabongo"' in html.unescape(response.content.decode())
    assert not WalkIn.objects.exists()
