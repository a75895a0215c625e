"""Build a believable Brussels demo data set on top of the reference data.

    manage.py seed_demo                       # 200 young people, demo logins
    manage.py seed_demo --reset --people 100000 --seed 7

Rows are built in Python and written with ``bulk_create`` in batches, so that a hundred
thousand young people take minutes, not hours. They bypass the services (no audit rows)
but satisfy the same rules: ``validate_young_person`` and ``validate_case_file`` accept
every generated case file. The choices come from ``outcomes.demo`` (``profiles``,
``names``, ``note_texts``: plain Python, no fake-data library), which the test factories
use too, so demo data and test data have the same shape.

It lives in ``outcomes``, the top of the apps, because it builds data for all of them.
"""

import datetime
import os
import random
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import models, reset_queries, transaction
from django.utils import timezone

from outcomes.demo import names, note_texts, profiles, scale
from outcomes.demo.profiles import DEMO_PASSWORD
from outcomes.models import Assessment, FollowUp, Goal, Outcome
from outcomes.records.services import follow_up_due_dates
from programmes import services as programme_services
from programmes.models import (
    ActivityType,
    Attendance,
    Cohort,
    Enrolment,
    Mode,
    Programme,
    Session,
    Theme,
    WalkIn,
)
from programmes.models import Language as SessionLanguage
from youthtrack import services
from youthtrack.access import SCOPE_PERMISSIONS
from youthtrack.models import (
    AuditEvent,
    CaseFile,
    CaseFileGroupObjectPermission,
    CaseStatusChange,
    Commune,
    Consent,
    Note,
    Organisation,
    Share,
    User,
    YoungPerson,
    age_on,
    keep_consent_refresh,
    normalise_name,
)

BATCH_SIZE = 2000  # young people built in memory, then written, at a time
INSERT_BATCH = 5000  # rows per INSERT statement

Role = User.Role

# username: (first name, last name, role, organisation code, staff and superuser)
DEMO_USERS = {
    "advisor": ("Sarah", "Janssens", Role.ADVISOR, "cdm", False),
    "advisor2": ("Karim", "El Idrissi", Role.ADVISOR, "cdm", False),
    "partner": ("Lotte", "Peeters", Role.PARTNER, "actiris", False),
    "lead": ("Nadia", "Lambert", Role.LEAD, "cdm", False),
    "admin": ("Admin", "CDM", Role.ADMIN, "cdm", True),
    "dpo": ("Marie", "Dubois", Role.DPO, "cdm", False),
}
# Colleagues who own the rest of the caseload; they do not log in to the demo.
COLLEAGUES = {
    "julie.dewit": ("Julie", "Dewit", Role.ADVISOR, "cdm"),
    "thomas.claes": ("Thomas", "Claes", Role.ADVISOR, "actiris"),
    "ines.martin": ("Inès", "Martin", Role.ADVISOR, "bruxelles-formation"),
}

STATUS_WEIGHTS = {"intake": 10.0, "active": 45.0, "follow_up": 20.0, "closed": 25.0}
# Entry dates by status, in days before today (then limited to the person's ages).
ENTRY_DAYS_AGO = {
    "intake": (0, 30),
    "active": (7, 420),
    "follow_up": (60, profiles.HISTORY_DAYS),
    "closed": (20, profiles.HISTORY_DAYS),
}
AGE_AT_ENTRY_WEIGHTS = {
    15: 3, 16: 5, 17: 7, 18: 10, 19: 11, 20: 11, 21: 10, 22: 9,
    23: 8, 24: 7, 25: 6, 26: 5, 27: 4, 28: 3, 29: 2,
}  # fmt: skip
# Who owns a case file: the CDM mostly, first-circle partners a few.
OWNER_WEIGHTS = {"cdm": 92.0, "actiris": 5.0, "bruxelles-formation": 3.0}
# The advisor in charge of a CDM case file (None: not yet assigned).
CDM_ADVISOR_WEIGHTS = {
    "advisor": 52.0,
    "advisor2": 35.0,
    "julie.dewit": 5.0,
    "lead": 4.0,
    "": 4.0,
}
PARTNER_ADVISOR = {"actiris": "thomas.claes", "bruxelles-formation": "ines.martin"}
NOTES_BY_STATUS = {"intake": (0, 2), "active": (1, 9), "follow_up": (2, 12)}
VISIBILITY_WEIGHTS = {"organisation": 85.0, "shared": 10.0, "private": 5.0}


@dataclass
class Reference:
    """Reference rows, looked up once."""

    programmes: dict[str, Programme]
    organisations: dict[str, Organisation]
    communes: dict[str, Commune]
    users: dict[str, User]


