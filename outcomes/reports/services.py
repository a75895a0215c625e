"""Report jobs: asked for by a project lead, computed and rendered by a Celery task,
kept as produced (figures, parameters, checksum and files)."""

import contextlib
import datetime
import logging
import os
import secrets
import time
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from youthtrack import selectors as case_selectors
from youthtrack.audit import record_audit_event
from youthtrack.jobs import TRANSIENT_ERRORS
from youthtrack.models import AuditEvent, Operation, User

from ..models import ReportFile, ReportJob, evidence_storage
from . import render

logger = logging.getLogger(__name__)

# The engine of each rule set (outcomes/indicators/<module>.report_compute).
ENGINE_MODULES: dict[str, str] = {
    ReportJob.RuleSet.ESFPLUS2021: "engine",
    ReportJob.RuleSet.ESF2014: "engine",
    ReportJob.RuleSet.ACTIRIS: "actiris",
    ReportJob.RuleSet.ACTIVITY: "activity",
}
FORMAT_ORDER = ("pdf", "xlsx", "csv", "json")


def engine_for(rule_set: str) -> Callable[..., dict]:
    module = import_module(f"outcomes.indicators.{ENGINE_MODULES[rule_set]}")
    return module.report_compute


def report_compute(
    *,
    rule_set: str,
    operation: Operation | None,
    date_from: datetime.date,
    date_to: datetime.date,
    user: User | None,
) -> dict:
    """The figures of the rule set's engine (the shape in ``outcomes.indicators``)."""
    return engine_for(rule_set)(
        rule_set=rule_set,
        operation=operation,
        date_from=date_from,
        date_to=date_to,
        user=user,
    )


def can_ask_for_reports(user: User) -> bool:
    return (
        user.is_authenticated
        and user.role == User.Role.LEAD
        and user.organisation_id is not None
    )


