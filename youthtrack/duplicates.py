"""The duplicate guard: who, among the young people already registered, may be the
person being registered (or merged).

Three steps, so that the search stays fast on a large table:

1. The database gives a bounded set of candidates, each read on an index: the people
   born on the birth date or on one of its likely mistypings (day and month swapped,
   one digit off), the people with the same name or its words rotated (first and
   last names swapped), whatever their birth date, and a bounded scan of the name
   index from the first letters of each part of the name.
2. Python scores each candidate (``rapidfuzz``) on the name (word order ignored, so
   that first and last names swapped score as the same name) and the birth date, and
   keeps the likely matches, best first, each with why it matches.
3. The gate the caller gives (a queryset: the intake passes ``people_linkable_by``,
   only people the user may link are offered) is asked about the scored ones only.

pg_trgm was measured and left out: at 100,000 people ``name_key % 'pascal bastin'``
takes 35-70 ms through migration 0004's trigram index (and PostgreSQL, misjudging
it, prefers a 700 ms sequential scan), against under 2 ms for all of the above.
"""

import datetime
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from .access import people_linkable_by
from .models import User, YoungPerson, normalise_name

# How birth dates relate.
SAME = "same"
SWAPPED = "swapped"  # day and month swapped (2000-01-03 for 2000-03-01)
ONE_DIGIT = "one_digit"  # one digit of the date differs (2001 for 2000, 13 for 12)
OTHER = "other"

DATE_POINTS = {SAME: 100, SWAPPED: 90, ONE_DIGIT: 80, OTHER: 0}
# A close birth date and a name at least this similar is a likely match ("Adams" for
# "Adam" scores 95; "Lucie Adam" for "Julien Adam", a twin, about 67: not offered).
NAME_WITH_CLOSE_DATE = 80
# With a birth date far from the one typed, only (nearly) the same name is offered,
# and after every match with a close birth date.
NAME_WITH_OTHER_DATE = 95
NAME_WEIGHT = 0.6

# The database's bounds: rows read for scoring, matches shown.
DATE_CANDIDATES = 2000
NAME_CANDIDATES = 100
PREFIX_CANDIDATES = 200
PREFIX_LENGTH = 3
GATED = 200  # the best scored, of which the gate keeps those the user may see
SHOWN = 8


@dataclass(frozen=True)
class Match:
    """A likely duplicate: the person, the score (0-100) and why."""

    person: YoungPerson
    score: int
    name_score: int
    name_relation: str  # "same", "swapped" or "similar"
    date_relation: str
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return capfirst(", ".join(self.reasons))


def birth_date_variants(day: datetime.date) -> set[datetime.date]:
    """The date, the date with day and month swapped, and every valid date one digit
    away from it (in YYYYMMDD)."""
    variants = {day}
    if day.day <= 12 and day.day != day.month:
        variants.add(datetime.date(day.year, day.day, day.month))
    digits = day.strftime("%Y%m%d")
    for position, current in enumerate(digits):
        for digit in "0123456789":
            if digit == current:
                continue
            text = digits[:position] + digit + digits[position + 1 :]
            try:
                variants.add(datetime.datetime.strptime(text, "%Y%m%d").date())
            except ValueError:
                continue
    return variants


def date_relation(typed: datetime.date, known: datetime.date) -> str:
    if typed == known:
        return SAME
    if typed.day <= 12 and (known.year, known.month, known.day) == (
        typed.year,
        typed.day,
        typed.month,
    ):
        return SWAPPED
    a, b = typed.strftime("%Y%m%d"), known.strftime("%Y%m%d")
    if sum(x != y for x, y in zip(a, b, strict=True)) == 1:
        return ONE_DIGIT
    return OTHER


def name_similarity(typed_key: str, known_key: str) -> tuple[int, str]:
    """0-100 and how the names relate, on normalised names (``normalise_name``)."""
    if typed_key == known_key:
        return 100, SAME
    if sorted(typed_key.split()) == sorted(known_key.split()):
        return 100, SWAPPED
    score = max(
        fuzz.token_sort_ratio(typed_key, known_key),
        # "El Amrani" typed "Elamrani": the same letters without the spaces.
        fuzz.ratio(
            "".join(sorted(typed_key.split())), "".join(sorted(known_key.split()))
        ),
    )
    return round(score), "similar"


def score(
    *,
    typed_key: str,
    typed_birth_date: datetime.date,
    known_key: str,
    known_birth_date: datetime.date,
) -> tuple[int, int, str, str] | None:
    """(score, name score, name relation, date relation) when the known person is a
    likely match of the typed one, else None."""
    name_score, name_relation = name_similarity(typed_key, known_key)
    relation = date_relation(typed_birth_date, known_birth_date)
    if relation == OTHER:
        if name_score < NAME_WITH_OTHER_DATE:
            return None
    elif name_score < NAME_WITH_CLOSE_DATE:
        return None
    total = NAME_WEIGHT * name_score + (1 - NAME_WEIGHT) * DATE_POINTS[relation]
    return round(total), name_score, name_relation, relation


