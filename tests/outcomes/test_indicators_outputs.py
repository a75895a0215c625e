"""Outputs (characteristics at entry) with hand-computed figures."""

import pytest
from django.utils import translation

from outcomes.indicators.engine import report_compute
from outcomes.records.services import _add_months
from tests.outcomes.indicators_helpers import FROM, TO, D, operation, participation
from youthtrack.models import age_on

pytestmark = pytest.mark.django_db


def report(op, rule_set=None, date_from=FROM, date_to=TO):
    return report_compute(
        rule_set=rule_set or op.rule_set,
        operation=op,
        date_from=date_from,
        date_to=date_to,
    )


def total(result, key):
    return result["indicators"][key]["total"]


def test_age_at_entry_counts_the_birthday_itself():
    op = operation()
    # 18 on the entry day itself: aged 18 to 29.
    participation(op, born=D(2007, 3, 1), entry=D(2025, 3, 1), gender="female")
    # 18 the day after the entry: below 18.
    participation(op, born=D(2007, 3, 2), entry=D(2025, 3, 1), gender="male")
    # 30 on the entry day: no longer 18 to 29.
    participation(op, born=D(1995, 3, 1), entry=D(2025, 3, 1), gender="male")
    result = report(op)
    assert result["indicators"]["EECO06"] == {
        "women": 0, "men": 1, "non_binary": 0, "total": 1
    }  # fmt: skip
    assert result["indicators"]["EECO07"] == {
        "women": 1, "men": 0, "non_binary": 0, "total": 1
    }  # fmt: skip
    assert total(result, "EECO01") == 3


def test_born_on_29_february_turns_a_year_older_on_1_march():
    op = operation("esf2014")
    # 25 on 1 March 2025 (no 29 February that year): 24 on 28 February.
    participation(op, born=D(2000, 2, 29), entry=D(2025, 2, 28))
    participation(op, born=D(2000, 2, 29), entry=D(2025, 3, 1))
    result = report(op)
    assert total(result, "CO06") == 1  # below 25
    assert total(result, "TOTAL") == 2


def test_long_term_unemployment_on_both_sides_of_25_and_of_the_thresholds():
    op = operation()
    entry = D(2025, 3, 1)
    under_25, aged_25 = D(2000, 6, 15), D(1999, 6, 15)
    # Under 25: more than 6 months.
    participation(op, born=under_25, entry=entry, since=D(2024, 9, 1))  # 6 exactly
    participation(op, born=under_25, entry=entry, since=D(2024, 8, 31))  # 6 and 1 day
    # 25: more than 12 months.
    participation(op, born=aged_25, entry=entry, since=D(2024, 8, 31))  # 6 months
    participation(op, born=aged_25, entry=entry, since=D(2024, 3, 1))  # 12 exactly
    participation(op, born=aged_25, entry=entry, since=D(2024, 2, 29))  # 12 and 1 day
    # Nine months, on both sides of the 25th birthday (the entry day).
    participation(op, born=D(2000, 3, 1), entry=entry, since=D(2024, 6, 1))  # 25
    participation(op, born=D(2000, 3, 2), entry=entry, since=D(2024, 6, 1))  # 24
    result = report(op)
    assert total(result, "EECO02") == 7
    assert total(result, "EECO03") == 3
    assert result["parameters"]["long_term_unemployed_months_under_25"] == 6


def test_long_term_thresholds_are_the_operations_parameters():
    op = operation(long_term_unemployed_months_under_25=9)
    entry = D(2025, 3, 1)
    participation(op, born=D(2000, 6, 15), entry=entry, since=D(2024, 8, 31))
    participation(op, born=D(2000, 6, 15), entry=entry, since=D(2024, 5, 31))
    result = report(op)
    assert total(result, "EECO03") == 1
    assert result["parameters"] == {
        "long_term_unemployed_months_under_25": 9,
        "long_term_unemployed_months_25_and_over": 12,
        "leaving_window_days": 28,
    }


def test_employment_status_education_and_isced_groups():
    op = operation("esf2014")
    participation(op, status="unemployed", diploma="none")  # ISCED 0
    participation(op, status="inactive", actiris=True, diploma="ceb")  # job seeker
    participation(op, status="inactive", education="student", diploma="cess")
    participation(op, status="inactive", diploma="7e-perfectionnement")  # NEET
    participation(op, status="employed", diploma="master", gender="non_binary")
    result = report(op)
    assert total(result, "CO01") == 2
    assert total(result, "CO03") == 2
    assert total(result, "CO04") == 1
    assert total(result, "CO05") == 1
    assert result["indicators"]["CO05"]["non_binary"] == 1
    # ISCED 0 is in no ESF 2014 group (1-2 / 3-4 / 5-8).
    assert [total(result, c) for c in ("CO09", "CO10", "CO11")] == [1, 2, 1]


