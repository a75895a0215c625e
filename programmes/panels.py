"""The programmes app's panels on pages youthtrack composes (``youthtrack.panels``)."""

from django.utils import timezone

from youthtrack.fields import parse_day
from youthtrack.http import AuthenticatedHttpRequest
from youthtrack.models import CaseFile

from . import access, selectors


def case_enrolments_context(
    *, request: AuthenticatedHttpRequest, case_file: CaseFile
) -> dict:
    """The case file's enrolments with attendance and completion; the case file has
    already been reached through its gate by the page that shows it."""
    return {
        "entries": selectors.enrolment_list_for_case_file(
            user=request.user, case_file=case_file
        ),
        "can_enrol": access.can_enrol(request.user, case_file),
    }


def dashboard_week_context(*, request: AuthenticatedHttpRequest) -> dict | None:
    """The advisor's week on the dashboard: their appointments (next follow-ups) and
    their cohorts' sessions; ``?week=`` a day of the week to show."""
    user = request.user
    if not getattr(user, "works_on_cases", False):
        return None
    value = request.GET.get("week")
    day = parse_day(value, timezone.localdate()) if value else None
    return {
        "week": selectors.advisor_week(user=user, day=day),
        "today": timezone.localdate(),
    }
