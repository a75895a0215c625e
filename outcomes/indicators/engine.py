"""The ESF+ 2021-2027 and ESF 2014-2020 (YEI) indicators, computed by database
aggregation from the recorded facts (``../shared/design/funder-indicators.md``).

Which participations a period covers
    A participation is a case file of the operation; a person with several case files
    in one operation (entered by two organisations) counts once, by their first case
    file (earliest entry, then lowest number). Re-entry reopens the same case file
    (``youthtrack.services.cases``): the first entry and the situation at it stay, the
    exit date is the final exit.

    - Outputs count the participations whose entry date is in the period.
    - Results count the participations whose (final) exit date is in the period, by
      their situation at entry (a result's group, e.g. "unemployed at entry"). For a
      period from the operation's start (the cumulative figures the funder asks for)
      every result is ≤ its output; for a shorter period a leaver may have entered
      before it, and the check says so.

Gender
    Women, men and non-binary are counted on their own; "not stated" counts in the
    total only (so the three may add up to less than the total).

Upon leaving
    The window runs from the exit date to ``leaving_window_days`` days after it
    (inclusive). The labour-market events (job, self-employment, job search,
    inactivity) that count are those started in the window, or started before the exit
    and still going on at it (no end date, or ending on or after the exit date). Of
    those, the last by start date decides: employment (EECR04/CR04) and job search
    (EECR01/CR01) exclude each other. Education or training (training, studies,
    internship, apprenticeship) and a qualification are judged on their own.

Six months after leaving
    The six-month follow-up's answer when it was answered with a situation (other
    than "unreachable"); otherwise the last labour-market event started on or before
    exit + 6 months and not ended before it.
"""

import datetime
import json
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from outcomes.models import FollowUp, Outcome
from youthtrack.access import case_file_visibility_q
from youthtrack.models import CaseFile, DeclinableAnswer, Operation, User, YoungPerson

from .definitions import OUTPUT, SECTIONS, Indicator, indicator, indicators_of
from .figures import checksum, with_age_at_entry

GENDERS = {"women": "female", "men": "male", "non_binary": "non_binary"}
BREAKDOWN = (*GENDERS, "total")

LABOUR_MARKET = (
    Outcome.Kind.JOB,
    Outcome.Kind.SELF_EMPLOYMENT,
    Outcome.Kind.JOB_SEARCH,
    Outcome.Kind.INACTIVE,
)
EMPLOYMENT = (Outcome.Kind.JOB, Outcome.Kind.SELF_EMPLOYMENT)
EDUCATION = (
    Outcome.Kind.QUALIFYING_TRAINING,
    Outcome.Kind.RETURN_TO_STUDIES,
    Outcome.Kind.INTERNSHIP,
    Outcome.Kind.APPRENTICESHIP,
)
OFFERS = (
    Outcome.Kind.OFFER_EMPLOYMENT,
    Outcome.Kind.OFFER_EDUCATION,
    Outcome.Kind.OFFER_APPRENTICESHIP,
    Outcome.Kind.OFFER_TRAINEESHIP,
)
SIX_EMPLOYED = (FollowUp.Situation.EMPLOYED, FollowUp.Situation.SELF_EMPLOYED)
SIX_EDUCATION = (FollowUp.Situation.TRAINING, FollowUp.Situation.STUDIES)

PARAMETERS = (
    "long_term_unemployed_months_under_25",
    "long_term_unemployed_months_25_and_over",
    "leaving_window_days",
)


def parameter_labels() -> dict[str, str]:
    """What each parameter of a report is, in the reader's language."""
    return {
        "long_term_unemployed_months_under_25": _(
            "Long-term unemployed under 25: unemployed for more than (months)"
        ),
        "long_term_unemployed_months_25_and_over": _(
            "Long-term unemployed aged 25 or more: unemployed for more than (months)"
        ),
        "leaving_window_days": _("Upon leaving: days after the exit date"),
    }


