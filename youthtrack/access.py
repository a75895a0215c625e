"""The one place that says who may see and change what.

Every read of case files and notes goes through these querysets; a record the user may
not see is answered with 404, exactly like one that does not exist.

- Advisors and project leads see their own organisation's case files and edit them.
- Project leads also see every case file of the programmes they lead.
- Anyone of an organisation (partner staff, advisors of a first-circle partner) sees the
  case files shared with that organisation, while the sharing is accepted and has not
  ended; what they may do follows the scope of the sharing.
- Administrators manage users and reference data; they read no case file.
- Data protection officers read no case file either: they find the young people of
  their organisation's files (``dpo_young_people``) and export what is held about
  one of them, on their own pages; they write nothing on a file.

Sharing is recorded twice on purpose: the ``Share`` row is the referral with its life,
and django-guardian's direct foreign-key rows (``CaseFileGroupObjectPermission``) are
the grant. A case file is shared-visible when both say so, so that an expired end date
takes effect at once, before the periodic task tidies the grant away.
"""

from collections.abc import Container, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from guardian.core import ObjectPermissionChecker

from .models import (
    CaseFile,
    CaseFileGroupObjectPermission,
    Note,
    Share,
    User,
    YoungPerson,
)
from .personal_data import Category, fields_of_category, partner_fields

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


def shared_with_organisation(organisation_id: int, prefix: str = "") -> Q:
    """Condition on CaseFile (or on a model reaching it by ``prefix``): shared with
    the organisation, granted and not ended.

    One id list, read from the selective side: the organisation's live shares (index
    on partner, status, case file) whose case file is granted (guardian's unique index
    on group, permission, case file). It is ``DISTINCT`` on purpose: PostgreSQL then
    plans it as one relation, starts from it and fetches the few case files by primary
    key. Without it the planner pulls the share, grant, group, organisation and
    permission tables up into the list's own joins; past ``join_collapse_limit`` (8
    relations) it can no longer reorder them and joined every case file with its young
    person before keeping the shared ones (400 ms at 100,000 instead of 2 ms)."""
    key = f"{prefix}pk__in" if prefix else "pk__in"
    return Q(**{key: _shared_case_file_ids(organisation_id)})


def _shared_case_file_ids(organisation_id: int) -> QuerySet[Share, Any]:
    granted = CaseFileGroupObjectPermission.objects.filter(
        group__organisation__id=organisation_id,
        permission__codename=VIEW_SHARED,
    ).values("content_object_id")
    return (
        live_shares_with(organisation_id)
        .filter(case_file_id__in=granted)
        .values("case_file_id")
        .distinct()
    )


# A condition no row meets: what a user without access gets. An empty ``Q()`` would
# mean "no condition", i.e. everything.
NOTHING = Q(pk__in=[])


def case_file_visibility_q(user: User, prefix: str = "") -> Q:
    """Condition for the case files the user may open, on CaseFile (``prefix=""``) or
    on any model that reaches a case file by ``prefix`` ("case_file__" from a Note,
    an Enrolment or an Attendance; "enrolments__case_file__" from a Cohort …).

    Every part is a condition on the case file's own columns or an uncorrelated id
    list, never a join to a many-valued relation: a filter or a ``Count`` built on it
    counts each row once."""
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return NOTHING
    if not user.reads_case_files:
        return NOTHING
    condition = shared_with_organisation(user.organisation_id, prefix)
    if user.works_on_cases:
        condition |= Q(**{f"{prefix}owner_organisation_id": user.organisation_id})
    if user.role == User.Role.LEAD:
        condition |= Q(
            **{f"{prefix}programme_id__in": user.programmes_led.values("pk")}
        )
    return condition


