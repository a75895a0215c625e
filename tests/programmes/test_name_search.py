"""Searching for a young person by name on the programme pages (enrolling into a
cohort, linking a walk-in to a file) posts the name: the page comes back at an
address carrying a token, never the name (``youthtrack.search``)."""

import pytest
from django.urls import reverse

from tests.factories import EligibleCaseFileFactory, WalkInFactory

from .conftest import sign_in


@pytest.fixture
def as_user(client, user_for):
    """``as_user("advisor")``: a client signed in with that role, in English."""

    def signed_in(role: str):
        sign_in(client, user_for(role))
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return signed_in


def test_the_enrolment_search_keeps_the_name_out_of_the_address(
    as_user, cohort, advisor, uppercut
):
    EligibleCaseFileFactory(
        programme=uppercut,
        advisor=advisor,
        young_person__first_name="Amir",
        young_person__last_name="Benali",
    )
    EligibleCaseFileFactory(
        programme=uppercut,
        advisor=advisor,
        young_person__first_name="Lucie",
        young_person__last_name="Claessens",
    )
    client = as_user("advisor")
    url = reverse("programmes:cohort_enrol", args=[cohort.pk])
    assert 'name="find"' in client.get(url).content.decode()
    searched = client.post(url, {"find": "1", "q": "Benali"})
    assert searched.status_code == 302
    assert "search=" in searched["Location"] and "Benali" not in searched["Location"]
    page = client.get(searched["Location"])
    listed = page.content.decode()
    assert "Benali, Amir" in listed and "Claessens" not in listed
    assert page.context["search"] == "Benali"


def test_the_walk_in_link_search_keeps_the_name_out_of_the_address(
    as_user, advisor, uppercut
):
    walk_in = WalkInFactory(first_name="Yasmine")
    EligibleCaseFileFactory(
        programme=uppercut,
        advisor=advisor,
        young_person__first_name="Yasmine",
        young_person__last_name="Haddad",
    )
    client = as_user("advisor")
    url = reverse("programmes:walk_in_convert", args=[walk_in.pk])
    searched = client.post(url, {"find": "1", "q": "Haddad"})
    assert searched.status_code == 302
    assert "Haddad" not in searched["Location"]
    assert client.get(searched["Location"]).context["search"] == "Haddad"
