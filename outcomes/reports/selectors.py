"""Reads of report jobs: a project lead sees their organisation's jobs; anyone else
is refused (403); another organisation's job answers 404."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from youthtrack.models import Operation, User

from ..models import ReportFile, ReportJob
from .services import can_ask_for_reports


def report_jobs_for_user(*, user: User) -> QuerySet[ReportJob]:
    """The organisation's reports on the programmes the lead leads (as they may only
    ask for those): a report's figures count participants of every organisation in
    the operation, which a lead of other programmes has no reason to see."""
    if not can_ask_for_reports(user):
        raise PermissionDenied
    assert user.organisation_id is not None
    # The yearly activity figures have no operation: anonymous figures of the whole
    # organisation, for each of its leads.
    return ReportJob.objects.filter(
        Q(operation__isnull=True)
        | Q(operation__programme__in=user.programmes_led.values("pk")),
        organisation_id=user.organisation_id,
    ).select_related("operation", "requested_by")


def report_job_get_for_user(*, user: User, pk: int) -> ReportJob:
    try:
        return report_jobs_for_user(user=user).get(pk=pk)
    except ReportJob.DoesNotExist:
        raise Http404 from None


def report_file_get_for_job(*, job: ReportJob, fmt: str) -> ReportFile:
    try:
        return job.files.get(format=fmt)
    except ReportFile.DoesNotExist:
        raise Http404 from None


def operations_led_by(*, user: User) -> QuerySet[Operation]:
    return Operation.objects.filter(
        programme__in=user.programmes_led.values("pk")
    ).select_related("programme")
