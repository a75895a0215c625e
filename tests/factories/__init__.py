"""factory-boy factories. They read the reference rows (genders, communes, diplomas,
channels, programmes, organisations) from the database: load the fixtures first
(``manage.py load_reference_data``; the test suite does it once per session)."""

from outcomes.demo.profiles import DEMO_PASSWORD

from .cases import CaseFileFactory, ConsentFactory, NoteFactory
from .organisations import OrganisationFactory, ProgrammeFactory, UserFactory
from .people import YoungPersonFactory

__all__ = [
    "DEMO_PASSWORD",
    "CaseFileFactory",
    "ConsentFactory",
    "NoteFactory",
    "OrganisationFactory",
    "ProgrammeFactory",
    "UserFactory",
    "YoungPersonFactory",
]

# Programmes, cohorts, sessions, enrolments, attendance, walk-ins.
from .programmes import (  # noqa: E402
    AttendanceFactory,
    CohortFactory,
    EligibleCaseFileFactory,
    EnrolmentFactory,
    SessionFactory,
    WalkInFactory,
)

__all__ += [
    "AttendanceFactory",
    "CohortFactory",
    "EligibleCaseFileFactory",
    "EnrolmentFactory",
    "SessionFactory",
    "WalkInFactory",
]