def report_job_request(
    *,
    acting_user: User,
    rule_set: str,
    operation: Operation | None,
    date_from: datetime.date,
    date_to: datetime.date,
    formats: Sequence[str],
) -> ReportJob:
    """Queue a report: only a project lead, for an operation of a programme they
    lead; the task is enqueued once the job's row is committed."""
    if not can_ask_for_reports(acting_user):
        raise PermissionDenied
    if (
        operation is not None
        and not acting_user.programmes_led.filter(pk=operation.programme_id).exists()
    ):
        raise PermissionDenied
    if operation is None and rule_set != ReportJob.RuleSet.ACTIVITY:
        raise ValidationError({"operation": _("Choose the operation to report on.")})
    if date_to < date_from:
        raise ValidationError({"date_to": _("The period ends before it starts.")})
    if operation is not None and (
        date_to < operation.start or date_from > operation.end
    ):
        # Nothing of the operation would be counted: a report of zeros, which a
        # funder could take for the operation's figures.
        raise ValidationError(
            {
                "date_from": _(
                    "The period is outside the operation, which runs from %(start)s "
                    "to %(end)s: nothing would be counted."
                )
                % {
                    "start": date_format(operation.start, "SHORT_DATE_FORMAT"),
                    "end": date_format(operation.end, "SHORT_DATE_FORMAT"),
                }
            }
        )
    wanted = [f for f in FORMAT_ORDER if f in set(formats)]
    if not wanted:
        raise ValidationError({"formats": _("Choose at least one format.")})
    assert acting_user.organisation_id is not None
    with transaction.atomic():
        job = ReportJob.objects.create(
            organisation_id=acting_user.organisation_id,
            requested_by=acting_user,
            rule_set=rule_set,
            operation=operation,
            date_from=date_from,
            date_to=date_to,
            formats=wanted,
            language=get_language() or "fr",
            queued_at=timezone.now(),
        )
        record_audit_event(
            actor=acting_user,
            action=AuditEvent.Action.CREATE,
            obj=job,
            case_file=None,
            changes={
                "rule_set": rule_set,
                "operation": operation.reference if operation else None,
                "from": date_from.isoformat(),
                "to": date_to.isoformat(),
                "formats": wanted,
            },
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    """Send the job's task. Should the broker be unreachable, the job stays queued
    and the sweep (``report_jobs_sweep``) sends it again later: the lead's request
    has already been saved and is not lost."""
    from ..tasks import report_generate

    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            # In-process (the embedded default) no worker retries later: a transient
            # error fails the job at once, with its reason on the job's page.
            report_generate.apply(
                args=(job_id,), retries=report_generate.max_retries, throw=False
            )
        else:
            report_generate.delay(job_id)
    except TRANSIENT_ERRORS:
        logger.warning("report job %s not sent to the broker; the sweep will", job_id)


def _lease_end(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(seconds=settings.REPORT_JOB_LEASE_SECONDS)


def _progress(job_id: int, attempt: int, percent: int) -> None:
    ReportJob.objects.filter(
        pk=job_id, status=ReportJob.Status.RUNNING, attempts=attempt
    ).update(progress=percent)


def _test_delay() -> None:
    """Slows the rendering down for the worker-kill test (``.ci/worker_kill.py``):
    honoured only under DEBUG or the test settings, never in production."""
    delay = float(getattr(settings, "YT_REPORT_TEST_DELAY_SECONDS", 0) or 0)
    if delay > 0 and (
        settings.DEBUG or str(settings.SETTINGS_MODULE).endswith(".settings.test")
    ):
        time.sleep(delay)


def _interrupted_reason(job: ReportJob) -> str:
    with translation.override(job.language):
        return _(
            "The report was interrupted %(count)s times before it was finished (the "
            "background worker building it stopped). Ask for it again; if it stops "
            "again, tell your administrator."
        ) % {"count": job.attempts}


def _unavailable_reason(job: ReportJob, error: BaseException) -> str:
    with translation.override(job.language):
        return _(
            "The report could not be built: a service it needs stayed unavailable "
            "(%(error)s). Ask for it again later."
        ) % {"error": error.__class__.__name__}


def _claim(job_id: int, task_id: str | None) -> tuple[str, int]:
    """Claim the job for this run, as a lease. A queued job is claimed; so is a
    running one whose lease has ended (its worker died), or one claimed by this
    very task (a redelivery of the message whose worker was killed, or a retry).
    Returns ("claimed", attempt), ("skipped", 0) or ("failed", 0) when the job was
    interrupted too often."""
    now = timezone.now()
    takeable = Q(status=ReportJob.Status.QUEUED) | Q(
        status=ReportJob.Status.RUNNING, lease_expires_at__lt=now
    )
    if task_id:
        takeable |= Q(status=ReportJob.Status.RUNNING, claimed_by=task_id)
    claimed = ReportJob.objects.filter(
        takeable, pk=job_id, attempts__lt=settings.REPORT_JOB_MAX_ATTEMPTS
    ).update(
        status=ReportJob.Status.RUNNING,
        started_at=now,
        progress=5,
        attempts=F("attempts") + 1,
        claimed_by=task_id or "",
        lease_expires_at=_lease_end(now),
        failure_reason="",
    )
    if claimed:
        attempt = ReportJob.objects.values_list("attempts", flat=True).get(pk=job_id)
        return "claimed", attempt
    exhausted = ReportJob.objects.filter(takeable, pk=job_id).first()
    if exhausted is None:
        return "skipped", 0
    _fail(exhausted, _interrupted_reason(exhausted), only_if=takeable)
    return "failed", 0


def _fail(job: ReportJob, reason: str, *, only_if: Q | None = None) -> bool:
    """Mark the job failed with its reason (the job page shows it to the lead)."""
    done = ReportJob.objects.filter(only_if or Q(), pk=job.pk).update(
        status=ReportJob.Status.FAILED,
        failure_reason=reason[:2000],
        finished_at=timezone.now(),
        lease_expires_at=None,
    )
    if done:
        logger.warning("report job %s failed: %s", job.pk, reason[:200])
    return bool(done)


def report_job_run(*, job_id: int, task_id: str | None = None) -> str:
    """Claim the job (a lease: see ``_claim``; a second run of a job running or
    done does nothing), compute its figures in the asker's language and through
    their gate, render its files and keep them. Bad data or a programming error
    fails the job at once with its reason; a transient error (the database went
    away) is raised for the task to retry later with backoff."""
    state, attempt = _claim(job_id, task_id)
    if state != "claimed":
        return state
    job = ReportJob.objects.select_related(
        "operation", "organisation", "requested_by"
    ).get(pk=job_id)
    _discard_partial_files(job)
    try:
        with translation.override(job.language):
            result = report_compute(
                rule_set=job.rule_set,
                operation=job.operation,
                date_from=job.date_from,
                date_to=job.date_to,
                user=job.requested_by,
            )
            _progress(job.pk, attempt, 50)
            decorated = {**result, "organisation": str(job.organisation)}
            produced: list[tuple[str, bytes]] = []
            for index, fmt in enumerate(job.formats):
                _test_delay()
                renderer: Callable[[dict], bytes] = render.RENDERERS[fmt]
                data = renderer(result if fmt == "json" else decorated)
                produced.append((fmt, data))
                _progress(job.pk, attempt, 50 + 40 * (index + 1) // len(job.formats))
        _keep(job, attempt, result, produced)
    except _ClaimLost:
        return "skipped"
    except TRANSIENT_ERRORS:
        raise  # the task retries; its retry takes the job over (same task id)
    except Exception as error:  # the reason is kept and shown to the lead
        logger.exception("report job %s failed", job.pk)
        _fail(
            job,
            str(error)[:2000] or error.__class__.__name__,
            only_if=Q(status=ReportJob.Status.RUNNING, attempts=attempt),
        )
        return "failed"
    return "done"


def report_job_give_up(*, job_id: int, error: BaseException) -> None:
    """The task retried a transient error as often as it may: the job fails with a
    reason the lead understands (if even that cannot be written, the sweep will
    fail the job once its lease ends)."""
    job = ReportJob.objects.filter(pk=job_id).first()
    if job is not None:
        _fail(
            job,
            _unavailable_reason(job, error),
            only_if=Q(status__in=[ReportJob.Status.QUEUED, ReportJob.Status.RUNNING]),
        )


class _ClaimLost(Exception):
    """Another run took the job over (this run's lease had ended)."""


def job_folder(job: ReportJob) -> str:
    """The job's folder in the private storage: its id and when it was asked (ids
    start again in every test database, and the test runs share one storage)."""
    return f"reports/{job.pk}-{job.created_at:%Y%m%d%H%M%S%f}"


def _discard_partial_files(job: ReportJob) -> None:
    """Files an interrupted run of the job left (a worker killed between moving its
    files in place and committing): no row names them, nobody can download them."""
    folder = job_folder(job)
    if not evidence_storage.exists(folder):
        return
    kept = set(ReportFile.objects.filter(job=job).values_list("file", flat=True))
    for name in evidence_storage.listdir(folder)[1]:
        path = f"{folder}/{name}"
        if path not in kept:
            evidence_storage.delete(path)
            logger.info("report job %s: discarded the partial file %s", job.pk, name)


def _write_file(job: ReportJob, fmt: str, data: bytes) -> str:
    """Write the bytes under a temporary name, flush them to disk, then move them
    to their final name: a reader, or a worker killed meanwhile, never leaves a
    half-written file under a report's name."""
    name = f"{job_folder(job)}/{secrets.token_urlsafe(32)}.{fmt}"
    final = evidence_storage.path(name)
    os.makedirs(os.path.dirname(final), exist_ok=True)
    partial = f"{final}.part"
    try:
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(partial)
        raise
    return name


def _keep(
    job: ReportJob, attempt: int, result: dict, produced: list[tuple[str, bytes]]
) -> None:
    """The files and the figures of a done job, in one transaction that first marks
    the job done, only if this run still holds its claim (and locks its row until
    the commit: a run taking it over waits, then finds it done). Files written for
    a transaction that does not commit are removed."""
    written: list[str] = []
    try:
        with transaction.atomic():
            marked = ReportJob.objects.filter(
                pk=job.pk, status=ReportJob.Status.RUNNING, attempts=attempt
            ).update(
                status=ReportJob.Status.DONE,
                progress=100,
                finished_at=timezone.now(),
                result=result,
                parameters=result.get("parameters") or {},
                checksum=str(result.get("checksum") or ""),
                lease_expires_at=None,
            )
            if not marked:
                raise _ClaimLost
            for fmt, data in produced:
                name = _write_file(job, fmt, data)
                written.append(name)
                ReportFile.objects.create(
                    job=job, format=fmt, size=len(data), file=name
                )
    except BaseException:
        for name in written:
            with contextlib.suppress(OSError):
                evidence_storage.delete(name)
        raise


def report_jobs_sweep() -> dict[str, int]:
    """The periodic sweep (celery beat): a running job whose lease has ended (its
    worker died and no redelivery took it over) is queued again, or failed with its
    reason after ``REPORT_JOB_MAX_ATTEMPTS`` claims; a job queued for longer than a
    lease whose message was lost (the broker was down, or flushed) is sent again.
    Safe to run twice: every change is a conditional UPDATE."""
    now = timezone.now()
    counts = {"requeued": 0, "failed": 0, "resent": 0}
    expired = ReportJob.objects.filter(
        status=ReportJob.Status.RUNNING, lease_expires_at__lt=now
    )
    for job in expired.only("pk", "attempts", "language"):
        still = Q(
            status=ReportJob.Status.RUNNING,
            lease_expires_at__lt=now,
            attempts=job.attempts,
        )
        if job.attempts >= settings.REPORT_JOB_MAX_ATTEMPTS:
            counts["failed"] += _fail(job, _interrupted_reason(job), only_if=still)
            continue
        requeued = (
            ReportJob.objects.filter(still, pk=job.pk).update(
                status=ReportJob.Status.QUEUED,
                queued_at=now,
                progress=0,
                claimed_by="",
                lease_expires_at=None,
            )
            > 0
        )
        if requeued:
            counts["requeued"] += 1
            logger.warning("report job %s: lease ended, queued again", job.pk)
            _enqueue(job.pk)
    stale = now - datetime.timedelta(seconds=settings.REPORT_JOB_LEASE_SECONDS)
    forgotten = ReportJob.objects.filter(
        status=ReportJob.Status.QUEUED, queued_at__lt=stale
    ).values_list("pk", flat=True)
    for pk in list(forgotten):
        if ReportJob.objects.filter(
            pk=pk, status=ReportJob.Status.QUEUED, queued_at__lt=stale
        ).update(queued_at=now):
            counts["resent"] += 1
            _enqueue(pk)
    return counts


def report_file_record_download(*, report_file: ReportFile, acting_user: User) -> None:
    record_audit_event(
        actor=acting_user,
        action=AuditEvent.Action.DOWNLOAD,
        obj=report_file.job,
        case_file=None,
        changes={"format": report_file.format},
    )


def drill_down(*, job: ReportJob, code: str, gender: str | None, user: User) -> Any:
    """The participants a figure of the job counts, through ``user``'s gate (the
    engine applies the case-file gate of ``user``)."""
    from outcomes.indicators import engine

    if job.operation is None:
        raise Http404
    return engine.indicator_participants(
        rule_set=job.rule_set,
        operation=job.operation,
        date_from=job.date_from,
        date_to=job.date_to,
        code=code,
        gender=gender,
        user=user,
    )


def quality_problems(
    *,
    operation: Operation,
    date_from: datetime.date,
    date_to: datetime.date,
    user: User,
) -> list[dict[str, Any]]:
    """The participants with missing or inconsistent facts (the data-quality gate of
    ``outcomes.indicators.quality``), as many as ``user`` may open, each with its
    young person read through the same gate."""
    quality = import_module("outcomes.indicators.quality")
    issues = quality.quality_issues(
        operation=operation, date_from=date_from, date_to=date_to, user=user
    )
    files = case_selectors.case_file_list_for_user(user=user).filter(
        pk__in=[issue["case_file"] for issue in issues]
    )
    people = {
        case.pk: case.young_person for case in files.select_related("young_person")
    }
    return [
        {**issue, "young_person": people[issue["case_file"]]}
        for issue in issues
        if issue["case_file"] in people
    ]
