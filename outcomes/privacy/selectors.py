"""What an erasure would touch, for the page that asks to confirm it."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from youthtrack.access import dpo_case_files
from youthtrack.models import AuditEvent, CaseFile, User, YoungPerson
from youthtrack.services import anonymisation

from ..models import ReportJob


@dataclass
class ErasurePreview:
    person: YoungPerson
    case_files: list[CaseFile]
    # (what, how many) of the records whose personal data goes: notes, consents…
    records: list[tuple[str, int]]
    evidence_files: int
    audit_rows: int
    reports: QuerySet[ReportJob]
    blockers: list[str] = field(default_factory=list)


def _records_of(case_files: list[CaseFile]) -> tuple[list[tuple[str, int]], int]:
    ids = [case_file.pk for case_file in case_files]
    records = []
    evidence = 0
    for model, fk in anonymisation.linked_models(CaseFile):
        plan = anonymisation.plan_for(model)
        if not plan.scrubbed:
            continue
        rows = model._default_manager.filter(**{f"{fk}__in": ids})
        count = rows.count()
        if count:
            records.append((str(model._meta.verbose_name_plural), count))
        for name in plan.files:
            evidence += rows.exclude(**{name: ""}).count()
    return records, evidence


def reports_counting(case_files: list[CaseFile]) -> QuerySet[ReportJob]:
    """The reports produced whose period covers part of one of the files' path: of
    its operation, or the yearly figures of its organisation. They keep their figures
    and files."""
    condition = Q(pk__in=[])
    for case_file in case_files:
        path = Q(date_from__lte=case_file.exit_date or case_file.entry_date) & Q(
            date_to__gte=case_file.entry_date
        )
        if case_file.operation_id is not None:
            condition |= path & Q(operation_id=case_file.operation_id)
        condition |= path & Q(
            operation__isnull=True, organisation_id=case_file.owner_organisation_id
        )
    return (
        ReportJob.objects.filter(condition, status=ReportJob.Status.DONE)
        .select_related("operation", "requested_by")
        .order_by("-created_at")
    )


def erasure_preview(*, person: YoungPerson, user: User) -> ErasurePreview:
    """What the erasure removes of the files the officer's organisation keeps: of
    another organisation's file the officer learns only that it holds the erasure
    back (``erasure_blockers``), not its programme, path, status, hold, records or
    the reports of that organisation."""
    case_files = list(
        dpo_case_files(user, person)
        .select_related("programme", "operation", "owner_organisation")
        .order_by("entry_date", "pk")
    )
    records, evidence = _records_of(case_files)
    audit_rows = AuditEvent.objects.filter(
        Q(case_file__in=case_files)
        | Q(object_type="youthtrack.youngperson", object_id=person.pk)
    ).count()
    return ErasurePreview(
        person=person,
        case_files=case_files,
        records=records,
        evidence_files=evidence,
        audit_rows=audit_rows,
        # The organisation's own reports (another's counting the same operation is
        # that organisation's to know).
        reports=reports_counting(case_files).filter(
            Q(organisation_id=user.organisation_id)
        ),
        blockers=anonymisation.erasure_blockers(person, user),
    )


def person_for_erasure(*, user: User, pk: int) -> YoungPerson:
    """The person, if the officer answers for them (404 otherwise)."""
    if not anonymisation.can_erase(user):
        raise Http404
    person = YoungPerson.objects.filter(pk=pk).first()
    if person is None or not anonymisation.can_erase(user, person):
        raise Http404
    return person


def case_file_for_hold(*, user: User, pk: int) -> CaseFile:
    """The case file, if the user may set or lift its legal hold (404 otherwise)."""
    case_file = (
        CaseFile.objects.select_related("young_person", "legal_hold_by")
        .filter(pk=pk)
        .first()
    )
    if case_file is None or not anonymisation.can_hold(user, case_file):
        raise Http404
    return case_file
