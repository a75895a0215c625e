"""Report jobs that survive faults: the claim is a lease that a redelivered task or the
periodic sweep takes over once the worker holding it died; a job interrupted too often
fails with its reason; transient errors are retried with backoff, bad data is not; no
file of an unfinished job is left in the storage. (The same with a real worker killed
by SIGKILL on Redis: ``.ci/worker_kill.py``.)"""

import datetime
import smtplib

import pytest
from celery.exceptions import Retry
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone, translation

from outcomes.models import FollowUp, ReportJob, evidence_storage
from outcomes.records import services as record_services
from outcomes.reports import services
from outcomes.tasks import follow_up_reminders, report_generate, report_jobs_sweep
from tests.youthtrack.sharing_helpers import signed_in
from youthtrack.jobs import TransientError

from .records_helpers import active_case, cdm_advisor, days, today
from .reports_helpers import sample_result
from .test_reports_jobs import ask, lead


def job_files_on_disk(job: ReportJob) -> list[str]:
    folder = services.job_folder(job)
    if not evidence_storage.exists(folder):
        return []
    return sorted(evidence_storage.listdir(folder)[1])


def held_by_a_dead_worker(job: ReportJob, *, task_id: str, lease_left: int) -> None:
    """What a worker killed in the middle of the job leaves: the job running, claimed
    by its task, with the lease it took."""
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.RUNNING,
        attempts=job.attempts + 1,
        claimed_by=task_id,
        progress=50,
        lease_expires_at=timezone.now() + datetime.timedelta(seconds=lease_left),
    )


@pytest.fixture
def engine(monkeypatch):
    """The engine replaced by a hand-made result; ``engine.calls`` counts its runs."""

    class Fake:
        calls = 0

        def __call__(self, **kwargs):
            Fake.calls += 1
            return sample_result(operation="TNG-ESFPLUS-2021-2027")

    fake = Fake()
    monkeypatch.setattr(services, "engine_for", lambda rule_set: fake)
    return fake


@pytest.fixture
def sent(monkeypatch):
    """The tasks the services send to the broker (not run)."""
    calls: list[int] = []
    monkeypatch.setattr(services, "_enqueue", calls.append)
    return calls


@pytest.mark.django_db
def test_another_task_leaves_a_job_whose_lease_runs(engine, sent):
    job = ask(lead())
    held_by_a_dead_worker(job, task_id="task-a", lease_left=600)
    assert report_generate.apply(args=[job.pk], task_id="task-b").get() == "skipped"
    job.refresh_from_db()
    assert job.status == ReportJob.Status.RUNNING and engine.calls == 0


@pytest.mark.django_db
def test_the_redelivered_task_takes_its_job_over_and_finishes_it(engine, sent):
    job = ask(lead())
    held_by_a_dead_worker(job, task_id="task-a", lease_left=600)
    # The broker delivers the killed worker's message again: same task id.
    assert report_generate.apply(args=[job.pk], task_id="task-a").get() == "done"
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE and job.attempts == 2
    assert job.files.count() == 3 and len(job_files_on_disk(job)) == 3


@pytest.mark.django_db
def test_the_sweep_queues_again_a_job_whose_lease_ended_then_it_completes(engine, sent):
    job = ask(lead())
    held_by_a_dead_worker(job, task_id="task-a", lease_left=-1)
    assert services.report_jobs_sweep() == {"requeued": 1, "failed": 0, "resent": 0}
    job.refresh_from_db()
    assert job.status == ReportJob.Status.QUEUED and job.progress == 0
    assert sent == [job.pk]
    assert services.report_jobs_sweep()["requeued"] == 0  # safe to run twice
    assert report_generate.apply(args=[job.pk], task_id="task-c").get() == "done"
    # The dead worker's message, delivered again much later, finds the job done.
    assert report_generate.apply(args=[job.pk], task_id="task-a").get() == "skipped"
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE and engine.calls == 1
    assert job.files.count() == 3


@pytest.mark.django_db
def test_a_job_interrupted_too_often_fails_with_its_reason_shown_to_the_lead(
    engine, sent, settings
):
    with translation.override("en"):
        job = ask(lead())
    job.attempts = settings.REPORT_JOB_MAX_ATTEMPTS - 1
    held_by_a_dead_worker(job, task_id="task-a", lease_left=-1)
    assert services.report_jobs_sweep()["failed"] == 1
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED and sent == []
    assert "interrupted 3 times" in job.failure_reason
    page = signed_in(job.requested_by).get(
        reverse("outcomes:report_detail", args=[job.pk])
    )
    assert "interrupted 3 times" in page.content.decode()
    assert report_generate.apply(args=[job.pk], task_id="task-a").get() == "skipped"