def test_declined_sensitive_data_counts_as_not_in_the_category():
    op = operation()
    participation(op, gender="female", disability="yes")
    participation(op, gender="male", disability="yes")
    participation(op, gender="male", disability="declined", minority="declined")
    participation(op, gender="non_binary", disability="no")
    result = report(op)
    assert result["indicators"]["EECO12"] == {
        "women": 1, "men": 1, "non_binary": 0, "total": 2
    }  # fmt: skip
    assert result["declined"]["EECO12"] == 1
    assert result["declined"]["EECO15"] == 1
    assert total(result, "EECO15") == 0


def test_not_stated_gender_counts_in_the_total_only():
    op = operation()
    participation(op, gender="not_stated")
    participation(op, gender="female")
    assert report(op)["indicators"]["EECO01"] == {
        "women": 1, "men": 0, "non_binary": 0, "total": 2
    }  # fmt: skip


def test_a_person_counts_once_per_operation_and_again_in_another():
    op, other = operation(), operation()
    first = participation(
        op, entry=D(2025, 2, 1), status="unemployed", exit=D(2025, 10, 1)
    )
    # The same person, entered in the same operation by another file: not again.
    participation(op, entry=D(2025, 5, 1), status="employed", person=first.young_person)
    participation(other, entry=D(2025, 5, 1), person=first.young_person)
    result = report(op)
    assert total(result, "EECO01") == 1
    assert total(result, "EECO02") == 1  # the first entry's situation
    assert total(result, "EECO05") == 0
    assert total(report(other), "EECO01") == 1


def test_only_entries_in_the_period_count_as_outputs():
    op = operation()
    participation(op, entry=D(2024, 12, 31))
    participation(op, entry=D(2025, 1, 1))
    participation(op, entry=D(2025, 12, 31))
    participation(op, entry=D(2026, 1, 1))
    assert total(report(op), "EECO01") == 2


def test_missing_employment_status_fails_the_total_check():
    op = operation()
    participation(op, status="employed")
    participation(op, status="")
    result = report(op)
    assert result["incomplete"] == 1
    check = next(
        c for c in result["checks"]
        if c["rule"].startswith("EECO01 =") and c["gender"] == "total"
    )  # fmt: skip
    assert (check["left"], check["right"], check["passed"]) == (2, 1, False)


def test_labels_and_parameters_are_in_the_readers_language():
    op = operation()
    with translation.override("nl"):
        dutch = report(op)
    with translation.override("fr"):
        french = report(op)
    assert dutch["labels"]["EECO04"] == "Inactieven"
    assert french["labels"]["EECO04"] == "Inactifs"
    assert french["labels"]["EECO02"] == "Chômeurs, y compris de longue durée"
    assert french["parameter_labels"]["leaving_window_days"] == (
        "À la sortie : jours après la date de sortie"
    )
    assert dutch["indicators"] == french["indicators"]
    assert dutch["checksum"] == french["checksum"]


def test_age_and_long_term_unemployment_agree_with_the_calendar_at_month_ends():
    """The database's reckoning against the calendar's, over month ends and leap
    days: the long-term threshold is passed the day after unemployed_since + N
    months (the month's last day when it has no such day)."""
    op = operation()
    entries = [D(2025, 2, 28), D(2025, 3, 1), D(2025, 3, 31), D(2024, 2, 29)]
    since_days = [D(2024, 8, 28), D(2024, 8, 31), D(2024, 9, 30), D(2023, 8, 31)]
    births = [D(2000, 2, 29), D(2000, 3, 1), D(1999, 3, 31)]
    expected_ltu = expected_young = 0
    for n, entry in enumerate(entries):
        for since in since_days:
            born = births[n % len(births)]
            participation(op, entry=entry, since=since, born=born)
            age = age_on(born, entry)
            months = 6 if age < 25 else 12
            expected_ltu += entry > _add_months(since, months)
            expected_young += age < 25
    result = report(op, date_from=D(2024, 1, 1), date_to=D(2025, 12, 31))
    assert total(result, "EECO03") == expected_ltu
    assert total(result, "EECO01") == 16
    assert 0 < expected_ltu < 16
    esf2014 = report(op, "esf2014", date_from=D(2024, 1, 1), date_to=D(2025, 12, 31))
    assert total(esf2014, "CO06") == expected_young
