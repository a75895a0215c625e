"""Who may see and do what with programmes, cohorts, sessions and their participants.

- Programmes, cohorts and sessions carry no personal data: every member of an
  organisation (advisors, project leads, partner staff) sees them, so that anyone can
  point a young person to an activity. Administrators manage reference data in the
  administration, not here.
- Participants are case files: an enrolment, an attendance row or a register line is
  seen only when its case file is, through ``youthtrack.access.case_files_visible_to``.
  A partner therefore sees, even in a session it co-runs, only the participants whose
  case file is shared with it; of the others it learns nothing, not even how many.
- Walk-ins (no case file) are seen by the organisation that recorded them and by the
  organisation in charge of the cohort.
- Project leads create cohorts (their organisation is in charge); they manage the
  cohorts of their organisation and of the programmes they lead, and their sessions.
- Advisors and project leads take attendance for a session when they are one of the
  cohort's advisors, or their organisation is in charge of the cohort, co-organises it
  or organises the session; they mark only the participants they may see.
- Enrolling and withdrawing a case file needs the right to change that case file
  (``youthtrack.access.can_edit_case_file``).
"""

from django.db.models import Q, QuerySet

from youthtrack import access as case_access
from youthtrack.models import CaseFile, User

from .models import Attendance, Cohort, Enrolment, Programme, Session, WalkIn


def _member(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.organisation_id is not None
        and user.reads_case_files
    )


def case_files_visible_to(user: User) -> QuerySet[CaseFile]:
    """The one gate for participants (looked up at call time, so that the sharing
    rules of youthtrack apply here as they change)."""
    return case_access.case_files_visible_to(user)


def programmes_visible_to(user: User) -> QuerySet[Programme]:
    if not _member(user):
        return Programme.objects.none()
    return Programme.objects.all()


def cohorts_visible_to(user: User) -> QuerySet[Cohort]:
    if not _member(user):
        return Cohort.objects.none()
    return Cohort.objects.all()


def sessions_visible_to(user: User) -> QuerySet[Session]:
    if not _member(user):
        return Session.objects.none()
    return Session.objects.all()


def participant_visibility_q(user: User, prefix: str = "") -> Q:
    """Condition for the enrolments or attendance rows (``prefix=""``), or for those
    reached through ``prefix`` ("enrolments__" from a Cohort, "attendances__" from a
    Session), whose case file the user may see: the case-file gate's own condition,
    so that lists and counts agree."""
    return case_access.case_file_visibility_q(user, f"{prefix}case_file__")


def counted_participants_q(user: User, prefix: str = "", *, cohort: str) -> Q:
    """Condition for the enrolments or attendance rows that count in the figures the
    user is shown: those of participants the user may see and, for the advisors and
    leads of the organisation in charge of the cohort, every one (they manage its
    places and are told how many participants they cannot see: see
    ``sees_hidden_count``). ``cohort`` is the path from the row to its cohort
    ("cohort__" from an Enrolment, "session__cohort__" from an Attendance)."""
    condition = participant_visibility_q(user, prefix)
    if _member(user) and user.works_on_cases:
        condition |= Q(
            **{f"{prefix}{cohort}owner_organisation_id": user.organisation_id}
        )
    return condition


def counts_every_participant(user: User, cohort: Cohort) -> bool:
    """Whether every participant of the cohort counts in the user's figures, seen or
    not (``counted_participants_q``): the user works on cases in the organisation in
    charge of the cohort."""
    return (
        _member(user)
        and user.works_on_cases
        and cohort.owner_organisation_id == user.organisation_id
    )


def enrolments_visible_to(user: User) -> QuerySet[Enrolment]:
    if not _member(user):
        return Enrolment.objects.none()
    return Enrolment.objects.filter(participant_visibility_q(user))


def attendances_visible_to(user: User) -> QuerySet[Attendance]:
    if not _member(user):
        return Attendance.objects.none()
    return Attendance.objects.filter(participant_visibility_q(user))


def walk_ins_visible_to(user: User) -> QuerySet[WalkIn]:
    if not _member(user):
        return WalkIn.objects.none()
    return WalkIn.objects.filter(
        Q(organisation_id=user.organisation_id)
        | Q(session__cohort__owner_organisation_id=user.organisation_id)
    )


def _leads_programme(user: User, programme_id: int) -> bool:
    return (
        user.role == User.Role.LEAD
        and user.programmes_led.filter(pk=programme_id).exists()
    )


def can_create_cohort(user: User) -> bool:
    return _member(user) and user.role == User.Role.LEAD


def can_manage_cohort(user: User, cohort: Cohort) -> bool:
    if not (_member(user) and user.role == User.Role.LEAD):
        return False
    return cohort.owner_organisation_id == user.organisation_id or _leads_programme(
        user, cohort.programme_id
    )


def can_manage_programme(user: User, programme: Programme) -> bool:
    """Programme settings are changed by the project leads of that programme."""
    return _member(user) and _leads_programme(user, programme.pk)


def can_take_attendance(user: User, session: Session) -> bool:
    if not (_member(user) and user.works_on_cases):
        return False
    cohort = session.cohort
    organisation_id = user.organisation_id
    if organisation_id is None:
        return False
    if organisation_id in (cohort.owner_organisation_id, session.organiser_id):
        return True
    if can_manage_cohort(user, cohort):
        return True
    return (
        cohort.advisors.filter(pk=user.pk).exists()
        or cohort.partners.filter(pk=organisation_id).exists()
    )


def in_charge_q(user: User, prefix: str = "") -> Q:
    """Condition on Cohort (or through ``prefix``): ``sees_hidden_count`` in the
    database, for lists of cohorts."""
    if not (_member(user) and user.works_on_cases):
        return case_access.NOTHING
    return Q(**{f"{prefix}owner_organisation_id": user.organisation_id})


def sees_hidden_count(user: User, cohort: Cohort) -> bool:
    """Only the advisors and project leads of the organisation in charge may learn how
    many participants they cannot see (e.g. a partner's own enrolled case files).

    One accepted exception: enrolling into a full cohort answers "full" to anyone who
    may enrol, so a partner who sees 5 of 11 places taken can infer that 6 are taken
    by people it cannot see (never who they are). Knowing that a place is free is
    what enrolment needs; the capacity itself is public on the cohort page."""
    return (
        _member(user)
        and user.works_on_cases
        and cohort.owner_organisation_id == user.organisation_id
    )


def can_edit_case_file(user: User, case_file: CaseFile) -> bool:
    return case_access.can_edit_case_file(user, case_file)


def can_enrol(user: User, case_file: CaseFile) -> bool:
    return _member(user) and can_edit_case_file(user, case_file)
