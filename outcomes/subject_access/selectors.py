"""Everything the organisation holds about one young person, for the right of access
(GDPR article 15), gathered for a data protection officer.

What is in it: the person's identity (and the records merged into it), every case
file the officer's organisation keeps for them with its situation at entry and its
status history, the notes they may receive, outcomes, follow-ups, the distance
travelled and goals, enrolments and attendance, walk-ins converted into the file,
consents, sharings (which partners received the file), the references of imported
files, and who accessed the files (organisation, day, what was done, how often).

Choices made where the law leaves room:

- **Notes.** Notes visible to the organisation or shared with partners are given.
  Notes marked "Only me" are an advisor's personal working notes, which may hold
  what third parties confided (a parent, a teacher, a partner's worker); like a
  practitioner's personal annotations under Belgian law, they are withheld from the
  copy to protect others (GDPR art. 15(4)). The export says how many were withheld,
  and of which dates, so the officer can review them one by one and the person
  knows they exist.
- **Staff** are named by their organisation, not by name: the person learns who
  (which organisation) wrote, recorded or read, without the export becoming a list
  of employees' names.
- **Other organisations' files** of the same person are theirs to answer for: only
  the files the officer's organisation keeps are given (the identity is shared).

Every field of each record is given, read from the model, so that a field added
later is exported without anyone remembering to; ``SECTIONS`` lists the models,
and ``tests/outcomes/test_subject_access.py`` fails when a model pointing to a case
file or a young person is missing from it. Values are in the chosen language
(labels, choices); dates are ISO 8601.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outcomes.models import Assessment, FollowUp, Goal, ImportReference, Outcome
from programmes.models import Attendance, Enrolment, WalkIn
from youthtrack.access import dpo_case_files
from youthtrack.models import (
    AuditEvent,
    CaseFile,
    CaseStatusChange,
    Consent,
    Note,
    Share,
    User,
    YoungPerson,
)

FORMAT = "youthtrack-right-of-access/1"

# Internal columns that say nothing about the person: version counters, the
# normalised name key, the stored path and type of an evidence file (its name is
# given), the form token of a note.
SKIPPED_FIELDS = frozenset(
    {
        "version",
        "name_key",
        "idempotency_key",
        "evidence_file",
        "evidence_content_type",
    }
)

# Models that point to a case file or a young person and are not a section, with
# why: the audit trail is given as the access log; guardian's rows are the grants of
# a sharing (given as the sharings).
NOT_SECTIONS = {
    "youthtrack.auditevent": "given as the access log",
    "youthtrack.casefilegroupobjectpermission": "the grants behind the sharings",
}


@dataclass(frozen=True)
class Section:
    key: str
    title: Any  # a lazy translation
    model: type[models.Model]
    rows: Callable[[list[CaseFile], YoungPerson, User], Iterable[models.Model]]


def _of_files(model, *, order=("pk",), related=()):
    def rows(files: list[CaseFile], person: YoungPerson, user: User):
        return (
            model.objects.filter(case_file__in=files)
            .select_related(*related)
            .order_by("case_file_id", *order)
        )

    return rows


def _receivable_notes(files, person, user):
    return (
        Note.objects.filter(case_file__in=files)
        .exclude(visibility=Note.Visibility.PRIVATE)
        .select_related("channel", "organisation", "author__organisation")
        .order_by("case_file_id", "contact_date", "pk")
    )


SECTIONS: list[Section] = [
    Section(
        "case_files",
        gettext_lazy("Case files"),
        CaseFile,
        lambda files, person, user: files,
    ),
    Section(
        "status_history",
        gettext_lazy("Status history"),
        CaseStatusChange,
        _of_files(CaseStatusChange, order=("effective_date", "pk")),
    ),
    Section(
        "notes",
        gettext_lazy("Follow-up notes"),
        Note,
        _receivable_notes,
    ),
    Section(
        "outcomes",
        gettext_lazy("Outcomes"),
        Outcome,
        _of_files(Outcome, order=("start_date", "pk")),
    ),
    Section(
        "follow_ups",
        gettext_lazy("Follow-ups after leaving"),
        FollowUp,
        _of_files(FollowUp, order=("due_on", "pk")),
    ),
    Section(
        "distance_travelled",
        gettext_lazy("Distance travelled"),
        Assessment,
        _of_files(Assessment, order=("assessed_on", "pk")),
    ),
    Section(
        "goals",
        gettext_lazy("Goals"),
        Goal,
        _of_files(Goal, order=("target_date", "pk")),
    ),
    Section(
        "enrolments",
        gettext_lazy("Enrolments in cohorts"),
        Enrolment,
        _of_files(Enrolment, related=("cohort",)),
    ),
    Section(
        "attendance",
        gettext_lazy("Attendance"),
        Attendance,
        _of_files(Attendance, order=("session__starts_at", "pk"), related=("session",)),
    ),
    Section(
        "walk_ins",
        gettext_lazy("Walk-ins converted into a case file"),
        WalkIn,
        lambda files, person, user: WalkIn.objects.filter(
            converted_case_file__in=files
        ).order_by("pk"),
    ),
    Section(
        "consents",
        gettext_lazy("Consents"),
        Consent,
        _of_files(Consent, order=("given_on", "pk"), related=("partner",)),
    ),
    Section(
        "shares",
        gettext_lazy("Sharing with partners"),
        Share,
        _of_files(Share, order=("created_at", "pk"), related=("partner",)),
    ),
    Section(
        "import_references",
        gettext_lazy("References in imported files"),
        ImportReference,
        lambda files, person, user: ImportReference.objects.filter(
            young_person=person, organisation=user.organisation
        ).order_by("pk"),
    ),
]


# --- values ---------------------------------------------------------------------------


def _field_value(instance: models.Model, field: models.Field) -> Any:
    """A field's value as the person reads it, JSON-ready."""
    if field.is_relation:
        related_id = getattr(instance, field.attname)
        if related_id is None:
            return None
        if field.related_model is User:
            user = getattr(instance, field.name)
            return str(user.organisation) if user.organisation_id else ""
        if field.related_model in (CaseFile, YoungPerson):
            return related_id
        return str(getattr(instance, field.name))
    value = getattr(instance, field.attname)
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def exported_fields(model: type[models.Model], *, skip: Iterable[str] = ()) -> list:
    skipped = SKIPPED_FIELDS | set(skip)
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in skipped and field.name != "id"
    ]


