"""Background work of outcomes: thin tasks, ids only in their arguments (never
personal data), safe to run twice, acknowledged late (a worker killed in the middle
leaves the message to be delivered again), retried with backoff on transient errors
only (``youthtrack.jobs``)."""

from celery import shared_task

from youthtrack.jobs import RETRY_OPTIONS, TRANSIENT_ERRORS

from .imports.services import IMPORT_TIME_LIMIT_SECONDS
from .records import services


@shared_task(name="outcomes.follow_up_reminders", **RETRY_OPTIONS)
def follow_up_reminders() -> int:
    """E-mail advisors the follow-ups that fell due, once each (runs every hour)."""
    return services.follow_up_reminders_send()


@shared_task(bind=True, name="outcomes.report_generate", **RETRY_OPTIONS)
def report_generate(self, job_id: int) -> str:
    """Compute and render a report job. A job running under another task's lease,
    or done, is left alone; a redelivery of this task's message (its worker was
    killed) or a retry takes it over. After the last retry of a transient error the
    job is failed with its reason."""
    from .reports import services as report_services

    try:
        return report_services.report_job_run(job_id=job_id, task_id=self.request.id)
    except TRANSIENT_ERRORS as error:
        if self.request.retries < self.max_retries:
            raise  # retried with backoff (autoretry_for)
        report_services.report_job_give_up(job_id=job_id, error=error)
        return "failed"


@shared_task(
    bind=True,
    name="outcomes.import_process",
    time_limit=IMPORT_TIME_LIMIT_SECONDS,
    soft_time_limit=IMPORT_TIME_LIMIT_SECONDS - 60,
    **RETRY_OPTIONS,
)
def import_process(self, run_id: int) -> str:
    """Check or import the file kept on an import run (the run's id only: the file
    and its rows never travel through the broker)."""
    from .imports import services as import_services

    try:
        return import_services.import_process(run_id=run_id, task_id=self.request.id)
    except TRANSIENT_ERRORS as error:
        if self.request.retries < self.max_retries:
            raise  # retried with backoff (autoretry_for)
        import_services.import_give_up(run_id=run_id, error=error)
        return "failed"


@shared_task(name="outcomes.report_jobs_sweep", **RETRY_OPTIONS)
def report_jobs_sweep() -> dict[str, dict[str, int]]:
    """Queue again the report jobs and imports whose worker died, fail those
    interrupted too often, send again those whose message was lost (runs every few
    minutes)."""
    from .imports import services as import_services
    from .reports import services as report_services

    return {
        "reports": report_services.report_jobs_sweep(),
        "imports": import_services.import_runs_sweep(),
    }
