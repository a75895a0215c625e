"""The Actiris co-financing report (funder-indicators.md, "Actiris co-financing").

No public definition exists: a configurable report of the young people accompanied in
the period, by type of support and Actiris registration, and their positive exits,
each by gender. Counted by the database (conditional counts over annotated case
files), whatever the number of participants.

- Accompanied: the operation's participations open at some point of the period.
- Individual counselling: a contact (a follow-up note) dated in the period.
- Collective activities: an attendance (present or late) at a session in the period,
  an enrolment in a cohort running in the period, or a walk-in at a session of the
  period turned into this case file.
- Positive exit: left in the period, and a job, qualifying training, return to studies
  or internship that started on or after the entry date and by the end of the window
  after the exit (the operation's ``leaving_window_days``, 28 by default: day 28
  counts, day 29 not) and was still going on the exit day (not ended before it). Any
  positive outcome in the window counts (not only the last event, as the ESF rules
  want): Actiris asks whether the young person got there.
- Walk-ins without a case file: counted apart (ACT12), never among the accompanied.
- Incomplete: left in the period, the window is over, and neither an outcome of any
  kind in the window nor an answered "upon leaving" follow-up says what became of
  them.
"""

import datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outcomes.models import FollowUp, Outcome
from youthtrack.models import OPERATION_PARAMETER_DEFAULTS, Operation, User

from .figures import (
    IndicatorDefinition,
    anonymous_walk_ins,
    by_gender,
    checksum,
    gender_row,
    participants_in_period,
    resolve_operation,
    walk_ins_by_gender,
    with_support,
)

RULE_SET = "actiris"

POSITIVE_EXIT_KINDS: dict[str, str] = {
    "ACT07": Outcome.Kind.JOB,
    "ACT08": Outcome.Kind.QUALIFYING_TRAINING,
    "ACT09": Outcome.Kind.RETURN_TO_STUDIES,
    "ACT10": Outcome.Kind.INTERNSHIP,
}


def _definition(code: str, label, definition) -> IndicatorDefinition:
    return IndicatorDefinition(code, RULE_SET, label, definition)


DEFINITIONS: list[IndicatorDefinition] = [
    _definition(
        "ACT01",
        _("Young people accompanied"),
        _(
            "Participations in the operation open at some point of the period "
            "(entered before its end, not left before its start)."
        ),
    ),
    _definition(
        "ACT02",
        _("Accompanied in individual counselling"),
        _("Young people accompanied with at least one contact noted in the period."),
    ),
    _definition(
        "ACT03",
        _("Accompanied in collective activities"),
        _(
            "Young people accompanied who attended a collective session in the "
            "period, were enrolled in a cohort running in it, or came to one of its "
            "sessions as a walk-in."
        ),
    ),
    _definition(
        "ACT04",
        _("Registered as job seekers at Actiris"),
        _("Young people accompanied registered at Actiris at entry."),
    ),
    _definition(
        "ACT05",
        _("Not registered at Actiris"),
        _("Young people accompanied not registered at Actiris at entry."),
    ),
    _definition(
        "ACT06",
        _("Positive exits"),
        _(
            "Young people who left in the period and started a job, a qualifying "
            "training, studies or an internship by the end of the window after "
            "leaving, still going on the day they left."
        ),
    ),
    _definition(
        "ACT07",
        _("Positive exits: job"),
        _("Positive exits into a job as an employee."),
    ),
    _definition(
        "ACT08",
        _("Positive exits: qualifying training"),
        _("Positive exits into a qualifying training."),
    ),
    _definition(
        "ACT09",
        _("Positive exits: return to studies"),
        _("Positive exits back into studies."),
    ),
    _definition(
        "ACT10",
        _("Positive exits: internship"),
        _("Positive exits into an internship or traineeship."),
    ),
    _definition(
        "ACT12",
        _("Came to collective activities without a case file"),
        _(
            "People who came to a collective session of the programme in the period "
            "without a case file (walk-ins not turned into one)."
        ),
    ),
    _definition(
        "ACT11",
        _("Young people who left"),
        _("Young people accompanied whose participation ended in the period."),
    ),
]

SECTIONS = [
    (
        "accompanied",
        _("Young people accompanied"),
        ["ACT01", "ACT02", "ACT03", "ACT12"],
    ),
    ("actiris", _("Registration at Actiris"), ["ACT04", "ACT05"]),
    (
        "exits",
        _("Exits"),
        ["ACT11", "ACT06", "ACT07", "ACT08", "ACT09", "ACT10"],
    ),
]


