"""Closing a case file frees its place in the cohorts that have not started: the
place goes to the first person waiting, and a cohort under way keeps the file."""

import datetime

import pytest
from django.utils import timezone

from programmes.models import Enrolment
from tests.factories import CohortFactory, EnrolmentFactory
from youthtrack import services as case_services
from youthtrack.models import AuditEvent, CaseFile

pytestmark = pytest.mark.django_db


def _close(case_file: CaseFile, by) -> None:
    case_services.case_file_transition(
        case_file=case_file,
        acting_user=by,
        to_status=CaseFile.Status.CLOSED,
        effective_date=timezone.localdate(),
        exit_reason=CaseFile.ExitReason.values[0],
        expected_version=case_file.version,
    )


def test_a_closed_file_leaves_a_coming_cohort_and_the_first_waiting_gets_its_place(
    advisor,
):
    today = timezone.localdate()
    coming = CohortFactory(start_date=today + datetime.timedelta(days=6), capacity=1)
    leaving = EnrolmentFactory(cohort=coming, case_file__advisor=advisor)
    first = EnrolmentFactory(
        cohort=coming,
        status=Enrolment.Status.WAITING,
        requested_at=timezone.now() - datetime.timedelta(hours=2),
    )
    second = EnrolmentFactory(
        cohort=coming,
        status=Enrolment.Status.WAITING,
        requested_at=timezone.now() - datetime.timedelta(hours=1),
    )
    _close(leaving.case_file, advisor)

    leaving.refresh_from_db()
    assert leaving.status == Enrolment.Status.WITHDRAWN
    assert leaving.withdrawal_reason == Enrolment.WithdrawalReason.FILE_CLOSED
    assert leaving.withdrawn_on == today
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Enrolment.Status.ENROLLED
    assert second.status == Enrolment.Status.WAITING
    assert AuditEvent.objects.filter(
        object_type="programmes.enrolment", object_id=leaving.pk, actor=advisor
    ).exists()


def test_a_closed_file_leaves_a_waiting_list_and_keeps_a_cohort_under_way(advisor):
    today = timezone.localdate()
    under_way = CohortFactory(start_date=today - datetime.timedelta(days=3))
    kept = EnrolmentFactory(cohort=under_way, case_file__advisor=advisor)
    coming = CohortFactory(start_date=today + datetime.timedelta(days=10), capacity=1)
    EnrolmentFactory(cohort=coming)
    waiting = EnrolmentFactory(
        cohort=coming, case_file=kept.case_file, status=Enrolment.Status.WAITING
    )
    _close(kept.case_file, advisor)

    kept.refresh_from_db()
    waiting.refresh_from_db()
    assert kept.status == Enrolment.Status.ENROLLED
    assert waiting.status == Enrolment.Status.WITHDRAWN