def parameters_of(operation: Operation) -> dict[str, int]:
    settings = operation.settings
    return {name: settings[name] for name in PARAMETERS}


def _month_index(field: str) -> Any:
    return ExtractYear(field) * 12 + ExtractMonth(field)


def _first_participations(operation: Operation) -> QuerySet[CaseFile]:
    earlier = CaseFile.objects.filter(
        young_person=OuterRef("young_person"), operation=OuterRef("operation")
    ).filter(
        Q(entry_date__lt=OuterRef("entry_date"))
        | Q(entry_date=OuterRef("entry_date"), pk__lt=OuterRef("pk"))
    )
    # An id list of its own (an uncorrelated subquery), so that the aggregate over
    # the participations is never wrapped around a correlated condition.
    later = CaseFile.objects.filter(operation=operation).filter(Exists(earlier))
    return CaseFile.objects.filter(operation=operation).exclude(
        pk__in=later.values("pk")
    )


def _by_exit_plus_six_months(prefix: str) -> Q:
    """The outcome's date ``prefix`` (annotated as ``{prefix}_midx``/``_day``) falls
    on or before the participation's exit + 6 months (month-end clamped)."""
    return Q(**{f"{prefix}_midx__lt": OuterRef("exit_midx") + 6}) | Q(
        **{
            f"{prefix}_midx": OuterRef("exit_midx") + 6,
            f"{prefix}_day__lte": OuterRef("exit_day"),
        }
    )


def annotated(operation: Operation, params: dict[str, int]) -> QuerySet[CaseFile]:
    """The operation's participations with the facts every condition reads."""
    window = params["leaving_window_days"]
    under_25 = params["long_term_unemployed_months_under_25"]
    over_25 = params["long_term_unemployed_months_25_and_over"]

    # ``age``: completed years on the entry date (29 February reached on 1 March),
    # with the entry's and birth's year, month and day it is computed from.
    qs = with_age_at_entry(_first_participations(operation)).annotate(
        gender=F("young_person__gender_id"),
        isced=F("highest_diploma__isced_level_id"),
        citizenship=F("young_person__citizenship"),
        entry_midx=_month_index("entry_date"),
        birth_midx=_month_index("young_person__birth_date"),
        since_midx=_month_index("unemployed_since"),
        since_day=ExtractDay("unemployed_since"),
        exit_midx=_month_index("exit_date"),
        exit_day=ExtractDay("exit_date"),
        window_end=ExpressionWrapper(
            F("exit_date") + datetime.timedelta(days=window), output_field=DateField()
        ),
    )
    qs = qs.annotate(
        lm_status=Case(
            When(employment_status=CaseFile.EmploymentStatus.EMPLOYED, then=Value("E")),
            When(
                Q(registered_at_actiris=True)
                | Q(
                    Q(employment_status=CaseFile.EmploymentStatus.UNEMPLOYED)
                    & ~Q(education=CaseFile.Education.FULL_TIME_STUDENT)
                ),
                then=Value("U"),
            ),
            When(
                employment_status__in=(
                    CaseFile.EmploymentStatus.INACTIVE,
                    CaseFile.EmploymentStatus.UNEMPLOYED,
                ),
                then=Value("I"),
            ),
            default=Value(""),
            output_field=CharField(),
        ),
    )
    # Unemployed for more than N months: the entry falls after unemployed_since + N
    # months (month-end clamped), N by the age group at entry.
    months = Case(When(age__lt=25, then=Value(under_25)), default=Value(over_25))
    qs = qs.annotate(threshold=months).annotate(
        ltu=ExpressionWrapper(
            Q(lm_status="U", unemployed_since__isnull=False)
            & (
                Q(entry_midx__gt=F("since_midx") + F("threshold"))
                | Q(
                    entry_midx=F("since_midx") + F("threshold"),
                    entry_day__gt=F("since_day"),
                )
            ),
            output_field=BooleanField(),
        )
    )

    outcomes = Outcome.objects.filter(case_file=OuterRef("pk"))
    # Going on at exit or started after it, and started by the end of the window.
    upon = outcomes.filter(start_date__lte=OuterRef("window_end")).filter(
        Q(start_date__gte=OuterRef("exit_date"))
        | Q(end_date__isnull=True)
        | Q(end_date__gte=OuterRef("exit_date"))
    )
    by_window = outcomes.filter(
        start_date__lte=OuterRef("window_end"),
        start_date__gte=OuterRef("entry_date"),
    )
    six = outcomes.annotate(
        start_midx=_month_index("start_date"),
        start_day=ExtractDay("start_date"),
        end_midx=_month_index("end_date"),
        end_day=ExtractDay("end_date"),
    ).filter(_by_exit_plus_six_months("start"))
    six_going_on = six.filter(
        Q(end_date__isnull=True) | ~_by_exit_plus_six_months("end")
    )
    six_last = six_going_on.filter(kind__in=LABOUR_MARKET).order_by(
        "-start_date", "-pk"
    )
    six_answer = (
        FollowUp.objects.filter(
            case_file=OuterRef("pk"),
            kind=FollowUp.Kind.SIX_MONTHS,
            answered_on__isnull=False,
        )
        .exclude(situation__in=("", FollowUp.Situation.UNREACHABLE))
        .order_by("-answered_on", "-pk")
    )
    qs = qs.annotate(
        upon_last=Subquery(
            upon.filter(kind__in=LABOUR_MARKET)
            .order_by("-start_date", "-pk")
            .values("kind")[:1]
        ),
        upon_edu=Exists(upon.filter(kind__in=EDUCATION)),
        upon_qual=Exists(by_window.filter(kind=Outcome.Kind.QUALIFICATION)),
        upon_offer=Exists(by_window.filter(kind__in=OFFERS)),
        six_answer=Subquery(six_answer.values("situation")[:1]),
        six_last=Subquery(six_last.values("kind")[:1]),
        six_contract=Subquery(six_last.values("contract_kind")[:1]),
        six_edu=Exists(six_going_on.filter(kind__in=EDUCATION)),
    )
    return qs