@dataclass
class Batch:
    """Unsaved rows; the children of a case file get its key once it is written."""

    people: list[YoungPerson] = field(default_factory=list)
    # (case file, {"changes": [...], "consents": [...], "notes": [...], "partner": …})
    cases: list[tuple[CaseFile, dict]] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Load the reference data, create the demo logins and build demo young people "
        "with their case files, status history, consents and follow-up notes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--people",
            type=int,
            default=200,
            help="How many young people to create (default: %(default)s).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=2021,
            help="Random seed; the same seed on the same day gives the same data "
            "(default: %(default)s).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete every young person and case file (with notes, consents, "
            "status history and their audit trail) first. Without it, demo people are "
            "only added to a database that has none.",
        )

    def handle(self, *args, **options):
        if str(settings.SETTINGS_MODULE).endswith(".production"):
            raise CommandError(
                "seed_demo creates logins whose password is published: it does not "
                "run with the production settings."
            )
        people = options["people"]
        if people < 0:
            raise CommandError("--people cannot be negative.")
        started = time.monotonic()
        call_command("load_reference_data", stdout=self.stdout)
        seed = options["seed"]
        self.rng = random.Random(seed)
        random.seed(seed)
        self.today = timezone.localdate()
        self.tz = timezone.get_current_timezone()

        self.ref = Reference(
            programmes={p.code: p for p in Programme.objects.all()},
            organisations={o.code: o for o in Organisation.objects.all()},
            communes={c.code: c for c in Commune.objects.all()},
            users=self._ensure_users(),
        )
        self.layout = None
        self.history_days = profiles.HISTORY_DAYS
        if people >= scale.SCALE_FROM:
            # Many offices, advisors and programmes instead of one CDM (see scale).
            self.layout = scale.Layout(
                self.rng,
                self.ref.organisations,
                self.ref.users,
                dict(self.ref.programmes),
                people,
            )
            self.history_days = scale.HISTORY_DAYS
        if options["reset"]:
            self._reset()
        existing = YoungPerson.objects.count()
        if existing and not options["reset"]:
            self.stdout.write(
                f"Demo data already present ({existing:,} young people): nothing "
                "added. Use --reset to rebuild it."
            )
        elif people:
            self._generate(people, started)
            # bulk_create bypasses the intake: each file joins the operation of its
            # programme that covers its entry date, as the intake would choose.
            services.case_files_reassign_operations()
            self._outcomes_at_exit()
            self._follow_ups_after_exit()
            self._configure_roles()
            self._share_some_with_actiris()
            self._uppercut_cohort()
            self._workshops_under_way()
            if self.layout is not None:
                self._past_cohorts(started)
        self._configure_roles()
        self._print_logins()

    # --- follow-ups after exit ------------------------------------------------------

    def _outcomes_at_exit(self) -> None:
        """What most young people did after leaving, as the exit form and the
        follow-ups record it, so that the funder reports have results to show."""
        weights = [
            (Outcome.Kind.JOB, 25),
            (Outcome.Kind.QUALIFYING_TRAINING, 20),
            (Outcome.Kind.JOB_SEARCH, 20),
            (Outcome.Kind.RETURN_TO_STUDIES, 14),
            (Outcome.Kind.INTERNSHIP, 8),
            (Outcome.Kind.INACTIVE, 5),
            (Outcome.Kind.APPRENTICESHIP, 4),
            (Outcome.Kind.SELF_EMPLOYMENT, 3),
            (Outcome.Kind.QUALIFICATION, 1),
        ]
        kinds = [kind for kind, _weight in weights]
        cumulative = [weight for _kind, weight in weights]
        closed = (
            CaseFile.objects.filter(status=CaseFile.Status.CLOSED)
            .values_list("pk", "entry_date", "exit_date", "advisor_id", "created_by_id")
            .order_by("pk")
            .iterator(chunk_size=INSERT_BATCH)
        )
        batch: list[Outcome] = []
        for pk, entry_date, exit_date, advisor_id, created_by_id in closed:
            if exit_date is None or self.rng.random() > 0.7:
                continue  # not known yet: the follow-ups will ask
            kind = self.rng.choices(kinds, weights=cumulative)[0]
            start = exit_date + datetime.timedelta(days=self.rng.randint(-5, 40))
            start = max(entry_date, min(start, self.today))
            batch.append(
                Outcome(
                    case_file_id=pk,
                    kind=kind,
                    start_date=start,
                    contract_kind=(
                        self.rng.choice(list(Outcome.ContractKind.values))
                        if kind == Outcome.Kind.JOB
                        else ""
                    ),
                    source=Outcome.Source.YOUNG_PERSON,
                    verification_note="Confirmé par téléphone avec le ou la jeune.",
                    recorded_by_id=advisor_id or created_by_id,
                )
            )
            if len(batch) >= INSERT_BATCH:
                Outcome.objects.bulk_create(batch)
                batch = []
        Outcome.objects.bulk_create(batch)

    def _follow_ups_after_exit(self) -> None:
        """The follow-ups the exit form would have scheduled for files closed in the
        last seven months, so that advisors' dashboards show due and overdue ones.
        (Older exits' follow-ups are left out: nobody would have answered them in a
        demo.)"""
        since = self.today - datetime.timedelta(days=213)
        closed = (
            CaseFile.objects.filter(status=CaseFile.Status.CLOSED, exit_date__gte=since)
            .values_list("pk", "exit_date", "advisor_id")
            .iterator(chunk_size=INSERT_BATCH)
        )
        batch: list[FollowUp] = []
        for case_file_id, exit_date, advisor_id in closed:
            assert exit_date is not None  # filtered on it
            for kind, due_on in follow_up_due_dates(exit_date).items():
                batch.append(
                    FollowUp(
                        case_file_id=case_file_id,
                        advisor_id=advisor_id,
                        kind=kind,
                        due_on=due_on,
                    )
                )
            if len(batch) >= INSERT_BATCH:
                FollowUp.objects.bulk_create(batch)
                batch = []
        FollowUp.objects.bulk_create(batch)

    # --- sharing and roles -----------------------------------------------------------

    def _configure_roles(self) -> None:
        """The demo project lead leads every programme and may share without consent
        in an emergency (with a reason)."""
        lead = self.ref.users["lead"]
        # The CDM's programmes, not those of the generated offices (at scale).
        lead.programmes_led.set(
            Programme.objects.exclude(code__startswith=scale.GENERATED_PREFIX)
        )
        lead.user_permissions.add(
            Permission.objects.get(
                codename="override_sharing_consent",
                content_type__app_label="youthtrack",
            )
        )

    def _workshops_under_way(self) -> None:
        """Youth@CDM workshops that started last week: their past sessions wait for
        their register, so the demo advisor can take attendance today."""
        start = self.today - datetime.timedelta(days=7 + self.today.weekday())
        enrolled = self._demo_cohort(
            programme=Programme.objects.get(code="youth-cdm"),
            name=f"Youth@CDM {start:%Y-%m-%d}",
            start=start,
            days=18,
            capacity=12,
            partners=[],
            phase_filter={},
            title="Atelier CV et lettre de motivation",
            at=datetime.time(13, 30),
            hours=2,
            places=6,
        )
        self.stdout.write(f"Youth@CDM workshops from {start}: {enrolled} enrolled.")

    def _uppercut_cohort(self) -> None:
        """An Uppercut edition starting next week: two intensive weeks of morning
        sessions, 11 places, some of the demo advisor's young people enrolled."""
        start = self.today + datetime.timedelta(days=7 - self.today.weekday())
        enrolled = self._demo_cohort(
            programme=Programme.objects.get(code="uppercut"),
            name=f"Uppercut {start:%Y-%m}",
            start=start,
            days=11,
            capacity=11,
            partners=[self.ref.organisations["actiris"]],
            phase_filter={"counts_for_completion": True},
            title="Atelier « Trouve ta voie »",
            at=datetime.time(9, 30),
            hours=3,
            places=8,
        )
        self.stdout.write(f"Uppercut cohort from {start}: {enrolled} enrolled.")

    def _demo_cohort(
        self,
        *,
        programme: Programme,
        name: str,
        start: datetime.date,
        days: int,
        capacity: int,
        partners: list,
        phase_filter: dict,
        title: str,
        at: datetime.time,
        hours: int,
        places: int,
    ) -> int:
        """A cohort of the lead's, run by both demo advisors, with a session every day
        from ``start`` for ``days``, and the demo advisor's first open files of the
        programme enrolled; returns how many got a place."""
        lead = self.ref.users["lead"]
        end = start + datetime.timedelta(days=days)
        cohort = programme_services.cohort_create(
            acting_user=lead,
            programme=programme,
            data={
                "name": name,
                "start_date": start,
                "end_date": end,
                "capacity": capacity,
                "advisors": [self.ref.users["advisor"], self.ref.users["advisor2"]],
                "partners": partners,
            },
        )
        starts = datetime.datetime.combine(start, at, tzinfo=self.tz)
        programme_services.session_create(
            cohort=cohort,
            acting_user=lead,
            data={
                "phase": programme.phases.filter(**phase_filter).order_by("pk").first(),
                "activity_type": ActivityType.objects.order_by("pk").first(),
                "title": title,
                "theme": Theme.LEARN,
                "language": SessionLanguage.FRENCH,
                "mode": Mode.IN_PERSON,
                "organiser": self.ref.organisations["cdm"],
                "place": "Cité des métiers, avenue de l'Astronomie 14, 1210 Bruxelles",
                "starts_at": starts,
                "ends_at": starts + datetime.timedelta(hours=hours),
            },
            repeat_until=end,
        )
        candidates = CaseFile.objects.filter(
            programme=programme,
            advisor=self.ref.users["advisor"],
            status__in=[CaseFile.Status.ACTIVE, CaseFile.Status.INTAKE],
        ).order_by("pk")[:places]
        results = programme_services.enrolments_create_many(
            cohort=cohort, case_files=candidates, acting_user=self.ref.users["advisor"]
        )
        return sum(1 for result in results if result.enrolment is not None)

    def _share_some_with_actiris(self) -> None:
        """Real referrals through the services (consent, share, answer), so that the
        demo partner has files to see and the audit trail has rows."""
        advisor = self.ref.users["advisor"]
        partner = self.ref.users["partner"]
        actiris = self.ref.organisations["actiris"]
        candidates = list(
            CaseFile.objects.filter(
                advisor=advisor,
                status__in=[CaseFile.Status.ACTIVE, CaseFile.Status.FOLLOW_UP],
            )
            .select_related("young_person", "programme")
            .order_by("pk")[:12]
        )
        for index, case_file in enumerate(candidates):
            person = case_file.young_person
            day = max(case_file.entry_date, self.today - datetime.timedelta(days=20))
            under_16 = age_on(person.birth_date, day) < 16
            services.consent_record(
                case_file=case_file,
                acting_user=advisor,
                data={
                    "purpose": Consent.Purpose.SHARING,
                    "partner": actiris,
                    "scope": "Accompagnement recherche d'emploi",
                    "given_by": "guardian" if under_16 else "self",
                    "guardian_name": f"Parent {person.last_name}" if under_16 else "",
                    "given_on": day,
                },
            )
            share = services.case_file_share(
                case_file=case_file,
                acting_user=advisor,
                partner=actiris,
                purpose=profiles.share_purpose(
                    case_file.programme.code, case_file.programme.name_fr
                ),
                scope=Share.Scope.NOTES,
            )
            if index < 9:  # three stay pending, for the partner to answer
                services.share_accept(share=share, acting_user=partner)
        self.stdout.write(
            f"Shared {len(candidates)} case files with Actiris "
            f"({min(len(candidates), 9)} accepted)."
        )

    # --- users ---------------------------------------------------------------------

    def _ensure_users(self) -> dict[str, User]:
        organisations = {o.code: o for o in Organisation.objects.all()}
        password = make_password(DEMO_PASSWORD)
        users = {}
        for username, (first, last, role, org, staff) in DEMO_USERS.items():
            user, _created = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                    "role": role,
                    "organisation": organisations[org],
                    "is_staff": staff,
                    "is_superuser": staff,
                    "is_active": True,
                    "password": password,
                },
            )
            users[username] = user
        for username, (first, last, role, org) in COLLEAGUES.items():
            user, created = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                    "role": role,
                    "organisation": organisations[org],
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            users[username] = user
        return users

    # --- reset -----------------------------------------------------------------------

    def _reset(self) -> None:
        self.stdout.write("Deleting the existing young people and case files…")
        with transaction.atomic():
            case_objects = ["youthtrack.youngperson", "youthtrack.casefile"]
            case_objects += ["youthtrack.note", "youthtrack.consent"]
            case_objects += ["youthtrack.share"]
            # The trail is append-only for the application; throwing demo data away
            # is the one maintenance operation allowed to remove its rows.
            trail = AuditEvent.objects.filter(
                models.Q(case_file__isnull=False)
                | models.Q(object_type__in=case_objects)
            )
            trail._raw_delete(trail.db)
            programme_trail = AuditEvent.objects.filter(
                object_type__startswith="programmes."
            )
            programme_trail._raw_delete(programme_trail.db)
            outcomes_trail = AuditEvent.objects.filter(
                object_type__startswith="outcomes."
            )
            outcomes_trail._raw_delete(outcomes_trail.db)
            FollowUp.objects.all().delete()
            Outcome.objects.all().delete()
            Assessment.objects.all().delete()
            Goal.objects.all().delete()
            Attendance.objects.all().delete()
            WalkIn.objects.all().delete()
            Enrolment.objects.all().delete()
            Session.objects.all().delete()
            Cohort.objects.all().delete()
            Share.objects.all().delete()
            Note.objects.all().delete()
            Consent.objects.all().delete()
            CaseStatusChange.objects.all().delete()
            CaseFile.objects.only("pk").delete()
            YoungPerson.objects.only("pk").delete()

    # --- generation ----------------------------------------------------------------

    def _generate(self, total: int, started: float) -> None:
        counts = dict.fromkeys(["people", "cases", "changes", "consents", "notes"], 0)
        # Names and birth dates already used, as a bitmap of their hashes: flat
        # memory at a million people (a hash collision only redraws a birth date).
        self.seen_bits = max(1 << 16, 1 << (64 * total).bit_length())
        self.seen = bytearray(self.seen_bits // 8)
        self.shares_made = 0
        specs = _near_duplicate_specs()
        done = 0
        with _explicit_timestamps():
            while done < total:
                size = min(BATCH_SIZE, total - done)
                batch = Batch()
                for index in range(done, done + size):
                    spec = specs[index] if index < len(specs) else None
                    self._build_person(batch, spec)
                with transaction.atomic():
                    written = self._write(batch)
                for key, value in written.items():
                    counts[key] += value
                del batch
                reset_queries()  # DEBUG keeps every statement otherwise
                done += size
                if done == total or done % 10_000 == 0:
                    self.stdout.write(
                        f"  {done:,}/{total:,} young people "
                        f"({time.monotonic() - started:.1f} s)"
                    )
                    self.stdout.flush()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {counts['people']:,} young people, "
                f"{counts['cases']:,} case files, "
                f"{counts['changes']:,} status changes, "
                f"{counts['consents']:,} consents, {counts['notes']:,} notes, "
                + (
                    f"{self.shares_made:,} files of the generated offices referred "
                    "to their partners "
                    if self.shares_made
                    else ""
                )
                + f"({time.monotonic() - started:.1f} s)."
            )
        )

    def _write(self, batch: Batch) -> dict[str, int]:
        YoungPerson.objects.bulk_create(batch.people, batch_size=INSERT_BATCH)
        cases = []
        for case, _plan in batch.cases:
            case.young_person_id = case.young_person.pk
            cases.append(case)
        CaseFile.objects.bulk_create(cases, batch_size=INSERT_BATCH)
        changes, consents, notes = [], [], []
        for case, plan in batch.cases:
            for change in plan["changes"]:
                change.case_file_id = case.pk
                changes.append(change)
            for consent in plan["consents"]:
                consent.case_file_id = case.pk
                consents.append(consent)
            for note in plan["notes"]:
                note.case_file_id = case.pk
                notes.append(note)
        CaseStatusChange.objects.bulk_create(changes, batch_size=INSERT_BATCH)
        Consent.objects.bulk_create(consents, batch_size=INSERT_BATCH)
        # bulk_create skips Consent.save, which keeps the file's copy of its consent.
        keep_consent_refresh([case.pk for case in cases])
        Note.objects.bulk_create(notes, batch_size=INSERT_BATCH)
        if self.layout is not None:
            self._refer_some(batch)
        return {
            "people": len(batch.people),
            "cases": len(cases),
            "changes": len(changes),
            "consents": len(consents),
            "notes": len(notes),
        }

    # --- at scale: referrals and past cohorts -----------------------------------------

    def _refer_some(self, batch: Batch) -> None:
        """About 3 % of the open files go to the office's partner, as the services
        leave them once the partner accepted: a sharing consent, the accepted
        ``Share`` and guardian's grants to the partner's group."""
        rng = self.rng
        demo_advisor = self.ref.users["advisor"].pk  # its referrals come later
        picked = []
        for case, plan in batch.cases:
            partner = plan["partner"]
            if partner is None or case.status == "closed":
                continue
            if case.advisor_id == demo_advisor or rng.random() >= scale.SHARE_RATE:
                continue
            day = profiles.random_date(rng, case.entry_date, self.today)
            guardian = age_on(case.young_person.birth_date, day) < 16
            consent = Consent(
                case_file_id=case.pk,
                purpose=Consent.Purpose.SHARING,
                partner=partner,
                scope="Accompagnement vers l'emploi",
                given_by="guardian" if guardian else "self",
                guardian_name=f"Parent {case.young_person.last_name}"
                if guardian
                else "",
                given_on=day,
                recorded_by_id=case.advisor_id or case.created_by_id,
            )
            consent.recorded_at = self._at(day, 10)
            picked.append((case, partner, consent))
        if not picked:
            return
        Consent.objects.bulk_create([c for _, _, c in picked], batch_size=INSERT_BATCH)
        shares, grants = [], []
        permissions = self._share_permissions()
        programmes = {
            pk: (code, name)
            for pk, code, name in Programme.objects.filter(
                pk__in={case.programme_id for case, _, _ in picked}
            ).values_list("pk", "code", "name_fr")
        }
        for case, partner, consent in picked:
            share = Share(
                case_file_id=case.pk,
                partner=partner,
                owner_organisation_id=case.owner_organisation_id,
                purpose=profiles.share_purpose(*programmes[case.programme_id]),
                scope=Share.Scope.NOTES,
                status=Share.Status.ACCEPTED,
                consent=consent,
                created_by_id=consent.recorded_by_id,
                answered_by_id=self._partner_staff(partner),
                answered_at=consent.recorded_at + datetime.timedelta(days=1),
            )
            share.created_at = consent.recorded_at
            shares.append(share)
            group = services.organisation_group(partner)
            for codename in SCOPE_PERMISSIONS[Share.Scope.NOTES]:
                grants.append(
                    CaseFileGroupObjectPermission(
                        group_id=group.pk,
                        permission_id=permissions[codename],
                        content_object_id=case.pk,
                    )
                )
        Share.objects.bulk_create(shares, batch_size=INSERT_BATCH)
        CaseFileGroupObjectPermission.objects.bulk_create(
            grants, batch_size=INSERT_BATCH
        )
        self.shares_made += len(shares)

    def _share_permissions(self) -> dict[str, int]:
        if not hasattr(self, "_permission_ids"):
            self._permission_ids = dict(
                Permission.objects.filter(
                    content_type__app_label="youthtrack",
                    content_type__model="casefile",
                ).values_list("codename", "pk")
            )
        return self._permission_ids

    def _partner_staff(self, partner: Organisation) -> int:
        """Who answers the referrals of a partner organisation."""
        cache = self.__dict__.setdefault("_staff_of", {})
        if partner.pk not in cache:
            cache[partner.pk] = (
                User.objects.filter(organisation=partner, role=User.Role.PARTNER)
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
        return cache[partner.pk]

    def _past_cohorts(self, started: float) -> None:
        """Every office runs a cohort of its first programme each quarter: ten weekday
        sessions, a dozen enrolled among its files of that programme, attendance
        recorded for the sessions that took place."""
        rng = self.rng
        activity = ActivityType.objects.order_by("pk").first()
        now = timezone.now()
        starts = scale.cohort_starts(self.today, self.history_days)
        totals = dict.fromkeys(["cohorts", "sessions", "enrolments", "attendances"], 0)
        for office in self.layout.offices:
            programme = office.programmes[0]
            phase = programme.phases.filter(kind="collective").first()
            organisation = office.organisation
            creator = office.advisors[0] if office.advisors else self.ref.users["lead"]
            with transaction.atomic():
                cohorts, members = [], []
                for start in starts:
                    candidates = list(
                        CaseFile.objects.filter(
                            owner_organisation=organisation,
                            programme=programme,
                            entry_date__lte=start,
                            entry_date__gte=start - datetime.timedelta(days=180),
                        )
                        .order_by("pk")
                        .values_list("pk", flat=True)[:200]
                    )
                    if not candidates:
                        continue
                    cohorts.append(
                        Cohort(
                            programme=programme,
                            name=f"{programme.name_fr} {start:%Y-%m}",
                            start_date=start,
                            end_date=start + datetime.timedelta(days=11),
                            capacity=12,
                            owner_organisation=organisation,
                            created_by=creator,
                        )
                    )
                    members.append(rng.sample(candidates, min(12, len(candidates))))
                Cohort.objects.bulk_create(cohorts)
                advisors = Cohort.advisors.through
                partners = Cohort.partners.through
                advisors.objects.bulk_create(
                    advisors(cohort_id=c.pk, user_id=a.pk)
                    for c in cohorts
                    for a in office.advisors[:2]
                )
                if office.partner is not None:
                    partners.objects.bulk_create(
                        partners(cohort_id=c.pk, organisation_id=office.partner.pk)
                        for c in cohorts
                    )
                sessions, enrolments = [], []
                for cohort, case_ids in zip(cohorts, members, strict=True):
                    days = [
                        cohort.start_date + datetime.timedelta(days=offset)
                        for offset in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11)
                    ]
                    for day in days:
                        begins = datetime.datetime.combine(
                            day, datetime.time(9, 30), tzinfo=self.tz
                        )
                        sessions.append(
                            Session(
                                cohort=cohort,
                                phase=phase,
                                activity_type=activity,
                                title="Atelier collectif",
                                theme=Theme.LEARN,
                                language=SessionLanguage.FRENCH,
                                mode=Mode.IN_PERSON,
                                organiser=organisation,
                                place=organisation.name,
                                starts_at=begins,
                                ends_at=begins + datetime.timedelta(hours=3),
                                created_by=creator,
                            )
                        )
                    asked = self._at(cohort.start_date - datetime.timedelta(days=20))
                    for case_id in case_ids:
                        enrolments.append(
                            Enrolment(
                                cohort=cohort,
                                case_file_id=case_id,
                                status=Enrolment.Status.ENROLLED,
                                requested_at=asked,
                                enrolled_at=asked,
                                created_by=creator,
                            )
                        )
                Session.objects.bulk_create(sessions, batch_size=INSERT_BATCH)
                Enrolment.objects.bulk_create(enrolments, batch_size=INSERT_BATCH)
                enrolled: dict[int, list[int]] = {}
                for enrolment in enrolments:
                    enrolled.setdefault(enrolment.cohort_id, []).append(
                        enrolment.case_file_id
                    )
                attendances = []
                for session in sessions:
                    if session.ends_at > now:
                        continue
                    for case_id in enrolled.get(session.cohort_id, []):
                        status = rng.choices(
                            ["present", "late", "excused", "absent"],
                            weights=[75, 8, 7, 10],
                        )[0]
                        attendances.append(
                            Attendance(
                                session=session,
                                case_file_id=case_id,
                                status=status,
                                presence=Attendance.Presence.ON_SITE
                                if status in Attendance.ATTENDED
                                else "",
                                recorded_by=creator,
                                updated_by=creator,
                                updated_at=session.ends_at,
                            )
                        )
                Attendance.objects.bulk_create(attendances, batch_size=INSERT_BATCH)
            totals["cohorts"] += len(cohorts)
            totals["sessions"] += len(sessions)
            totals["enrolments"] += len(enrolments)
            totals["attendances"] += len(attendances)
            reset_queries()
        self.stdout.write(
            f"Past cohorts: {totals['cohorts']:,} cohorts, {totals['sessions']:,} "
            f"sessions, {totals['enrolments']:,} enrolments, "
            f"{totals['attendances']:,} attendances "
            f"({time.monotonic() - started:.1f} s)."
        )

    def _at(self, day: datetime.date, hour: int = 9, minute: int | None = None):
        """An office-hours moment of a day, in Brussels time."""
        if minute is None:
            minute = self.rng.randint(0, 59)
        moment = datetime.datetime.combine(
            day, datetime.time(min(hour, 23), minute), tzinfo=self.tz
        )
        # Nothing in the demo happened later than now.
        return min(moment, timezone.now() - datetime.timedelta(minutes=5))

    def _after(
        self, moment: datetime.datetime, day: datetime.date
    ) -> datetime.datetime:
        """Office hours on ``day``, but after ``moment`` (things happen in order)."""
        candidate = self._at(day, self.rng.randint(9, 16))
        if candidate <= moment:
            candidate = moment + datetime.timedelta(minutes=self.rng.randint(5, 90))
        # Nothing in the demo happened later than now (as in ``_at``), but still in
        # order: at the latest, a minute after ``moment``.
        latest = timezone.now() - datetime.timedelta(minutes=1)
        return max(min(candidate, latest), moment + datetime.timedelta(seconds=1))

    def _build_person(self, batch: Batch, spec: tuple | None) -> None:
        rng = self.rng
        if spec:
            first, last, gender, language, birth_year_shift = spec
        else:
            gender = profiles.weighted(rng, profiles.GENDER_WEIGHTS)
            first, last, language = names.person_name(rng, gender)
            birth_year_shift = 0

        # At scale, the layout says whose file it is and in which status.
        slot = self.layout.next_slot() if self.layout is not None else None
        if slot is not None and slot.programmes:
            programme = rng.choice(slot.programmes)
        else:
            programme = self.ref.programmes[
                profiles.weighted(rng, profiles.PROGRAMME_WEIGHTS)
            ]
        if slot is not None:
            status = slot.status
        else:
            status = profiles.weighted(rng, STATUS_WEIGHTS)
        ages = [
            age
            for age in AGE_AT_ENTRY_WEIGHTS
            if programme.min_age <= age <= programme.max_age
        ]
        age = rng.choices(ages, weights=[AGE_AT_ENTRY_WEIGHTS[a] for a in ages])[0]
        low, high = self._entry_days_ago(status)
        entry = self.today - datetime.timedelta(days=rng.randint(low, high))
        name_key = normalise_name(last, first)
        for _attempt in range(20):
            birth = profiles.birth_date_for_age(rng, age, entry)
            if birth_year_shift:
                # The second of a near-duplicate pair: another person, another year.
                birth = _shifted_birth(birth, birth_year_shift, entry, programme)
            # Namesakes are common, but the same name and birth date is the same person.
            bit = zlib.crc32(f"{name_key}|{birth}".encode()) % self.seen_bits
            if not self.seen[bit >> 3] & (1 << (bit & 7)):
                break
        self.seen[bit >> 3] |= 1 << (bit & 7)

        speaks_french, speaks_dutch, other_languages = profiles.pick_languages(
            rng, language
        )
        if slot is not None:
            owner_id = slot.organisation.pk
        else:
            owner = profiles.weighted(rng, OWNER_WEIGHTS)
            owner_id = self.ref.organisations[owner].pk
        person = YoungPerson(
            first_name=first,
            last_name=last,
            name_key=name_key,
            birth_date=birth,
            gender_id=gender,
            commune_id=profiles.weighted(rng, profiles.COMMUNE_WEIGHTS),
            phone=profiles.phone_number(rng) if rng.random() < 0.85 else "",
            email=profiles.email_address(rng, first, last)
            if rng.random() < 0.7
            else "",
            speaks_french=speaks_french,
            speaks_dutch=speaks_dutch,
            other_languages=other_languages,
            citizenship=profiles.weighted(rng, profiles.CITIZENSHIP_WEIGHTS),
            created_by_organisation_id=owner_id,
        )
        batch.people.append(person)
        if slot is not None:
            context = {"language": language, "slot": slot}
        else:
            context = {"language": language, "owner": owner}
        self._build_case(batch, person, programme, status, entry, context)

        # About one in ten follows a second programme.
        if rng.random() < 0.1:
            programmes = list(self.ref.programmes.values())
            if slot is not None:
                slot = self.layout.next_slot()
                context = {"language": language, "slot": slot}
                programmes = list(slot.programmes) or programmes
            others = [p for p in programmes if p.code != programme.code]
            rng.shuffle(others)
            for other in others:
                window = profiles.entry_window(
                    birth, other.min_age, other.max_age, self.today, self.history_days
                )
                if window is None:
                    continue
                if slot is not None:
                    status2 = slot.status
                else:
                    status2 = profiles.weighted(rng, STATUS_WEIGHTS)
                entry2 = self._entry_in_window(status2, window)
                self._build_case(batch, person, other, status2, entry2, context)
                break

    def _entry_days_ago(self, status: str) -> tuple[int, int]:
        low, high = ENTRY_DAYS_AGO[status]
        if high == profiles.HISTORY_DAYS:
            high = self.history_days
        return low, high

    def _entry_in_window(
        self, status: str, window: tuple[datetime.date, datetime.date]
    ) -> datetime.date:
        low, high = self._entry_days_ago(status)
        start = max(window[0], self.today - datetime.timedelta(days=high))
        end = min(window[1], self.today - datetime.timedelta(days=low))
        if start > end:
            start, end = window
        return profiles.random_date(self.rng, start, end)

    def _build_case(
        self,
        batch: Batch,
        person: YoungPerson,
        programme: Programme,
        status: str,
        entry: datetime.date,
        context: dict,
    ) -> None:
        rng, today, users = self.rng, self.today, self.ref.users
        slot = context.get("slot")
        if slot is not None:
            advisor = slot.advisor
            owner_id = slot.organisation.pk
            profile = self.layout.template_of.get(programme.pk, programme.code)
        else:
            owner = context["owner"]
            if owner == "cdm":
                advisor_name = profiles.weighted(rng, CDM_ADVISOR_WEIGHTS)
            else:
                advisor_name = PARTNER_ADVISOR[owner]
            advisor = users[advisor_name] if advisor_name else None
            owner_id = self.ref.organisations[owner].pk
            profile = programme.code
        creator = advisor or users["lead"]

        situation = profiles.pick_situation(rng, profile, person.birth_date, entry)
        age = age_on(person.birth_date, entry)
        flemish = context["language"] == "nl" and rng.random() < 0.7
        diploma = profiles.pick_diploma_code(rng, age, flemish=flemish)
        referral, referred_by = profiles.pick_referral(rng)

        exit_date = None
        exit_reason = ""
        if status == "closed":
            earliest_exit = min(entry + datetime.timedelta(days=14), today)
            exit_date = profiles.random_date(rng, earliest_exit, today)
            exit_reason = profiles.weighted(rng, profiles.EXIT_REASON_WEIGHTS)
        reopened = status == "active" and rng.random() < 0.04
        moves = profiles.status_path(rng, status, entry, exit_date, today, reopened)

        case = CaseFile(
            young_person=person,
            name_key=person.name_key,
            programme_id=programme.pk,
            owner_organisation_id=owner_id,
            advisor=advisor,
            status=status,
            entry_date=entry,
            exit_date=exit_date,
            exit_reason=exit_reason,
            next_follow_up_on=None
            if status == "closed"
            else profiles.next_follow_up(rng, today),
            employment_status=situation.employment_status,
            unemployed_since=situation.unemployed_since,
            education=situation.education,
            highest_diploma_id=diploma,
            registered_at_actiris=situation.registered_at_actiris,
            disability=profiles.pick_declinable(rng, yes=0.04, declined=0.2),
            foreign_background=profiles.pick_declinable(
                rng,
                yes=0.2 if names.is_belgian(context["language"]) else 0.85,
                declined=0.15,
            ),
            minority=profiles.pick_declinable(rng, yes=0.08, declined=0.35),
            homeless=profiles.pick_declinable(rng, yes=0.03, declined=0.15),
            first_visit=rng.random() < 0.744,
            referral=referral,
            referred_by=referred_by,
            created_by=creator,
        )
        entered_at = self._at(entry, rng.randint(9, 15))
        case.created_at = entered_at
        if person.created_at is None or entered_at < person.created_at:
            # Registered just before their first case file was opened.
            person.created_at = entered_at - datetime.timedelta(minutes=2)
            person.updated_at = person.created_at

        changes = []
        previous = entered_at - datetime.timedelta(minutes=1)
        for frm, to, day in moves:
            change = CaseStatusChange(
                from_status=frm,
                to_status=to,
                effective_date=day,
                changed_by=creator,
                comment="",
            )
            change.changed_at = self._after(previous, day)
            previous = change.changed_at
            changes.append(change)

        consents = [self._consent(person, entry, creator, context, "processing")]
        if programme.code == "touchngo":
            # Co-financed by the ESF: participants agree to the funder reporting.
            consents.append(self._consent(person, entry, creator, context, "reporting"))

        end = exit_date or today
        notes = self._notes(case, person, moves, end, context, entered_at)
        # What the note services keep on the file (bulk_create bypasses them).
        case.last_contact_on = max(
            (
                note.contact_date
                for note in notes
                if note.visibility == Note.Visibility.SHARED
                or (
                    note.visibility == Note.Visibility.ORGANISATION
                    and note.organisation_id == case.owner_organisation_id
                )
            ),
            default=None,
        )
        last_activity = max([changes[-1].changed_at] + [n.created_at for n in notes])
        case.updated_at = max(last_activity, entered_at)
        plan = {"changes": changes, "consents": consents, "notes": notes}
        # Where the file may be referred (at scale), read by _refer_some.
        plan["partner"] = slot.partner if slot is not None else None
        batch.cases.append((case, plan))

    def _consent(self, person, day, recorded_by, context, purpose) -> Consent:
        guardian = age_on(person.birth_date, day) < 16
        consent = Consent(
            purpose=purpose,
            given_by="guardian" if guardian else "self",
            guardian_name=names.guardian_name(
                self.rng, context["language"], person.last_name
            )
            if guardian
            else "",
            given_on=day,
            recorded_by=recorded_by,
            scope="Parcours d'orientation et statistiques anonymes"
            if purpose == "processing"
            else "Indicateurs FSE+ / IEJ et rapport Actiris",
        )
        consent.recorded_at = self._at(day, 10)
        return consent

    def _notes(self, case, person, moves, end, context, entered_at) -> list[Note]:
        rng = self.rng
        if case.status == "closed":
            no_show = len(moves) == 2
            count = rng.randint(0, 2) if no_show else rng.randint(1, 12)
        else:
            count = rng.randint(*NOTES_BY_STATUS[case.status])
        if not count:
            return []
        days = sorted(
            profiles.random_date(rng, case.entry_date, end) for _ in range(count)
        )
        days[0] = case.entry_date if rng.random() < 0.6 else days[0]
        commune = self.ref.communes[person.commune_id]
        place = commune.name_fr if commune.in_brussels_region else "son domicile"
        completed = case.status == "closed" and case.exit_reason == "completed"
        notes = []
        for index, day in enumerate(days):
            stage = "any"
            if index == 0:
                stage = "start"
            elif index == count - 1 and completed:
                stage = "end"
            language = note_texts.note_language(rng, context["language"])
            template = note_texts.pick_template(rng, language, stage)
            channel = note_texts.pick_channel(rng, template, profiles.CHANNEL_WEIGHTS)
            topic, text = note_texts.render(rng, template, person.first_name, place)
            author = self._note_author(case)
            assert author.organisation_id is not None  # staff of an organisation
            note = Note(
                contact_date=day,
                channel_id=channel,
                topic=topic,
                text=text,
                visibility=profiles.weighted(rng, VISIBILITY_WEIGHTS),
                author=author,
                organisation_id=author.organisation_id,
            )
            note.created_at = note.updated_at = self._after(entered_at, day)
            notes.append(note)
        return notes

    def _note_author(self, case: CaseFile) -> User:
        users = self.ref.users
        main = case.advisor or case.created_by
        if case.owner_organisation_id != self.ref.organisations["cdm"].pk:
            return main
        draw = self.rng.random()
        if draw < 0.85:
            return main
        if draw < 0.95:
            return users["advisor2"] if main.username == "advisor" else users["advisor"]
        return users["lead"]

    # --- output ----------------------------------------------------------------------

    def _print_logins(self) -> None:
        port = os.environ.get("PORT", "8000")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Open http://127.0.0.1:{port}/"))
        self.stdout.write("Demo logins:")
        rows = [("username", "password", "role", "organisation")]
        for username in DEMO_USERS:
            user = self.ref.users[username]
            rows.append(
                (
                    username,
                    DEMO_PASSWORD,
                    str(user.get_role_display()),
                    user.organisation.short_name if user.organisation else "",
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for position, row in enumerate(rows):
            cells = (cell.ljust(widths[i]) for i, cell in enumerate(row))
            self.stdout.write(("  " + "  ".join(cells)).rstrip())
            if position == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))


