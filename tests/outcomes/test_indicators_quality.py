"""The data-quality gate: who is incomplete, why, and where to fix it."""

import pytest
from django.utils import translation

from outcomes.indicators.engine import report_compute
from outcomes.indicators.quality import quality_issues
from outcomes.models import FollowUp
from tests.outcomes.indicators_helpers import (
    FROM,
    TO,
    D,
    operation,
    outcome,
    participation,
)

pytestmark = pytest.mark.django_db


def test_the_gate_lists_each_incomplete_participant_with_the_problems_and_a_link():
    op = operation()
    participation(op, status="employed")  # complete
    no_status = participation(op, status="", entry=D(2025, 2, 1))
    no_since = participation(op, status="unemployed", since=None, entry=D(2025, 3, 1))
    backwards = participation(
        op, status="employed", entry=D(2025, 4, 1), exit=D(2025, 3, 20)
    )
    overdue = participation(
        op, status="employed", entry=D(2025, 5, 1), exit=D(2025, 6, 1)
    )
    FollowUp.objects.create(
        case_file=overdue, kind="upon_leaving", due_on=D(2025, 6, 29)
    )
    FollowUp.objects.create(  # answered: not overdue
        case_file=overdue, kind="six_months", due_on=D(2025, 12, 1),
        situation="employed", answered_on=D(2025, 12, 2),
    )  # fmt: skip
    bad_outcome = participation(
        op, status="employed", entry=D(2025, 6, 1), exit=D(2025, 7, 1)
    )
    outcome(bad_outcome, "job", D(2025, 7, 10), end=D(2025, 7, 5))
    participation(op, status="", entry=D(2024, 6, 1))  # outside the period

    with translation.override("en"):
        issues = quality_issues(operation=op, date_from=FROM, date_to=TO)
    listed = {
        issue["case_file"]: [p["code"] for p in issue["problems"]] for issue in issues
    }
    assert listed == {
        no_status.pk: ["no_employment_status"],
        no_since.pk: ["no_unemployed_since"],
        backwards.pk: ["exit_before_entry"],
        overdue.pk: ["upon_leaving_overdue"],
        bad_outcome.pk: ["outcome_dates"],
    }
    assert issues[0]["url"] == f"/cases/{no_status.pk}/"
    assert issues[0]["problems"][0]["message"] == "No employment status at entry."
    with translation.override("nl"):
        dutch = quality_issues(operation=op, date_from=FROM, date_to=TO)
    assert dutch[0]["problems"][0]["message"] == "Geen arbeidssituatie bij instap."
    report = report_compute(
        rule_set="esfplus2021", operation=op, date_from=FROM, date_to=TO
    )
    assert report["incomplete"] == len(issues) == 5
