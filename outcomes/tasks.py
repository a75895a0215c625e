"""Background work of outcomes: thin tasks, no personal data in their arguments,
safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from .records import services


@shared_task(
    name="outcomes.follow_up_reminders",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def follow_up_reminders() -> int:
    """E-mail advisors the follow-ups that fell due, once each (runs every hour)."""
    return services.follow_up_reminders_send()


@shared_task(
    name="outcomes.report_generate",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def report_generate(job_id: int) -> str:
    """Compute and render a report job; a job already claimed is left alone."""
    from .reports import services as report_services

    return report_services.report_job_run(job_id=job_id)
