"""Cohorts, sessions, enrolments, attendance and walk-ins.

``CohortFactory()`` is an Uppercut edition at the CDM starting today, 11 places;
``SessionFactory(cohort=...)`` a morning workshop of its first phase that counts for
completion; ``EnrolmentFactory(cohort=...)`` enrols an eligible case file of the
cohort's programme (a young job seeker, registered at Actiris)."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from programmes.models import (
    ActivityType,
    Attendance,
    Cohort,
    Enrolment,
    Session,
    WalkIn,
)
from youthtrack.models import CaseFile

from . import reference
from .cases import CaseFileFactory
from .organisations import UserFactory, cdm


def _counting_phase(cohort: Cohort):
    phases = list(cohort.programme.phases.all())
    counting = [p for p in phases if p.counts_for_completion]
    return (counting or phases or [None])[0]


def at(day: datetime.date, hour: int = 9, minute: int = 30) -> datetime.datetime:
    """A local (Brussels) time on a day."""
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


class CohortFactory(DjangoModelFactory):
    class Meta:
        model = Cohort
        skip_postgeneration_save = True

    programme = factory.LazyFunction(lambda: reference.programme("uppercut"))
    name = factory.Sequence(lambda n: f"Uppercut — édition {n}")
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyAttribute(
        lambda o: o.start_date + datetime.timedelta(days=90)
    )
    capacity = 11
    owner_organisation = cdm()
    created_by = factory.SubFactory(
        UserFactory,
        lead=True,
        organisation=factory.SelfAttribute("..owner_organisation"),
    )

    @factory.post_generation
    def advisors(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.advisors.set(extracted)

    @factory.post_generation
    def partners(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.partners.set(extracted)


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session

    cohort = factory.SubFactory(CohortFactory)
    phase = factory.LazyAttribute(lambda o: _counting_phase(o.cohort))
    activity_type = factory.LazyFunction(
        lambda: ActivityType.objects.get(code="workshop")
    )
    title = ""
    theme = "work"
    language = "fr"
    mode = "in_person"
    organiser = factory.SelfAttribute("cohort.owner_organisation")
    place = "Cité des métiers, 4e étage"
    link = ""
    starts_at = factory.LazyAttribute(lambda o: at(o.cohort.start_date))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=3))
    created_by = factory.SelfAttribute("cohort.created_by")


class EligibleCaseFileFactory(CaseFileFactory):
    """An open case file whose situation fits every programme of the fixtures: a
    young job seeker, registered at Actiris, not in education."""

    status = CaseFile.Status.ACTIVE
    young_person__age = 22
    employment_status = CaseFile.EmploymentStatus.UNEMPLOYED
    education = CaseFile.Education.NONE
    registered_at_actiris = True
    unemployed_since = None


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    cohort = factory.SubFactory(CohortFactory)
    case_file = factory.SubFactory(
        EligibleCaseFileFactory,
        programme=factory.SelfAttribute("..cohort.programme"),
        owner_organisation=factory.SelfAttribute("..cohort.owner_organisation"),
    )
    status = Enrolment.Status.ENROLLED
    requested_at = factory.LazyFunction(timezone.now)
    enrolled_at = factory.LazyAttribute(
        lambda o: o.requested_at if o.status == Enrolment.Status.ENROLLED else None
    )
    created_by = factory.LazyAttribute(
        lambda o: o.case_file.advisor or o.case_file.created_by
    )


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    case_file = factory.SubFactory(
        EligibleCaseFileFactory,
        programme=factory.SelfAttribute("..session.cohort.programme"),
    )
    status = Attendance.Status.PRESENT
    presence = factory.LazyAttribute(
        lambda o: Attendance.Presence.ON_SITE if o.status in Attendance.ATTENDED else ""
    )
    recorded_by = factory.SelfAttribute("session.created_by")
    updated_by = factory.SelfAttribute("recorded_by")


class WalkInFactory(DjangoModelFactory):
    class Meta:
        model = WalkIn

    session = factory.SubFactory(SessionFactory)
    first_name = factory.Faker("first_name", locale="fr_BE")
    age_band = WalkIn.AgeBand.A18_24
    commune = factory.LazyFunction(lambda: reference.commune("21004"))
    gender = factory.LazyFunction(lambda: reference.gender("female"))
    presence = Attendance.Presence.ON_SITE
    organisation = factory.SelfAttribute("session.organiser")
    recorded_by = factory.SelfAttribute("session.created_by")
