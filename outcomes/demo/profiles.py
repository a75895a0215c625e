"""Believable, rule-abiding choices for demo and test data.

Pure functions of a ``random.Random`` and plain values (codes, dates), shared by the
factories and by the ``seed_demo`` command so that both produce data of the same shape.
Everything they return satisfies ``youthtrack.services.validate_young_person`` and
``validate_case_file``: entry dates not in the future and at an age the programme
accepts, ``unemployed_since`` only for the unemployed and not after entry, full-time
students inactive, people registered at Actiris not inactive, ``referred_by`` set when
referred.
"""

import datetime
import random
from collections.abc import Mapping
from dataclasses import dataclass

from youthtrack.models import age_on, normalise_name

DEMO_PASSWORD = "demo-password-2026"

# How far back the demo data goes.
HISTORY_DAYS = 730

# Approximate share of Brussels residents, by NIS code; about 8 % live outside the
# region (the CDM's 2021 report: 92.2 % of visitors live in the Brussels region).
COMMUNE_WEIGHTS: dict[str, float] = {
    "21004": 13.0,  # Bruxelles-Ville
    "21015": 10.5,  # Schaerbeek
    "21001": 10.5,  # Anderlecht
    "21012": 8.5,  # Molenbeek-Saint-Jean
    "21009": 7.0,  # Ixelles
    "21016": 6.0,  # Uccle
    "21007": 4.5,  # Forest
    "21018": 4.0,  # Woluwe-Saint-Lambert
    "21010": 4.0,  # Jette
    "21005": 3.5,  # Etterbeek
    "21013": 3.5,  # Saint-Gilles
    "21006": 3.0,  # Evere
    "21019": 2.5,  # Woluwe-Saint-Pierre
    "21002": 2.0,  # Auderghem
    "21014": 2.0,  # Saint-Josse-ten-Noode
    "21003": 1.8,  # Berchem-Sainte-Agathe
    "21011": 1.7,  # Koekelberg
    "21008": 1.6,  # Ganshoren
    "21017": 1.6,  # Watermael-Boitsfort
    "outside": 8.0,
}

GENDER_WEIGHTS: dict[str, float] = {
    "female": 49.0,
    "male": 48.0,
    "non_binary": 1.5,
    "not_stated": 1.5,
}

PROGRAMME_WEIGHTS: dict[str, float] = {
    "touchngo": 40.0,
    "youth-cdm": 45.0,
    "uppercut": 15.0,
}

CHANNEL_WEIGHTS: dict[str, float] = {
    "in_person": 45.0,
    "email": 18.0,
    "phone": 14.0,
    "video": 10.0,
    "collective": 7.0,
    "chat": 6.0,
}

CITIZENSHIP_WEIGHTS: dict[str, float] = {
    "be": 68.0,
    "eu": 12.0,
    "third": 16.5,
    "stateless": 0.5,
    "unknown": 3.0,
}

# Organisations that refer young people to the CDM.
REFERRERS = [
    "Actiris",
    "Bruxelles Formation",
    "VDAB Brussel",
    "CPAS d'Anderlecht",
    "CPAS de Schaerbeek",
    "CPAS de Molenbeek-Saint-Jean",
    "OCMW Brussel",
    "Mission locale de Saint-Gilles",
    "Mission locale d'Etterbeek",
    "Mission locale de Schaerbeek",
    "Service d'accrochage scolaire (SAS)",
    "Centre PMS",
    "CLB Brussel",
    "AMO du quartier",
    "Maison de jeunes",
    "JES vzw",
    "Infor Jeunes Bruxelles",
    "Maison de quartier",
    "Service citoyen",
    "École secondaire (éducateur)",
]


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[key] for key in keys])[0]


# --- dates ----------------------------------------------------------------------------


def birthday(birth_date: datetime.date, age: int) -> datetime.date:
    """The day a person born on ``birth_date`` turns ``age`` (29 February → 1 March)."""
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:
        return datetime.date(birth_date.year + age, 3, 1)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return datetime.date(day.year - years, 2, 28)


def random_date(
    rng: random.Random, start: datetime.date, end: datetime.date
) -> datetime.date:
    """A day between ``start`` and ``end``, both included."""
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def birth_date_for_age(
    rng: random.Random, age: int, on: datetime.date
) -> datetime.date:
    """A birth date that makes someone exactly ``age`` (completed years) on ``on``."""
    latest = _years_before(on, age)
    earliest = _years_before(on, age + 1) + datetime.timedelta(days=1)
    birth = random_date(rng, earliest, latest)
    assert age_on(birth, on) == age, (birth, on, age)
    return birth


