"""Fixtures of the programmes tests: the people of a co-run Uppercut cohort and its
intensive fortnight, already held.

Who is who:
- ``lead``, ``advisor``, ``colleague``: CDM, the organisation in charge of the cohort.
- ``actiris_advisor``: an advisor of Actiris, one of the cohort's organising partners,
  who enrols her own case files in it.
- ``partner``: Actiris partner staff (sees only what is shared with Actiris).
- ``fwb_partner``: partner staff of the Fédération Wallonie-Bruxelles, which organises
  one session of the cohort (a co-run session) and is shared one case file.
- ``outsider``: an advisor of VDAB, nothing to do with the cohort.
- ``administrator``: manages reference data, sees no participant.
"""

import datetime
import zlib
from pathlib import Path

import factory.random
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation.reloader import translation_file_changed

from programmes.models import Cohort, Programme, Session
from tests.factories import (
    CohortFactory,
    EligibleCaseFileFactory,
    EnrolmentFactory,
    SessionFactory,
    UserFactory,
)
from tests.factories.programmes import at
from youthtrack import services as case_services
from youthtrack.models import CaseFile, Consent, Organisation, Share, User

INTENSIVE_SESSIONS = 10


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    call_command("compile_translations", quiet=True)
    translation_file_changed(sender=None, file_path=Path("django.mo"))


@pytest.fixture(autouse=True)
def reproducible_factories(request):
    factory.random.reseed_random(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


@pytest.fixture
def cdm(db) -> Organisation:
    return org("cdm")


@pytest.fixture
def actiris(db) -> Organisation:
    return org("actiris")


@pytest.fixture
def fwb(db) -> Organisation:
    return org("fwb")


@pytest.fixture
def uppercut(db) -> Programme:
    return Programme.objects.get(code="uppercut")


@pytest.fixture
def lead(cdm) -> User:
    return UserFactory(
        username="nadia", first_name="Nadia", last_name="Lambert", lead=True
    )


@pytest.fixture
def advisor(cdm) -> User:
    return UserFactory(
        username="sarah", first_name="Sarah", last_name="Janssens", organisation=cdm
    )


@pytest.fixture
def colleague(cdm) -> User:
    return UserFactory(
        username="karim", first_name="Karim", last_name="El Idrissi", organisation=cdm
    )


@pytest.fixture
def actiris_advisor(actiris) -> User:
    return UserFactory(
        username="thomas", first_name="Thomas", last_name="Claes", organisation=actiris
    )


@pytest.fixture
def partner(actiris) -> User:
    return UserFactory(
        username="lotte", first_name="Lotte", last_name="Peeters", partner=True
    )


@pytest.fixture
def fwb_partner(fwb) -> User:
    return UserFactory(
        username="chloe",
        first_name="Chloé",
        last_name="Dubois",
        role=User.Role.PARTNER,
        organisation=fwb,
    )


@pytest.fixture
def outsider(db) -> User:
    return UserFactory(
        username="jan", first_name="Jan", last_name="Maes", organisation=org("vdab")
    )


@pytest.fixture
def administrator(cdm) -> User:
    return UserFactory(
        username="admin", first_name="Admin", last_name="CDM", admin=True
    )


def sign_in(client, user: User) -> None:
    """``force_login``, plus the second factor for the roles that require one."""
    client.force_login(user)
    if user.role not in getattr(settings, "TWO_FACTOR_REQUIRED_ROLES", []):
        return
    if not apps.is_installed("django_otp"):
        return
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def user_for(request):
    def get(role: str):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


@pytest.fixture
def cohort(lead, advisor, actiris, uppercut, today) -> Cohort:
    """Uppercut at the CDM, 11 places, started four weeks ago, co-run with Actiris."""
    return CohortFactory(
        programme=uppercut,
        name="Uppercut — printemps",
        start_date=today - datetime.timedelta(days=28),
        end_date=today + datetime.timedelta(days=60),
        capacity=11,
        created_by=lead,
        advisors=[advisor],
        partners=[actiris],
    )


def weekdays(start: datetime.date, count: int) -> list[datetime.date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


@pytest.fixture
def intensive(cohort) -> list[Session]:
    """The intensive fortnight: ten morning sessions, all held (in the past)."""
    return [
        SessionFactory(cohort=cohort, starts_at=at(day))
        for day in weekdays(cohort.start_date, INTENSIVE_SESSIONS)
    ]


@pytest.fixture
def enrol(cohort, advisor):
    """``enrol(n)``: n CDM case files enrolled in the cohort (kept by ``advisor``)."""

    def make(n: int = 1, **kwargs):
        kwargs.setdefault("case_file__advisor", advisor)
        return [EnrolmentFactory(cohort=cohort, **kwargs) for _ in range(n)]

    return make


@pytest.fixture
def cdm_case(advisor, uppercut) -> CaseFile:
    """An eligible Uppercut case file of the CDM with a distinctive name."""
    return EligibleCaseFileFactory(
        programme=uppercut,
        advisor=advisor,
        young_person__first_name="Mélodie",
        young_person__last_name="Vandersmissen",
    )


@pytest.fixture
def actiris_case(actiris_advisor, actiris, uppercut) -> CaseFile:
    return EligibleCaseFileFactory(
        programme=uppercut,
        owner_organisation=actiris,
        advisor=actiris_advisor,
        young_person__first_name="Yusuf",
        young_person__last_name="Achterberg",
        young_person__created_by_organisation=actiris,
    )


def share(case_file: CaseFile, *, owner: User, partner_user: User) -> Share:
    """Share a case file with the partner user's organisation, as the owner would:
    consent recorded, sharing proposed, sharing accepted."""
    today = timezone.localdate()
    case_services.consent_record(
        case_file=case_file,
        acting_user=owner,
        data={
            "purpose": Consent.Purpose.SHARING,
            "partner": partner_user.organisation,
            "scope": "Suivi Uppercut",
            "given_by": Consent.GivenBy.YOUNG_PERSON,
            "given_on": today,
        },
    )
    proposed = case_services.case_file_share(
        case_file=case_file,
        acting_user=owner,
        partner=partner_user.organisation,
        purpose="Activités collectives co-organisées",
        scope=Share.Scope.VIEW,
    )
    return case_services.share_accept(share=proposed, acting_user=partner_user)
