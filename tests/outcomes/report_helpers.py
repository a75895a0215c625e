"""Participants with chosen facts for the tests of the Actiris report and the yearly
activity figures (figures computed by hand from these)."""

import datetime

from outcomes.models import Outcome
from tests.factories import CaseFileFactory
from tests.factories import reference as ref
from youthtrack.models import CaseFile, Operation

D = datetime.date
ENTRY = D(2026, 1, 15)
BORN = D(2004, 5, 5)


def actiris_operation() -> Operation:
    return Operation.objects.get(reference="UPPERCUT-ACTIRIS-2026-2027")


def participant(
    *,
    gender: str = "female",
    entry: datetime.date = ENTRY,
    exit: datetime.date | None = None,
    born: datetime.date = BORN,
    programme: str = "uppercut",
    operation: Operation | None = None,
    commune: str = "21004",
    **facts,
) -> CaseFile:
    status = CaseFile.Status.CLOSED if exit else CaseFile.Status.ACTIVE
    return CaseFileFactory(
        status=status,
        programme=ref.programme(programme),
        operation=operation,
        entry_date=entry,
        exit_date=exit,
        exit_reason=CaseFile.ExitReason.COMPLETED if exit else "",
        young_person__gender=ref.gender(gender),
        young_person__birth_date=born,
        young_person__commune=ref.commune(commune),
        status_history=False,
        **facts,
    )


def outcome(
    case_file: CaseFile,
    kind: str,
    start: datetime.date,
    end: datetime.date | None = None,
) -> Outcome:
    return Outcome.objects.create(
        case_file=case_file,
        kind=kind,
        start_date=start,
        end_date=end,
        source=Outcome.Source.YOUNG_PERSON,
        recorded_by=case_file.advisor or case_file.created_by,
    )
