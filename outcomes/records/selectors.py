"""Reads of outcomes and follow-ups, always through the case file's gate."""

import datetime

from django.db import connections
from django.db.models import (
    Case,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from youthtrack.models import CaseFile, User
from youthtrack.pagination import key_in_array
from youthtrack.selectors import DASHBOARD_COUNT_LIMIT

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


def _open_for_advisor(user: User) -> QuerySet[FollowUp]:
    """The open follow-ups of the files the user is in charge of in their own
    organisation (which the gate lets them see, as the dashboard's own lists), read
    by the follow-up's copy of its file's advisor on ``followup_open_by_advisor``:
    from the advisor's files, PostgreSQL read every file of the caseload (53,000 of
    ``advisor.busy``, 270 ms at 100,000 young people for 10 shown); through the
    gate's condition, with its shared files, every open follow-up of the table."""
    return _copied_for(user).filter(
        case_file__owner_organisation_id=user.organisation_id
    )


def _copied_for(user: User) -> QuerySet[FollowUp]:
    """The open follow-ups that name the user as their file's advisor, read on the
    index alone (the file's organisation, checked by ``_open_for_advisor``, is that of
    its advisor but for an advisor moved since to another organisation)."""
    if not user.works_on_cases or user.organisation_id is None:
        return FollowUp.objects.none()
    return FollowUp.objects.filter(advisor_id=user.pk, answered_on__isnull=True)


def follow_ups_open_for_advisor(*, user: User) -> QuerySet[FollowUp]:
    """The user's open follow-ups (``_open_for_advisor``), due today first, then
    overdue (oldest first), then the coming ones by date."""
    today = timezone.localdate()
    return (
        _open_for_advisor(user)
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


class _BoundedCount(Subquery):
    """``(SELECT COUNT(*) FROM (rows LIMIT n))``: a count that stops reading at the
    subquery's limit."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def follow_ups_dashboard_for_advisor(*, user: User) -> dict:
    """Due today, overdue and due in the coming week, bounded; two queries whatever
    the caseload: the rows, and both counts (the week's, and all open ones for the
    "see all" link), each exact up to ``count_limit`` and ``count_limit + 1`` past
    it ("more than"), read on the index alone (``_copied_for``)."""
    today = timezone.localdate()
    week_end = today + datetime.timedelta(days=7)
    mine = follow_ups_open_for_advisor(user=user)
    due = mine.filter(due_on__lte=week_end)
    if connections[due.db].vendor == "postgresql":
        # The first rows of today, of the overdue and of the coming week, each read
        # in the order of ``followup_open_by_advisor`` (advisor, due date): ordered
        # by their rank, PostgreSQL sorted all the advisor's open follow-ups.
        by_date = _copied_for(user).order_by("due_on", "pk")
        parts = [
            by_date.filter(condition).values("pk")[:DASHBOARD_ROWS]
            for condition in (
                Q(due_on=today),
                Q(due_on__lt=today),
                Q(due_on__gt=today, due_on__lte=week_end),
            )
        ]
        due = mine.filter(key_in_array(parts[0].union(*parts[1:], all=True)))
    limit = DASHBOARD_COUNT_LIMIT + 1
    copied = _copied_for(user).order_by()
    counts = (
        User.objects.filter(pk=user.pk)
        .order_by()
        .values(
            week=_BoundedCount(
                copied.filter(due_on__lte=week_end).values("pk")[:limit]
            ),
            all=_BoundedCount(copied.values("pk")[:limit]),
        )
        .first()
    ) or {"week": 0, "all": 0}
    return {
        "follow_ups": list(due[:DASHBOARD_ROWS]),
        "follow_ups_total": counts["week"],
        "all_open_count": counts["all"],
        "count_limit": DASHBOARD_COUNT_LIMIT,
        "today": today,
    }
