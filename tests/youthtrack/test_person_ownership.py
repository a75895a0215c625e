"""A young person belongs to the organisations that keep a file of them.

An outside probe found that an advisor of a partner organisation, on a file the CDM had
shared with it, could open a file of its own for the CDM's young person, then change
the person's name and e-mail through it, and keep all of it after the sharing ended,
while the CDM's "who accessed this file" showed nothing. The rules:

(a) a person is linked to a new case file only by an organisation that already owns a
    file of them (``access.people_linkable_by``): seeing a shared file, or a file of a
    programme one leads, is not enough;
(b) only the organisation that registered the person corrects who they are;
(c) a read of a person is recorded on every file of that person.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from programmes import services as programme_services
from programmes.models import Cohort, Enrolment, WalkIn
from tests.factories import reference
from tests.factories.helpers import as_post, case_data, intake_post, person_data
from tests.factories.programmes import (
    CohortFactory,
    EligibleCaseFileFactory,
    SessionFactory,
    WalkInFactory,
)
from tests.youthtrack.conftest import sign_in
from tests.youthtrack.sharing_helpers import (
    Scope,
    body,
    db_snapshot,
    diff,
    make_note,
    make_user,
    org,
    share_case,
    today,
)
from youthtrack import selectors, services
from youthtrack.access import can_link_person, people_linkable_by
from youthtrack.models import AuditEvent, CaseFile, Consent, User, YoungPerson

UPPERCUT = "uppercut"


@pytest.fixture
def cdm_advisor(db) -> User:
    return make_user("sarah", org_code="cdm")


@pytest.fixture
def cdm_file(cdm_advisor) -> CaseFile:
    """The CDM's file of Mélodie, who was registered by the CDM."""
    return EligibleCaseFileFactory(
        programme=reference.programme(UPPERCUT),
        owner_organisation=cdm_advisor.organisation,
        advisor=cdm_advisor,
        young_person__first_name="Mélodie",
        young_person__last_name="Vandersmissen",
        young_person__email="melodie@example.net",
    )


def _partner(cdm_advisor, cdm_file, scope: str) -> User:
    user = make_user("thomas", org_code="actiris")
    share_case(cdm_file, owner=cdm_advisor, partner_user=user, scope=scope)
    return User.objects.get(pk=user.pk)


def _revoked(cdm_advisor, cdm_file) -> User:
    user = _partner(cdm_advisor, cdm_file, Scope.NOTES)
    services.share_revoke(share=cdm_file.shares.get(), acting_user=cdm_advisor)
    return user


def _consent_withdrawn(cdm_advisor, cdm_file) -> User:
    user = _partner(cdm_advisor, cdm_file, Scope.NOTES)
    services.consent_withdraw(
        consent=cdm_file.consents.get(purpose=Consent.Purpose.SHARING),
        acting_user=cdm_advisor,
        withdrawn_on=today(),
    )
    return user


def _lead_elsewhere(cdm_advisor, cdm_file) -> User:
    """A project lead of Actiris who leads the programme of the CDM's file: they see
    the file, the person is not theirs."""
    user = make_user("an", org_code="actiris", role=User.Role.LEAD)
    user.programmes_led.add(cdm_file.programme)
    assert selectors.case_file_list_for_user(user=user).filter(pk=cdm_file.pk).exists()
    return user


# who -> (how to make them, whether they may link the person)
USERS: dict[str, tuple[Callable[[User, CaseFile], User], bool]] = {
    "partner, view share": (lambda a, f: _partner(a, f, Scope.VIEW), False),
    "partner, notes share": (lambda a, f: _partner(a, f, Scope.NOTES), False),
    "partner, outcomes share": (lambda a, f: _partner(a, f, Scope.OUTCOMES), False),
    "partner after revocation": (_revoked, False),
    "partner after consent withdrawn": (_consent_withdrawn, False),
    "lead of the programme, other organisation": (_lead_elsewhere, False),
    "advisor of the owner": (lambda a, f: make_user("karim", org_code="cdm"), True),
    "lead of the owner": (
        lambda a, f: make_user("nadia", org_code="cdm", role=User.Role.LEAD),
        True,
    ),
}


