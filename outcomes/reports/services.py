"""Report jobs: asked for by a project lead, computed and rendered by a Celery task,
kept as produced (figures, parameters, checksum and files)."""

import datetime
import logging
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from youthtrack import selectors as case_selectors
from youthtrack.audit import record_audit_event
from youthtrack.models import AuditEvent, Operation, User

from ..models import ReportFile, ReportJob
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
    from ..tasks import report_generate

    report_generate.delay(job_id)


def _progress(job_id: int, percent: int) -> None:
    ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.RUNNING).update(
        progress=percent
    )


def report_job_run(*, job_id: int) -> str:
    """Claim the job (a conditional UPDATE: a second run, or a run of a job already
    done, does nothing), compute its figures in the asker's language and through
    their gate, render its files and keep them. A failure is kept with its reason."""
    claimed = ReportJob.objects.filter(
        pk=job_id, status=ReportJob.Status.QUEUED
    ).update(status=ReportJob.Status.RUNNING, started_at=timezone.now(), progress=5)
    if not claimed:
        return "skipped"
    job = ReportJob.objects.select_related(
        "operation", "organisation", "requested_by"
    ).get(pk=job_id)
    try:
        with translation.override(job.language):
            result = report_compute(
                rule_set=job.rule_set,
                operation=job.operation,
                date_from=job.date_from,
                date_to=job.date_to,
                user=job.requested_by,
            )
            _progress(job.pk, 50)
            decorated = {**result, "organisation": str(job.organisation)}
            produced: list[tuple[str, bytes]] = []
            for index, fmt in enumerate(job.formats):
                renderer: Callable[[dict], bytes] = render.RENDERERS[fmt]
                data = renderer(result if fmt == "json" else decorated)
                produced.append((fmt, data))
                _progress(job.pk, 50 + 40 * (index + 1) // len(job.formats))
        _keep(job, result, produced)
    except Exception as error:  # the reason is kept and shown to the lead
        logger.exception("report job %s failed", job.pk)
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.FAILED,
            failure_reason=str(error)[:2000] or error.__class__.__name__,
            finished_at=timezone.now(),
        )
        return "failed"
    return "done"


@transaction.atomic
def _keep(job: ReportJob, result: dict, produced: list[tuple[str, bytes]]) -> None:
    """The files and the figures of a done job, in one transaction."""
    for fmt, data in produced:
        report_file = ReportFile(job=job, format=fmt, size=len(data))
        report_file.file.save(f"report.{fmt}", ContentFile(data), save=False)
        report_file.save()
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.DONE,
        progress=100,
        finished_at=timezone.now(),
        result=result,
        parameters=result.get("parameters") or {},
        checksum=str(result.get("checksum") or ""),
    )


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
