"""Imports of past records as background jobs: the upload is kept on its ``ImportRun``
and checked by a Celery task (``outcomes.import_process``, given the run's id only,
never the file nor anything in it); "Import" queues the same task for the checked
run. The page follows the run's progress. Safe to run twice: a run is claimed as a
lease (as report jobs are), a check or an import that finished is not done again, and
the import itself is idempotent and written in one transaction with the run's end."""

import datetime
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from youthtrack.audit import record_audit_event
from youthtrack.jobs import TRANSIENT_ERRORS
from youthtrack.models import AuditEvent, Organisation, User

from ..models import ImportRun
from .importer import CONTROL, RunTakenOver, run_import

logger = logging.getLogger(__name__)

PENDING = (ImportRun.Status.CHECKING, ImportRun.Status.IMPORTING)
# A check or an import of the largest file (20,000 rows in each of five sheets) may
# take longer than the other tasks' 15 minutes on a busy machine: its own time limit,
# and a lease longer than it (the broker's visibility timeout, 1 hour, stays above).
IMPORT_TIME_LIMIT_SECONDS = 45 * 60


class NothingToImport(Exception):
    """The run is not a check of this user waiting to be imported."""


def import_check_request(
    *, acting_user: User, organisation: Organisation, data: bytes, file_name: str
) -> ImportRun:
    """Keep the uploaded file on a new run and queue its check. Only the latest
    check of a user can be imported: the files (and problems) of earlier checks
    are dropped."""
    ImportRun.objects.filter(
        user=acting_user, status=ImportRun.Status.CHECKED, content__isnull=False
    ).update(content=None)
    ImportRun.objects.filter(user=acting_user).exclude(problems=[]).update(problems=[])
    now = timezone.now()
    with transaction.atomic():
        run = ImportRun.objects.create(
            organisation=organisation,
            user=acting_user,
            file_name=CONTROL.sub("", file_name)[:200],
            sha256=hashlib.sha256(data).hexdigest(),
            status=ImportRun.Status.CHECKING,
            content=data,
            language=get_language() or settings.LANGUAGE_CODE,
            queued_at=now,
        )
        record_audit_event(
            actor=acting_user,
            action=AuditEvent.Action.CREATE,
            obj=run,
            case_file=None,
            changes={"status": run.status, "bytes": len(data)},
        )
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def import_request(*, acting_user: User, organisation: Organisation, pk: int) -> None:
    """Queue the import of a checked run of this user (once: a second "Import"
    finds it no longer checked)."""
    with transaction.atomic():
        queued = ImportRun.objects.filter(
            pk=pk,
            user=acting_user,
            organisation=organisation,
            status=ImportRun.Status.CHECKED,
            content__isnull=False,
        ).update(
            status=ImportRun.Status.IMPORTING,
            progress=0,
            queued_at=timezone.now(),
            claimed_by="",
            lease_expires_at=None,
            finished_at=None,
            language=get_language() or settings.LANGUAGE_CODE,
        )
        if not queued:
            raise NothingToImport
        transaction.on_commit(lambda: _enqueue(pk))


def _enqueue(run_id: int) -> None:
    """Send the run's task; if the broker is unreachable, the sweep sends it later
    (the upload is kept on the run)."""
    from ..tasks import import_process

    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            # In-process (the embedded default): nobody retries later.
            import_process.apply(
                args=(run_id,), retries=import_process.max_retries, throw=False
            )
        else:
            import_process.delay(run_id)
    except TRANSIENT_ERRORS:
        logger.warning("import run %s not sent to the broker; the sweep will", run_id)


class _ProgressWriter:
    """Writes the run's progress where the page can read it. While the import
    writes its records (one transaction), the progress goes through a connection of
    its own on PostgreSQL; SQLite has one writer at a time, so there it is written
    only between transactions (the embedded default runs the job in the request)."""

    def __init__(self, run: ImportRun):
        self.run = run
        self.last = -1
        self.side: Any = None  # a second connection to PostgreSQL, when needed

    def __call__(self, share: float) -> None:
        percent = max(1, min(99, int(share * 100)))
        if percent <= self.last:
            return
        self.last = percent
        if not connection.in_atomic_block:
            ImportRun.objects.filter(pk=self.run.pk, attempts=self.run.attempts).update(
                progress=percent
            )
        elif connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection("default")
            table = self.side.ops.quote_name(ImportRun._meta.db_table)
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET progress = %s WHERE id = %s AND attempts = %s",  # noqa: S608
                    [percent, self.run.pk, self.run.attempts],
                )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def lease_seconds() -> int:
    return max(settings.REPORT_JOB_LEASE_SECONDS, IMPORT_TIME_LIMIT_SECONDS + 5 * 60)


