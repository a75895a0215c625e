"""Why a participant counts or not, in the reader's language."""

import datetime

import pytest
from django.utils import translation

from outcomes.indicators.engine import indicator_participants, report_compute
from outcomes.indicators.explain import participant_explain
from tests.factories import UserFactory
from tests.outcomes.indicators_helpers import (
    FROM,
    TO,
    D,
    operation,
    outcome,
    participation,
)

pytestmark = pytest.mark.django_db

EXIT = D(2025, 6, 1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def day(n):
    return EXIT + datetime.timedelta(days=n)


def explained(case_file, rule_set="esfplus2021", **period):
    result = participant_explain(rule_set=rule_set, case_file=case_file, **period)
    return {entry["key"]: entry for entry in result["indicators"]}


def test_a_job_replaced_by_job_search_says_the_last_event_counts():
    op = operation()
    case_file = participation(op, since=D(2025, 1, 1), exit=EXIT)
    outcome(case_file, "job", day(20))
    outcome(case_file, "job_search", day(25))
    entries = explained(case_file)
    assert entries["EECR01"]["counted"] is True
    assert entries["EECR04"] == {
        "key": "EECR04",
        "label": "In employment, including self-employment, upon leaving",
        "kind": "result",
        "counted": False,
        "reason": "Job as an employee on day 20 replaced by Actively searching for "
        "a job on day 25: the last event counts.",
    }


def test_a_job_35_days_after_exit_is_outside_the_window_in_french():
    op = operation()
    case_file = participation(op, since=D(2025, 1, 1), exit=EXIT)
    outcome(case_file, "job", day(35))
    with translation.override("fr"):
        entries = explained(case_file)
    assert entries["EECR04"]["counted"] is False
    assert "35" in entries["EECR04"]["reason"]
    assert "28" in entries["EECR04"]["reason"]
    assert "fenêtre" in entries["EECR04"]["reason"]


def test_outputs_say_why_not_counted():
    op = operation()
    case_file = participation(
        op, born=D(2000, 3, 2), since=D(2024, 9, 1), disability="declined",
        diploma="cess",
    )  # fmt: skip
    entries = explained(case_file)
    assert entries["EECO02"]["counted"] is True
    assert entries["EECO03"]["reason"] == (
        "Unemployed for 6 full months at entry, aged 24: long-term means more than "
        "6 months."
    )
    assert entries["EECO12"]["reason"] == (
        "Declined to state: counted as not in the category."
    )
    assert entries["EECO09"]["reason"] == "Highest diploma at entry at ISCED level 3."
    assert entries["EECR01"]["reason"] == "Still in the operation: no exit date."
    outside = explained(case_file, date_from=D(2025, 6, 1), date_to=TO)
    assert outside["EECO01"]["counted"] is False
    assert outside["EECO01"]["reason"].startswith("Entered on ")


def test_the_explanation_agrees_with_the_report_for_every_indicator():
    op = operation("esf2014")
    case_files = [
        participation(op, since=D(2024, 1, 1), exit=EXIT, exit_reason="dropped_out"),
        participation(op, status="inactive", exit=EXIT),
        participation(op, status="employed", gender="male"),
    ]
    outcome(case_files[0], "qualification", day(3))
    outcome(case_files[1], "job_search", day(4))
    outcome(case_files[1], "offer_education", day(8))
    report = report_compute(
        rule_set="esf2014", operation=op, date_from=FROM, date_to=TO
    )
    lead = UserFactory(organisation=case_files[0].owner_organisation, role="advisor")
    for key, figure in report["indicators"].items():
        counted = sum(
            explained(c, "esf2014", date_from=FROM, date_to=TO)[key]["counted"]
            for c in case_files
        )
        listed = indicator_participants(
            rule_set="esf2014", operation=op, date_from=FROM, date_to=TO,
            code=key, user=lead,
        ).count()  # fmt: skip
        assert figure["total"] == counted == listed, key
    assert report["indicators"]["YEI-CR01"]["total"] == 0  # the drop-out
    assert report["indicators"]["YEI-CR03"]["total"] == 1  # the qualification
    assert report["indicators"]["YEI-CR08"]["total"] == 1  # the offer
    assert report["indicators"]["CR01"]["total"] == 1