def _six(answered: tuple[str, ...], fallback: Q) -> Q:
    return Q(six_answer__in=answered) | (Q(six_answer__isnull=True) & fallback)


_UNEMPLOYED = Q(lm_status="U")
_INACTIVE = Q(lm_status="I")
_NEET = Q(lm_status="I", education=CaseFile.Education.NONE)
_LTU = Q(ltu=True)
_COMPLETE = ~Q(exit_reason=CaseFile.ExitReason.DROPPED_OUT)
_UPON_EMPLOYED = Q(upon_last__in=EMPLOYMENT)
_POSITIVE = Q(upon_edu=True) | Q(upon_qual=True) | _UPON_EMPLOYED
_SIX_EMPLOYED = _six(SIX_EMPLOYED, Q(six_last__in=EMPLOYMENT))
_YES = DeclinableAnswer.YES
# Never true, yet compiled (an empty ``pk__in`` would empty the whole aggregate).
_NEVER = Q(pk__isnull=True)

# The condition of each indicator, on the annotations of ``annotated``.
CONDITIONS: dict[str, Q] = {
    "all": Q(),
    "none": _NEVER,
    "unemployed": _UNEMPLOYED,
    "long_term_unemployed": _LTU,
    "inactive": _INACTIVE,
    "inactive_neet": _NEET,
    "employed": Q(lm_status="E"),
    "age_below_18": Q(age__lt=18),
    "age_18_29": Q(age__gte=18, age__lte=29),
    "age_below_25": Q(age__lt=25),
    "age_55_plus": Q(age__gte=55),
    "isced_0_2": Q(isced__lte=2),
    "isced_1_2": Q(isced__gte=1, isced__lte=2),
    "isced_3_4": Q(isced__gte=3, isced__lte=4),
    "isced_5_8": Q(isced__gte=5),
    "disability": Q(disability=_YES),
    "third_country": Q(
        citizenship__in=(
            YoungPerson.Citizenship.THIRD_COUNTRY,
            YoungPerson.Citizenship.STATELESS,
        )
    ),
    "foreign_background": Q(foreign_background=_YES),
    "minority": Q(minority=_YES),
    "migrant_or_minority": Q(foreign_background=_YES)
    | Q(minority=_YES)
    | Q(
        citizenship__in=(
            YoungPerson.Citizenship.THIRD_COUNTRY,
            YoungPerson.Citizenship.STATELESS,
        )
    ),
    "homeless": Q(homeless=_YES),
    "rural": _NEVER,
    # Upon leaving
    "upon_job_search": Q(upon_last=Outcome.Kind.JOB_SEARCH),
    "inactive_upon_job_search": _INACTIVE & Q(upon_last=Outcome.Kind.JOB_SEARCH),
    "upon_education": Q(upon_edu=True),
    "upon_qualification": Q(upon_qual=True),
    "upon_employed": _UPON_EMPLOYED,
    # Six months after
    "six_employed": _SIX_EMPLOYED,
    "six_improved": Q(lm_status="E")
    & (
        Q(six_last=Outcome.Kind.SELF_EMPLOYMENT)
        | Q(six_last=Outcome.Kind.JOB, six_contract=Outcome.ContractKind.PERMANENT)
    ),
    "six_education": _six(SIX_EDUCATION, Q(six_edu=True)),
    "six_employee": _six((FollowUp.Situation.EMPLOYED,), Q(six_last=Outcome.Kind.JOB)),
    "six_self_employed": _six(
        (FollowUp.Situation.SELF_EMPLOYED,), Q(six_last=Outcome.Kind.SELF_EMPLOYMENT)
    ),
    # YEI, by group at entry
    "unemployed_complete": _UNEMPLOYED & _COMPLETE,
    "unemployed_offer": _UNEMPLOYED & Q(upon_offer=True),
    "unemployed_positive": _UNEMPLOYED & _POSITIVE,
    "ltu_complete": _LTU & _COMPLETE,
    "ltu_offer": _LTU & Q(upon_offer=True),
    "ltu_positive": _LTU & _POSITIVE,
    "neet_complete": _NEET & _COMPLETE,
    "neet_offer": _NEET & Q(upon_offer=True),
    "neet_positive": _NEET & _POSITIVE,
}