def case_file_sources(user: User) -> list[Q]:
    """Where the case files a user may see come from, each read by its own index: the
    files of their organisation (if they work on cases), those shared with it (any
    sharing: the gate keeps the ones in force), those of the programmes they lead.

    Together they hold every file ``access.case_file_visibility_q`` lets the user see
    (``tests/youthtrack/test_case_list_sources.py`` checks it for every role); they are
    only ever used beside the gate, never instead of it. A new branch of the gate goes
    here too, and into ``case_file_in_scope_q``."""
    if user.organisation_id is None or not user.reads_case_files:
        return []
    sources = [
        Q(
            pk__in=Share.objects.filter(partner_id=user.organisation_id).values(
                "case_file"
            )
        )
    ]
    if user.works_on_cases:
        sources.append(Q(owner_organisation_id=user.organisation_id))
    if user.role == User.Role.LEAD:
        sources.append(Q(programme_id__in=user.programmes_led.values("pk")))
    return sources


def case_file_in_scope_q(user: User, field: str) -> Q:
    """Condition on a model pointing to a case file by ``field`` ("case_file_id" from
    a Note or an Attendance): the case file is one the user may open. The same files
    as ``case_file_visibility_q``, written as a semi-join on one id list, the union of
    the files shared with the organisation, owned by it and of the programmes the user
    leads, each read on its own index. For figures over a period (contacts): the
    planner starts from the few thousand files of the user's scope and reads their
    rows of the period on the (case file, date) index, instead of reading every row of
    the period and joining it with every case file to test an ``OR`` that no index
    serves (700 ms at 1,000,000 young people instead of 30)."""
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return NOTHING
    if not user.reads_case_files:
        return NOTHING
    organisation_id = user.organisation_id
    ids = _shared_case_file_ids(organisation_id).order_by()
    parts: list[QuerySet[CaseFile, Any]] = []
    if user.works_on_cases:
        parts.append(
            CaseFile.objects.filter(owner_organisation_id=organisation_id)
            .order_by()
            .values("pk")
        )
    if user.role == User.Role.LEAD:
        parts.append(
            CaseFile.objects.filter(programme_id__in=user.programmes_led.values("pk"))
            .order_by()
            .values("pk")
        )
    if parts:
        ids = ids.union(*parts)
    if connection.vendor == "postgresql":
        # ``= ANY(ARRAY(ids))``: the ids are read first and the rows fetched by their
        # case file's index; as ``IN`` the planner misjudged the semi-join's size and
        # hashed every attendance (38 ms at 1,000,000 young people instead of 12).
        return Q(
            Func(
                F(field),
                ArraySubquery(ids),
                template="%(expressions)s)",
                arg_joiner=" = ANY(",
                output_field=BooleanField(),
            )
        )
    return Q(**{f"{field}__in": ids})


def case_files_visible_to(user: User) -> QuerySet[CaseFile]:
    """Case files the user may open."""
    return CaseFile.objects.filter(case_file_visibility_q(user))


def is_owner(user: User, case_file: CaseFile) -> bool:
    return bool(
        user.is_authenticated
        and user.organisation_id is not None
        and case_file.owner_organisation_id == user.organisation_id
    )


def can_edit_case_file(user: User, case_file: CaseFile) -> bool:
    """Only the owner organisation's advisors and project leads change a case file;
    nobody an anonymised one (erasure, end of retention: it is kept for the figures)."""
    return (
        user.is_authenticated
        and user.works_on_cases
        and is_owner(user, case_file)
        and case_file.anonymised_at is None
    )


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


@dataclass(frozen=True)
class Transition:
    """A status change the user may make, and the words its button says."""

    to_status: str
    label: str


def _transition_label(from_status: str, to_status: str) -> str:
    Status = CaseFile.Status
    if to_status == Status.ACTIVE:
        if from_status == Status.INTAKE:
            return gettext("Start support")
        if from_status == Status.CLOSED:
            return gettext("Reopen")
        return gettext("Resume active support")
    if to_status == Status.FOLLOW_UP:
        return gettext("Move to follow-up")
    return gettext("Close the case file")


class EveryField:
    """What the owner organisation and the programme's lead read: every field."""

    def __contains__(self, name: object) -> bool:
        return True


EVERY_FIELD = EveryField()


