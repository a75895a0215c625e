"""Reads. Every function takes the user and goes through ``programmes.access``;
participants are read through the case-file gate of youthtrack.

Completion is derived here, at read time, from attendance and the programme's rule:

- The sessions that count are those of the phases marked "counts for completion"
  (Uppercut: the intensive collective phase). A programme without such a phase has no
  completion rule; its participants show an attendance rate only.
- Attended means present or late; excused absences count as attended only when the
  programme says so (``completion_counts_excused``); absent, or nothing recorded, does
  not.
- Completed: attended sessions × 100 ≥ the programme's rate (80 by default) × all the
  counting sessions of the cohort (in whole numbers, so exactly 80 % completes). The
  rule is the programme's as written: someone who joins late (from the waiting list)
  must still reach the rate over all of them.
- Not completed: the rate can no longer be reached, even attending every session
  still to come. In progress otherwise.
- A session is held once it has started and its register has been taken (someone's
  attendance recorded). A register not taken yet says nothing about who came: its
  session counts as still to come, not as absences.
- The attendance rate shown is attended / sessions held so far, over the counting
  sessions (or all sessions when none count).
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from youthtrack.access import case_file_in_scope_q, note_visibility_q
from youthtrack.models import (
    CaseFile,
    ContactChannel,
    Note,
    Operation,
    User,
    normalise_name,
)
from youthtrack.selectors import my_open_case_files

from . import access, eligibility
from .models import (
    Attendance,
    Cohort,
    Enrolment,
    Programme,
    ProgrammePhase,
    Session,
    WalkIn,
)

if TYPE_CHECKING:  # a type-checking aid: django-stubs-ext is a dev dependency
    from django_stubs_ext import WithAnnotations

ATTENDED = list(Attendance.ATTENDED)


class Completion:
    COMPLETED = "completed"
    IN_PROGRESS = "in_progress"
    NOT_COMPLETED = "not_completed"
    NO_RULE = "no_rule"


# --- programmes ---


def programme_list_for_user(*, user: User) -> QuerySet[Programme]:
    return (
        access.programmes_visible_to(user)
        .filter(is_active=True)
        .prefetch_related("funders")
        .annotate(cohort_count=Count("cohorts"))
    )


def programme_get_for_user(*, user: User, pk: int) -> Programme:
    try:
        return (
            access.programmes_visible_to(user)
            .prefetch_related(
                "funders",
                Prefetch(
                    "operations",
                    queryset=Operation.objects.prefetch_related("funders"),
                ),
                Prefetch(
                    "phases",
                    queryset=ProgrammePhase.objects.prefetch_related("activity_types"),
                ),
            )
            .get(pk=pk)
        )
    except Programme.DoesNotExist:
        raise Http404 from None


# --- cohorts ---


class CohortCounts(TypedDict):
    """What ``cohort_list_for_user`` annotates on each cohort."""

    enrolled_count: int
    waiting_count: int
    shows_totals: bool


def _count_status(user: User, status: str) -> Count:
    """How many enrolments of a cohort have the status, among those the user is
    shown (``access.counted_participants_q``)."""
    return Count(
        "enrolments",
        filter=Q(enrolments__status=status)
        & access.counted_participants_q(user, "enrolments__", cohort="cohort__"),
    )


def cohort_list_for_user(
    *, user: User, programme: Programme | None = None
) -> "QuerySet[WithAnnotations[Cohort, CohortCounts]]":
    cohorts = access.cohorts_visible_to(user).select_related(
        "programme", "owner_organisation"
    )
    if programme is not None:
        cohorts = cohorts.filter(programme=programme)
    return cohorts.annotate(
        enrolled_count=_count_status(user, Enrolment.Status.ENROLLED),
        waiting_count=_count_status(user, Enrolment.Status.WAITING),
        # The counts are the cohort's own (places, waiting list) only for the
        # organisation in charge; the lists say so rather than re-deriving it.
        shows_totals=ExpressionWrapper(
            access.in_charge_q(user), output_field=BooleanField()
        ),
    ).order_by("-start_date", "name")


def cohort_get_for_user(
    *, user: User, pk: int
) -> "WithAnnotations[Cohort, CohortCounts]":
    """The cohort with its counts, the withdrawn too (``cohort_summary`` reads them
    from here rather than counting again)."""
    try:
        return (
            cohort_list_for_user(user=user)
            .annotate(withdrawn_count=_count_status(user, Enrolment.Status.WITHDRAWN))
            .prefetch_related("advisors", "partners", "programme__phases")
            .get(pk=pk)
        )
    except Cohort.DoesNotExist:
        raise Http404 from None


def counting_phase_ids(programme: Programme) -> list[int] | None:
    """The phases whose sessions decide completion; None when the programme has no
    completion rule. Uses the prefetched phases when there are."""
    ids = [phase.pk for phase in programme.phases.all() if phase.counts_for_completion]
    return ids or None


@dataclass(frozen=True)
class ParticipantRow:
    enrolment: Enrolment
    attended: int
    attended_held: int
    excused: int
    held: int
    total: int
    completion: str
    waiting_position: int | None
    # The user may withdraw it (they may change the case file).
    can_withdraw: bool = False

    @property
    def case_file(self) -> CaseFile:
        return self.enrolment.case_file

    @property
    def rate(self) -> int | None:
        """Attendance rate so far, in whole per cent (None before any session)."""
        if not self.held:
            return None
        return round(100 * self.attended_held / self.held)


def completion_state(
    *, attended: int, total: int, held: int, min_rate: int, has_rule: bool
) -> str:
    if not has_rule:
        return Completion.NO_RULE
    if total == 0:
        return Completion.IN_PROGRESS
    if attended * 100 >= min_rate * total:
        return Completion.COMPLETED
    still_to_come = total - held
    if (attended + still_to_come) * 100 < min_rate * total:
        return Completion.NOT_COMPLETED
    return Completion.IN_PROGRESS


_COUNTS = Coalesce(F("phase__counts_for_completion"), Value(False))


def _rows_for(
    user: User,
    enrolments: list[Enrolment],
    now: datetime.datetime,
    *,
    ruled: set[int] | None = None,
) -> list[ParticipantRow]:
    """Attendance and completion of enrolments (with ``cohort__programme`` loaded), in
    four queries whatever their number (three when ``ruled``, the programmes with a
    completion rule, is known): the figures are counted in the database, grouped by
    participant, cohort, attendance, phase rule and whether the session has started;
    Python only picks the groups that the programme's rule counts."""
    if not enrolments:
        return []
    cohort_ids = {e.cohort_id for e in enrolments}
    programme_ids = {e.cohort.programme_id for e in enrolments}
    if ruled is None:
        ruled = set(
            ProgrammePhase.objects.filter(
                programme_id__in=programme_ids, counts_for_completion=True
            ).values_list("programme_id", flat=True)
        )
    sessions: dict[int, list[tuple[bool, int, int]]] = {}
    for group in (
        Session.objects.filter(cohort_id__in=cohort_ids)
        .values("cohort_id", counts=_COUNTS)
        .annotate(
            total=Count("pk", distinct=True),
            # Held: started, and its register taken. A register nobody has taken
            # yet says nothing about who came; it is not counted as absences.
            held=Count(
                "pk",
                distinct=True,
                filter=Q(starts_at__lte=now, attendances__isnull=False)
                & access.counted_participants_q(
                    user, "attendances__", cohort="session__cohort__"
                ),
            ),
        )
        .order_by()
    ):
        sessions.setdefault(group["cohort_id"], []).append(
            (group["counts"], group["total"], group["held"])
        )
    marks: dict[tuple[int, int], list[tuple[str, bool, bool, int]]] = {}
    for group in (
        Attendance.objects.filter(
            case_file_id__in={e.case_file_id for e in enrolments},
            session__cohort_id__in=cohort_ids,
        )
        .values(
            "case_file_id",
            "status",
            cohort_id=F("session__cohort_id"),
            counts=Coalesce(F("session__phase__counts_for_completion"), Value(False)),
            held=Case(
                When(session__starts_at__lte=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        marks.setdefault((group["case_file_id"], group["cohort_id"]), []).append(
            (group["status"], group["counts"], group["held"], group["n"])
        )
    # Positions among the waiting the user is shown: the organisation in charge sees
    # the real queue; others learn nothing of the people they cannot see.
    waiting = (
        Enrolment.objects.filter(
            cohort_id__in=cohort_ids, status=Enrolment.Status.WAITING
        )
        .filter(access.counted_participants_q(user, cohort="cohort__"))
        .order_by("requested_at", "pk")
    )
    position: dict[int, int] = {}
    seen: dict[int, int] = {}
    for pk, cohort_id in waiting.values_list("pk", "cohort_id"):
        seen[cohort_id] = seen.get(cohort_id, 0) + 1
        position[pk] = seen[cohort_id]

    rows = []
    for enrolment in enrolments:
        programme = enrolment.cohort.programme
        has_rule = programme.pk in ruled
        attended_statuses = set(ATTENDED)
        if programme.completion_counts_excused:
            attended_statuses.add(Attendance.Status.EXCUSED)
        cohort_sessions_ = [
            (total, held)
            for counts, total, held in sessions.get(enrolment.cohort_id, [])
            if counts or not has_rule
        ]
        total = sum(total for total, _held in cohort_sessions_)
        held = sum(held for _total, held in cohort_sessions_)
        attended = attended_held = excused = 0
        for status, counts, was_held, n in marks.get(
            (enrolment.case_file_id, enrolment.cohort_id), []
        ):
            if has_rule and not counts:
                continue
            if status in attended_statuses:
                attended += n
                if was_held:
                    attended_held += n
            if status == Attendance.Status.EXCUSED:
                excused += n
        if enrolment.status == Enrolment.Status.ENROLLED:
            state = completion_state(
                attended=attended,
                total=total,
                held=held,
                min_rate=programme.completion_min_rate,
                has_rule=has_rule,
            )
        else:
            state = Completion.NOT_COMPLETED if has_rule else Completion.NO_RULE
        rows.append(
            ParticipantRow(
                enrolment=enrolment,
                attended=attended,
                attended_held=attended_held,
                excused=excused,
                held=held,
                total=total,
                completion=state,
                waiting_position=position.get(enrolment.pk),
                can_withdraw=access.can_enrol(user, enrolment.case_file),
            )
        )
    return rows


def participant_rows(
    *, user: User, cohort: Cohort, now: datetime.datetime | None = None
) -> list[ParticipantRow]:
    """The cohort's participants the user may see (enrolled, waiting, withdrawn), each
    with attendance and completion, in a fixed number of queries."""
    enrolments = list(
        access.enrolments_visible_to(user)
        .filter(cohort=cohort)
        .select_related(
            "cohort__programme", "case_file__young_person", "case_file__advisor"
        )
        .order_by(
            "case_file__young_person__last_name",
            "case_file__young_person__first_name",
            "pk",
        )
    )
    # The cohort's phases are those of its programme (prefetched by the cohort page).
    ruled = {cohort.programme_id} if counting_phase_ids(cohort.programme) else set()
    return _rows_for(user, enrolments, now or timezone.now(), ruled=ruled)


@dataclass(frozen=True)
class CohortSummary:
    enrolled: int
    waiting: int
    withdrawn: int
    completed: int
    places_left: int | None
    hidden: int | None


def cohort_summary(
    *, user: User, cohort: Cohort, rows: list[ParticipantRow]
) -> CohortSummary:
    """Counts for the cohort page. The organisation in charge sees the cohort's
    figures, ``hidden`` (how many current participants it cannot see) and the places
    left; everybody else sees the figures of the participants they may see, and
    neither ``hidden`` nor ``places_left`` (None), which would tell how many others
    there are."""
    # The organisation in charge counts every enrolment; everybody else only those
    # of the participants they may see (the gate's condition, in the database). The
    # cohort of ``cohort_get_for_user`` comes with these counts.
    if hasattr(cohort, "withdrawn_count"):
        counted: Any = cohort  # annotated by ``cohort_get_for_user``
        totals = shown = {
            "enrolled": counted.enrolled_count,
            "waiting": counted.waiting_count,
            "withdrawn": counted.withdrawn_count,
        }
    else:
        totals = shown = cohort.enrolments.filter(
            access.counted_participants_q(user, cohort="cohort__")
        ).aggregate(
            enrolled=Count("pk", filter=Q(status=Enrolment.Status.ENROLLED)),
            waiting=Count("pk", filter=Q(status=Enrolment.Status.WAITING)),
            withdrawn=Count("pk", filter=Q(status=Enrolment.Status.WITHDRAWN)),
        )
    visible_current = sum(
        1 for row in rows if row.enrolment.status != Enrolment.Status.WITHDRAWN
    )
    hidden = None
    if access.sees_hidden_count(user, cohort):
        hidden = totals["enrolled"] + totals["waiting"] - visible_current
    return CohortSummary(
        enrolled=shown[Enrolment.Status.ENROLLED],
        waiting=shown[Enrolment.Status.WAITING],
        withdrawn=shown[Enrolment.Status.WITHDRAWN],
        completed=sum(1 for row in rows if row.completion == Completion.COMPLETED),
        places_left=(
            None if hidden is None else max(cohort.capacity - totals["enrolled"], 0)
        ),
        hidden=hidden,
    )


# --- sessions and registers ---


def session_list_for_user(*, user: User) -> QuerySet[Session]:
    return access.sessions_visible_to(user).select_related(
        "cohort__programme", "activity_type", "organiser", "phase"
    )


def session_get_for_user(*, user: User, pk: int) -> Session:
    try:
        return (
            session_list_for_user(user=user)
            .select_related("cohort__owner_organisation")
            .get(pk=pk)
        )
    except Session.DoesNotExist:
        raise Http404 from None


def cohort_sessions(*, user: User, cohort: Cohort) -> QuerySet[Session]:
    """The cohort's sessions with, for each, how many participants the user may see
    attended it.

    The participants of the cohort's registers the user may see are read first, in
    one query through the gate; the counts then keep the rows of that short list.
    With the gate written into each of the four counts, PostgreSQL planned it four
    times: 12 ms of planning for a page that reads its rows in under 1 ms."""
    seen = list(
        Attendance.objects.filter(session__cohort_id=cohort.pk)
        .filter(access.participant_visibility_q(user))
        .values_list("case_file_id", flat=True)
        .distinct()
    )
    visible = Q(attendances__case_file_id__in=seen)
    # Taken, as far as the user is told: someone they see was marked (or, for the
    # organisation in charge, anyone: ``access.counted_participants_q``).
    marked = Attendance.objects.filter(session=OuterRef("pk"))
    if not access.counts_every_participant(user, cohort):
        marked = marked.filter(case_file_id__in=seen)
    return (
        session_list_for_user(user=user)
        .filter(cohort=cohort)
        .annotate(
            attended_count=Count(
                "attendances",
                filter=Q(attendances__status__in=ATTENDED) & visible,
            ),
            excused_count=Count(
                "attendances",
                filter=Q(attendances__status=Attendance.Status.EXCUSED) & visible,
            ),
            recorded_count=Count("attendances", filter=visible),
            register_taken=Exists(marked),
        )
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class RegisterRow:
    case_file: CaseFile
    enrolment_status: str | None
    attendance: Attendance | None

    @property
    def version(self) -> int:
        return self.attendance.version if self.attendance else 0


def register_rows(*, user: User, session: Session) -> list[RegisterRow]:
    """The participants the user may mark or read at a session: those enrolled in its
    cohort, and anyone already recorded there (e.g. withdrawn since), among the case
    files the user may see. Three queries whatever the number of participants."""
    enrolled = Enrolment.objects.filter(
        cohort_id=session.cohort_id, status=Enrolment.Status.ENROLLED
    )
    recorded = Attendance.objects.filter(session=session)
    # The session's participants first (one id list, read on the enrolment's and
    # attendance's indexes), then the gate on those files only: two ``pk__in``
    # joined by OR made the database apply the gate to every case file.
    participant_ids = (
        enrolled.order_by()
        .values("case_file_id")
        .union(recorded.order_by().values("case_file_id"))
    )
    participants = (
        access.case_files_visible_to(user)
        .filter(pk__in=participant_ids)
        .select_related("young_person")
        .annotate(
            enrolment_status=Subquery(
                Enrolment.objects.filter(
                    cohort_id=session.cohort_id, case_file_id=OuterRef("pk")
                )
                .order_by(
                    # The current enrolment first, if any.
                    F("withdrawn_on").desc(nulls_first=True),
                    "-pk",
                )
                .values("status")[:1]
            )
        )
        .order_by("young_person__last_name", "young_person__first_name", "pk")
    )
    case_files = list(participants)
    attendance = {
        row.case_file_id: row
        for row in Attendance.objects.filter(
            session=session, case_file_id__in=[cf.pk for cf in case_files]
        ).select_related("updated_by")
    }
    return [
        RegisterRow(
            case_file=case_file,
            enrolment_status=case_file.enrolment_status,
            attendance=attendance.get(case_file.pk),
        )
        for case_file in case_files
    ]


def register_case_file_ids(*, user: User, session: Session) -> set[int]:
    return {row.case_file.pk for row in register_rows(user=user, session=session)}


def hidden_register_count(*, user: User, session: Session) -> int | None:
    """How many enrolled participants the user cannot see; only for the organisation
    in charge of the cohort (None for everybody else)."""
    if not access.sees_hidden_count(user, session.cohort):
        return None
    return (
        Enrolment.objects.filter(
            cohort_id=session.cohort_id, status=Enrolment.Status.ENROLLED
        )
        .filter(access.counted_participants_q(user, cohort="cohort__"))
        .exclude(access.participant_visibility_q(user))
        .count()
    )


def walk_ins_for_session(*, user: User, session: Session) -> QuerySet[WalkIn]:
    return (
        access.walk_ins_visible_to(user)
        .filter(session=session)
        .select_related("commune", "gender", "converted_case_file")
        .order_by("recorded_at", "pk")
    )


def walk_in_get_for_user(*, user: User, pk: int) -> WalkIn:
    try:
        return (
            access.walk_ins_visible_to(user)
            .select_related("session__cohort__programme", "commune", "gender")
            .get(pk=pk)
        )
    except WalkIn.DoesNotExist:
        raise Http404 from None


def walk_in_intake_initial(*, user: User, pk: int) -> dict[str, Any]:
    """What the intake form starts from for a walk-in (no typing again): first name,
    gender and commune of the young person, and the programme of the session."""
    walk_in = walk_in_get_for_user(user=user, pk=pk)
    return {
        "person": {
            "first_name": walk_in.first_name,
            "gender": walk_in.gender_id,
            "commune": walk_in.commune_id,
        },
        "case": {"programme": walk_in.session.cohort.programme_id},
    }


# --- enrolment ---


@dataclass(frozen=True)
class Candidate:
    case_file: CaseFile
    refusals: list[eligibility.Refusal]

    @property
    def eligible(self) -> bool:
        return not self.refusals


def enrol_candidates(
    *, user: User, cohort: Cohort, search: str = "", limit: int = 100
) -> list[Candidate]:
    """Open case files of the cohort's programme that the user may enrol and that are
    not already in the cohort, each with the reasons it would be refused, if any."""
    current = Enrolment.objects.filter(cohort=cohort).exclude(
        status=Enrolment.Status.WITHDRAWN
    )
    case_files = (
        access.case_files_visible_to(user)
        .filter(
            programme_id=cohort.programme_id,
            owner_organisation_id=user.organisation_id,
        )
        .exclude(status=CaseFile.Status.CLOSED)
        .exclude(pk__in=current.values("case_file_id"))
        .select_related("young_person", "programme", "highest_diploma")
        .order_by("young_person__last_name", "young_person__first_name", "pk")
    )
    search = search.strip().lstrip("#")
    if search.isdigit():
        case_files = case_files.filter(pk=int(search))
    elif search:
        condition = Q()
        for word in normalise_name(search).split():
            condition &= Q(young_person__name_key__contains=word)
        case_files = case_files.filter(condition)
    today = timezone.localdate()
    return [
        Candidate(
            case_file=case_file,
            refusals=eligibility.refusals(
                case_file=case_file, cohort=cohort, current=None, today=today
            ),
        )
        for case_file in case_files[:limit]
    ]


def enrolment_get_for_user(*, user: User, pk: int) -> Enrolment:
    try:
        return (
            access.enrolments_visible_to(user)
            .select_related("case_file__young_person", "cohort__programme")
            .get(pk=pk)
        )
    except Enrolment.DoesNotExist:
        raise Http404 from None


def enrolment_list_for_case_file(
    *, user: User, case_file: CaseFile
) -> list[ParticipantRow]:
    """The enrolments of one case file (already reached through its gate), each with
    its attendance and completion in its cohort; newest request first."""
    enrolments = list(
        access.enrolments_visible_to(user)
        .filter(case_file=case_file)
        .select_related("cohort__programme", "case_file__young_person")
        .order_by("-requested_at", "-pk")
    )
    return _rows_for(user, enrolments, timezone.now())


def cohorts_open_for(*, user: User, case_file: CaseFile) -> list[dict]:
    """The cohorts of the case file's programme that have not ended, with places left
    and why the case file would be refused, if it would."""
    today = timezone.localdate()
    cohorts = cohort_list_for_user(user=user).filter(
        programme_id=case_file.programme_id, end_date__gte=today
    )
    current = {
        e.cohort_id: e
        for e in Enrolment.objects.filter(case_file=case_file).exclude(
            status=Enrolment.Status.WITHDRAWN
        )
    }
    return [
        {
            "cohort": cohort,
            "places_left": (
                max(cohort.capacity - getattr(cohort, "enrolled_count", 0), 0)
                if access.sees_hidden_count(user, cohort)
                else None
            ),
            "refusals": eligibility.refusals(
                case_file=case_file,
                cohort=cohort,
                current=current.get(cohort.pk),
                today=today,
            ),
        }
        for cohort in cohorts.order_by("start_date")
    ]


# --- calendar ---


def sessions_between(
    *, user: User, start: datetime.date, end: datetime.date
) -> QuerySet[Session]:
    """Sessions starting from ``start`` to ``end`` included (local days)."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return (
        session_list_for_user(user=user)
        .filter(starts_at__gte=since, starts_at__lt=until)
        .order_by("starts_at", "pk")
    )


# --- contacts for the yearly activity figures ---


@dataclass(frozen=True)
class ContactFigures:
    by_channel: list[tuple[ContactChannel, int]]
    individual: int
    collective_on_site: int
    collective_online: int
    walk_ins: int

    @property
    def collective(self) -> int:
        return self.collective_on_site + self.collective_online + self.walk_ins

    @property
    def total(self) -> int:
        return self.individual + self.collective


def contacts_for_period(
    *, user: User, start: datetime.date, end: datetime.date
) -> ContactFigures:
    """Every counselling contact (a note, by its channel) and every participation in a
    collective activity (present or late, on site or online, plus walk-ins) from
    ``start`` to ``end`` included, among what the user may see. Counted in the database.

    A walk-in later linked to a case file whose attendance was recorded for the same
    session counts once, as that attendance."""
    # A note is one contact, counted for the user only if they may read it (a
    # partner does not count the owner's internal or private notes on a shared file).
    per_channel = dict(
        Note.objects.filter(
            note_visibility_q(user, with_case_file=True),
            contact_date__gte=start,
            contact_date__lte=end,
        )
        .order_by()
        .values("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
    channels = list(ContactChannel.objects.order_by("sort_order"))
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    # The attendances of the case files the user may see (as
    # ``access.attendances_visible_to``), as a semi-join on the ids of the user's scope
    # so that only those files' attendance is read, not every attendance of the period.
    collective = (
        Attendance.objects.filter(case_file_in_scope_q(user, "case_file_id"))
        .filter(
            status__in=ATTENDED,
            session__starts_at__gte=since,
            session__starts_at__lt=until,
        )
        .aggregate(
            on_site=Count("pk", filter=~Q(presence=Attendance.Presence.ONLINE)),
            online=Count("pk", filter=Q(presence=Attendance.Presence.ONLINE)),
        )
    )
    counted_as_attendance = Attendance.objects.filter(
        session_id=OuterRef("session_id"),
        case_file_id=OuterRef("converted_case_file_id"),
    )
    walk_ins = (
        access.walk_ins_visible_to(user)
        .filter(session__starts_at__gte=since, session__starts_at__lt=until)
        .exclude(Exists(counted_as_attendance))
        .count()
    )
    return ContactFigures(
        by_channel=[(channel, per_channel.get(channel.pk, 0)) for channel in channels],
        individual=sum(per_channel.values()),
        collective_on_site=collective["on_site"],
        collective_online=collective["online"],
        walk_ins=walk_ins,
    )


# --- case files, reached through the gate ---


def case_file_for_enrolment(*, user: User, pk: int) -> CaseFile:
    try:
        return (
            access.case_files_visible_to(user)
            .select_related("young_person", "programme", "highest_diploma")
            .get(pk=pk)
        )
    except CaseFile.DoesNotExist:
        raise Http404 from None


def case_files_for_enrolment(*, user: User, pks: list[int]) -> list[CaseFile]:
    """The chosen case files, among those the user may see, in the order of names."""
    return list(
        access.case_files_visible_to(user)
        .filter(pk__in=pks)
        .select_related("young_person", "programme", "highest_diploma")
        .order_by("young_person__last_name", "young_person__first_name", "pk")
    )


def walk_in_link_candidates(
    *, user: User, search: str, limit: int = 30
) -> list[CaseFile]:
    """Open case files the user may change whose name matches, to link a walk-in."""
    words = normalise_name(search).split()
    if not words:
        return []
    condition = Q()
    for word in words:
        condition &= Q(young_person__name_key__contains=word)
    return list(
        access.case_files_visible_to(user)
        .filter(condition, owner_organisation_id=user.organisation_id)
        .exclude(status=CaseFile.Status.CLOSED)
        .select_related("young_person", "programme")
        .order_by("young_person__last_name", "young_person__first_name", "pk")[:limit]
    )


def cohort_attendance_marks(
    *, user: User, cohort: Cohort
) -> dict[tuple[int, int], str]:
    """(case file id, session id) → the attendance recorded, in words, for the
    participants the user may see."""
    labels = dict(Attendance.Status.choices)
    return {
        (case_file_id, session_id): str(labels[status])
        for case_file_id, session_id, status in access.attendances_visible_to(user)
        .filter(session__cohort=cohort)
        .values_list("case_file_id", "session_id", "status")
    }


def visible_enrolment_names(*, user: User, enrolments: list[Enrolment]) -> list[str]:
    """The names of those enrolments whose case file the user may see."""
    return [
        str(enrolment.case_file.young_person)
        for enrolment in access.enrolments_visible_to(user)
        .filter(pk__in=[e.pk for e in enrolments])
        .select_related("case_file__young_person")
        .order_by("requested_at", "pk")
    ]


# --- the advisor's week on the dashboard ---

# The rows of each kind (follow-ups, sessions) a week of the dashboard shows.
ADVISOR_WEEK_ROWS = 40


@dataclass(frozen=True)
class AdvisorWeekDay:
    day: datetime.date
    follow_ups: list
    sessions: list


@dataclass(frozen=True)
class AdvisorWeek:
    start: datetime.date
    days: list[AdvisorWeekDay]
    # The week asked for was empty and the next one with something is shown instead.
    moved_from: datetime.date | None
    # More than ``ADVISOR_WEEK_ROWS`` of a kind that week: the rest in the full lists.
    more: bool

    @property
    def end(self) -> datetime.date:
        return self.start + datetime.timedelta(days=6)

    @property
    def has_entries(self) -> bool:
        return any(day.follow_ups or day.sessions for day in self.days)

    @property
    def previous(self) -> datetime.date:
        return self.start - datetime.timedelta(days=7)

    @property
    def following(self) -> datetime.date:
        return self.start + datetime.timedelta(days=7)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def advisor_week(
    *, user: User, day: datetime.date | None, rows: int = ADVISOR_WEEK_ROWS
) -> AdvisorWeek:
    """The user's own appointments (the next follow-up of each of their open files)
    and the sessions of the cohorts they advise, for the week of ``day``; without a
    day, the current week or, when it has nothing, the next week that has something.

    Two queries whatever the week: from the week's Monday, the first ``rows + 1``
    follow-ups (index ``casefile_open_by_follow_up``) and sessions (in start order,
    among the few cohorts of the advisor); the week shown is taken from them."""
    start = _monday(day or timezone.localdate())
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    follow_ups = list(
        my_open_case_files(user)
        .filter(next_follow_up_on__gte=start)
        .select_related("young_person", "programme")
        .order_by("next_follow_up_on", "pk")[: rows + 1]
    )
    sessions = list(
        session_list_for_user(user=user)
        .filter(
            cohort__in=Cohort.objects.filter(advisors=user).values("pk"),
            starts_at__gte=since,
        )
        .order_by("starts_at", "pk")[: rows + 1]
    )

    def session_day(session: Session) -> datetime.date:
        return timezone.localtime(session.starts_at).date()

    def follow_up_day(case: CaseFile) -> datetime.date:
        # Read from next_follow_up_on >= start: never empty.
        assert case.next_follow_up_on is not None
        return case.next_follow_up_on

    dates = [follow_up_day(case) for case in follow_ups[:1]] + [
        session_day(session) for session in sessions[:1]
    ]
    moved_from = None
    following = start + datetime.timedelta(days=7)
    if day is None and dates and min(dates) >= following:
        moved_from, start = start, _monday(min(dates))
        following = start + datetime.timedelta(days=7)

    def in_week(value: datetime.date) -> bool:
        return start <= value < following

    week_follow_ups = [c for c in follow_ups if in_week(follow_up_day(c))]
    week_sessions = [s for s in sessions if in_week(session_day(s))]
    more = (len(follow_ups) > rows and in_week(follow_up_day(follow_ups[-1]))) or (
        len(sessions) > rows and in_week(session_day(sessions[-1]))
    )
    days = []
    for offset in range(7):
        current = start + datetime.timedelta(days=offset)
        days.append(
            AdvisorWeekDay(
                current,
                [c for c in week_follow_ups[:rows] if c.next_follow_up_on == current],
                [s for s in week_sessions[:rows] if session_day(s) == current],
            )
        )
    return AdvisorWeek(start=start, days=days, moved_from=moved_from, more=more)