def problem_conditions(today: datetime.date) -> dict[str, Q]:
    """The missing or inconsistent facts that make a participant incomplete, by name
    (``quality`` explains each), on the annotations of ``annotated``."""
    follow_ups = FollowUp.objects.filter(
        case_file=OuterRef("pk"), answered_on__isnull=True, due_on__lt=today
    )
    outcomes = Outcome.objects.filter(case_file=OuterRef("pk"))
    return {
        "no_employment_status": Q(employment_status=""),
        "no_isced_level": Q(isced__isnull=True),
        "no_unemployed_since": Q(lm_status="U", unemployed_since__isnull=True),
        "exit_before_entry": Q(exit_date__lt=F("entry_date")),
        "closed_without_exit_date": Q(
            status=CaseFile.Status.CLOSED, exit_date__isnull=True
        ),
        "outcome_dates": Q(
            Exists(
                outcomes.filter(
                    Q(end_date__lt=F("start_date"))
                    | Q(start_date__lt=OuterRef("entry_date"))
                )
            )
        ),
        "upon_leaving_overdue": Q(
            Exists(follow_ups.filter(kind=FollowUp.Kind.UPON_LEAVING))
        ),
        "six_months_overdue": Q(
            Exists(follow_ups.filter(kind=FollowUp.Kind.SIX_MONTHS))
        ),
    }


