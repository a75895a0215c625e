"""The data-quality gate before a funder report: the participants of the period with
missing or inconsistent facts, each with what is wrong and the case file to fix it.

A report can still be produced: it states how many participants were incomplete
(``engine.report_compute(...)["incomplete"]`` counts the same participants)."""

import datetime
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from youthtrack.access import case_file_visibility_q
from youthtrack.models import Operation, User

from .engine import annotated, parameters_of, problem_conditions


def problem_messages() -> dict[str, str]:
    """What each problem means, in the reader's language."""
    return {
        "no_employment_status": _("No employment status at entry."),
        "no_isced_level": _("No ISCED level at entry (highest diploma)."),
        "no_unemployed_since": _(
            "Unemployed at entry without the date since when: long-term "
            "unemployment cannot be judged."
        ),
        "exit_before_entry": _("The exit date is before the entry date."),
        "closed_without_exit_date": _("The case file is closed without an exit date."),
        "outcome_dates": _(
            "An outcome ends before it starts, or starts before the entry date."
        ),
        "upon_leaving_overdue": _("The follow-up upon leaving is overdue."),
        "six_months_overdue": _("The six-month follow-up is overdue."),
    }


def quality_issues(
    *,
    operation: Operation,
    date_from: datetime.date,
    date_to: datetime.date,
    user: User | None = None,
) -> list[dict[str, Any]]:
    """The participants a report of the period covers (entered in it, or left in it)
    with at least one problem, in entry order: ``{"case_file": id, "url": …,
    "entry_date": …, "problems": [{"code": …, "message": …}]}``. With ``user``, only
    the case files they may open (the count of the report covers them all). One
    query whatever the number of participants."""
    today = timezone.localdate()
    conditions = problem_conditions(today)
    period = Q(entry_date__gte=date_from, entry_date__lte=date_to) | Q(
        exit_date__gte=date_from, exit_date__lte=date_to, entry_date__lte=date_to
    )
    flags = {
        f"problem_{code}": ExpressionWrapper(condition, output_field=BooleanField())
        for code, condition in conditions.items()
    }
    any_problem = Q(pk__isnull=True)
    for condition in conditions.values():
        any_problem |= condition
    qs = annotated(operation, parameters_of(operation)).filter(period & any_problem)
    if user is not None:
        qs = qs.filter(case_file_visibility_q(user))
    rows = (
        qs.annotate(**flags)
        .order_by("entry_date", "pk")
        .values("pk", "entry_date", "exit_date", *flags)
    )
    messages = problem_messages()
    issues = []
    for row in rows:
        problems = [
            {"code": code, "message": messages[code]}
            for code in conditions
            if row[f"problem_{code}"]
        ]
        issues.append(
            {
                "case_file": row["pk"],
                "url": reverse("case_detail", args=[row["pk"]]),
                "entry_date": row["entry_date"].isoformat(),
                "exit_date": row["exit_date"] and row["exit_date"].isoformat(),
                "problems": problems,
            }
        )
    return issues
