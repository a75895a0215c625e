"""Participations with hand-chosen facts for the indicator tests: every fact that a
figure reads is given, nothing is left to the factories' chance."""

import datetime

from outcomes.models import FollowUp, Outcome
from tests.factories import CaseFileFactory, YoungPersonFactory
from tests.factories import reference as ref
from tests.factories.organisations import ProgrammeFactory
from youthtrack.models import CaseFile, Operation

D = datetime.date
FROM, TO = D(2025, 1, 1), D(2025, 12, 31)
ENTRY, BORN = D(2025, 3, 1), D(2004, 6, 15)


def operation(rule_set: str = "esfplus2021", **parameters) -> Operation:
    programme = ProgrammeFactory(min_age=15, max_age=60)
    return Operation.objects.create(
        reference=f"TEST-{rule_set}-{programme.pk}",
        programme=programme,
        rule_set=rule_set,
        start=D(2024, 1, 1),
        end=D(2027, 12, 31),
        parameters={**Operation._meta.get_field("parameters").default(), **parameters},
    )


def participation(
    op: Operation,
    *,
    entry: datetime.date = ENTRY,
    born: datetime.date = BORN,
    gender: str = "female",
    status: str = "unemployed",
    since: datetime.date | None = None,
    education: str = "none",
    diploma: str = "ce1d",
    actiris: bool = False,
    exit: datetime.date | None = None,
    exit_reason: str = "",
    person=None,
    **facts,
) -> CaseFile:
    person = person or YoungPersonFactory(
        birth_date=born, gender=ref.gender(gender), citizenship="be"
    )
    values = dict(
        disability="no", foreign_background="no", minority="no", homeless="no"
    )
    values.update(facts)
    return CaseFileFactory(
        operation=op,
        programme=op.programme,
        young_person=person,
        owner_organisation=person.created_by_organisation,
        entry_date=entry,
        status=CaseFile.Status.CLOSED if exit else CaseFile.Status.ACTIVE,
        exit_date=exit,
        exit_reason=exit_reason or ("completed" if exit else ""),
        employment_status=status,
        unemployed_since=since,
        education=education,
        registered_at_actiris=actiris,
        highest_diploma=ref.diploma(diploma),
        status_history=False,
        **values,
    )


def outcome(case_file: CaseFile, kind: str, start, end=None, **more) -> Outcome:
    return Outcome.objects.create(
        case_file=case_file,
        kind=kind,
        start_date=start,
        end_date=end,
        source=Outcome.Source.YOUNG_PERSON,
        recorded_by=case_file.created_by,
        **more,
    )


def six_month_answer(case_file: CaseFile, situation: str) -> FollowUp:
    return FollowUp.objects.create(
        case_file=case_file,
        kind=FollowUp.Kind.SIX_MONTHS,
        due_on=case_file.exit_date + datetime.timedelta(days=183),
        situation=situation,
        answered_on=case_file.exit_date + datetime.timedelta(days=185),
    )
