"""The demo at scale (``seed_demo --people 20000`` and more): who owns the files.

The small demo puts everyone at the Cité des métiers with two named advisors. A
hundred thousand young people cannot live like that: no advisor keeps 50,000 open files,
and a benchmark on such data would measure one organisation growing, not the tables.
From ``SCALE_FROM`` people on, the files are spread as a real network would hold them:

- the CDM keeps a fixed-size part (its named advisors, about forty colleagues, the
  first-circle partners' own files), so what the demo logins see is the same at 20,000
  and at 1,000,000;
- the rest goes to generated local offices ("antennes"), each with 8 to 40 advisors
  keeping 40 to 150 open files (and a third as many closed ones), each running two
  programmes of its own (clones of the reference programmes), with a partner
  organisation (one per ten offices) to which about 3 % of the open files are referred;
- from ``BUSY_FROM`` people on, one office whose single advisor (``advisor.busy``)
  keeps ``BUSY_CASELOAD`` open files: the pathological caseload that proves the pages
  do not depend on it;
- the history goes back five years instead of two.

Slots (organisation, advisor, status) are drawn from a short plan of a few offices at a
time, shuffled, so that an advisor's files are spread through the table as they would be
in real life, and nothing here holds more than a few offices in memory.
"""

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from outcomes.demo.profiles import DEMO_PASSWORD
from youthtrack.models import Organisation, Programme, User

SCALE_FROM = 20_000
BUSY_FROM = 100_000
BUSY_CASELOAD = 40_000
BUSY_USERNAME = "advisor.busy"
CASELOAD = (40, 150)  # open files per advisor
CLOSED_PER_OPEN = 1 / 3
OFFICE_ADVISORS = (8, 40)
OFFICES_PER_PARTNER = 10
OFFICES_PER_PLAN = 1  # offices whose files are interleaved in the table
SHARE_RATE = 0.03  # open files referred to the partner
HISTORY_DAYS = 5 * 365
CDM_COLLEAGUES = 36
# The named demo advisors' caseloads (open files) at scale.
DEMO_CASELOADS = {"advisor": 120, "advisor2": 90, "julie.dewit": 70, "lead": 40}
PARTNER_CASELOADS = {"thomas.claes": ("actiris", 100), "ines.martin": ("bf", 80)}
UNASSIGNED_INTAKES = 100  # CDM files waiting for an advisor
OPEN_STATUS_WEIGHTS = {"intake": 10.0, "active": 45.0, "follow_up": 20.0}
# Generated programmes are copies of these reference programmes (their rules, ages and
# the situations of their participants).
GENERATED_PREFIX = "gen-"
TEMPLATES = ["touchngo", "youth-cdm", "uppercut"]


@dataclass(frozen=True)
class Slot:
    """One case file to build: whose it is and in which status."""

    organisation: Organisation
    advisor: User | None
    status: str
    programmes: tuple[Programme, ...]  # the office's programmes (CDM: empty = as today)
    partner: Organisation | None  # where the office refers files


@dataclass
class Office:
    organisation: Organisation
    programmes: tuple[Programme, ...]
    advisors: list[User]
    partner: Organisation | None