def _window_days(operation: Operation | None) -> int:
    if operation is None:
        return OPERATION_PARAMETER_DEFAULTS["leaving_window_days"]
    return operation.settings["leaving_window_days"]


def report_compute(
    *,
    rule_set: str = RULE_SET,
    operation: Operation | str,
    date_from: datetime.date,
    date_to: datetime.date,
    user: User | None = None,
) -> dict[str, Any]:
    """The Actiris report for an operation and a period (the interface of
    ``outcomes.indicators``). With ``user``, only the case files they may open."""
    if rule_set != RULE_SET:
        raise ValueError(f"not the Actiris rule set: {rule_set}")
    resolved = resolve_operation(operation)
    if resolved is None:
        raise ValueError("the Actiris report is computed for an operation")
    window = _window_days(resolved)
    today = timezone.localdate()
    case = OuterRef("pk")
    exit_day = OuterRef("exit_date")
    window_end = OuterRef("window_end")

    def outcome_in_window(kinds: list[str] | None) -> Exists:
        outcomes = Outcome.objects.filter(
            case_file=case,
            start_date__gte=OuterRef("entry_date"),
            start_date__lte=window_end,
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=exit_day))
        if kinds is not None:
            outcomes = outcomes.filter(kind__in=kinds)
        return Exists(outcomes)

    answered_upon_leaving = FollowUp.objects.filter(
        case_file=case,
        kind=FollowUp.Kind.UPON_LEAVING,
        answered_on__isnull=False,
    )

    files = participants_in_period(
        operation=resolved, date_from=date_from, date_to=date_to, user=user
    )
    # ``window_end`` for the files that left; any date for the others (never used).
    files = files.annotate(
        window_end=ExpressionWrapper(
            Coalesce("exit_date", "entry_date") + datetime.timedelta(days=window),
            output_field=DateField(),
        )
    )
    left = Q(exit_date__isnull=False, exit_date__lte=date_to)
    files = with_support(files, date_from, date_to).annotate(
        positive=outcome_in_window(list(POSITIVE_EXIT_KINDS.values())),
        **{
            f"positive_{code}": outcome_in_window([kind])
            for code, kind in POSITIVE_EXIT_KINDS.items()
        },
        anything_known=ExpressionWrapper(
            outcome_in_window(None) | Exists(answered_upon_leaving),
            output_field=BooleanField(),
        ),
    )
    conditions: dict[str, Q] = {
        "ACT01": Q(),
        "ACT02": Q(individual=True),
        "ACT03": Q(collective=True),
        "ACT04": Q(registered_at_actiris=True),
        "ACT05": Q(registered_at_actiris=False),
        "ACT11": left,
        "ACT06": left & Q(positive=True),
        **{
            code: left & Q(**{f"positive_{code}": True}) for code in POSITIVE_EXIT_KINDS
        },
    }
    aggregates: dict[str, Any] = {}
    for code, condition in conditions.items():
        aggregates.update(by_gender(code, condition))
    aggregates["incomplete"] = Count(
        "pk",
        filter=left
        & Q(exit_date__lt=today - datetime.timedelta(days=window))
        & Q(anything_known=False),
    )
    aggregated = files.aggregate(**aggregates)

    walk_ins = walk_ins_by_gender(
        anonymous_walk_ins(
            operation=resolved, date_from=date_from, date_to=date_to, user=user
        )
    )
    facts = files.values_list(
        "pk",
        "young_person__gender_id",
        "entry_date",
        "exit_date",
        "registered_at_actiris",
        "individual",
        "collective",
        *[f"positive_{code}" for code in POSITIVE_EXIT_KINDS],
        "anything_known",
    )
    order = [definition.code for definition in DEFINITIONS]
    labels = {definition.code: str(definition.label) for definition in DEFINITIONS}
    return {
        "rule_set": RULE_SET,
        "operation": resolved.reference,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "parameters": {
            "leaving_window_days": window,
            "positive_exit_kinds": list(POSITIVE_EXIT_KINDS.values()),
        },
        "indicators": {
            code: walk_ins if code == "ACT12" else gender_row(aggregated, code)
            for code in order
        },
        "declined": {},
        "incomplete": aggregated["incomplete"],
        "checksum": checksum([*facts, ["walk-ins", *walk_ins.values()]]),
        "labels": labels,
        "definitions": {
            definition.code: str(definition.definition) for definition in DEFINITIONS
        },
        "sections": [
            {"key": key, "title": str(title), "indicators": codes}
            for key, title, codes in SECTIONS
        ],
    }
