"""Why a participant counts, or not, in each indicator of a rule set.

Whether they count comes from the engine's own conditions (the same query as the
report, restricted to one case file); the reason beside a figure they are not in is
written from their facts ("job on day 20 replaced by job search on day 25: the last
event counts"), in the reader's language."""

import datetime
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper
from django.utils import formats
from django.utils.translation import gettext as _

from outcomes.models import FollowUp, Outcome
from youthtrack.models import CaseFile, DeclinableAnswer, YoungPerson

from .definitions import OUTPUT, Indicator, indicators_of
from .engine import (
    CONDITIONS,
    EDUCATION,
    EMPLOYMENT,
    LABOUR_MARKET,
    OFFERS,
    annotated,
    parameters_of,
)

# The group at entry a result is judged within, by the result's condition.
GROUPS = {
    "inactive_upon_job_search": "inactive",
    "six_improved": "employed",
    "unemployed_complete": "unemployed",
    "unemployed_offer": "unemployed",
    "unemployed_positive": "unemployed",
    "ltu_complete": "long_term_unemployed",
    "ltu_offer": "long_term_unemployed",
    "ltu_positive": "long_term_unemployed",
    "neet_complete": "inactive_neet",
    "neet_offer": "inactive_neet",
    "neet_positive": "inactive_neet",
}


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _kind(kind: str) -> str:
    return str(Outcome.Kind(kind).label)


def _when(start: datetime.date, exit_date: datetime.date) -> str:
    days = (start - exit_date).days
    if days >= 0:
        return _("day %(day)s") % {"day": days}
    return _("%(days)s days before the exit") % {"days": -days}


def _months_between(since: datetime.date, entry: datetime.date) -> int:
    months = (entry.year - since.year) * 12 + entry.month - since.month
    return months - int(entry.day < since.day)


class _Facts:
    """One participant's annotated row and outcomes, as the reasons read them."""

    def __init__(self, row: dict[str, Any], events: list[Outcome], window: int):
        self.row = row
        self.events = events
        self.window = window
        exit_date = row["exit_date"]
        self.window_end = (
            exit_date + datetime.timedelta(days=window) if exit_date else None
        )

    def upon(self, kinds: tuple[str, ...]) -> list[Outcome]:
        """Events of ``kinds`` going on at exit or started in the window."""
        exit_date, end = self.row["exit_date"], self.window_end
        assert exit_date is not None and end is not None
        return [
            e
            for e in self.events
            if e.kind in kinds
            and e.start_date <= end
            and (
                e.start_date >= exit_date
                or e.end_date is None
                or e.end_date >= exit_date
            )
        ]

    def too_late(self, kinds: tuple[str, ...]) -> list[Outcome]:
        end = self.window_end
        assert end is not None
        return [e for e in self.events if e.kind in kinds and e.start_date > end]


def _status_reason(row: dict[str, Any]) -> str:
    labels = {
        "U": _("unemployed"),
        "I": _("inactive"),
        "E": _("employed"),
        "": _("not recorded"),
    }
    return _("Employment status at entry: %(status)s.") % {
        "status": labels[row["lm_status"]]
    }


def _declinable_reason(value: str) -> str:
    if value == DeclinableAnswer.DECLINED:
        return _("Declined to state: counted as not in the category.")
    return _("Answered no at entry.")