def _reasons(name_relation: str, relation: str) -> list[str]:
    names = {
        SAME: _("same name"),
        SWAPPED: _("same name with first and last names swapped"),
        "similar": _("similar name"),
    }
    dates = {
        SAME: _("same date of birth"),
        SWAPPED: _("date of birth with day and month swapped"),
        ONE_DIGIT: _("date of birth one digit apart"),
        OTHER: _("another date of birth"),
    }
    return [dates[relation], names[name_relation]]


def name_rotations(key: str) -> set[str]:
    """The normalised name with its words rotated: "adam julien" typed as "julien
    adam" (first and last names swapped), "el amrani mohamed" as "mohamed el amrani"."""
    words = key.split()
    return {" ".join(words[i:] + words[:i]) for i in range(len(words))}


def _candidate_rows(
    key: str, birth_date: datetime.date, exclude_pk: int | None
) -> dict[int, tuple[str, datetime.date]]:
    """Bounded reads, each on an index and none through the gate (the gate's
    conditions made PostgreSQL read the organisation's whole list of files for each
    candidate: 100-400 ms at 100,000 people; these take about a millisecond)."""
    rows: dict[int, tuple[str, datetime.date]] = {}
    fields = ("pk", "name_key", "birth_date")
    people = YoungPerson.objects.filter(merged_into__isnull=True).order_by()
    if exclude_pk is not None:
        people = people.exclude(pk=exclude_pk)
    reads = [
        (
            people.filter(birth_date__in=sorted(birth_date_variants(birth_date))),
            DATE_CANDIDATES,
        )
    ]
    if key:
        # The same name, or swapped, whatever the birth date (the name_key index).
        reads.append(
            (people.filter(name_key__in=sorted(name_rotations(key))), NAME_CANDIDATES)
        )
        # A bounded scan of the name index from the first letters of each part of
        # the name (typos after them, whatever the birth date).
        postgresql = connections[people.db].vendor == "postgresql"
        for prefix in sorted({part[:PREFIX_LENGTH] for part in key.split()}):
            if postgresql:
                # LIKE 'pre%' reads the name_key index's pattern_ops twin (a range
                # on a locale's collation would not be a prefix).
                by_prefix = people.filter(name_key__startswith=prefix)
            else:
                by_prefix = people.filter(
                    name_key__gte=prefix, name_key__lt=prefix + "\uffff"
                )
            reads.append((by_prefix, PREFIX_CANDIDATES))
    for query, bound in reads:
        for pk, name_key, born in query.values_list(*fields)[:bound]:
            rows[pk] = (name_key, born)
    return rows


def likely_duplicates(
    *,
    people: QuerySet[YoungPerson],
    first_name: str,
    last_name: str,
    birth_date: datetime.date,
    exclude_pk: int | None = None,
    limit: int = SHOWN,
) -> list[Match]:
    """The likely matches among ``people`` (a queryset the caller has gated), best
    first, at most ``limit``; people merged into another are never offered. The
    candidates are scored first and the gate asked only about those that scored."""
    key = normalise_name(last_name, first_name)
    scored = []
    for pk, (known_key, known_birth) in _candidate_rows(
        key, birth_date, exclude_pk
    ).items():
        result = score(
            typed_key=key,
            typed_birth_date=birth_date,
            known_key=known_key,
            known_birth_date=known_birth,
        )
        if result is not None:
            scored.append((result, pk))
    scored.sort(key=lambda item: (-item[0][0], item[1]))
    scored = scored[:GATED]
    allowed = set(
        people.filter(pk__in=[pk for _result, pk in scored]).values_list(
            "pk", flat=True
        )
    )
    scored = [(result, pk) for result, pk in scored if pk in allowed][:limit]
    found = (
        YoungPerson.objects.select_related("commune")
        .prefetch_related("case_files__programme")
        .in_bulk([pk for _result, pk in scored])
    )
    return [
        Match(
            person=found[pk],
            score=total,
            name_score=name_score,
            name_relation=name_relation,
            date_relation=relation,
            reasons=_reasons(name_relation, relation),
        )
        for (total, name_score, name_relation, relation), pk in scored
        if pk in found
    ]


def intake_duplicates(
    *, user: User, first_name: str, last_name: str, birth_date: datetime.date
) -> list[Match]:
    """The intake's guard: likely matches among the people the user may link to a
    new case file, and only those (the guard offers to "use this person", which only
    their own organisation may do; issue 7)."""
    return likely_duplicates(
        people=people_linkable_by(user),
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
    )
