"""Pseudonymised statistics for researchers and funders: one row per participation
(case file), without names, contact details, birth dates or typed texts, and with
small cells suppressed.

**Who and what.** A project lead exports the participations of a programme they lead
(whichever organisation keeps the file); a data protection officer those their
organisation keeps.

**Pseudonyms.** Each person gets ``HMAC-SHA256(key, person id)`` (16 hexadecimal
digits), with a key drawn at random for each export and never stored: the
participations of one person share a pseudonym within an export, and two exports
cannot be linked (nor the pseudonym traced back to the number).

**What identifies nobody on its own.** The quasi-identifiers are the gender, the age
at entry (as a band: under 18, 18–24, 25–29, 30 and over) and the commune of
residence. Entry and exit are given as months, the situation at entry and the outcomes
as codes.

**Small cells** (``SMALL_CELL`` = 5 people). For every combination of gender × age
band × area given, fewer than 5 different people is a small cell:

1. the small cells' commune is replaced by its region ("region:brussels" or
   "region:outside");
2. where gender × age band × region still has fewer than 5 people, the age band is
   replaced by "*" (any age) too;
3. where gender × region still has fewer than 5 people, their rows are left out.

Each row's ``coarsened`` column says which step applied (``area``, ``area+age``), and
the file's "About" sheet (XLSX) gives the rule and the counts.
"""

import datetime
import hashlib
import hmac
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from outcomes.models import FollowUp, Outcome
from youthtrack.models import CaseFile, Programme, User, age_on

SMALL_CELL = 5
# The area a small cell's commune is replaced by (never a commune's code).
REGIONS = {True: "region:brussels", False: "region:outside"}
ANY_AGE = "*"
AGE_BANDS = ((0, 17, "<18"), (18, 24, "18-24"), (25, 29, "25-29"), (30, 200, "30+"))

COLUMNS = [
    "pseudonym",
    "programme",
    "operation",
    "gender",
    "age_band",
    "area",
    "coarsened",
    "entry_month",
    "exit_month",
    "status",
    "exit_reason",
    "employment_status",
    "unemployed_months_at_entry",
    "education",
    "isced_level",
    "registered_at_actiris",
    "disability",
    "foreign_background",
    "minority",
    "homeless",
    "referral",
    "first_visit",
    "outcomes",
    "situation_upon_leaving",
    "situation_six_months",
]


def age_band(age: int) -> str:
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return ANY_AGE


def pseudonymiser(key: bytes | None = None):
    """A function person id → pseudonym, with a fresh random key unless given."""
    key = key or secrets.token_bytes(32)

    def pseudonym(person_id: int) -> str:
        digest = hmac.new(key, str(person_id).encode(), hashlib.sha256)
        return digest.hexdigest()[:16]

    return pseudonym


def statistics_programmes(user: User) -> QuerySet[Programme]:
    """The programmes the user may export: those a lead leads; for a data protection
    officer, those of their organisation's files."""
    if not user.is_authenticated or not user.is_active:
        return Programme.objects.none()
    if user.acts_as_dpo:
        return Programme.objects.filter(
            pk__in=CaseFile.objects.filter(
                owner_organisation_id=user.organisation_id
            ).values("programme_id")
        )
    if user.role == User.Role.LEAD:
        return user.programmes_led.all()
    return Programme.objects.none()


def may_export_statistics(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.acts_as_dpo or user.role == User.Role.LEAD)
    )


def _participations(
    user: User,
    programme: Programme,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
) -> QuerySet[CaseFile]:
    if not statistics_programmes(user).filter(pk=programme.pk).exists():
        return CaseFile.objects.none()
    files = CaseFile.objects.filter(programme=programme)
    if user.acts_as_dpo:
        files = files.filter(owner_organisation_id=user.organisation_id)
    if date_from:
        files = files.filter(entry_date__gte=date_from)
    if date_to:
        files = files.filter(entry_date__lte=date_to)
    return files


@dataclass
class StatisticsExport:
    rows: list[dict[str, Any]]
    people: int
    participations: int
    coarsened_area: int = 0
    coarsened_age: int = 0
    dropped_rows: int = 0
    dropped_people: int = 0
    columns: list[str] = field(default_factory=lambda: list(COLUMNS))


def _month(day: datetime.date | None) -> str:
    return day.strftime("%Y-%m") if day else ""


def _months_between(start: datetime.date | None, end: datetime.date) -> int | None:
    if start is None or start > end:
        return None
    return (end.year - start.year) * 12 + end.month - start.month


