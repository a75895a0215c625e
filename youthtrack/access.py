"""The one place that says who may see and change what.

Every read of case files and notes goes through these querysets; a record the user may
not see is answered with 404, exactly like one that does not exist.

- Advisors and project leads see their own organisation's case files and edit them.
- Project leads also see every case file of the programmes they lead.
- Anyone of an organisation (partner staff, advisors of a first-circle partner) sees the
  case files shared with that organisation, while the sharing is accepted and has not
  ended; what they may do follows the scope of the sharing.
- Administrators manage users and reference data; they read no case file.

Sharing is recorded twice on purpose: the ``Share`` row is the referral with its life,
and django-guardian's direct foreign-key rows (``CaseFileGroupObjectPermission``) are
the grant. A case file is shared-visible when both say so, so that an expired end date
takes effect at once, before the periodic task tidies the grant away.
"""

from django.db.models import Q, QuerySet
from django.utils import timezone
from guardian.core import ObjectPermissionChecker

from .models import (
    CaseFile,
    CaseFileGroupObjectPermission,
    Note,
    Share,
    User,
    YoungPerson,
)

VIEW_SHARED = "view_shared_casefile"
ADD_NOTE_SHARED = "add_note_shared_casefile"
RECORD_OUTCOME_SHARED = "record_outcome_shared_casefile"

# What each sharing scope grants, as guardian permissions on the case file.
SCOPE_PERMISSIONS = {
    Share.Scope.VIEW: [VIEW_SHARED],
    Share.Scope.NOTES: [VIEW_SHARED, ADD_NOTE_SHARED],
    Share.Scope.OUTCOMES: [VIEW_SHARED, ADD_NOTE_SHARED, RECORD_OUTCOME_SHARED],
}


def share_in_force() -> Q:
    """Condition on Share: its end date has not passed and its consent (if any: an
    override has none) still holds, whatever the periodic task has done yet."""
    today = timezone.localdate()
    consent_holds = Q(consent__isnull=True) | (
        Q(consent__withdrawn_on__isnull=True)
        & (Q(consent__expires_on__isnull=True) | Q(consent__expires_on__gte=today))
    )
    return (Q(end_date__isnull=True) | Q(end_date__gte=today)) & consent_holds


def live_shares_with(organisation_id: int) -> QuerySet[Share]:
    """Accepted sharings with an organisation, in force."""
    return Share.objects.filter(
        partner_id=organisation_id, status=Share.Status.ACCEPTED
    ).filter(share_in_force())


def shared_with_organisation(organisation_id: int) -> Q:
    """Condition on CaseFile: shared with the organisation, granted and not ended.

    Both parts are subqueries on indexed columns, so the cost of a list does not grow
    with the number of case files in the table (guardian's get_objects_for_user would
    scan them)."""
    granted = CaseFileGroupObjectPermission.objects.filter(
        group__organisation__id=organisation_id,
        permission__codename=VIEW_SHARED,
    ).values("content_object_id")
    # Two uncorrelated id lists: the database reads each once (a correlated EXISTS
    # would run once per row and was twice as slow).
    live = live_shares_with(organisation_id).values("case_file_id")
    return Q(pk__in=granted) & Q(pk__in=live)


def case_files_visible_to(user: User) -> QuerySet[CaseFile]:
    """Case files the user may open."""
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return CaseFile.objects.none()
    if user.role == User.Role.ADMIN:
        return CaseFile.objects.none()
    condition = shared_with_organisation(user.organisation_id)
    if user.works_on_cases:
        condition |= Q(owner_organisation_id=user.organisation_id)
    if user.role == User.Role.LEAD:
        condition |= Q(programme_id__in=user.programmes_led.values("pk"))
    return CaseFile.objects.filter(condition)


def is_owner(user: User, case_file: CaseFile) -> bool:
    return bool(
        user.is_authenticated
        and user.organisation_id is not None
        and case_file.owner_organisation_id == user.organisation_id
    )


def can_edit_case_file(user: User, case_file: CaseFile) -> bool:
    """Only the owner organisation's advisors and project leads change a case file."""
    return user.is_authenticated and user.works_on_cases and is_owner(user, case_file)


def shared_permissions(user: User, case_file: CaseFile) -> set[str]:
    """What the user's organisation was granted on a case shared with it."""
    organisation = user.organisation if user.is_authenticated else None
    if organisation is None or organisation.group is None:
        return set()
    group = organisation.group
    live = live_shares_with(organisation.pk).filter(case_file_id=case_file.pk)
    if not live.exists():
        return set()
    return set(ObjectPermissionChecker(group).get_perms(case_file))


def can_add_note(user: User, case_file: CaseFile) -> bool:
    if can_edit_case_file(user, case_file):
        return True
    return ADD_NOTE_SHARED in shared_permissions(user, case_file)


def can_record_outcome(user: User, case_file: CaseFile) -> bool:
    if can_edit_case_file(user, case_file):
        return True
    return RECORD_OUTCOME_SHARED in shared_permissions(user, case_file)


def can_share(user: User, case_file: CaseFile) -> bool:
    return can_edit_case_file(user, case_file)


def can_override_consent(user: User) -> bool:
    return user.has_perm("youthtrack.override_sharing_consent")


def can_read_audit_of(user: User, case_file: CaseFile) -> bool:
    """The owner organisation sees who accessed its file."""
    return user.works_on_cases and is_owner(user, case_file)


def notes_visible_to(user: User, case_file: CaseFile) -> QuerySet[Note]:
    """Notes of a case file the user may read; the case file must already be visible.

    A partner never sees another organisation's internal notes, not even their count:
    they are filtered out in the database."""
    if not user.is_authenticated or user.organisation_id is None:
        return Note.objects.none()
    return case_file.notes.filter(
        Q(visibility=Note.Visibility.SHARED)
        | Q(
            visibility=Note.Visibility.ORGANISATION,
            organisation_id=user.organisation_id,
        )
        | Q(visibility=Note.Visibility.PRIVATE, author_id=user.pk)
    )


def can_edit_note(user: User, note: Note) -> bool:
    """The author edits their note while they may still write on the file: a
    partner's right ends with the sharing (revoked, expired, consent withdrawn, or a
    scope without notes)."""
    if not (user.is_authenticated and note.author_id == user.pk):
        return False
    return can_add_note(user, note.case_file)


# --- young people: who may link and who may correct them ---
#
# A young person belongs to the organisations that keep a case file of them. Seeing a
# file (shared with one's organisation, or of a programme one leads) does not make the
# person one's own: only an organisation that already owns a file of the person may open
# another file for them, and only the organisation that registered them corrects who
# they are (name, birth date, contact details).


def people_linkable_by(user: User) -> QuerySet[YoungPerson]:
    """Young people the user may link to a new case file: those of whom the user's
    organisation owns a case file (or whom it registered)."""
    if (
        not user.is_authenticated
        or not user.is_active
        or not user.works_on_cases
        or user.organisation_id is None
    ):
        return YoungPerson.objects.none()
    owned = CaseFile.objects.filter(owner_organisation_id=user.organisation_id)
    return YoungPerson.objects.filter(
        Q(pk__in=owned.values("young_person_id"))
        | Q(created_by_organisation_id=user.organisation_id)
    )


def can_link_person(user: User, person: YoungPerson) -> bool:
    return people_linkable_by(user).filter(pk=person.pk).exists()


def can_edit_person(user: User, person: YoungPerson) -> bool:
    """Only the registering organisation's advisors and leads correct identity."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.works_on_cases
        and user.organisation_id is not None
        and person.created_by_organisation_id == user.organisation_id
    )
