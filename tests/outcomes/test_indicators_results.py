"""Results upon leaving and six months after, and the YEI results, with
hand-computed figures. Exits on 1 June 2025: the 28-day window ends on 29 June."""

import datetime

import pytest

from outcomes.indicators.engine import report_compute
from tests.outcomes.indicators_helpers import (
    FROM,
    TO,
    D,
    operation,
    outcome,
    participation,
    six_month_answer,
)

pytestmark = pytest.mark.django_db

EXIT = D(2025, 6, 1)


def day(n: int) -> datetime.date:
    return EXIT + datetime.timedelta(days=n)


def leaver(op, **facts):
    facts.setdefault("since", D(2025, 1, 1))
    return participation(op, exit=EXIT, **facts)


def report(op, date_from=FROM, date_to=TO):
    return report_compute(
        rule_set=op.rule_set, operation=op, date_from=date_from, date_to=date_to
    )


def figure(result, key):
    return result["indicators"][key]


def test_the_last_labour_market_event_in_the_window_counts():
    op = operation()
    # A job on day 20 replaced by job search on day 25: job searching only.
    lost = leaver(op, gender="female")
    outcome(lost, "job", day(20))
    outcome(lost, "job_search", day(25))
    # Job search on day 5, then a job on day 20: in employment only.
    found = leaver(op, gender="male")
    outcome(found, "job_search", day(5))
    outcome(found, "job", day(20))
    result = report(op)
    assert figure(result, "EECR01") == {
        "women": 1, "men": 0, "non_binary": 0, "total": 1
    }  # fmt: skip
    assert figure(result, "EECR04") == {
        "women": 0, "men": 1, "non_binary": 0, "total": 1
    }  # fmt: skip


def test_a_job_on_day_27_or_28_counts_on_day_29_or_35_not():
    op = operation()
    for n in (27, 28, 29, 35):
        outcome(leaver(op), "job", day(n))
    assert figure(report(op), "EECR04")["total"] == 2


def test_the_window_is_the_operations_parameter():
    op = operation(leaving_window_days=35)
    for n in (27, 29, 35, 36):
        outcome(leaver(op), "job", day(n))
    result = report(op)
    assert figure(result, "EECR04")["total"] == 3
    assert result["parameters"]["leaving_window_days"] == 35


def test_a_job_going_on_at_exit_counts_one_that_ended_before_does_not():
    op = operation()
    outcome(leaver(op), "job", day(-30))  # no end date
    outcome(leaver(op), "self_employment", day(-30), end=day(10))
    outcome(leaver(op), "job", day(-30), end=day(-1))
    assert figure(report(op), "EECR04")["total"] == 2


def test_training_and_qualification_are_judged_on_their_own():
    op = operation()
    searching = leaver(op, gender="non_binary")
    outcome(searching, "qualifying_training", day(10))
    outcome(searching, "job_search", day(12))
    working = leaver(op)
    outcome(working, "qualification", day(-3))
    outcome(working, "job", day(5))
    too_late = leaver(op)
    outcome(too_late, "qualification", day(40))
    outcome(too_late, "studies", day(40))
    result = report(op)
    assert figure(result, "EECR02") == {
        "women": 0, "men": 0, "non_binary": 1, "total": 1
    }  # fmt: skip
    assert figure(result, "EECR01")["total"] == 1
    assert figure(result, "EECR03")["total"] == 1
    assert figure(result, "EECR04")["total"] == 1


def test_six_months_after_from_the_follow_up_or_the_outcomes():
    op = operation()
    answered = leaver(op, status="employed")
    six_month_answer(answered, "self_employed")
    outcome(answered, "self_employment", day(100))
    # The follow-up's answer decides over an earlier job.
    searching = leaver(op)
    outcome(searching, "job", day(10))
    six_month_answer(searching, "job_search")
    # No answer: a permanent job started five months after exit.
    permanent = leaver(op, status="employed")
    outcome(permanent, "job", day(150), contract_kind="permanent")
    # A job started seven months after exit: not yet six months after.
    late = leaver(op)
    outcome(late, "job", day(214))
    result = report(op)
    assert figure(result, "EECR04")["total"] == 1  # "searching", on day 10
    assert figure(result, "EECR05")["total"] == 2
    assert figure(result, "EECR06")["total"] == 2  # both were employed at entry


def test_results_count_the_leavers_of_the_period():
    op = operation()
    outcome(participation(op, exit=D(2024, 12, 20), since=D(2024, 1, 1)), "job",
            D(2025, 1, 2))  # fmt: skip
    outcome(leaver(op), "job", day(1))
    assert figure(report(op), "EECR04")["total"] == 1


def test_each_result_is_checked_against_its_output_per_gender():
    op = operation()
    entered_before = participation(
        op, entry=D(2024, 11, 1), exit=EXIT, gender="male", since=D(2024, 1, 1)
    )
    outcome(entered_before, "job", day(3))
    outcome(leaver(op, gender="female"), "job", day(3))
    result = report(op)
    checks = {
        (c["rule"], c["gender"]): c["passed"] for c in result["checks"]
    }  # fmt: skip
    # Over the operation's whole life every result is within its output.
    assert all(
        c["passed"] for c in report(op, date_from=op.start, date_to=op.end)["checks"]
    )
    # Over 2025 a man who entered in 2024 left with a job: more than the outputs.
    assert checks[("EECR04 ≤ EECO01", "women")] is True
    assert checks[("EECR04 ≤ EECO01", "men")] is False
    assert checks[("EECR04 ≤ EECO01", "total")] is False  # 2 results, 1 entry


def test_yei_complete_excludes_drop_outs():
    op = operation("esf2014")
    leaver(op, exit_reason="completed")
    leaver(op, exit_reason="moved")
    leaver(op, exit_reason="dropped_out")
    leaver(op, status="inactive", since=None, exit_reason="completed")  # NEET
    leaver(op, status="inactive", since=None, education="student")  # not NEET
    result = report(op)
    assert figure(result, "YEI-CR01")["total"] == 2
    assert figure(result, "YEI-CR07")["total"] == 1
    assert result["labels"]["YEI-CR01"] != result["labels"]["CR01"]


def test_yei_offers_and_positive_results_by_group_at_entry():
    op = operation("esf2014")
    long_term = leaver(op, since=D(2024, 1, 1))  # 14 months at entry, aged 20
    outcome(long_term, "offer_employment", day(-5))
    outcome(long_term, "job", day(10))
    short = leaver(op)
    outcome(short, "offer_traineeship", day(40))  # outside the window
    outcome(short, "studies", day(2))
    inactive = leaver(op, status="inactive", since=None)
    outcome(inactive, "job_search", day(2))
    result = report(op)
    assert figure(result, "YEI-CR02")["total"] == 1
    assert figure(result, "YEI-CR05")["total"] == 1
    assert figure(result, "YEI-CR03")["total"] == 2
    assert figure(result, "YEI-CR06")["total"] == 1
    assert figure(result, "CR01")["total"] == 1  # the inactive one, job searching
    assert figure(result, "YEI-CR09")["total"] == 0
