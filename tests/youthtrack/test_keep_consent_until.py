"""The case file's copy of its consent to keep it (``keep_consent_until``): kept by
every consent recorded or withdrawn, compared with today for expiries, filled by the
migration, and the dashboard's files without consent read from it list exactly the
files the consents themselves say."""

import datetime
import importlib

import pytest
from django.db import connection

from tests.factories import CaseFileFactory
from youthtrack import selectors
from youthtrack.filters import keep_consent_in_force
from youthtrack.models import (
    KEEP_CONSENT_NO_EXPIRY,
    CaseFile,
    Consent,
    User,
    keep_consent_refresh,
)
from youthtrack.services.consent import consent_record, consent_withdraw

from .sharing_helpers import make_case, make_user, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner() -> User:
    return make_user("sarah", org_code="cdm")


def _case(advisor: User, name: str = "Jeune") -> CaseFile:
    return make_case(
        advisor=advisor, first_name=name, last_name="Suivi", phone="", email=""
    )


def _consent(case: CaseFile, by: User, **data) -> Consent:
    return consent_record(
        case_file=case,
        acting_user=by,
        data={
            "purpose": Consent.Purpose.DATA_PROCESSING,
            "given_by": Consent.GivenBy.YOUNG_PERSON,
            "given_on": today() - datetime.timedelta(days=30),
            **data,
        },
    )


def _until(case: CaseFile) -> datetime.date | None:
    return CaseFile.objects.values_list("keep_consent_until", flat=True).get(pk=case.pk)


def _old_definition(user: User) -> list[int]:
    """The dashboard's list as it was read before the copy: every open file of the
    user checked against its consents."""
    return list(
        selectors.my_open_case_files(user)
        .exclude(keep_consent_in_force(today()))
        .order_by("entry_date", "pk")
        .values_list("pk", flat=True)
    )


def _listed(user: User) -> list[int]:
    return list(
        selectors.case_files_without_consent(user=user).values_list("pk", flat=True)
    )


def test_the_copy_follows_the_consents_recorded_and_withdrawn(owner):
    case = _case(owner)
    assert _until(case) is None
    in_a_year = today() + datetime.timedelta(days=365)
    dated = _consent(case, owner, expires_on=in_a_year)
    assert _until(case) == in_a_year
    open_ended = _consent(case, owner)
    assert _until(case) == KEEP_CONSENT_NO_EXPIRY
    consent_withdraw(consent=open_ended, acting_user=owner, withdrawn_on=today())
    assert _until(case) == in_a_year
    consent_withdraw(consent=dated, acting_user=owner, withdrawn_on=today())
    assert _until(case) is None
    assert case.pk in _listed(owner)


def test_a_sharing_or_reporting_consent_is_no_consent_to_keep_the_file(owner):
    case = _case(owner)
    _consent(case, owner, purpose=Consent.Purpose.FUNDER_REPORTING)
    assert _until(case) is None
    assert _listed(owner) == [case.pk]


def test_an_expired_consent_flags_the_file_from_the_day_after_its_expiry(
    owner, monkeypatch
):
    case = _case(owner)
    expiry = today() + datetime.timedelta(days=10)
    _consent(case, owner, expires_on=expiry)
    assert _listed(owner) == []
    # Nothing is written when the consent expires: the list compares with today.
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args, **kwargs: expiry
    )
    assert _listed(owner) == []
    monkeypatch.setattr(
        "django.utils.timezone.localdate",
        lambda *args, **kwargs: expiry + datetime.timedelta(days=1),
    )
    assert _listed(owner) == [case.pk]


def _varied_caseload(owner: User) -> None:
    """Files without consent, with an expired, a withdrawn, a coming expiry, one
    without expiry, a reporting consent only, several at once; a closed file and a
    colleague's file without consent (never listed)."""
    colleague = make_user("karim", org_code="cdm")
    past = today() - datetime.timedelta(days=400)
    for index in range(14):
        case = _case(owner, name=f"Jeune{index}")
        CaseFile.objects.filter(pk=case.pk).update(
            entry_date=past + datetime.timedelta(days=(index * 7) % 30)
        )
        kind = index % 7
        if kind == 1:  # expired yesterday
            Consent.objects.create(
                case_file=case,
                purpose=Consent.Purpose.DATA_PROCESSING,
                given_on=past,
                expires_on=today() - datetime.timedelta(days=1),
                recorded_by=owner,
            )
        elif kind == 2:  # withdrawn
            consent = _consent(case, owner)
            consent_withdraw(consent=consent, acting_user=owner, withdrawn_on=today())
        elif kind == 3:  # expires today: still in force
            _consent(case, owner, expires_on=today())
        elif kind == 4:  # without expiry
            _consent(case, owner)
        elif kind == 5:  # reporting only
            _consent(case, owner, purpose=Consent.Purpose.FUNDER_REPORTING)
        elif kind == 6:  # an expired one and one in force
            _consent(case, owner, expires_on=today() - datetime.timedelta(days=2))
            _consent(case, owner, expires_on=today() + datetime.timedelta(days=2))
    closed = CaseFileFactory(
        owner_organisation=owner.organisation,
        advisor=owner,
        status=CaseFile.Status.CLOSED,
    )
    assert closed.status == CaseFile.Status.CLOSED
    _case(colleague, name="Autre")


def test_the_list_is_the_one_the_consents_themselves_give(owner):
    _varied_caseload(owner)
    listed = _listed(owner)
    assert listed == _old_definition(owner)
    # kinds 0 (none), 1 (expired), 2 (withdrawn) and 5 (reporting only) of 14 files
    assert len(listed) == 8


def test_the_migration_fills_the_copy_from_the_consents(owner):
    _varied_caseload(owner)
    expected = dict(CaseFile.objects.values_list("pk", "keep_consent_until"))
    assert any(expected.values())
    CaseFile.objects.update(keep_consent_until=None)
    migration = importlib.import_module(
        "youthtrack.migrations.0014_case_file_keep_consent_until"
    )
    (backfill,) = [
        operation
        for operation in migration.Migration.operations
        if operation.__class__.__name__ == "RunSQL"
    ]
    with connection.cursor() as cursor:
        cursor.execute(backfill.sql)
    assert dict(CaseFile.objects.values_list("pk", "keep_consent_until")) == expected
    assert _listed(owner) == _old_definition(owner)


def test_bulk_written_consents_are_copied_by_the_refresh(owner):
    """seed_demo writes consents with bulk_create, then refreshes their files."""
    cases = [_case(owner, name=f"Lot{index}") for index in range(3)]
    Consent.objects.bulk_create(
        Consent(
            case_file=case,
            purpose=Consent.Purpose.DATA_PROCESSING,
            given_on=today(),
            recorded_by=owner,
        )
        for case in cases[:2]
    )
    keep_consent_refresh([case.pk for case in cases])
    assert [_until(case) for case in cases] == [
        KEEP_CONSENT_NO_EXPIRY,
        KEEP_CONSENT_NO_EXPIRY,
        None,
    ]
    assert _listed(owner) == [cases[2].pk]