@dataclass
class Scene:
    user: User
    person: YoungPerson
    cdm_file: CaseFile
    client: Client
    walk_in: WalkIn
    cohort: Cohort


@pytest.fixture(params=list(USERS))
def scene(request, cdm_advisor, cdm_file, client) -> tuple[Scene, bool]:
    make, allowed = USERS[request.param]
    user = make(cdm_advisor, cdm_file)
    sign_in(client, user)
    # A walk-in the user's organisation recorded at its own session (so that it is
    # the person, not the walk-in, that decides), and a cohort of the programme.
    walk_in = WalkInFactory(
        session=SessionFactory(
            cohort=CohortFactory(
                owner_organisation=user.organisation,
                programme=cdm_file.programme,
            ),
        ),
        organisation=user.organisation,
        first_name="Mélodie",
    )
    cohort = CohortFactory(
        programme=cdm_file.programme,
        start_date=today() + datetime.timedelta(days=7),
        owner_organisation=org("cdm"),
    )
    return (
        Scene(
            user=User.objects.get(pk=user.pk),
            person=cdm_file.young_person,
            cdm_file=cdm_file,
            client=client,
            walk_in=walk_in,
            cohort=cohort,
        ),
        allowed,
    )


def _existing_person_post(scene: Scene) -> dict[str, str]:
    return {
        **intake_post(case={"programme": scene.cdm_file.programme}),
        "existing_person": str(scene.person.pk),
    }


def intake_page(scene: Scene):
    return scene.client.get(reverse("intake"), {"person": scene.person.pk})


def intake_submit(scene: Scene):
    return scene.client.post(
        f"{reverse('intake')}?person={scene.person.pk}", _existing_person_post(scene)
    )


def walk_in_intake_submit(scene: Scene):
    return scene.client.post(
        reverse("programmes:walk_in_intake", args=[scene.walk_in.pk]),
        _existing_person_post(scene),
    )


def intake_service(scene: Scene):
    return services.case_file_intake(
        acting_user=scene.user,
        person_data=None,
        case_data=case_data(programme=scene.cdm_file.programme),
        existing_person=scene.person,
    )


def walk_in_service(scene: Scene):
    return programme_services.case_file_intake_from_walk_in(
        walk_in=scene.walk_in,
        acting_user=scene.user,
        person_data=None,
        case_data=case_data(programme=scene.cdm_file.programme),
        existing_person=scene.person,
    )


def enrol_page(scene: Scene):
    return scene.client.post(
        reverse("programmes:case_enrol", args=[scene.cdm_file.pk]),
        {"cohort": scene.cohort.pk},
    )


def enrol_service(scene: Scene):
    return programme_services.enrolment_create(
        cohort=scene.cohort, case_file=scene.cdm_file, acting_user=scene.user
    )


def _new_file_for_person(scene: Scene) -> bool:
    return CaseFile.objects.filter(
        young_person=scene.person, owner_organisation_id=scene.user.organisation_id
    ).exists()


