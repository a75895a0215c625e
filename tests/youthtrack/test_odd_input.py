"""Odd filter values on the case list and the audit trail are answered beside their
field, never with a server error (issue 7; tests/test_hostile_query_params.py covers
the class)."""

from django.urls import reverse

from .helpers import field_errors


def test_a_60000_character_search_is_refused_beside_the_box(client_as, case_file):
    response = client_as("advisor").get(reverse("case_list"), {"q": "x" * 60_000})

    assert response.status_code == 200
    assert field_errors(response, "id_q") == [
        "Ensure this value has at most 200 characters (it has 60000)."
    ]
    assert list(response.context["page"]) == []


def test_an_entry_period_that_ends_before_it_starts_is_refused(client_as, case_file):
    response = client_as("advisor").get(
        reverse("case_list"), {"entry_from": "2025-03-01", "entry_to": "2025-02-01"}
    )

    assert field_errors(response, "id_entry_to") == [
        "This date comes before the first one."
    ]


def test_entry_dates_at_the_ends_of_the_calendar_are_refused(client_as, case_file):
    response = client_as("advisor").get(
        reverse("case_list"), {"entry_from": "0001-01-01", "entry_to": "9999-12-31"}
    )

    assert response.status_code == 200
    assert field_errors(response, "id_entry_from") == ["Enter a date from 1900 on."]
    assert field_errors(response, "id_entry_to") == [
        "Enter a date until the end of 2199."
    ]


def test_a_20_digit_case_file_number_in_the_audit_trail_is_refused(client_as):
    response = client_as("administrator").get(
        reverse("audit_log"), {"case_file": "12345678901234567890"}
    )

    assert response.status_code == 200
    assert field_errors(response, "id_case_file") == ["Enter a whole number."]