@pytest.mark.django_db
def test_a_redelivered_task_does_not_loop_on_a_job_that_kills_its_worker(
    engine, sent, settings
):
    with translation.override("nl"):
        job = ask(lead())
    job.attempts = settings.REPORT_JOB_MAX_ATTEMPTS - 1
    held_by_a_dead_worker(job, task_id="task-a", lease_left=600)
    assert report_generate.apply(args=[job.pk], task_id="task-a").get() == "failed"
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED and engine.calls == 0
    assert "3 keer onderbroken" in job.failure_reason  # in the lead's language


@pytest.mark.django_db
def test_the_sweep_sends_again_a_job_whose_message_was_lost(engine, sent, settings):
    job = ask(lead())
    sent.clear()
    ReportJob.objects.filter(pk=job.pk).update(
        queued_at=timezone.now()
        - datetime.timedelta(seconds=settings.REPORT_JOB_LEASE_SECONDS + 1)
    )
    assert services.report_jobs_sweep()["resent"] == 1
    assert services.report_jobs_sweep()["resent"] == 0
    assert sent == [job.pk]


@pytest.mark.django_db
def test_a_late_run_that_lost_its_lease_keeps_nothing(engine, sent, monkeypatch):
    """Run A computes slowly, its lease ends, run B takes the job over and finishes;
    A's files are not kept and the job keeps B's."""
    job = ask(lead(), formats=["json"])
    state, attempt_a = services._claim(job.pk, "task-a")
    assert state == "claimed"
    ReportJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now())
    assert report_generate.apply(args=[job.pk], task_id="task-b").get() == "done"
    files_of_b = job_files_on_disk(job)
    job.refresh_from_db()
    with pytest.raises(services._ClaimLost):
        services._keep(job, attempt_a, {"checksum": "late"}, [("json", b"{}")])
    job.refresh_from_db()
    assert job.checksum == "5f2c0a7e9d1b4c3a" and job.files.count() == 1
    assert job_files_on_disk(job) == files_of_b


@pytest.mark.django_db
def test_no_file_is_left_when_keeping_the_files_fails_half_way(engine, monkeypatch):
    job = ask(lead())
    write = services._write_file
    written = []

    def disk_full_on_the_second_file(job, fmt, data):
        if written:
            raise OSError(28, "No space left on device")
        written.append(write(job, fmt, data))
        return written[-1]

    monkeypatch.setattr(services, "_write_file", disk_full_on_the_second_file)
    assert report_generate.apply(args=[job.pk]).get() == "failed"
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert "No space left on device" in job.failure_reason
    assert written and not evidence_storage.exists(written[0])
    assert job_files_on_disk(job) == [] and not job.files.exists()


@pytest.mark.django_db
def test_files_an_interrupted_run_left_are_discarded_by_the_next(engine, sent):
    job = ask(lead(), formats=["csv"])
    # A worker killed between moving its file in place and committing.
    evidence_storage.save(f"{services.job_folder(job)}/orphan.csv", _content(b"half"))
    held_by_a_dead_worker(job, task_id="task-a", lease_left=600)
    assert report_generate.apply(args=[job.pk], task_id="task-a").get() == "done"
    on_disk = job_files_on_disk(job)
    assert "orphan.csv" not in on_disk and len(on_disk) == 1
    assert not [name for name in on_disk if name.endswith(".part")]
    assert job.files.get().file.name == f"{services.job_folder(job)}/{on_disk[0]}"


@pytest.mark.django_db
def test_a_transient_database_error_is_retried_later_and_the_retry_completes(
    engine, monkeypatch
):
    job = ask(lead(), formats=["json"])
    real = services.report_compute
    failures = iter([OperationalError("server closed the connection")])

    def flaky(**kwargs):
        error = next(failures, None)
        if error is not None:
            raise error
        return real(**kwargs)

    monkeypatch.setattr(services, "report_compute", flaky)
    with pytest.raises(Retry) as retry:
        report_generate.apply(args=[job.pk], task_id="task-a")
    assert 0 <= retry.value.when <= 10  # backoff: about 10 s, then 20 s, 40 s…
    job.refresh_from_db()
    assert job.status == ReportJob.Status.RUNNING  # not failed: it will be retried
    # The retry (same task id, one more retry) takes the job over and completes it.
    run = report_generate.apply(args=[job.pk], task_id="task-a", retries=1)
    assert run.get() == "done"
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE and job.attempts == 2


