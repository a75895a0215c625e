"""Re-entry in the same operation, through the services the advisors use: the first
entry's characteristics, the final exit's results, one participant."""

import pytest

from outcomes.indicators.engine import report_compute
from outcomes.records import services
from tests.factories import reference as ref
from tests.factories.helpers import case_data, person_data
from tests.outcomes.records_helpers import cdm_advisor, days, today
from youthtrack import services as case_services
from youthtrack.models import CaseFile, Operation

pytestmark = pytest.mark.django_db


def _close(case_file, advisor, exit_date, kind, start):
    return services.participation_exit(
        case_file=case_file,
        acting_user=advisor,
        exit_date=exit_date,
        exit_reason=CaseFile.ExitReason.COMPLETED,
        comment="",
        expected_version=CaseFile.objects.get(pk=case_file.pk).version,
        outcome_data={"kind": kind, "start_date": start, "source": "young_person"},
    )


def test_re_entry_keeps_the_first_entry_and_counts_the_final_exit():
    advisor = cdm_advisor()
    intake = lambda entry, person=None, **situation: case_services.case_file_intake(  # noqa: E731
        acting_user=advisor,
        person_data=None if person else person_data(),
        case_data=case_data(
            entry_date=entry, programme=ref.programme("touchngo"), **situation
        ),
        existing_person=person,
    )
    first = intake(today() - days(200))  # registered at Actiris: unemployed
    first = case_services.case_file_transition(
        case_file=first,
        acting_user=advisor,
        to_status=CaseFile.Status.ACTIVE,
        effective_date=first.entry_date,
        expected_version=first.version,
    )
    # Left with a job, came back, left again and is searching for a job.
    _close(first, advisor, today() - days(100), "job", today() - days(100))
    again = intake(
        today() - days(10),
        person=first.young_person,
        employment_status="employed",
        registered_at_actiris=False,
    )
    _close(again, advisor, today(), "job_search", today())

    operation = Operation.objects.get(reference="TNG-ESFPLUS-2021-2027")
    assert again.pk == first.pk and again.operation == operation
    result = report_compute(
        rule_set="esfplus2021",
        operation=operation,
        date_from=today() - days(365),
        date_to=today(),
    )
    figures = {key: value["total"] for key, value in result["indicators"].items()}
    assert figures["EECO01"] == 1
    assert figures["EECO02"] == 1  # the first entry's situation
    assert figures["EECO05"] == 0
    # The final exit's window: the job search recorded then replaces the job.
    assert figures["EECR01"] == 1
    assert figures["EECR04"] == 0
    # Only the first exit falls in a period ending before the re-entry: none, since
    # the exit date is the final one.
    before = report_compute(
        rule_set="esfplus2021",
        operation=operation,
        date_from=today() - days(365),
        date_to=today() - days(50),
    )
    assert before["indicators"]["EECR04"]["total"] == 0
    assert before["indicators"]["EECO01"]["total"] == 1
