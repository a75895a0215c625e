"""Reads of distance travelled and goals. Each is reached through its case file, which
the caller has already taken through the case-file gate (404 otherwise)."""

import statistics
from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet
from django.http import Http404

from programmes.access import counted_participants_q
from programmes.models import Cohort, Enrolment
from youthtrack.models import CaseFile, User

from ..models import SCALES, Assessment, Goal

MOMENTS = [moment for moment, _label in Assessment.Moment.choices]


def scale_label(name: str) -> str:
    field = Assessment._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.verbose_name)


def assessments_by_moment(*, case_file: CaseFile) -> dict[str, Assessment]:
    return {a.moment: a for a in case_file.assessments.all()}


def assessment_get(*, case_file: CaseFile, moment: str) -> Assessment | None:
    """The assessment of a moment of a case file (``None``: not taken yet); a moment
    that does not exist is a page that does not exist."""
    if moment not in MOMENTS:
        raise Http404
    return case_file.assessments.filter(moment=moment).first()


def goal_list(*, case_file: CaseFile) -> QuerySet[Goal]:
    return case_file.goals.all()


def goal_get(*, case_file: CaseFile, pk: int) -> Goal:
    goal = case_file.goals.filter(pk=pk).first()
    if goal is None:
        raise Http404
    return goal


@dataclass(frozen=True)
class ScaleChange:
    name: str
    label: str
    median: float | None  # median change between entry and the latest moment


@dataclass(frozen=True)
class CohortProgress:
    counted: int  # participants with an entry and a later assessment
    scales: list[ScaleChange]


def cohort_progress(*, user: User, cohort: Cohort) -> CohortProgress:
    """Median change per scale between entry and each participant's latest moment,
    over the cohort's participants the user may count (``counted_participants_q``).
    The medians are worked out in Python over the cohort's few dozen rows: SQLite has
    no median, and a cohort is small."""
    case_file_ids = (
        Enrolment.objects.filter(cohort=cohort)
        .exclude(status=Enrolment.Status.WAITING)
        .filter(counted_participants_q(user, cohort="cohort__"))
        .values("case_file_id")
    )
    by_case: dict[int, dict[str, Assessment]] = {}
    for assessment in Assessment.objects.filter(case_file_id__in=case_file_ids):
        by_case.setdefault(assessment.case_file_id, {})[assessment.moment] = assessment
    changes: dict[str, list[int]] = {name: [] for name in SCALES}
    counted = 0
    for moments in by_case.values():
        entry = moments.get(Assessment.Moment.ENTRY)
        later = next((moments[m] for m in reversed(MOMENTS[1:]) if m in moments), None)
        if entry is None or later is None:
            continue
        counted += 1
        for name in SCALES:
            changes[name].append(getattr(later, name) - getattr(entry, name))
    return CohortProgress(
        counted=counted,
        scales=[
            ScaleChange(
                name,
                scale_label(name),
                statistics.median(changes[name]) if changes[name] else None,
            )
            for name in SCALES
        ],
    )