def entry_window(
    birth_date: datetime.date,
    min_age: int,
    max_age: int,
    today: datetime.date,
    history_days: int = HISTORY_DAYS,
) -> tuple[datetime.date, datetime.date] | None:
    """First and last possible entry dates: within the history, not in the future, and
    at an age the programme accepts. None when there is no such day."""
    earliest = max(
        today - datetime.timedelta(days=history_days), birthday(birth_date, min_age)
    )
    latest = min(today, birthday(birth_date, max_age + 1) - datetime.timedelta(days=1))
    if earliest > latest:
        return None
    return earliest, latest


def age_today_range(min_age: int, max_age: int) -> tuple[int, int]:
    """Ages today (16–28 by default) that leave room for an entry into a programme."""
    low, high = max(16, min_age), min(28, max_age)
    if low > high:
        low, high = min_age, max_age
    return low, high


# --- the situation at entry -----------------------------------------------------------


@dataclass(frozen=True)
class Situation:
    """The employment and education facts at entry, consistent with each other."""

    kind: str
    employment_status: str
    education: str
    registered_at_actiris: bool
    unemployed_since: datetime.date | None


# kind: (employment status, education, registered at Actiris)
SITUATION_KINDS: dict[str, tuple[str, str, bool]] = {
    "job_seeker": ("unemployed", "none", True),
    "job_seeker_unregistered": ("unemployed", "none", False),
    "job_seeker_in_training": ("unemployed", "training", True),
    "neet_inactive": ("inactive", "none", False),
    "student": ("inactive", "student", False),
    "inactive_in_training": ("inactive", "training", False),
    "employed": ("employed", "none", False),
    "employed_evening_classes": ("employed", "part_time", False),
}

SITUATION_WEIGHTS: dict[str, dict[str, float]] = {
    # The NEET project: not in employment, education or training.
    "touchngo": {
        "job_seeker": 48.0,
        "job_seeker_unregistered": 14.0,
        "job_seeker_in_training": 4.0,
        "neet_inactive": 30.0,
        "inactive_in_training": 2.0,
        "employed": 2.0,
    },
    "uppercut": {
        "job_seeker": 42.0,
        "job_seeker_unregistered": 12.0,
        "neet_inactive": 40.0,
        "inactive_in_training": 4.0,
        "student": 2.0,
    },
    # Every young profile: pupils, students, training and job seekers, NEETs.
    "youth-cdm": {
        "student": 34.0,
        "job_seeker": 24.0,
        "job_seeker_unregistered": 8.0,
        "job_seeker_in_training": 5.0,
        "neet_inactive": 12.0,
        "inactive_in_training": 5.0,
        "employed": 7.0,
        "employed_evening_classes": 5.0,
    },
}


def pick_situation(
    rng: random.Random,
    programme_code: str,
    birth_date: datetime.date,
    entry_date: datetime.date,
) -> Situation:
    age = age_on(birth_date, entry_date)
    weights = dict(
        SITUATION_WEIGHTS.get(programme_code, SITUATION_WEIGHTS["youth-cdm"])
    )
    if age < 18:
        # Compulsory schooling runs to 18: in Youth@CDM most minors are pupils; the NEET
        # projects see those who dropped out. Nobody under 18 is registered at Actiris.
        if programme_code == "youth-cdm":
            weights["student"] = weights.get("student", 0.0) + 3 * sum(weights.values())
        for kind in ("employed", "employed_evening_classes"):
            weights.pop(kind, None)
    kind = weighted(rng, weights)
    employment, education, registered = SITUATION_KINDS[kind]
    if age < 18:
        registered = False
    elif kind == "job_seeker" and rng.random() < 0.1:
        registered = False
    unemployed_since = None
    if employment == "unemployed" and rng.random() < 0.8:
        unemployed_since = _unemployed_since(rng, birth_date, entry_date)
    return Situation(
        kind=kind,
        employment_status=employment,
        education=education,
        registered_at_actiris=registered,
        unemployed_since=unemployed_since,
    )


def _unemployed_since(
    rng: random.Random, birth_date: datetime.date, entry_date: datetime.date
) -> datetime.date | None:
    """Mostly a few months, sometimes more than a year (long-term unemployed)."""
    months = rng.choices(
        [rng.randint(0, 5), rng.randint(6, 12), rng.randint(13, 36)],
        weights=[50, 30, 20],
    )[0]
    since = entry_date - datetime.timedelta(days=months * 30 + rng.randint(0, 29))
    earliest = birthday(birth_date, 16)
    if earliest > entry_date:
        return None
    return max(since, earliest)