def _raw_rows(files: QuerySet[CaseFile], pseudonym) -> Iterator[dict[str, Any]]:
    ids = list(files.values_list("pk", flat=True))
    outcomes: dict[int, list[str]] = defaultdict(list)
    for case_file_id, kind in (
        Outcome.objects.filter(case_file_id__in=ids)
        .order_by("case_file_id", "start_date", "pk")
        .values_list("case_file_id", "kind")
    ):
        outcomes[case_file_id].append(kind)
    follow_ups: dict[tuple[int, str], str] = {}
    for case_file_id, kind, situation in (
        FollowUp.objects.filter(case_file_id__in=ids)
        .exclude(situation="")
        .exclude(situation__isnull=True)
        .order_by("due_on", "pk")
        .values_list("case_file_id", "kind", "situation")
    ):
        follow_ups[(case_file_id, kind)] = situation
    rows = (
        files.select_related(
            "young_person__commune", "programme", "operation", "highest_diploma"
        )
        .order_by("pk")
        .iterator(chunk_size=2000)
    )
    for case in rows:
        person = case.young_person
        commune = person.commune
        yield {
            "_person": person.pk,
            "_region": REGIONS[commune.in_brussels_region],
            "pseudonym": pseudonym(person.pk),
            "programme": case.programme.code,
            "operation": case.operation.reference if case.operation else "",
            "gender": person.gender_id,
            "age_band": age_band(age_on(person.birth_date, case.entry_date)),
            "area": commune.code,
            "coarsened": "",
            "entry_month": _month(case.entry_date),
            "exit_month": _month(case.exit_date),
            "status": case.status,
            "exit_reason": case.exit_reason,
            "employment_status": case.employment_status,
            "unemployed_months_at_entry": _months_between(
                case.unemployed_since, case.entry_date
            ),
            "education": case.education,
            "isced_level": (
                case.highest_diploma.isced_level_id if case.highest_diploma else ""
            ),
            "registered_at_actiris": case.registered_at_actiris,
            "disability": case.disability,
            "foreign_background": case.foreign_background,
            "minority": case.minority,
            "homeless": case.homeless,
            "referral": case.referral,
            "first_visit": case.first_visit,
            "outcomes": ";".join(outcomes.get(case.pk, [])),
            "situation_upon_leaving": follow_ups.get(
                (case.pk, FollowUp.Kind.UPON_LEAVING), ""
            ),
            "situation_six_months": follow_ups.get(
                (case.pk, FollowUp.Kind.SIX_MONTHS), ""
            ),
        }


def _small(rows: Iterable[dict[str, Any]], keys: tuple[str, ...]) -> set[tuple]:
    """The combinations of ``keys`` with fewer than SMALL_CELL different people."""
    people: dict[tuple, set[int]] = defaultdict(set)
    for row in rows:
        people[tuple(row[k] for k in keys)].add(row["_person"])
    return {cell for cell, who in people.items() if len(who) < SMALL_CELL}


def suppress_small_cells(rows: list[dict[str, Any]]) -> StatisticsExport:
    """The rule of the module's docstring, applied to rows holding ``_person`` and
    ``_region`` (removed from the rows returned)."""
    result = StatisticsExport(
        rows=[],
        people=len({row["_person"] for row in rows}),
        participations=len(rows),
    )
    quasi = ("gender", "age_band", "area")
    small = _small(rows, quasi)
    for row in rows:
        if tuple(row[k] for k in quasi) in small:
            row["area"] = row["_region"]
            row["coarsened"] = "area"
            result.coarsened_area += 1
    coarsened = [row for row in rows if row["coarsened"]]
    small = _small(coarsened, quasi)
    for row in coarsened:
        if tuple(row[k] for k in quasi) in small:
            row["age_band"] = ANY_AGE
            row["coarsened"] = "area+age"
            result.coarsened_age += 1
    widest = [row for row in rows if row["coarsened"] == "area+age"]
    small = _small(widest, quasi)
    dropped_people: set[int] = set()
    for row in rows:
        if row["coarsened"] == "area+age" and tuple(row[k] for k in quasi) in small:
            result.dropped_rows += 1
            dropped_people.add(row["_person"])
            continue
        result.rows.append({k: v for k, v in row.items() if not k.startswith("_")})
    result.dropped_people = len(dropped_people)
    return result


def statistics_export(
    *,
    user: User,
    programme: Programme,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    key: bytes | None = None,
) -> StatisticsExport:
    """The rows of the export, small cells suppressed. ``key`` is for tests only:
    left out, a new random key is drawn (and forgotten when this returns)."""
    files = _participations(user, programme, date_from, date_to)
    return suppress_small_cells(list(_raw_rows(files, pseudonymiser(key))))