@pytest.mark.django_db
def test_a_database_that_stays_away_fails_the_job_after_the_last_retry(monkeypatch):
    def down(**kwargs):
        raise OperationalError("could not connect to server at 10.0.0.5")

    monkeypatch.setattr(services, "report_compute", down)
    with translation.override("en"):
        job = ask(lead(), formats=["json"])
    last = report_generate.max_retries
    run = report_generate.apply(args=[job.pk], task_id="task-a", retries=last)
    assert run.get() == "failed"
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert "stayed unavailable (OperationalError)" in job.failure_reason
    assert "10.0.0.5" not in job.failure_reason  # no server detail shown to the lead


@pytest.mark.django_db
def test_in_process_a_transient_error_fails_the_job_at_once(monkeypatch, settings):
    """The embedded default has no worker to retry later: the lead's page is not
    an error page, the job says what happened."""
    settings.CELERY_TASK_ALWAYS_EAGER = True  # (CI also runs this with a broker)

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "report_compute", locked)
    with translation.override("en"):
        job = ask(lead(), formats=["json"])
    services._enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert "stayed unavailable" in job.failure_reason


@pytest.mark.django_db
def test_bad_data_is_not_retried(monkeypatch):
    calls = []

    def broken(**kwargs):
        calls.append(1)
        raise KeyError("EECO01")

    monkeypatch.setattr(services, "report_compute", broken)
    job = ask(lead(), formats=["json"])
    assert report_generate.apply(args=[job.pk]).get() == "failed"
    assert len(calls) == 1
    assert ReportJob.objects.get(pk=job.pk).status == ReportJob.Status.FAILED


def test_the_rendering_delay_of_the_kill_test_is_off_unless_asked(settings):
    assert settings.YT_REPORT_TEST_DELAY_SECONDS == 0
    from youthtrack.settings import base

    assert base.YT_REPORT_TEST_DELAY_SECONDS == 0  # production reads base only


def test_the_broker_redelivers_a_killed_workers_message_after_the_timeout(settings):
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert timeout == settings.CELERY_VISIBILITY_TIMEOUT
    if timeout >= 600:  # the CI's worker-kill run shortens it on purpose
        assert timeout > settings.CELERY_TASK_TIME_LIMIT
    assert settings.REPORT_JOB_LEASE_SECONDS > settings.CELERY_TASK_TIME_LIMIT


@pytest.mark.django_db
def test_a_mail_server_saying_try_later_retries_the_reminders(monkeypatch):
    advisor = cdm_advisor()
    case = active_case(advisor, entry_days_ago=100)
    record_services.participation_exit(
        case_file=case,
        acting_user=advisor,
        exit_date=today() - days(28),
        exit_reason="completed",
        comment="",
        expected_version=case.version,
        outcome_data=None,
    )
    answers = iter([smtplib.SMTPResponseException(451, b"try again later")])

    def send(follow_up):
        error = next(answers, None)
        if error is not None:
            raise error

    monkeypatch.setattr(record_services, "_send_reminder", send)
    with pytest.raises(TransientError):
        record_services.follow_up_reminders_send()
    assert not FollowUp.objects.filter(reminder_sent_at__isnull=False).exists()
    # The task retries (here at once) and the reminder goes, once.
    assert follow_up_reminders.apply().get() == 1
    assert FollowUp.objects.filter(reminder_sent_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_a_mail_server_refusing_for_good_is_not_retried(monkeypatch):
    advisor = cdm_advisor()
    case = active_case(advisor, entry_days_ago=100)
    record_services.participation_exit(
        case_file=case,
        acting_user=advisor,
        exit_date=today() - days(28),
        exit_reason="completed",
        comment="",
        expected_version=case.version,
        outcome_data=None,
    )
    calls = []

    def refused(follow_up):
        calls.append(1)
        raise smtplib.SMTPResponseException(550, b"mailbox unavailable")

    monkeypatch.setattr(record_services, "_send_reminder", refused)
    assert follow_up_reminders.apply().get() == 0
    assert len(calls) == 1


def test_the_sweep_runs_periodically(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["report-jobs-sweep"]
    assert schedule["task"] == report_jobs_sweep.name
    assert schedule["schedule"] < settings.REPORT_JOB_LEASE_SECONDS


def _content(data: bytes):
    from django.core.files.base import ContentFile

    return ContentFile(data)
