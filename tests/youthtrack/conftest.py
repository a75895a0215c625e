"""Fixtures of the youthtrack tests: one user per role, a case file with personal data
that must never reach someone who may not see it, and clients in each language."""

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

from tests.factories import CaseFileFactory, NoteFactory, UserFactory, reference
from youthtrack.models import CaseFile, Note, Organisation


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """French is the default language: make sure Django serves the catalogues."""
    call_command("compile_translations", quiet=True)
    translation_file_changed(sender=None, file_path=Path("django.mo"))


@pytest.fixture(autouse=True)
def reproducible_factories(request):
    """Each test draws the same "random" people on every run (dates move with today)."""
    factory.random.reseed_random(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture
def english():
    """Messages in English (the interface defaults to French)."""
    with translation.override("en"):
        yield


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def cdm(db) -> Organisation:
    return Organisation.objects.get(code="cdm")


@pytest.fixture
def actiris(db) -> Organisation:
    return Organisation.objects.get(code="actiris")


@pytest.fixture
def advisor(cdm):
    return UserFactory(
        username="sarah", first_name="Sarah", last_name="Janssens", organisation=cdm
    )


@pytest.fixture
def colleague(cdm):
    return UserFactory(
        username="karim", first_name="Karim", last_name="El Idrissi", organisation=cdm
    )


@pytest.fixture
def lead(cdm):
    return UserFactory(
        username="nadia", first_name="Nadia", last_name="Lambert", lead=True
    )


@pytest.fixture
def other_advisor(actiris):
    return UserFactory(
        username="thomas", first_name="Thomas", last_name="Claes", organisation=actiris
    )


@pytest.fixture
def partner(actiris):
    return UserFactory(
        username="lotte", first_name="Lotte", last_name="Peeters", partner=True
    )


@pytest.fixture
def administrator(cdm):
    return UserFactory(
        username="admin", first_name="Admin", last_name="CDM", admin=True
    )


@pytest.fixture
def user_for(request, db):
    """The user of a role name (see helpers.ROLES); None for an anonymous visitor.
    (``db`` is asked for here so that pytest-django counts every test that signs in
    as a database test, and runs it before the transactional ones, which empty the
    tables.)"""

    def get(role: str):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


@pytest.fixture
def case_file(advisor) -> CaseFile:
    """An active CDM case file kept by ``advisor``; its personal data is distinctive so
    that a test can tell whether it leaked into a page."""
    return CaseFileFactory(
        active=True,
        advisor=advisor,
        programme=reference.programme("youth-cdm"),
        young_person__first_name="Mélodie",
        young_person__last_name="Vandersmissen",
        young_person__phone="0470 12 34 56",
        young_person__email="melodie.vandersmissen@example.net",
        young_person__age=20,
    )


@pytest.fixture
def note(case_file) -> Note:
    """A note the organisation sees, written by the advisor in charge."""
    return NoteFactory(
        case_file=case_file,
        topic="Entretien confidentiel",
        text="Elle évoque des difficultés de logement chez sa tante à Jette.",
        visibility=Note.Visibility.ORGANISATION,
    )


def _pass_second_factor(client, user) -> None:
    """Roles that must set up two-factor authentication see nothing else until they
    have: sign in as one who has (a confirmed TOTP device, verified in the session)."""
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


def sign_in(client, user) -> None:
    """``force_login`` (an authentication backend may need the request) and, where
    the role requires it, the second factor."""
    client.force_login(user)
    _pass_second_factor(client, user)


def _client(client, language: str):
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def client_en(client):
    """A browser whose user chose English (the interface defaults to French)."""
    return _client(client, "en")


@pytest.fixture
def client_as(client_en, user_for):
    """``client_as("lead")``: an English-speaking client signed in with that role."""

    def signed_in(role: str):
        user = user_for(role)
        if user is not None:
            sign_in(client_en, user)
        return client_en

    return signed_in
