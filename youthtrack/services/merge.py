"""Merging two records of the same young person (a duplicate registered twice).

Everything hangs on the case files (notes, consents, shares and their access rows,
enrolments, attendance, outcomes, audit rows and the read log): moving the files of
the person merged away to the person kept moves it all, rows untouched. Other records
that name the person directly (an import's reference) are moved too. The person
merged away is not deleted: marked merged, pointing to the person kept, with their
own audit rows as they were written (the trail is append-only); the merge itself is
audited with record numbers only, no personal values.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from ..access import can_merge_people
from ..audit import record_audit_event
from ..models import AuditEvent, CaseFile, User, YoungPerson

# Filled on the person kept when empty there and known on the other record.
FILLED_FIELDS = ("phone", "email", "other_languages")
READ_ACTIONS = (AuditEvent.Action.VIEW, AuditEvent.Action.EXPORT)


@dataclass(frozen=True)
class MergeCount:
    label: str
    count: int


def _relations(model: type[models.Model]) -> list:
    """The foreign keys of other models that point to ``model`` (hidden ones
    included: an import's reference has no reverse accessor)."""
    return [
        relation
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created
        and not relation.concrete
        and (relation.one_to_many or relation.one_to_one)
        and relation.related_model is not model
    ]


def _rows(relation, values) -> models.QuerySet:
    return relation.related_model._base_manager.filter(
        **{f"{relation.field.name}__in": values}
    )


def merge_counts(person: YoungPerson) -> list[MergeCount]:
    """What moves with the person's case files, kind by kind (the read log apart
    from the other audit rows), the kinds with nothing left out."""
    files = CaseFile.objects.filter(young_person=person)
    counts = [MergeCount(str(CaseFile._meta.verbose_name_plural), files.count())]
    file_ids = list(files.values_list("pk", flat=True))
    for relation in _relations(CaseFile):
        rows = _rows(relation, file_ids)
        if relation.related_model is AuditEvent:
            reads = rows.filter(action__in=READ_ACTIONS).count()
            counts.append(MergeCount(_read_log_label(), reads))
            rows = rows.exclude(action__in=READ_ACTIONS)
        counts.append(
            MergeCount(
                str(relation.related_model._meta.verbose_name_plural), rows.count()
            )
        )
    for relation in _relations(YoungPerson):
        if relation.related_model is CaseFile:
            continue
        counts.append(
            MergeCount(
                str(relation.related_model._meta.verbose_name_plural),
                _rows(relation, [person.pk]).count(),
            )
        )
    return [count for count in counts if count.count]


def _read_log_label() -> str:
    return gettext("entries of the read log")


@transaction.atomic
def young_person_merge(
    *, kept: YoungPerson, merged: YoungPerson, acting_user: User
) -> YoungPerson:
    """Move everything of ``merged`` to ``kept``; ``merged`` stays, marked merged."""
    locked = {
        person.pk: person
        for person in YoungPerson.objects.select_for_update().filter(
            pk__in=[kept.pk, merged.pk]
        )
    }
    if len(locked) != 2 or not can_merge_people(
        acting_user, locked[kept.pk], locked[merged.pk]
    ):
        raise PermissionDenied
    kept, merged = locked[kept.pk], locked[merged.pk]
    for case_file in CaseFile.objects.filter(young_person=merged).order_by("pk"):
        # The file's copy of the name (the case list's sort and search) follows.
        CaseFile.objects.filter(pk=case_file.pk).update(
            young_person=kept, name_key=kept.name_key, version=F("version") + 1
        )
        record_audit_event(
            actor=acting_user,
            action=AuditEvent.Action.MERGE,
            obj=case_file,
            case_file=case_file,
            changes={"young_person": [merged.pk, kept.pk]},
            version=case_file.version + 1,
        )
    for relation in _relations(YoungPerson):
        if relation.related_model is CaseFile:
            continue
        _rows(relation, [merged.pk]).update(**{relation.field.name: kept})
    filled = [
        name
        for name in FILLED_FIELDS
        if not getattr(kept, name) and getattr(merged, name)
    ]
    for name in filled:
        setattr(kept, name, getattr(merged, name))
    kept.speaks_french = kept.speaks_french or merged.speaks_french
    kept.speaks_dutch = kept.speaks_dutch or merged.speaks_dutch
    kept.version += 1
    kept.save()
    merged.merged_into = kept
    merged.merged_at = timezone.now()
    merged.version += 1
    merged.save()
    # Record numbers and the names of the fields filled in: no personal value.
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.MERGE,
        obj=kept,
        case_file=None,
        changes={"merged_person": [None, merged.pk], "filled_in": [None, filled]},
        version=kept.version,
    )
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.MERGE,
        obj=merged,
        case_file=None,
        changes={"merged_into": [None, kept.pk]},
        version=merged.version,
    )
    return kept
