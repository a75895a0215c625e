"""Reads of outcomes and follow-ups, always through the case file's gate."""

import datetime

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from youthtrack.models import CaseFile, User

from ..models import FollowUp, Outcome

DASHBOARD_ROWS = 10


def outcome_list_for_case_file(*, case_file: CaseFile) -> QuerySet[Outcome]:
    """Outcomes of a case file the user already reached through its gate."""
    return case_file.outcomes.select_related("recorded_by")


def outcome_get_for_case_file(*, case_file: CaseFile, pk: int) -> Outcome:
    """An outcome by its case file (reached through the gate), never by id alone."""
    try:
        return case_file.outcomes.get(pk=pk)
    except Outcome.DoesNotExist:
        raise Http404 from None


def follow_up_list_for_case_file(*, case_file: CaseFile) -> QuerySet[FollowUp]:
    return case_file.exit_follow_ups.select_related("answered_by", "outcome")


def follow_up_get_for_case_file(*, case_file: CaseFile, pk: int) -> FollowUp:
    try:
        return case_file.exit_follow_ups.select_related("case_file").get(pk=pk)
    except FollowUp.DoesNotExist:
        raise Http404 from None


def follow_ups_open_for_advisor(*, user: User) -> QuerySet[FollowUp]:
    """The open follow-ups of the files the user is in charge of in their own
    organisation (which the gate lets them see, as the dashboard's own lists), due
    today first, then overdue (oldest first), then the coming ones by date. Read from
    the advisor's files, by their index, then their follow-ups by case file: the
    gate's condition, with its shared files, made PostgreSQL read every open
    follow-up of the table (20,000 rows at 100,000 young people for 14 shown)."""
    if not user.works_on_cases or user.organisation_id is None:
        return FollowUp.objects.none()
    today = timezone.localdate()
    return (
        FollowUp.objects.filter(
            case_file__advisor_id=user.pk,
            case_file__owner_organisation_id=user.organisation_id,
            answered_on__isnull=True,
        )
        .annotate(
            rank=Case(
                When(due_on=today, then=Value(0)),
                When(due_on__lt=today, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .select_related("case_file__young_person", "case_file__programme")
        .order_by("rank", "due_on", "pk")
    )


def follow_ups_dashboard_for_advisor(*, user: User) -> dict:
    """Due today, overdue and due in the coming week, bounded; two queries: the
    rows, and both counts in one aggregate (the week's, and all open ones for the
    "see all" link)."""
    today = timezone.localdate()
    week_end = today + datetime.timedelta(days=7)
    mine = follow_ups_open_for_advisor(user=user)
    counts = mine.order_by().aggregate(
        week=Count("pk", filter=Q(due_on__lte=week_end)), all=Count("pk")
    )
    return {
        "follow_ups": list(mine.filter(due_on__lte=week_end)[:DASHBOARD_ROWS]),
        "follow_ups_total": counts["week"],
        "all_open_count": counts["all"],
        "today": today,
    }