def incomplete_q(today: datetime.date) -> Q:
    """Participants with a missing or inconsistent fact (``quality`` says which)."""
    condition = Q(pk__isnull=True)
    for problem in problem_conditions(today).values():
        condition |= problem
    return condition


def _period_q(item: Indicator, date_from: datetime.date, date_to: datetime.date) -> Q:
    if item.kind == OUTPUT:
        return Q(entry_date__gte=date_from, entry_date__lte=date_to)
    return Q(
        exit_date__isnull=False,
        exit_date__gte=date_from,
        exit_date__lte=date_to,
        entry_date__lte=date_to,
    )


def _gender_q(column: str) -> Q:
    if column == "total":
        return Q()
    return Q(gender=GENDERS[column])


def counted_q(item: Indicator, date_from: datetime.date, date_to: datetime.date) -> Q:
    return _period_q(item, date_from, date_to) & CONDITIONS[item.condition]


def _declined_q(item: Indicator, date_from: datetime.date, date_to: datetime.date) -> Q:
    declined = Q()
    for field in item.declinable:
        declined |= Q(**{field: DeclinableAnswer.DECLINED})
    return _period_q(item, date_from, date_to) & ~CONDITIONS[item.condition] & declined


# A participation's facts in the checksum: those the figures read ("age": at entry,
# annotated by ``annotated``; the birth date itself enters no figure).
PARTICIPATION_FACTS = (
    "pk",
    "young_person_id",
    "young_person__gender_id",
    "age",
    "young_person__citizenship",
    "entry_date",
    "exit_date",
    "exit_reason",
    "employment_status",
    "unemployed_since",
    "education",
    "highest_diploma__isced_level_id",
    "registered_at_actiris",
    "disability",
    "foreign_background",
    "minority",
    "homeless",
)


def _checksum(
    participations: QuerySet[CaseFile], params: dict[str, int], rule_set: str
) -> str:
    """sha256 over the sorted facts the figures come from: the same data give the
    same checksum (three queries whatever the number of participants). Of the birth
    date, the figures read only the age at entry, and so does the checksum: an
    anonymised person (whose birth date is replaced by one giving the same ages at
    entry) leaves it unchanged."""
    ids = participations.values("pk")
    facts: dict[str, list[Any]] = {
        "participations": list(
            participations.order_by("pk").values_list(*PARTICIPATION_FACTS)
        ),
        "outcomes": list(
            Outcome.objects.filter(case_file__in=ids)
            .order_by("pk")
            .values_list(
                "pk", "case_file_id", "kind", "start_date", "end_date", "contract_kind"
            )
        ),
        "follow_ups": list(
            FollowUp.objects.filter(case_file__in=ids)
            .order_by("pk")
            .values_list("pk", "case_file_id", "kind", "situation", "answered_on")
        ),
    }
    return checksum(
        [("rule_set", rule_set), ("parameters", json.dumps(params, sort_keys=True))]
        + [(name, *row) for name, rows in facts.items() for row in rows]
    )


def _checks(
    rule_set: str, figures: dict[str, dict[str, int]], items: tuple[Indicator, ...]
) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    if rule_set == "esfplus2021":
        for column in BREAKDOWN:
            parts = sum(figures[c][column] for c in ("EECO02", "EECO04", "EECO05"))
            checks.append(
                {
                    "rule": "EECO01 = EECO02 + EECO04 + EECO05",
                    "gender": column,
                    "left": figures["EECO01"][column],
                    "right": parts,
                    "passed": figures["EECO01"][column] == parts,
                }
            )
    else:
        for column in BREAKDOWN:
            parts = sum(figures[c][column] for c in ("CO01", "CO03", "CO05"))
            checks.append(
                {
                    "rule": "TOTAL = CO01 + CO03 + CO05",
                    "gender": column,
                    "left": figures["TOTAL"][column],
                    "right": parts,
                    "passed": figures["TOTAL"][column] == parts,
                }
            )
    for item in items:
        if item.output is None:
            continue
        for column in BREAKDOWN:
            checks.append(
                {
                    "rule": f"{item.key} ≤ {item.output}",
                    "gender": column,
                    "left": figures[item.key][column],
                    "right": figures[item.output][column],
                    "passed": figures[item.key][column] <= figures[item.output][column],
                }
            )
    return checks


