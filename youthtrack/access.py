"""The one place that says who may see and change what.

Every read of case files and notes goes through these querysets; a record the user may
not see is answered with 404, exactly like one that does not exist.
"""

from django.db.models import Q, QuerySet

from .models import CaseFile, Note, User


def case_files_visible_to(user: User) -> QuerySet[CaseFile]:
    """Case files the user may open.

    Advisors and project leads see their own organisation's files. Partner staff will
    see the files shared with their organisation (the sharing issue); until a file is
    shared with them they see none. Administrators manage users and reference data, not
    case files.
    """
    if not user.is_authenticated or not user.is_active or user.organisation_id is None:
        return CaseFile.objects.none()
    if user.works_on_cases:
        return CaseFile.objects.filter(owner_organisation_id=user.organisation_id)
    return CaseFile.objects.none()


def can_edit_case_file(user: User, case_file: CaseFile) -> bool:
    return (
        user.is_authenticated
        and user.works_on_cases
        and case_file.owner_organisation_id == user.organisation_id
    )


def notes_visible_to(user: User, case_file: CaseFile) -> QuerySet[Note]:
    """Notes of a case file the user may read; the case file must already be visible."""
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


def can_add_note(user: User, case_file: CaseFile) -> bool:
    return can_edit_case_file(user, case_file)


def can_edit_note(user: User, note: Note) -> bool:
    return user.is_authenticated and note.author_id == user.pk
