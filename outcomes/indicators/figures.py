"""Parts shared by the Actiris report and the yearly activity figures: the period's
participants, gender breakdowns as conditional counts, age at entry computed by the
database, the checksum of the underlying facts and small-cell suppression."""

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.functional import Promise

from programmes.access import walk_ins_visible_to
from programmes.models import Attendance, Enrolment, WalkIn
from youthtrack.access import case_file_visibility_q
from youthtrack.models import CaseFile, Note, Operation, Organisation, User

# The result's gender keys (funder-indicators.md), from the Gender codes. "Not stated"
# counts in the total only.
GENDER_KEYS = {"female": "women", "male": "men", "non_binary": "non_binary"}


@dataclass(frozen=True)
class IndicatorDefinition:
    """One figure, defined once: its code, rule set, label and definition text."""

    code: str
    rule_set: str
    label: Promise
    definition: Promise


def resolve_operation(operation: Operation | str | None) -> Operation | None:
    if operation is None or isinstance(operation, Operation):
        return operation
    return Operation.objects.select_related("programme").get(reference=operation)


def participants_in_period(
    *,
    operation: Operation | None,
    date_from: datetime.date,
    date_to: datetime.date,
    user: User | None = None,
    organisation: Organisation | None = None,
) -> QuerySet[CaseFile]:
    """Participations open at some point of the period: of the operation, or else of
    the organisation's case files; among what ``user`` may open when given."""
    files = CaseFile.objects.filter(entry_date__lte=date_to).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=date_from)
    )
    if operation is not None:
        files = files.filter(operation=operation)
    elif organisation is not None:
        files = files.filter(owner_organisation=organisation)
    else:
        raise ValueError("an operation or an organisation is needed")
    if user is not None:
        files = files.filter(case_file_visibility_q(user))
    return files.order_by()