def _near_duplicate_specs() -> list[tuple]:
    """Pairs of names that differ only by accents or case, on different people."""
    specs = []
    for first_spelling, second_spelling, gender, language in names.NEAR_DUPLICATES:
        specs.append((*first_spelling, gender, language, 0))
        specs.append((*second_spelling, gender, language, 1))
    return specs


def _shifted_birth(
    birth: datetime.date, years: int, entry: datetime.date, programme: Programme
) -> datetime.date:
    """The same day a year earlier or later, whichever keeps the age at entry within
    the programme's range."""
    for shift in (-years, years):
        candidate = birth.replace(year=birth.year + shift, day=min(birth.day, 28))
        if programme.accepts_age(age_on(candidate, entry)):
            return candidate
    return birth


@contextmanager
def _explicit_timestamps():
    """Let bulk_create keep the creation and change times set on the objects (the
    fields normally stamp "now"), so the demo history looks lived-in."""
    fields = [
        YoungPerson._meta.get_field("created_at"),
        YoungPerson._meta.get_field("updated_at"),
        CaseFile._meta.get_field("created_at"),
        CaseFile._meta.get_field("updated_at"),
        CaseStatusChange._meta.get_field("changed_at"),
        Consent._meta.get_field("recorded_at"),
        Note._meta.get_field("created_at"),
        Note._meta.get_field("updated_at"),
        Share._meta.get_field("created_at"),
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add