class Layout:
    """Hands out slots, creating offices, their advisors and programmes as needed."""

    def __init__(
        self,
        rng: random.Random,
        organisations: dict[str, Organisation],
        users: dict[str, User],
        programmes: dict[str, Programme],
        total_people: int,
    ):
        self.rng = rng
        self.organisations = organisations
        self.users = users
        self.reference_programmes = programmes
        self.busy = total_people >= BUSY_FROM
        self.offices: list[Office] = []  # small: one row per office, for the cohorts
        self.template_of: dict[int, str] = {p.pk: p.code for p in programmes.values()}
        self._password = make_password(None)
        self._partner: Organisation | None = None
        self._office_count = 0
        self._slots = self._all_slots()

    def next_slot(self) -> Slot:
        return next(self._slots)

    # --- the plan ----------------------------------------------------------------

    def _all_slots(self) -> Iterator[Slot]:
        yield from self._shuffled(self._demo_part())
        number = 0
        first = True
        while True:
            plan: list[Slot] = []
            if first and self.busy:
                plan += self._busy_office()
            first = False
            for _ in range(OFFICES_PER_PLAN):
                number += 1
                plan += self._office(number)
            yield from self._shuffled(plan)

    def _shuffled(self, plan: list[Slot]) -> Iterator[Slot]:
        self.rng.shuffle(plan)
        yield from plan

    def _caseload(self, office: Office, advisor: User | None, open_files: int):
        closed = round(open_files * CLOSED_PER_OPEN)
        statuses = [self._open_status() for _ in range(open_files)]
        statuses += ["closed"] * closed
        return [
            Slot(office.organisation, advisor, s, office.programmes, office.partner)
            for s in statuses
        ]

    def _open_status(self) -> str:
        keys = list(OPEN_STATUS_WEIGHTS)
        weights = list(OPEN_STATUS_WEIGHTS.values())
        return self.rng.choices(keys, weights=weights)[0]

    def _demo_part(self) -> list[Slot]:
        cdm = self.organisations["cdm"]
        colleagues = self._advisors(cdm, "cdm", CDM_COLLEAGUES)
        office = Office(cdm, (), [], self.organisations["actiris"])
        self.offices.append(
            Office(cdm, (self.reference_programmes["touchngo"],), colleagues, None)
        )
        plan: list[Slot] = []
        for username, caseload in DEMO_CASELOADS.items():
            plan += self._caseload(office, self.users[username], caseload)
        for advisor in colleagues:
            plan += self._caseload(office, advisor, self.rng.randint(*CASELOAD))
        plan += [
            Slot(cdm, None, "intake", (), office.partner)
            for _ in range(UNASSIGNED_INTAKES)
        ]
        codes = {"actiris": "actiris", "bf": "bruxelles-formation"}
        for username, (org, caseload) in PARTNER_CASELOADS.items():
            partner_office = Office(self.organisations[codes[org]], (), [], None)
            plan += self._caseload(partner_office, self.users[username], caseload)
        return plan

    def _busy_office(self) -> list[Slot]:
        office = self._new_office("antenne-xl", "Antenne régionale XL", advisors=0)
        busy, _created = User.objects.update_or_create(
            username=BUSY_USERNAME,
            defaults={
                "first_name": "Alex",
                "last_name": "Surcharge",
                "email": f"{BUSY_USERNAME}@example.org",
                "role": User.Role.ADVISOR,
                "organisation": office.organisation,
                "is_active": True,
                "password": make_password(DEMO_PASSWORD),
            },
        )
        office.advisors.append(busy)
        return self._caseload(office, busy, BUSY_CASELOAD)

    def _office(self, number: int) -> list[Slot]:
        advisors = self.rng.randint(*OFFICE_ADVISORS)
        office = self._new_office(
            f"antenne-{number:04d}", f"Antenne locale {number}", advisors
        )
        plan: list[Slot] = []
        for advisor in office.advisors:
            plan += self._caseload(office, advisor, self.rng.randint(*CASELOAD))
        return plan

    # --- rows ----------------------------------------------------------------------

    def _new_office(self, code: str, name: str, advisors: int) -> Office:
        organisation, _created = Organisation.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": name[:40],
                "circle": Organisation.Circle.FIRST,
            },
        )
        self._office_count += 1
        if self._partner is None or self._office_count % OFFICES_PER_PARTNER == 1:
            number = self._office_count // OFFICES_PER_PARTNER + 1
            self._partner = self._partner_organisation(number)
        programmes = tuple(
            self._programme(code, template)
            for template in self.rng.sample(TEMPLATES, 2)
        )
        office = Office(
            organisation,
            programmes,
            self._advisors(organisation, code, advisors),
            self._partner,
        )
        self.offices.append(office)
        return office

    def _partner_organisation(self, number: int) -> Organisation:
        code = f"partenaire-{number:03d}"
        partner, _created = Organisation.objects.get_or_create(
            code=code,
            defaults={
                "name": f"Partenaire d'insertion {number}",
                "short_name": f"Partenaire {number}",
                "circle": Organisation.Circle.SECOND,
            },
        )
        User.objects.get_or_create(
            username=f"{code}.staff",
            defaults={
                "first_name": "Équipe",
                "last_name": partner.short_name,
                "role": User.Role.PARTNER,
                "organisation": partner,
                "password": self._password,
            },
        )
        return partner

    def _advisors(self, organisation: Organisation, prefix: str, count: int):
        usernames = [f"{prefix}.advisor{n:02d}" for n in range(1, count + 1)]
        User.objects.bulk_create(
            [
                User(
                    username=username,
                    first_name="Conseiller·e",
                    last_name=f"{organisation.short_name} {n}",
                    role=User.Role.ADVISOR,
                    organisation=organisation,
                    password=self._password,
                )
                for n, username in enumerate(usernames, start=1)
            ],
            ignore_conflicts=True,
        )
        return list(User.objects.filter(username__in=usernames).order_by("username"))

    def _programme(self, office_code: str, template_code: str) -> Programme:
        from programmes.models import ProgrammePhase

        template = self.reference_programmes[template_code]
        code = f"{GENERATED_PREFIX}{office_code}-{template_code}"
        programme = Programme.objects.filter(code=code).first()
        if programme is None:
            programme = Programme.objects.get(pk=template.pk)
            phases = list(ProgrammePhase.objects.filter(programme=template))
            programme.pk = None
            programme.code = code
            for language in ("fr", "nl", "en"):
                name = getattr(template, f"name_{language}")
                setattr(programme, f"name_{language}", f"{name} ({office_code})")
            programme.save()
            for phase in phases:
                phase.pk = None
                phase.programme = programme
            ProgrammePhase.objects.bulk_create(phases)
        self.template_of[programme.pk] = template_code
        return programme


def cohort_starts(today: datetime.date, history_days: int) -> list[datetime.date]:
    """Mondays every thirteen weeks over the last two years (or the history)."""
    first = today - datetime.timedelta(days=min(history_days, 730))
    first += datetime.timedelta(days=(7 - first.weekday()) % 7)
    starts = []
    day = first
    while day < today - datetime.timedelta(days=14):
        starts.append(day)
        day += datetime.timedelta(weeks=13)
    return starts