@dataclass(frozen=True)
class FieldsShown:
    """The fields of a case file (``case_file``) and of its young person
    (``person``) a reader sees, for ``"name" in shown.case_file`` in a page or an
    export."""

    person: Container[str] = EVERY_FIELD
    case_file: Container[str] = EVERY_FIELD
    # The sensitive answers the scope would show but the consent does not name.
    withheld: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CaseFilePermissions:
    """What one user may do with one case file, worked out once per request and read
    by the views and templates (which derive no rule themselves)."""

    is_owner: bool
    can_edit: bool
    can_share: bool
    can_add_note: bool
    can_record_outcome: bool
    can_read_audit: bool
    can_edit_person: bool
    transitions: tuple[Transition, ...]
    # Whose notes on this file the user may edit: their own, while they may write
    # on it (None: nobody's).
    edits_notes_of: int | None = None
    # The fields of the file and of its young person the user reads.
    shows: FieldsShown = FieldsShown()


SENSITIVE_ANSWERS = fields_of_category(CaseFile, Category.SENSITIVE)


def case_file_fields_shown(user: User, case_file: CaseFile) -> FieldsShown:
    """Data minimisation: a partner reads of a file shared with their organisation
    only the fields its sharing's scope lists, and of the sensitive answers at entry
    only those the consent behind the sharing names
    (``personal_data.PARTNER_SCOPE_FIELDS``). The owner organisation and the lead of
    the file's programme read everything. One query for a partner, none for the
    owner."""
    if is_owner(user, case_file):
        return FieldsShown()
    if (
        user.is_authenticated
        and user.role == User.Role.LEAD
        and user.programmes_led.filter(pk=case_file.programme_id).exists()
    ):
        return FieldsShown()
    person: set[str] = set()
    case: set[str] = set()
    listed: set[str] = set()
    if user.is_authenticated and user.organisation_id is not None:
        shares = (
            live_shares_with(user.organisation_id)
            .filter(case_file_id=case_file.pk)
            .select_related("consent")
        )
        for share in shares:
            consented = share.consent.sensitive_data if share.consent else ()
            person |= partner_fields(share.scope, YoungPerson, consented)
            case |= partner_fields(share.scope, CaseFile, consented)
            listed |= partner_fields(share.scope, CaseFile, SENSITIVE_ANSWERS)
    return FieldsShown(
        person=frozenset(person),
        case_file=frozenset(case),
        withheld=frozenset(listed - case),
    )


def case_file_permissions(
    user: User, case_file: CaseFile, *, next_statuses: Iterable[str] = ()
) -> CaseFilePermissions:
    """The user's rights on a case file already reached through its gate.
    ``next_statuses`` are the statuses the state machine allows from the file's
    current one; the user gets them only if they may change the file. One query for
    a shared file's grant, none for the owner's."""
    edit = can_edit_case_file(user, case_file)
    granted = set() if edit else shared_permissions(user, case_file)
    return CaseFilePermissions(
        is_owner=is_owner(user, case_file),
        can_edit=edit,
        can_share=can_share(user, case_file),
        can_add_note=edit or ADD_NOTE_SHARED in granted,
        can_record_outcome=edit or RECORD_OUTCOME_SHARED in granted,
        can_read_audit=can_read_audit_of(user, case_file),
        can_edit_person=edit and can_edit_person(user, case_file.young_person),
        transitions=tuple(
            Transition(to, _transition_label(case_file.status, to))
            for to in next_statuses
        )
        if edit
        else (),
        edits_notes_of=user.pk if (edit or ADD_NOTE_SHARED in granted) else None,
        shows=FieldsShown() if edit else case_file_fields_shown(user, case_file),
    )


def notes_visible_to(user: User, case_file: CaseFile) -> QuerySet[Note]:
    """Notes of a case file the user may read; the case file must already be visible.

    A partner never sees another organisation's internal notes, not even their count:
    they are filtered out in the database."""
    return case_file.notes.filter(note_visibility_q(user))