def _output_reason(item: Indicator, condition: str, facts: _Facts) -> str:
    row = facts.row
    if condition in ("unemployed", "inactive", "employed"):
        return _status_reason(row)
    if condition == "long_term_unemployed":
        if row["lm_status"] != "U":
            return _status_reason(row)
        if row["unemployed_since"] is None:
            return _("No date since when unemployed was recorded.")
        return _(
            "Unemployed for %(months)s full months at entry, aged %(age)s: "
            "long-term means more than %(threshold)s months."
        ) % {
            "months": _months_between(row["unemployed_since"], row["entry_date"]),
            "age": row["age"],
            "threshold": row["threshold"],
        }
    if condition == "inactive_neet":
        if row["lm_status"] != "I":
            return _status_reason(row)
        return _("In education or training at entry: %(education)s.") % {
            "education": CaseFile.Education(row["education"]).label
        }
    if condition.startswith("age_"):
        return _("Aged %(age)s on the entry date (%(date)s).") % {
            "age": row["age"],
            "date": _date(row["entry_date"]),
        }
    if condition.startswith("isced_"):
        if row["isced"] is None:
            return _("No ISCED level recorded at entry.")
        return _("Highest diploma at entry at ISCED level %(level)s.") % {
            "level": row["isced"]
        }
    if item.declinable and condition != "migrant_or_minority":
        return _declinable_reason(row[item.declinable[0]])
    if condition in ("third_country", "migrant_or_minority"):
        parts = [
            _("Citizenship: %(citizenship)s.")
            % {"citizenship": YoungPerson.Citizenship(row["citizenship"]).label}
        ]
        if condition == "migrant_or_minority":
            parts += [_declinable_reason(row[field]) for field in item.declinable]
        return " ".join(parts)
    return str(item.definition)


def _last_event_reason(targets: tuple[str, ...], facts: _Facts) -> str:
    exit_date = facts.row["exit_date"]
    events = sorted(facts.upon(LABOUR_MARKET), key=lambda e: (e.start_date, e.pk))
    if events:
        last = events[-1]
        replaced = [e for e in events[:-1] if e.kind in targets]
        if replaced:
            return _(
                "%(first)s on %(first_day)s replaced by %(last)s on %(last_day)s: "
                "the last event counts."
            ) % {
                "first": _kind(replaced[-1].kind),
                "first_day": _when(replaced[-1].start_date, exit_date),
                "last": _kind(last.kind),
                "last_day": _when(last.start_date, exit_date),
            }
        return _(
            "The last labour-market event upon leaving is %(kind)s on %(day)s."
        ) % {"kind": _kind(last.kind), "day": _when(last.start_date, exit_date)}
    return _nothing_in_window(targets, facts)


def _nothing_in_window(targets: tuple[str, ...], facts: _Facts) -> str:
    late = facts.too_late(targets)
    if late:
        first = min(late, key=lambda e: e.start_date)
        return _(
            "%(kind)s on exit + %(days)s days: outside the %(window)s-day window."
        ) % {
            "kind": _kind(first.kind),
            "days": (first.start_date - facts.row["exit_date"]).days,
            "window": facts.window,
        }
    return _("Nothing of the kind recorded within %(window)s days after the exit.") % {
        "window": facts.window
    }


def _six_reason(facts: _Facts) -> str:
    row = facts.row
    if row["six_answer"]:
        return _("The six-month follow-up answered: %(situation)s.") % {
            "situation": FollowUp.Situation(row["six_answer"]).label
        }
    if row["six_last"]:
        return _(
            "The last labour-market event six months after the exit is %(kind)s."
        ) % {"kind": _kind(row["six_last"])}
    return _("No situation recorded six months after the exit.")


def _result_reason(item: Indicator, condition: str, facts: _Facts, counts) -> str:
    row = facts.row
    group = GROUPS.get(condition)
    if group is not None and not counts[group]:
        return _("Not in the group at entry: %(reason)s") % {
            "reason": _output_reason(item, group, facts)
        }
    if condition.endswith("_complete"):
        return _("Dropped out: the exit reason excludes completion.")
    if condition in ("upon_job_search", "inactive_upon_job_search"):
        return _last_event_reason((Outcome.Kind.JOB_SEARCH,), facts)
    if condition == "upon_employed":
        return _last_event_reason(EMPLOYMENT, facts)
    if condition == "upon_education":
        return _nothing_in_window(EDUCATION, facts)
    if condition == "upon_qualification":
        return _nothing_in_window((Outcome.Kind.QUALIFICATION,), facts)
    if condition.endswith("_offer"):
        return _nothing_in_window(OFFERS, facts)
    if condition.endswith("_positive"):
        return _(
            "Neither in education or training, nor gaining a qualification, nor in "
            "employment upon leaving: %(reason)s"
        ) % {"reason": _last_event_reason(EMPLOYMENT, facts)}
    if condition == "six_improved" and row["six_last"] == Outcome.Kind.JOB:
        return _("Six months after the exit, a job without a permanent contract.")
    return _six_reason(facts)


