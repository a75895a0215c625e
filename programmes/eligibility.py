"""Whether a case file may be enrolled in a cohort, and if not why, in plain words.

Decisions (where the issue is silent):
- Age is the age in completed years on the cohort's start date: everyone in an edition
  is judged on the same day, whenever they were enrolled.
- A case file is one young person's path in one programme: it is enrolled only in
  cohorts of its own programme (funder figures count participants per programme).
- Target profiles come from the situation at entry recorded in the case file. A profile
  is "possible" when nothing recorded rules it out; the refusal comes only when none of
  the programme's profiles is possible (an empty list means every young person).
- A full cohort is not a refusal: the young person is offered the waiting list.
"""

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from youthtrack.models import CaseFile, age_on

from .models import Cohort, Enrolment, TargetProfile

Employment = CaseFile.EmploymentStatus
Education = CaseFile.Education

# The first ISCED level of higher education is 5; a pupil has not completed level 3.
UPPER_SECONDARY = 3


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def possible_profiles(case_file: CaseFile) -> set[str]:
    """The target profiles the situation at entry does not rule out."""
    employment = case_file.employment_status
    education = case_file.education
    isced = case_file.highest_diploma.isced_level_id
    not_employed = employment in (Employment.UNEMPLOYED, Employment.INACTIVE)
    in_school = education in (Education.FULL_TIME_STUDENT, Education.PART_TIME)
    profiles = set()
    if in_school and isced < UPPER_SECONDARY:
        profiles.add(TargetProfile.SECONDARY_PUPIL)
    if in_school and isced >= UPPER_SECONDARY:
        profiles.add(TargetProfile.HIGHER_EDUCATION_STUDENT)
    if not_employed and education in (Education.NONE, Education.TRAINING):
        profiles.add(TargetProfile.TRAINING_SEEKER)
    if employment == Employment.UNEMPLOYED:
        profiles.add(TargetProfile.JOB_SEEKER)
    if not_employed and education == Education.NONE:
        profiles.add(TargetProfile.NEET)
    return {str(profile) for profile in profiles}


def _short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def refusals(
    *,
    case_file: CaseFile,
    cohort: Cohort,
    current: Enrolment | None,
    today: datetime.date,
) -> list[Refusal]:
    """Every reason the case file cannot join the cohort (empty: it can, with a place
    or on the waiting list). ``current`` is its enrolment in the cohort, if any."""
    programme = cohort.programme
    reasons: list[Refusal] = []
    if current is not None:
        message = (
            _("Already on this cohort's waiting list.")
            if current.status == Enrolment.Status.WAITING
            else _("Already enrolled in this cohort.")
        )
        return [Refusal("already", message)]
    if cohort.end_date < today:
        reasons.append(
            Refusal(
                "ended",
                _("This cohort ended on %(date)s.") % {"date": _short(cohort.end_date)},
            )
        )
    if not case_file.is_open:
        reasons.append(Refusal("closed", _("The case file is closed.")))
    if case_file.programme_id != programme.pk:
        reasons.append(
            Refusal(
                "programme",
                _(
                    "This case file is for %(case_programme)s: open a %(programme)s "
                    "case file to enrol them in this cohort."
                )
                % {"case_programme": case_file.programme, "programme": programme},
            )
        )
    age = age_on(case_file.young_person.birth_date, cohort.start_date)
    bounds = {
        "age": age,
        "date": _short(cohort.start_date),
        "programme": programme,
        "min": programme.min_age,
        "max": programme.max_age,
    }
    if age > programme.max_age:
        reasons.append(
            Refusal(
                "too_old",
                _(
                    "Too old at entry: %(age)s on %(date)s, when the cohort starts; "
                    "%(programme)s accepts young people aged %(min)s to %(max)s."
                )
                % bounds,
            )
        )
    elif age < programme.min_age:
        reasons.append(
            Refusal(
                "too_young",
                _(
                    "Too young at entry: %(age)s on %(date)s, when the cohort starts; "
                    "%(programme)s accepts young people aged %(min)s to %(max)s."
                )
                % bounds,
            )
        )
    if programme.requires_actiris_registration and not case_file.registered_at_actiris:
        reasons.append(
            Refusal(
                "actiris",
                _(
                    "Not registered as a job seeker at Actiris, which %(programme)s "
                    "requires."
                )
                % {"programme": programme},
            )
        )
    targets = set(programme.target_profiles)
    if targets and not targets & possible_profiles(case_file):
        reasons.append(
            Refusal(
                "profile",
                _(
                    "Their situation at entry (%(employment)s; %(education)s) matches "
                    "none of the profiles %(programme)s is for: %(profiles)s."
                )
                % {
                    "employment": case_file.get_employment_status_display(),
                    "education": case_file.get_education_display(),
                    "programme": programme,
                    "profiles": ", ".join(programme.get_target_profiles_display()),
                },
            )
        )
    return reasons