# action -> (call, is it a request, what success leaves behind)
ACTIONS = {
    "intake page": (intake_page, True, None),
    "intake post": (intake_submit, True, _new_file_for_person),
    "walk-in intake post": (walk_in_intake_submit, True, _new_file_for_person),
    "intake service": (intake_service, False, _new_file_for_person),
    "walk-in intake service": (walk_in_service, False, _new_file_for_person),
    "enrolment page": (
        enrol_page,
        True,
        lambda s: Enrolment.objects.filter(case_file=s.cdm_file).exists(),
    ),
    "enrolment service": (
        enrol_service,
        False,
        lambda s: Enrolment.objects.filter(case_file=s.cdm_file).exists(),
    ),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_the_owner_organisation_links_or_enrols_its_young_person(scene, action):
    """Every way in that takes a person (or their file) × every kind of user: the
    owner organisation's advisor and lead succeed; everyone else is refused and
    nothing changes."""
    scene, allowed = scene
    call, is_request, succeeded = ACTIONS[action]
    scene.client.raise_request_exception = False
    before = db_snapshot()
    person_before = YoungPerson.objects.filter(pk=scene.person.pk).values().get()
    if allowed:
        result = call(scene)
        if is_request:
            assert result.status_code in (200, 302), body(result)[:2000]
        if succeeded is not None:
            assert succeeded(scene)
        return
    if is_request:
        response = call(scene)
        assert response.status_code in (403, 404)
        assert scene.person.last_name not in body(response)
    else:
        with pytest.raises(PermissionDenied):
            call(scene)
    assert diff(before, db_snapshot()) == []
    assert YoungPerson.objects.filter(pk=scene.person.pk).values().get() == (
        person_before
    )
    if succeeded is not None:
        assert not succeeded(scene)


def test_the_gate_says_who_may_link_the_person(scene):
    scene, allowed = scene
    assert can_link_person(scene.user, scene.person) is allowed
    assert people_linkable_by(scene.user).filter(pk=scene.person.pk).exists() is (
        allowed
    )


def test_the_duplicate_guard_offers_only_people_the_user_may_link(scene):
    """The guard's "use this person" must not offer the CDM's person to a partner
    who sees the file: following it would be refused, and it tells them who exists."""
    scene, allowed = scene
    person = scene.person
    matches = selectors.young_person_possible_duplicates(
        user=scene.user,
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=person.birth_date,
    )
    assert (person in matches) is allowed
    if not allowed:
        with pytest.raises(PermissionDenied):
            intake_service(scene)


def test_the_duplicate_guard_page_links_only_linkable_people(scene):
    scene, allowed = scene
    person = scene.person
    data = intake_post(
        person={
            "first_name": person.first_name,
            "last_name": person.last_name,
            "birth_date": person.birth_date,
        },
        case={"programme": scene.cdm_file.programme},
    )
    response = scene.client.post(reverse("intake"), data)
    link = f"?person={person.pk}"
    if allowed:
        assert response.status_code == 200
        assert link in body(response)
    else:
        assert link not in body(response)


# --- (b) who corrects the person ----------------------------------------------------


@pytest.fixture
def partner_file(cdm_advisor, cdm_file) -> tuple[User, CaseFile]:
    """The state the probe left behind: Actiris owns a file of the CDM's person (as
    opened before the fix), and the CDM still shares its own file with Actiris."""
    partner = _partner(cdm_advisor, cdm_file, Scope.NOTES)
    own = EligibleCaseFileFactory(
        programme=cdm_file.programme,
        owner_organisation=partner.organisation,
        advisor=partner,
        young_person=cdm_file.young_person,
    )
    return partner, own


def test_a_partner_cannot_correct_the_identity_of_a_person_it_did_not_register(
    client, partner_file
):
    partner, own = partner_file
    person = own.young_person
    sign_in(client, partner)
    client.raise_request_exception = False
    page = client.get(reverse("case_detail", args=[own.pk]))
    assert page.status_code == 200
    assert reverse("person_edit", args=[own.pk]) not in body(page)
    assert client.get(reverse("person_edit", args=[own.pk])).status_code == 403
    before = db_snapshot()
    posted = client.post(
        reverse("person_edit", args=[own.pk]),
        {
            **as_post(person_data(first_name="Changed", email="x@example.org")),
            "version": str(person.version),
        },
    )
    assert posted.status_code == 403
    assert diff(before, db_snapshot()) == []
    with pytest.raises(PermissionDenied):
        services.young_person_update(
            young_person=person,
            acting_user=partner,
            data={"first_name": "Changed"},
            expected_version=person.version,
            case_file=own,
        )
    assert YoungPerson.objects.get(pk=person.pk).first_name == "Mélodie"


def test_the_registering_organisation_still_corrects_the_person(
    client, cdm_advisor, cdm_file
):
    person = cdm_file.young_person
    sign_in(client, cdm_advisor)
    page = client.get(reverse("case_detail", args=[cdm_file.pk]))
    assert reverse("person_edit", args=[cdm_file.pk]) in body(page)
    services.young_person_update(
        young_person=person,
        acting_user=cdm_advisor,
        data={"first_name": "Mélody"},
        expected_version=person.version,
        case_file=cdm_file,
    )
    assert YoungPerson.objects.get(pk=person.pk).first_name == "Mélody"


# --- (c) every read of a person is on every file of theirs --------------------------


def test_a_partners_read_of_the_person_shows_on_the_owners_file(
    client, cdm_advisor, cdm_file, partner_file
):
    partner, own = partner_file
    sign_in(client, partner)
    assert client.get(reverse("case_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("case_export", args=[own.pk])).status_code == 200
    on_cdm_file = selectors.audit_events_for_case_file(
        user=cdm_advisor, case_file=cdm_file
    ).filter(actor=partner, object_type="youthtrack.youngperson")
    assert set(on_cdm_file.values_list("action", "object_id")) == {
        (AuditEvent.Action.VIEW, cdm_file.young_person_id),
        (AuditEvent.Action.EXPORT, cdm_file.young_person_id),
    }
    # …and on the CDM's page "who accessed this file".
    sign_in(client, cdm_advisor)
    page = client.get(reverse("case_access_log", args=[cdm_file.pk]))
    assert any(row.event.actor_id == partner.pk for row in page.context["rows"])


def test_a_read_through_the_file_itself_is_recorded_once(client, cdm_advisor, cdm_file):
    sign_in(client, cdm_advisor)
    before = AuditEvent.objects.count()
    client.get(reverse("case_detail", args=[cdm_file.pk]))
    assert AuditEvent.objects.count() == before + 1


# --- a partner's note is editable only while the sharing allows notes ---------------


def _ends_yesterday(cdm_advisor, cdm_file):
    # An end date that has passed, before the periodic task has tidied up.
    cdm_file.shares.update(end_date=today() - datetime.timedelta(days=1))


def _revoke(cdm_advisor, cdm_file):
    services.share_revoke(share=cdm_file.shares.get(), acting_user=cdm_advisor)


def _withdraw_consent(cdm_advisor, cdm_file):
    services.consent_withdraw(
        consent=cdm_file.consents.get(purpose=Consent.Purpose.SHARING),
        acting_user=cdm_advisor,
        withdrawn_on=today(),
    )


def _reduce_to_view(cdm_advisor, cdm_file):
    partner = User.objects.get(username="thomas")
    _revoke(cdm_advisor, cdm_file)
    share_case(cdm_file, owner=cdm_advisor, partner_user=partner, scope=Scope.VIEW)


@pytest.mark.parametrize(
    "end", [_revoke, _ends_yesterday, _withdraw_consent, _reduce_to_view]
)
def test_a_partners_note_cannot_be_edited_once_the_sharing_no_longer_allows_notes(
    client, cdm_advisor, cdm_file, end
):
    partner = _partner(cdm_advisor, cdm_file, Scope.NOTES)
    note = make_note(cdm_file, partner, "shared", "Written while shared", "Suivi")
    url = reverse("note_edit", args=[cdm_file.pk, note.pk])
    sign_in(client, partner)
    assert client.get(url).status_code == 200  # while the sharing allows notes
    end(cdm_advisor, cdm_file)
    partner = User.objects.get(pk=partner.pk)
    client.raise_request_exception = False
    before = db_snapshot()
    assert client.get(url).status_code in (403, 404)
    response = client.post(url, {"text": "Rewritten after the end", "version": "1"})
    assert response.status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        services.note_update(
            note=note,
            acting_user=partner,
            data={"text": "Rewritten after the end"},
            expected_version=note.version,
        )
    assert diff(before, db_snapshot()) == []
