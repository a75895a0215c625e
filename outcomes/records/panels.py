"""The outcomes' parts of the case page and of the dashboard (``youthtrack.panels``)."""

from django.http import HttpRequest

from youthtrack.models import CaseFile
from youthtrack.panels import case_permissions

from . import selectors


def case_outcomes_context(*, request: HttpRequest, case_file: CaseFile) -> dict:
    return {
        "outcomes": selectors.outcome_list_for_case_file(case_file=case_file),
        "exit_follow_ups": selectors.follow_up_list_for_case_file(case_file=case_file),
        "can_record_outcome": case_permissions(request, case_file).can_record_outcome,
    }


def dashboard_follow_ups_context(*, request: HttpRequest) -> dict | None:
    user = request.user
    if not getattr(user, "works_on_cases", False):
        return None
    return selectors.follow_ups_dashboard_for_advisor(user=user)  # type: ignore[arg-type]