# --- education ------------------------------------------------------------------------

# Highest diploma by age at entry: code → weight.
_DIPLOMAS_UNDER_18 = {"none": 6, "ceb": 44, "ce1d": 40, "ce2d": 6, "eerste-graad": 4}
_DIPLOMAS_18_20 = {
    "none": 5,
    "ceb": 10,
    "ce1d": 20,
    "ce2d": 10,
    "cess": 30,
    "cq6": 8,
    "cqe": 3,
    "7e-professionnelle": 3,
    "foreign-2": 3,
    "foreign-3": 4,
}
_DIPLOMAS_21_24 = {
    "none": 4,
    "ceb": 6,
    "ce1d": 15,
    "ce2d": 7,
    "cess": 28,
    "cq6": 6,
    "cq7": 3,
    "cqe": 3,
    "7e-professionnelle": 4,
    "7e-perfectionnement": 1,
    "graduat": 2,
    "bachelier-pro": 7,
    "bachelier": 3,
    "foreign-2": 3,
    "foreign-3": 4,
    "foreign-6": 2,
}
_DIPLOMAS_25_PLUS = {
    "none": 4,
    "ceb": 5,
    "ce1d": 12,
    "ce2d": 5,
    "cess": 24,
    "cq6": 5,
    "cq7": 3,
    "cqe": 2,
    "7e-professionnelle": 3,
    "7e-perfectionnement": 1,
    "graduat": 3,
    "bachelier-pro": 10,
    "bachelier": 4,
    "master": 6,
    "foreign-2": 3,
    "foreign-3": 4,
    "foreign-6": 3,
    "foreign-7": 2,
    "doctorat": 0.2,
}
# The Flemish-Community equivalent of a French-Community diploma.
_FLEMISH = {
    "ceb": "basisonderwijs",
    "ce1d": "eerste-graad",
    "cess": "secundair-onderwijs",
    "cq6": "secundair-onderwijs",
    "7e-perfectionnement": "se-n-se",
}


def pick_diploma_code(rng: random.Random, age: int, flemish: bool = False) -> str:
    table: Mapping[str, float]
    if age < 18:
        table = _DIPLOMAS_UNDER_18
    elif age <= 20:
        table = _DIPLOMAS_18_20
    elif age <= 24:
        table = _DIPLOMAS_21_24
    else:
        table = _DIPLOMAS_25_PLUS
    code = weighted(rng, {key: float(value) for key, value in table.items()})
    if flemish:
        code = _FLEMISH.get(code, code)
    return code


# --- the rest of the case file --------------------------------------------------------


def pick_declinable(rng: random.Random, yes: float, declined: float) -> str:
    """One of "yes", "no" and "declined" (to state), with the given shares of "yes"
    and "declined"."""
    draw = rng.random()
    if draw < yes:
        return "yes"
    if draw < yes + declined:
        return "declined"
    return "no"


def pick_referral(rng: random.Random) -> tuple[str, str]:
    """About half come on their own initiative (the CDM's 2021 report: 50.3 %)."""
    if rng.random() < 0.5:
        return "own", ""
    return "referred", rng.choice(REFERRERS)


def pick_languages(rng: random.Random, language: str) -> tuple[bool, bool, str]:
    """speaks French, speaks Dutch, other languages — from the name's language."""
    if language == "nl":
        return rng.random() < 0.65, True, rng.choice(["", "", "anglais"])
    if language == "fr":
        return True, rng.random() < 0.15, rng.choice(["", "", "", "anglais"])
    others = rng.choice(_OTHER_LANGUAGES.get(language, ["", "anglais"]))
    return rng.random() < 0.95, rng.random() < 0.1, others


# Languages often spoken at home, by origin of the name (see names.WORLD).
_OTHER_LANGUAGES = {
    "maghreb": ["arabe", "berbère", "arabe, berbère", "arabe, anglais", ""],
    "turkey": ["turc", "turc, anglais", ""],
    "central-africa": ["lingala", "swahili", "kinyarwanda", "lingala, anglais", ""],
    "west-africa": ["peul", "soussou", "wolof", "anglais", ""],
    "poland": ["polonais", "polonais, anglais"],
    "romania": ["roumain", "roumain, anglais"],
    "balkans": ["albanais", "albanais, anglais"],
    "middle-east": ["arabe", "dari", "persan", "arabe, anglais"],
    "southern-europe": ["espagnol", "italien", "portugais", "grec", ""],
}