# Labels of the columns a model leaves unnamed (Django would print the column's
# name in English).
FALLBACK_LABELS = {
    "case_file": gettext_lazy("case file"),
    "created_at": gettext_lazy("created at"),
    "updated_at": gettext_lazy("last changed"),
    "reminder_sent_at": gettext_lazy("reminder sent at"),
}


def field_label(field: models.Field) -> Any:
    """The field's translatable label: its verbose name, or ours for an unnamed
    column; ``None`` when it has neither (``test_subject_access`` catches it)."""
    if isinstance(field.verbose_name, Promise):
        return field.verbose_name
    return FALLBACK_LABELS.get(field.name)


def _capitalised(text: Any) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def _label(field: models.Field) -> str:
    return _capitalised(field_label(field) or field.verbose_name)


def _section(model, rows: Iterable[models.Model], *, skip=()) -> dict[str, Any]:
    fields = exported_fields(model, skip=skip)
    return {
        "record_title": _capitalised(model._meta.verbose_name),
        "labels": {"number": _("Number"), **{f.name: _label(f) for f in fields}},
        "records": [
            {"number": row.pk, **{f.name: _field_value(row, f) for f in fields}}
            for row in rows
        ],
    }


def _withheld_notes(files: list[CaseFile]) -> dict[str, Any]:
    private = Note.objects.filter(
        case_file__in=files, visibility=Note.Visibility.PRIVATE
    ).order_by("case_file_id", "contact_date", "pk")
    return {
        "record_title": _capitalised(Note._meta.verbose_name),
        "count": private.count(),
        "reason": _(
            "Notes an advisor kept for themselves are personal working notes that "
            "may hold what other people confided: they are withheld to protect "
            "them. The data protection officer can review each one on request."
        ),
        "records": [
            {
                "case_file": note.case_file_id,
                "contact_date": note.contact_date.isoformat(),
            }
            for note in private
        ],
        "labels": {"case_file": _("Case file"), "contact_date": _("Date of contact")},
    }


def _access_log(files: list[CaseFile]) -> dict[str, Any]:
    """Who did what with the files, by organisation and day (how often): reads,
    exports and changes, from the audit trail."""
    action_labels = dict(AuditEvent.Action.choices)
    rows = (
        AuditEvent.objects.filter(case_file__in=files)
        .annotate(day=TruncDate("at"))
        .values("case_file_id", "day", "organisation__name", "action")
        .annotate(times=Count("pk"))
        .order_by("day", "case_file_id", "organisation__name", "action")
    )
    return {
        "record_title": _("Access"),
        "labels": {
            "case_file": _("Case file"),
            "date": _("Date"),
            "organisation": _("Organisation"),
            "action": _("Action"),
            "times": _("Times"),
        },
        "records": [
            {
                "case_file": row["case_file_id"],
                "date": row["day"].isoformat(),
                "organisation": row["organisation__name"] or _("The system"),
                "action": str(action_labels.get(row["action"], row["action"])),
                "times": row["times"],
            }
            for row in rows
        ],
    }


def subject_access_data(*, user: User, person: YoungPerson) -> dict[str, Any]:
    """The whole export as plain data, in the active language. ``person`` was
    reached through ``youthtrack.selectors.dpo_person_get``."""
    files = list(
        dpo_case_files(user, person)
        .select_related(
            "programme", "operation", "owner_organisation", "highest_diploma"
        )
        .order_by("entry_date", "pk")
    )
    merged = YoungPerson.objects.filter(merged_into=person).order_by("pk")
    data: dict[str, Any] = {
        "format": FORMAT,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "organisation": str(user.organisation),
        "titles": {},
        "identity": _section(YoungPerson, [person]),
        "merged_records": _section(YoungPerson, merged),
    }
    data["titles"]["identity"] = _("Identity")
    data["titles"]["merged_records"] = _("Records merged into this one")
    for section in SECTIONS:
        data["titles"][section.key] = str(section.title)
        data[section.key] = _section(
            section.model, section.rows(files, person, user), skip=("merged_into",)
        )
    data["titles"]["notes_withheld"] = _("Notes withheld")
    data["notes_withheld"] = _withheld_notes(files)
    data["titles"]["access_log"] = _("Who accessed the files")
    data["access_log"] = _access_log(files)
    return data