def report_compute(
    *,
    rule_set: str,
    operation: Operation,
    date_from: datetime.date,
    date_to: datetime.date,
    user: User | None = None,
) -> dict[str, Any]:
    """The report of ``rule_set`` for the operation and period (the JSON shape of
    ``outcomes.indicators``), in two aggregate queries and three for the checksum,
    whatever the number of participants. ``user`` is not needed for the figures
    (anonymous counts); the drill-down goes through ``indicator_participants``."""
    items = indicators_of(rule_set)
    params = parameters_of(operation)
    today = timezone.localdate()
    # The flag is an annotation: an aggregate over annotations is computed around the
    # annotated query, where a correlated condition could not reach the case file.
    qs = annotated(operation, params).annotate(
        has_missing_fact=ExpressionWrapper(
            incomplete_q(today), output_field=BooleanField()
        )
    )
    any_period = Q(entry_date__gte=date_from, entry_date__lte=date_to) | Q(
        exit_date__gte=date_from, exit_date__lte=date_to, entry_date__lte=date_to
    )
    aggregates: dict[str, Any] = {}
    for n, item in enumerate(items):
        counted = counted_q(item, date_from, date_to)
        for column in BREAKDOWN:
            aggregates[f"i{n}_{column}"] = Count(
                "pk", filter=counted & _gender_q(column)
            )
        if item.declinable:
            aggregates[f"d{n}"] = Count(
                "pk", filter=_declined_q(item, date_from, date_to)
            )
    aggregates["incomplete"] = Count("pk", filter=any_period & Q(has_missing_fact=True))
    aggregates["participants"] = Count("pk", filter=any_period)
    row = qs.aggregate(**aggregates)

    figures = {
        item.key: {column: row[f"i{n}_{column}"] for column in BREAKDOWN}
        for n, item in enumerate(items)
    }
    declined = {
        item.key: row[f"d{n}"] for n, item in enumerate(items) if item.declinable
    }
    sections: list[dict[str, Any]] = []
    for item in items:
        if not sections or sections[-1]["key"] != item.section:
            sections.append(
                {
                    "key": item.section,
                    "title": str(SECTIONS[item.section].title),
                    "codes": [],
                }
            )
        sections[-1]["codes"].append(item.key)
    return {
        "rule_set": rule_set,
        "operation": operation.reference,
        "programme": str(operation.programme),
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "parameters": params,
        "parameter_labels": parameter_labels(),
        "indicators": figures,
        "declined": declined,
        "incomplete": row["incomplete"],
        "participants": row["participants"],
        "checksum": _checksum(qs.filter(any_period), params, rule_set),
        "labels": {item.key: str(item.label) for item in items},
        "definitions": {item.key: str(item.definition) for item in items},
        "kinds": {item.key: item.kind for item in items},
        "sections": sections,
        "checks": _checks(rule_set, figures, items),
    }


def indicator_participants(
    *,
    rule_set: str,
    operation: Operation,
    date_from: datetime.date,
    date_to: datetime.date,
    code: str,
    gender: str | None = None,
    user: User,
) -> QuerySet[CaseFile]:
    """The case files a figure counts (``code`` is the report's key, "YEI-CR01" for a
    YEI result; ``gender`` one of women, men, non_binary or None for the total),
    restricted to those ``user`` may open."""
    item = indicator(rule_set, code)
    condition = counted_q(item, date_from, date_to) & _gender_q(gender or "total")
    return (
        annotated(operation, parameters_of(operation))
        .filter(condition)
        .filter(case_file_visibility_q(user))
        .order_by("entry_date", "pk")
    )
