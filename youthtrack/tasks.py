"""Background work. Tasks are thin: ids in, one service call, safe to run twice."""

import os
import socket

from celery import shared_task

from . import services
from .jobs import RETRY_OPTIONS


@shared_task(name="youthtrack.ping")
def ping() -> dict:
    """Tells which process ran it: used to check that a real worker answers."""
    return {"pid": os.getpid(), "host": socket.gethostname()}


@shared_task(name="youthtrack.shares_expire", **RETRY_OPTIONS)
def shares_expire() -> int:
    """End the sharings whose end date or consent has lapsed (runs every 15 minutes;
    the access gate already hides them at once)."""
    return services.shares_expire_due()


@shared_task(name="youthtrack.retention_run", **RETRY_OPTIONS)
def retention_run() -> dict:
    """Anonymise the closed case files whose retention has ended (every day). Takes
    nothing, returns counts only; safe to run twice: an anonymised file is no longer
    due, and each file is anonymised in its own transaction."""
    from .services.anonymisation import retention_run as run

    report = run(dry_run=False)
    return {
        "case_files": len(report.anonymised_files),
        "people": len(report.anonymised_people),
        "held": report.held_count,
    }