def _lease_end(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(seconds=lease_seconds())


def _fail(run: ImportRun, reason: str, *, only_if: Q) -> bool:
    failed = ImportRun.objects.filter(only_if, pk=run.pk).update(
        status=ImportRun.Status.FAILED,
        failure_reason=reason[:2000],
        content=None,
        finished_at=timezone.now(),
        lease_expires_at=None,
    )
    if failed:
        logger.warning("import run %s failed: %s", run.pk, reason[:200])
    return bool(failed)


def _interrupted_reason(run: ImportRun) -> str:
    with translation.override(run.language):
        return _(
            "The import was interrupted %(count)s times before it was finished (the "
            "background worker stopped). Nothing of it was written: upload the file "
            "again; if it stops again, tell your administrator."
        ) % {"count": run.attempts}


def _error_reason(run: ImportRun, error: BaseException) -> str:
    with translation.override(run.language):
        return _(
            "The file could not be checked or imported (%(error)s). Nothing of it "
            "was written. Tell your administrator."
        ) % {"error": error.__class__.__name__}


def _unavailable_reason(run: ImportRun, error: BaseException) -> str:
    with translation.override(run.language):
        return _(
            "The file could not be checked or imported: a service it needs stayed "
            "unavailable (%(error)s). Nothing of it was written: upload it again "
            "later."
        ) % {"error": error.__class__.__name__}


def import_process(*, run_id: int, task_id: str | None = None) -> str:
    """Check (status "checking") or import ("importing") the run's file. Claimed
    as a lease: a run being worked on by another live task is left alone; a run
    whose lease ended, or claimed by this very task (redelivered after its worker
    died, or retried), is taken over. A transient error is raised for the task to
    retry; any other error fails the run with its reason, nothing written."""
    now = timezone.now()
    takeable = Q(status__in=PENDING) & (Q(claimed_by="") | Q(lease_expires_at__lt=now))
    if task_id:
        takeable |= Q(status__in=PENDING, claimed_by=task_id)
    claimed = ImportRun.objects.filter(
        takeable, pk=run_id, attempts__lt=settings.REPORT_JOB_MAX_ATTEMPTS
    ).update(
        attempts=F("attempts") + 1,
        claimed_by=task_id or "",
        lease_expires_at=_lease_end(now),
        progress=1,
    )
    if not claimed:
        exhausted = ImportRun.objects.filter(takeable, pk=run_id).first()
        if exhausted is None:
            return "skipped"
        _fail(exhausted, _interrupted_reason(exhausted), only_if=takeable)
        return "failed"
    run = ImportRun.objects.select_related("organisation", "user").get(pk=run_id)
    if run.content is None:  # cannot happen through the pages; never a crash
        _fail(run, _error_reason(run, ValueError()), only_if=Q(attempts=run.attempts))
        return "failed"
    progress = _ProgressWriter(run)
    try:
        with translation.override(run.language):
            result = run_import(
                data=bytes(run.content),
                file_name=run.file_name,
                organisation=run.organisation,
                user=run.user,
                dry_run=run.status == ImportRun.Status.CHECKING,
                run=run,
                progress=progress,
            )
    except RunTakenOver:
        return "skipped"
    except TRANSIENT_ERRORS:
        raise  # the task retries; the retry takes the run over (same task id)
    except Exception as error:
        logger.exception("import run %s failed", run.pk)
        _fail(
            run,
            _error_reason(run, error),
            only_if=Q(status=run.status, attempts=run.attempts),
        )
        return "failed"
    finally:
        progress.close()
    return "imported" if result.imported else str(run.status)


def import_give_up(*, run_id: int, error: BaseException) -> None:
    """The task retried a transient error as often as it may."""
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is not None:
        _fail(run, _unavailable_reason(run, error), only_if=Q(status__in=PENDING))


def import_runs_sweep() -> dict[str, int]:
    """Runs whose worker died (lease ended) are queued again, or failed after
    ``REPORT_JOB_MAX_ATTEMPTS`` claims; runs waiting longer than a lease (their
    message was lost) are sent again. Safe to run twice."""
    now = timezone.now()
    counts = {"requeued": 0, "failed": 0, "resent": 0}
    expired = ImportRun.objects.filter(status__in=PENDING, lease_expires_at__lt=now)
    for run in expired.only("pk", "attempts", "language", "status"):
        still = Q(status=run.status, lease_expires_at__lt=now, attempts=run.attempts)
        if run.attempts >= settings.REPORT_JOB_MAX_ATTEMPTS:
            counts["failed"] += _fail(run, _interrupted_reason(run), only_if=still)
            continue
        if ImportRun.objects.filter(still, pk=run.pk).update(
            claimed_by="", lease_expires_at=None, queued_at=now, progress=0
        ):
            counts["requeued"] += 1
            _enqueue(run.pk)
    stale = now - datetime.timedelta(seconds=lease_seconds())
    waiting = ImportRun.objects.filter(
        status__in=PENDING, claimed_by="", queued_at__lt=stale
    ).values_list("pk", flat=True)
    for pk in list(waiting):
        if ImportRun.objects.filter(
            pk=pk, status__in=PENDING, claimed_by="", queued_at__lt=stale
        ).update(queued_at=now):
            counts["resent"] += 1
            _enqueue(pk)
    return counts
