"""The case page's distance-travelled and action-plan panels, and the cohort page's
summary (``youthtrack.panels``)."""

from programmes.models import Cohort
from youthtrack.http import AuthenticatedHttpRequest
from youthtrack.models import CaseFile
from youthtrack.panels import case_permissions

from ..models import Assessment
from . import selectors
from .chart import build_chart


def distance_travelled_context(
    *, request: AuthenticatedHttpRequest, case_file: CaseFile
) -> dict:
    assessments = selectors.assessments_by_moment(case_file=case_file)
    return {
        "chart": build_chart(assessments),
        "moments": [
            (moment, label, assessments.get(moment))
            for moment, label in Assessment.Moment.choices
        ],
        "can_record": case_permissions(request, case_file).can_record_outcome,
    }


def goals_context(*, request: AuthenticatedHttpRequest, case_file: CaseFile) -> dict:
    return {
        "goals": selectors.goal_list(case_file=case_file),
        "can_record": case_permissions(request, case_file).can_record_outcome,
    }


def cohort_progress_context(
    *, request: AuthenticatedHttpRequest, cohort: Cohort
) -> dict:
    return {"progress": selectors.cohort_progress(user=request.user, cohort=cohort)}