# What a referral to a partner asks of it, by programme: the purpose an advisor of
# that programme writes (the generated local offices' programmes take the last one).
_SHARE_PURPOSES = {
    "touchngo": "Inscription chez Actiris et recherche d'emploi accompagnée "
    "(Touch'N'Go)",
    "uppercut": "Suite du parcours après les deux semaines intensives : formation "
    "qualifiante ou premier emploi (Uppercut)",
    "youth-cdm": "Orientation vers une formation ou un stage (Youth@CDM)",
}


def share_purpose(programme_code: str, programme_name: str) -> str:
    """The purpose of a referral of a file of this programme."""
    return _SHARE_PURPOSES.get(
        programme_code, f"Accompagnement vers l'emploi ({programme_name})"
    )


def phone_number(rng: random.Random) -> str:
    """A Belgian mobile number in the usual 04xx xx xx xx format."""
    prefix = f"04{rng.choice([6, 7, 8, 9])}{rng.randint(0, 9)}"
    pairs = " ".join(f"{rng.randint(0, 99):02d}" for _ in range(3))
    return f"{prefix} {pairs}"


def email_address(rng: random.Random, first_name: str, last_name: str) -> str:
    """An address on a reserved example domain: nobody gets mail from the demo."""
    first = normalise_name(first_name).replace(" ", "")
    last = normalise_name(last_name).replace(" ", "")
    pattern = rng.choice(
        ["{f}.{l}", "{f}{l}", "{f}.{l}{n}", "{f}_{l}", "{l}.{f}", "{f}{n}"]
    )
    local = pattern.format(f=first, l=last, n=rng.randint(1, 99))
    return f"{local}@{rng.choice(['example.com', 'example.org', 'example.net'])}"


# --- the path through the programme ---------------------------------------------------

EXIT_REASON_WEIGHTS: dict[str, float] = {
    "completed": 55.0,
    "dropped_out": 14.0,
    "no_contact": 14.0,
    "redirected": 10.0,
    "moved": 4.0,
    "other": 3.0,
}


def status_path(
    rng: random.Random,
    status: str,
    entry_date: datetime.date,
    exit_date: datetime.date | None,
    today: datetime.date,
    reopened: bool = False,
) -> list[tuple[str, str, datetime.date]]:
    """The (from, to, effective date) moves that lead to ``status``, in order, as the
    services would have recorded them: the first move is "" → intake on the entry date;
    every date lies between the entry date and the exit date (closed) or today.

    ``reopened`` (active files only) adds a closure and a reopening on the way."""
    end = exit_date if status == "closed" and exit_date else today
    moves: list[tuple[str, str]] = [("", "intake")]
    if status == "active":
        moves.append(("intake", "active"))
        if reopened:
            moves += [("active", "closed"), ("closed", "active")]
    elif status == "follow_up":
        moves += [("intake", "active"), ("active", "follow_up")]
    elif status == "closed":
        route = rng.choices(["no_show", "active", "follow_up"], weights=[12, 48, 40])[0]
        if route == "no_show":
            moves.append(("intake", "closed"))
        elif route == "active":
            moves += [("intake", "active"), ("active", "closed")]
        else:
            moves += [
                ("intake", "active"),
                ("active", "follow_up"),
                ("follow_up", "closed"),
            ]
    # The intake leads to the start of the path within three weeks; later moves are
    # spread until the end; a closure happens on the exit date.
    dates = [entry_date]
    if len(moves) > 1:
        start = min(entry_date + datetime.timedelta(days=rng.randint(0, 21)), end)
        dates.append(start)
        later = sorted(random_date(rng, start, end) for _ in moves[2:])
        dates += later
        if status == "closed":
            dates[-1] = end
    return [(frm, to, day) for (frm, to), day in zip(moves, dates, strict=True)]


def next_follow_up(rng: random.Random, today: datetime.date) -> datetime.date:
    """For an open file: some overdue, some within the week, most in the weeks ahead."""
    draw = rng.random()
    if draw < 0.2:
        return today - datetime.timedelta(days=rng.randint(1, 30))
    if draw < 0.5:
        return today + datetime.timedelta(days=rng.randint(0, 7))
    return today + datetime.timedelta(days=rng.randint(8, 60))