def day_bounds(
    date_from: datetime.date, date_to: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as local times: from the first day's start to the next day's."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return since, until


def with_support(
    files: QuerySet[CaseFile], date_from: datetime.date, date_to: datetime.date
) -> QuerySet[CaseFile]:
    """Annotates ``individual`` (a contact noted in the period) and ``collective`` (an
    attendance, present or late, at a session of the period; an enrolment in a cohort
    running in it; or a walk-in at a session of the period turned into this file)."""
    since, until = day_bounds(date_from, date_to)
    case = OuterRef("pk")
    contacted = Note.objects.filter(
        case_file=case, contact_date__gte=date_from, contact_date__lte=date_to
    )
    attended = Attendance.objects.filter(
        case_file=case,
        status__in=Attendance.ATTENDED,
        session__starts_at__gte=since,
        session__starts_at__lt=until,
    )
    enrolled = Enrolment.objects.filter(
        case_file=case,
        status=Enrolment.Status.ENROLLED,
        cohort__start_date__lte=date_to,
        cohort__end_date__gte=date_from,
    )
    walked_in = WalkIn.objects.filter(
        converted_case_file=case,
        session__starts_at__gte=since,
        session__starts_at__lt=until,
    )
    return files.annotate(
        individual=Exists(contacted),
        collective=ExpressionWrapper(
            Exists(attended) | Exists(enrolled) | Exists(walked_in),
            output_field=BooleanField(),
        ),
    )


def anonymous_walk_ins(
    *,
    operation: Operation | None,
    date_from: datetime.date,
    date_to: datetime.date,
    user: User | None = None,
    organisation: Organisation | None = None,
) -> QuerySet[WalkIn]:
    """People who came to a collective session of the period without a case file
    (a walk-in turned into a case file counts as that participant): at the sessions
    of the operation's programme, or recorded by the organisation; among what
    ``user`` may see."""
    since, until = day_bounds(date_from, date_to)
    walk_ins = WalkIn.objects.filter(
        converted_case_file__isnull=True,
        session__starts_at__gte=since,
        session__starts_at__lt=until,
    )
    if operation is not None:
        walk_ins = walk_ins.filter(session__cohort__programme_id=operation.programme_id)
    elif organisation is not None:
        walk_ins = walk_ins.filter(organisation=organisation)
    if user is not None:
        walk_ins = walk_ins.filter(pk__in=walk_ins_visible_to(user).values("pk"))
    return walk_ins.order_by()


def walk_ins_by_gender(walk_ins: QuerySet[WalkIn]) -> dict[str, int]:
    """One row by gender (the result's keys), in one aggregate."""
    counted = walk_ins.aggregate(
        total=Count("pk"),
        **{
            key: Count("pk", filter=Q(gender_id=code))
            for code, key in GENDER_KEYS.items()
        },
    )
    return {key: counted[key] or 0 for key in [*GENDER_KEYS.values(), "total"]}


def by_gender(name: str, condition: Q | None = None) -> dict[str, Count]:
    """Conditional counts of case files for one figure: ``name__women`` …,
    ``name__total``, for ``aggregate``."""
    condition = condition if condition is not None else Q()
    counts = {
        f"{name}__{key}": Count(
            "pk", filter=condition & Q(young_person__gender_id=code)
        )
        for code, key in GENDER_KEYS.items()
    }
    counts[f"{name}__total"] = Count("pk", filter=condition)
    return counts


def gender_row(aggregated: dict[str, int], name: str) -> dict[str, int]:
    keys = [*GENDER_KEYS.values(), "total"]
    return {key: aggregated[f"{name}__{key}"] or 0 for key in keys}


def with_age_at_entry(files: QuerySet[CaseFile]) -> QuerySet[CaseFile]:
    """Annotates ``age``: completed years on the entry date (as
    ``youthtrack.models.age_on``), in SQL: the years between, less one before the
    birthday (born 29 February: a year older on 1 March)."""
    birth = "young_person__birth_date"
    before_birthday = Q(entry_month__lt=F("birth_month")) | Q(
        entry_month=F("birth_month"), entry_day__lt=F("birth_day")
    )
    return files.annotate(
        entry_year=ExtractYear("entry_date"),
        entry_month=ExtractMonth("entry_date"),
        entry_day=ExtractDay("entry_date"),
        birth_year=ExtractYear(birth),
        birth_month=ExtractMonth(birth),
        birth_day=ExtractDay(birth),
    ).annotate(
        age=Case(
            When(before_birthday, then=F("entry_year") - F("birth_year") - 1),
            default=F("entry_year") - F("birth_year"),
            output_field=IntegerField(),
        )
    )


def checksum(facts: Iterable[Sequence[Any]]) -> str:
    """sha256 over the sorted facts a report is computed from (same data, same
    checksum; any changed fact, another one)."""
    lines = sorted(json.dumps(list(fact), default=str) for fact in facts)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


# --- small cells ---


# A hidden count: "<5" for a small one (primary); "x" for one hidden only so that a
# small one cannot be worked out from its total (complementary: it may be any size).
COMPLEMENT = "x"


def small(threshold: int) -> str:
    return f"<{threshold}"


def suppress(
    values: dict[Any, int], constraints: list[tuple[list[Any], Any]], threshold: int
) -> tuple[set[Any], set[Any]]:
    """The cells to hide: every count from 1 to ``threshold - 1`` (primary), then,
    while a total and its parts hide exactly one of them, the smallest other part
    (complementary), so that no hidden count is the difference of shown ones.

    ``values`` maps a cell's key to its count (totals included); ``constraints`` lists
    (parts, total) whose counts add up. Returns (primary, complementary)."""
    primary = {key for key, value in values.items() if 0 < value < threshold}
    complementary: set[Any] = set()
    changed = True
    while changed:
        changed = False
        for parts, total in constraints:
            hidden = primary | complementary
            if sum(1 for key in [*parts, total] if key in hidden) != 1:
                continue
            # Only the total hidden: hide a part, or the total could be added up;
            # the only part hidden: hide the total, which equals it.
            candidates = [key for key in parts if key not in hidden] or [
                key for key in [total] if key not in hidden
            ]
            if not candidates:
                continue
            # The smallest non-zero part first (a zero beside a small count leaves it
            # recoverable when every other part is zero too).
            candidates.sort(key=lambda key: (values[key] == 0, values[key]))
            complementary.add(candidates[0])
            changed = True
    return primary, complementary


def shown(
    key: Any, values: dict[Any, int], hidden: tuple[set[Any], set[Any]], threshold: int
) -> int | str:
    primary, complementary = hidden
    if key in primary:
        return small(threshold)
    if key in complementary:
        return COMPLEMENT
    return values[key]


def two_way_table(
    *,
    code: str,
    label: Promise | str,
    rows: Sequence[tuple[str, Promise | str]],
    columns: Sequence[tuple[str, Promise | str]],
    counts: dict[tuple[str, str], int],
    threshold: int,
) -> dict[str, Any]:
    """Rows × columns with row, column and grand totals; small cells hidden, and
    complements while a row or a column hides exactly one of its counts."""
    row_keys = [key for key, _ in rows]
    column_keys = [key for key, _ in columns]
    values: dict[Any, int] = {}
    for r in row_keys:
        for c in column_keys:
            values[(r, c)] = counts.get((r, c), 0)
        values[(r, "total")] = sum(values[(r, c)] for c in column_keys)
    for c in column_keys:
        values[("total", c)] = sum(values[(r, c)] for r in row_keys)
    values[("total", "total")] = sum(values[(r, "total")] for r in row_keys)
    constraints: list[tuple[list[Any], Any]] = []
    for r in [*row_keys, "total"]:
        constraints.append(([(r, c) for c in column_keys], (r, "total")))
    for c in [*column_keys, "total"]:
        constraints.append(([(r, c) for r in row_keys], ("total", c)))
    hidden = suppress(values, constraints, threshold)

    def line(key: str, line_label: Promise | str) -> dict[str, Any]:
        return {
            "key": key,
            "label": str(line_label),
            "values": {
                c: shown((key, c), values, hidden, threshold)
                for c in [*column_keys, "total"]
            },
        }

    return {
        "code": code,
        "label": str(label),
        "columns": [{"key": key, "label": str(text)} for key, text in columns],
        "rows": [line(key, text) for key, text in rows],
        "total": line("total", "total")["values"],
    }
