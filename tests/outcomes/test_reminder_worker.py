"""The follow-up reminders on a real Celery worker (CI runs one on Redis, against the
same PostgreSQL test database): two runs, one e-mail per follow-up."""

import pytest
from django.conf import settings

from outcomes.models import FollowUp
from outcomes.records import services
from outcomes.tasks import follow_up_reminders

from .records_helpers import active_case, cdm_advisor, days, today

WORKER_TIMEOUT = 30  # seconds


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)  # the worker reads committed rows only
@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL,
    reason="no CELERY_BROKER_URL: tasks run in-process, no worker to ask",
)
def test_a_worker_sends_each_reminder_once_when_the_task_runs_twice():
    advisor = cdm_advisor()
    case = active_case(advisor, entry_days_ago=100)
    services.participation_exit(
        case_file=case,
        acting_user=advisor,
        exit_date=today() - days(28),  # the check upon leaving is due today
        exit_reason="completed",
        comment="",
        expected_version=case.version,
        outcome_data=None,
    )
    first, second = follow_up_reminders.delay(), follow_up_reminders.delay()
    sent = first.get(timeout=WORKER_TIMEOUT) + second.get(timeout=WORKER_TIMEOUT)
    assert sent == 1
    reminded = FollowUp.objects.filter(case_file=case, reminder_sent_at__isnull=False)
    assert list(reminded.values_list("kind", flat=True)) == ["upon_leaving"]