def participant_explain(
    *,
    rule_set: str,
    case_file: CaseFile,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> dict[str, Any]:
    """For one participation: each indicator of ``rule_set`` in the funder's order,
    ``{"key", "label", "kind", "counted", "reason"}`` (the reason when not counted).
    With a period, a participation outside it is not counted and says why. The
    caller checks that the reader may open the case file."""
    operation = case_file.operation
    items = indicators_of(rule_set)
    if operation is None:
        reason = _("The case file belongs to no operation.")
        return _explained(rule_set, case_file, items, {}, reason)
    params = parameters_of(operation)
    conditions = sorted({item.condition for item in items} | set(GROUPS.values()))
    flags = {
        f"is_{name}": ExpressionWrapper(CONDITIONS[name], output_field=BooleanField())
        for name in conditions
    }
    row = (
        annotated(operation, params)
        .filter(pk=case_file.pk)
        .annotate(**flags)
        .values(
            "pk",
            "entry_date",
            "exit_date",
            "exit_reason",
            "unemployed_since",
            "education",
            "disability",
            "foreign_background",
            "minority",
            "homeless",
            "lm_status",
            "age",
            "threshold",
            "isced",
            "citizenship",
            "six_answer",
            "six_last",
            *flags,
        )  # fmt: skip
        .first()
    )
    if row is None:
        first = (
            CaseFile.objects.filter(
                young_person_id=case_file.young_person_id, operation=operation
            )
            .order_by("entry_date", "pk")
            .first()
        )
        reason = _("Counted once per operation: with the case file #%(number)s.") % {
            "number": first.pk if first else "?"
        }
        return _explained(rule_set, case_file, items, {}, reason)
    counts = {name: row[f"is_{name}"] for name in conditions}
    events = list(Outcome.objects.filter(case_file=case_file).order_by("start_date"))
    facts = _Facts(row, events, params["leaving_window_days"])
    explained = []
    for item in items:
        reason = ""
        counted = bool(counts[item.condition])
        if item.kind == OUTPUT:
            if date_from and date_to and not date_from <= row["entry_date"] <= date_to:
                counted = False
                reason = _("Entered on %(date)s, outside the period.") % {
                    "date": _date(row["entry_date"])
                }
            elif not counted:
                reason = _output_reason(item, item.condition, facts)
        else:
            exit_date = row["exit_date"]
            if exit_date is None:
                counted = False
                reason = _("Still in the operation: no exit date.")
            elif date_from and date_to and not date_from <= exit_date <= date_to:
                counted = False
                reason = _("Left on %(date)s, outside the period.") % {
                    "date": _date(exit_date)
                }
            elif not counted:
                reason = _result_reason(item, item.condition, facts, counts)
        explained.append(_entry(item, counted, reason))
    return {
        "case_file": case_file.pk,
        "rule_set": rule_set,
        "operation": operation.reference,
        "parameters": params,
        "indicators": explained,
    }


def _entry(item: Indicator, counted: bool, reason: str) -> dict[str, Any]:
    return {
        "key": item.key,
        "label": str(item.label),
        "kind": item.kind,
        "counted": counted,
        "reason": reason,
    }


def _explained(rule_set, case_file, items, params, reason) -> dict[str, Any]:
    return {
        "case_file": case_file.pk,
        "rule_set": rule_set,
        "operation": case_file.operation.reference if case_file.operation else None,
        "parameters": params,
        "indicators": [_entry(item, False, reason) for item in items],
    }
