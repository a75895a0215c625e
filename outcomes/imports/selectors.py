"""Reads of import runs: a lead sees the runs of their organisation in the list, and
opens only their own (the page of a run shows the problems quoted from their file)."""

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404

from youthtrack.models import Organisation, User

from ..models import ImportRun


def import_runs_recent(*, organisation: Organisation) -> QuerySet[ImportRun]:
    return (
        ImportRun.objects.filter(organisation=organisation)
        .select_related("user")
        .defer("content", "problems", "counts")[:10]
    )


def import_run_get_for_user(*, user: User, pk: int) -> ImportRun:
    if user.organisation_id is None:
        raise Http404
    run = (
        ImportRun.objects.filter(pk=pk, user=user, organisation=user.organisation_id)
        .defer("content")
        .annotate(
            content_kept=ExpressionWrapper(
                Q(content__isnull=False), output_field=BooleanField()
            )
        )
        .first()
    )
    if run is None:
        raise Http404
    return run