def note_visibility_q(user: User, prefix: str = "", *, with_case_file=False) -> Q:
    """Condition for the notes the user may read, on Note (``prefix=""``) or through
    ``prefix`` ("notes__" from a CaseFile). Shared notes, the organisation's internal
    notes, and the user's own private notes.

    On its own it does not say the case file is visible: ``with_case_file=True`` adds
    that (for figures over many case files, e.g. contacts for a period); a note on a
    single case file already reached through its gate needs only this."""
    if not user.is_authenticated or user.organisation_id is None:
        return NOTHING
    condition = (
        Q(**{f"{prefix}visibility": Note.Visibility.SHARED})
        | Q(
            **{
                f"{prefix}visibility": Note.Visibility.ORGANISATION,
                f"{prefix}organisation_id": user.organisation_id,
            }
        )
        | Q(
            **{
                f"{prefix}visibility": Note.Visibility.PRIVATE,
                f"{prefix}author_id": user.pk,
            }
        )
    )
    if with_case_file:
        condition &= case_file_in_scope_q(user, f"{prefix}case_file_id")
    return condition


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
    organisation owns a case file (or whom it registered). A person merged into
    another is never linked again: their files moved to the person kept; nor is an
    anonymised one (erased or past retention): a new file, or a merge, would put a
    name back on their anonymised files."""
    if (
        not user.is_authenticated
        or not user.is_active
        or not user.works_on_cases
        or user.organisation_id is None
    ):
        return YoungPerson.objects.none()
    # Asked of a few people at a time (the intake's person, the duplicate guard's
    # candidates): a correlated EXISTS reads one file index entry per person, where
    # "IN (the organisation's files)" hashed all 40,000 files of a large office.
    owned = CaseFile.objects.filter(
        young_person=OuterRef("pk"), owner_organisation_id=user.organisation_id
    )
    return YoungPerson.objects.filter(
        Exists(owned) | Q(created_by_organisation_id=user.organisation_id),
        merged_into__isnull=True,
        anonymised_at__isnull=True,
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


def people_mergeable_by(user: User) -> QuerySet[YoungPerson]:
    """Young people a project lead may merge: linkable by the lead's organisation,
    not merged already, and with no case file kept by another organisation (their
    files are not the lead's to move)."""
    if user.role != User.Role.LEAD:
        return YoungPerson.objects.none()
    foreign = CaseFile.objects.filter(young_person=OuterRef("pk")).exclude(
        owner_organisation_id=user.organisation_id
    )
    return people_linkable_by(user).filter(~Exists(foreign))


def can_merge_people(user: User, kept: YoungPerson, merged: YoungPerson) -> bool:
    """A project lead of the organisation that keeps every file of both people, who
    leads the programme of at least one of those files."""
    if kept.pk == merged.pk:
        return False
    if people_mergeable_by(user).filter(pk__in=[kept.pk, merged.pk]).count() != 2:
        return False
    return CaseFile.objects.filter(
        young_person_id__in=[kept.pk, merged.pk],
        programme_id__in=user.programmes_led.values("pk"),
    ).exists()


# --- the data protection officer ---


def dpo_young_people(user: User) -> QuerySet[YoungPerson]:
    """The young people a data protection officer (or an administrator holding the
    role) may find and export: those with a case file kept by their organisation,
    whatever its status. Nobody else finds anyone here."""
    if not user.is_authenticated or not user.acts_as_dpo:
        return YoungPerson.objects.none()
    owned = CaseFile.objects.filter(owner_organisation_id=user.organisation_id)
    return YoungPerson.objects.filter(pk__in=owned.values("young_person_id"))


def dpo_case_files(user: User, person: YoungPerson) -> QuerySet[CaseFile]:
    """The person's case files the officer answers for: those their organisation
    keeps (another organisation's file is that organisation's to answer for)."""
    if not user.is_authenticated or not user.acts_as_dpo:
        return CaseFile.objects.none()
    return CaseFile.objects.filter(
        young_person=person, owner_organisation_id=user.organisation_id
    )
