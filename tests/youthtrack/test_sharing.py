"""Sharing a case file with a partner organisation: a referral with a life.

It needs a recorded consent covering that partner (a parent's or guardian's under 16)
or, with a separate permission, a written reason; the partner accepts or declines;
revocation, withdrawal of the consent and expiry take the access away on the very
next request. And the notes: each shows where its author said it may be seen, in the
case file, the lists, the exports and the search.
"""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.factories import CaseFileFactory, ConsentFactory
from tests.factories import reference as ref
from tests.factories.helpers import intake_post
from youthtrack import access, services, tasks
from youthtrack.models import (
    AuditEvent,
    CaseFile,
    CaseFileGroupObjectPermission,
    Consent,
    Note,
    Share,
    User,
)

from .sharing_helpers import (
    body,
    db_snapshot,
    diff,
    give_override_permission,
    grants,
    make_case,
    make_note,
    make_user,
    org,
    person_strings,
    record_sharing_consent,
    share_case,
    signed_in,
    today,
)

Scope = Share.Scope
V = Note.Visibility
DAY = datetime.timedelta(days=1)

VIEW = {"view_shared_casefile"}
NOTES = VIEW | {"add_note_shared_casefile"}
OUTCOMES = NOTES | {"record_outcome_shared_casefile"}


@pytest.fixture
def owner(db) -> User:
    return make_user("sarah", org_code="cdm")


@pytest.fixture
def colleague(db) -> User:
    return make_user("karim", org_code="cdm")


@pytest.fixture
def partner(db) -> User:
    """Partner staff at Actiris."""
    return make_user("lotte", org_code="actiris", role=User.Role.PARTNER)


@pytest.fixture
def partner_colleague(db) -> User:
    return make_user("jan", org_code="actiris", role=User.Role.PARTNER)


@pytest.fixture
def other_partner(db) -> User:
    """Partner staff at Bruxelles Formation."""
    return make_user("ines", org_code="bruxelles-formation", role=User.Role.PARTNER)


@pytest.fixture
def case(owner) -> CaseFile:
    return make_case(
        advisor=owner,
        first_name="Mélodie",
        last_name="Vandersmissen",
        phone="0470 12 34 56",
        email="melodie.vandersmissen@example.net",
    )


@pytest.fixture
def hidden_case(owner) -> CaseFile:
    """Another case file of the CDM, never shared."""
    return make_case(
        advisor=owner,
        first_name="Séraphin",
        last_name="Nooitgedeeld",
        phone="0499 98 76 54",
        email="seraphin.n@example.net",
    )


def detail(client, case_file):
    return client.get(reverse("case_detail", kwargs={"pk": case_file.pk}))


def sees_everywhere(client, case_file) -> dict[str, bool]:
    """Whether the case file is reachable from each place a partner would look."""
    last_name = case_file.young_person.last_name
    export = client.get(reverse("case_export", kwargs={"pk": case_file.pk}))
    return {
        "detail": detail(client, case_file).status_code == 200,
        "export": export.status_code == 200,
        "list": last_name in body(client.get(reverse("case_list"))),
        "search": last_name
        in body(client.get(reverse("case_list"), {"q": f"#{case_file.pk}"})),
        "dashboard": last_name in body(client.get(reverse("dashboard"))),
        "list_export": last_name in body(client.get(reverse("case_list_export"))),
    }


EVERYWHERE = dict.fromkeys(
    ["detail", "export", "list", "search", "dashboard", "list_export"], True
)
NOWHERE = dict.fromkeys(EVERYWHERE, False)


# --- consent before sharing ----------------------------------------------------------


def attempt_share(case_file, owner, partner_org, **kwargs):
    return services.case_file_share(
        case_file=case_file,
        acting_user=owner,
        partner=partner_org,
        purpose="Accompagnement vers l'emploi",
        scope=kwargs.pop("scope", Scope.VIEW),
        **kwargs,
    )


def assert_refused(case_file, owner, partner_org, field: str, **kwargs):
    before = db_snapshot()
    with pytest.raises(ValidationError) as refused:
        attempt_share(case_file, owner, partner_org, **kwargs)
    assert field in refused.value.message_dict
    assert not diff(before, db_snapshot())


def test_a_case_file_cannot_be_shared_without_a_recorded_consent(owner, case):
    assert_refused(case, owner, org("actiris"), "partner")


def test_a_consent_covers_only_the_partner_it_names(owner, case):
    record_sharing_consent(case, owner, org("vdab"))
    assert_refused(case, owner, org("actiris"), "partner")
    assert attempt_share(case, owner, org("vdab")).consent.partner == org("vdab")


def test_a_consent_to_another_purpose_does_not_allow_sharing(owner, case):
    services.consent_record(
        case_file=case,
        acting_user=owner,
        data={
            "purpose": Consent.Purpose.DATA_PROCESSING,
            "given_by": Consent.GivenBy.YOUNG_PERSON,
            "given_on": today(),
        },
    )
    ConsentFactory(
        case_file=case,
        purpose=Consent.Purpose.FUNDER_REPORTING,
        partner=org("actiris"),
        given_on=today(),
    )
    assert_refused(case, owner, org("actiris"), "partner")


def test_a_withdrawn_consent_does_not_allow_sharing(owner, case):
    consent = record_sharing_consent(case, owner, org("actiris"))
    services.consent_withdraw(consent=consent, acting_user=owner, withdrawn_on=today())
    assert_refused(case, owner, org("actiris"), "partner")


def test_an_expired_consent_does_not_allow_sharing(owner, case):
    record_sharing_consent(
        case,
        owner,
        org("actiris"),
        given_on=today() - 30 * DAY,
        expires_on=today() - DAY,
    )
    assert_refused(case, owner, org("actiris"), "partner")


def test_a_consent_valid_until_today_still_allows_sharing(owner, case):
    record_sharing_consent(
        case, owner, org("actiris"), given_on=today() - 30 * DAY, expires_on=today()
    )
    assert attempt_share(case, owner, org("actiris")).status == Share.Status.PENDING


@pytest.fixture
def minor_case(owner) -> CaseFile:
    """A young person of 15."""
    return CaseFileFactory(
        active=True,
        advisor=owner,
        programme=ref.programme("touchngo"),
        young_person__age=15,
        entry_date=today(),
    )


def test_under_16_the_young_persons_own_consent_does_not_count(owner, minor_case):
    # Recorded without the service's check (as an import or an old row would be).
    Consent.objects.create(
        case_file=minor_case,
        purpose=Consent.Purpose.SHARING,
        partner=org("actiris"),
        given_by=Consent.GivenBy.YOUNG_PERSON,
        given_on=today(),
        recorded_by=owner,
    )
    assert_refused(minor_case, owner, org("actiris"), "partner")
    # The service does not record such a consent in the first place.
    with pytest.raises(ValidationError) as refused:
        record_sharing_consent(minor_case, owner, org("actiris"))
    assert "given_by" in refused.value.message_dict


def test_under_16_a_parents_consent_allows_sharing(owner, minor_case):
    consent = record_sharing_consent(
        minor_case,
        owner,
        org("actiris"),
        given_by=Consent.GivenBy.GUARDIAN,
        guardian_name="Fatima Benali",
    )
    assert attempt_share(minor_case, owner, org("actiris")).consent == consent


def test_sharing_without_consent_needs_the_override_permission(owner, case):
    assert_refused(
        case, owner, org("actiris"), "override_reason", override_reason="Urgence"
    )


def test_sharing_without_consent_needs_a_written_reason(owner, case):
    owner = give_override_permission(owner)
    assert_refused(case, owner, org("actiris"), "partner", override_reason="   ")


def test_an_override_with_a_reason_is_shared_and_logged(owner, case):
    owner = give_override_permission(owner)
    share = attempt_share(
        case,
        owner,
        org("actiris"),
        override_reason="Risque de perte de logement, l'avis ne peut attendre",
    )
    assert share.consent is None
    assert share.override_reason.startswith("Risque de perte de logement")
    logged = AuditEvent.objects.get(
        action=AuditEvent.Action.OVERRIDE, object_id=share.pk
    )
    assert logged.actor == owner
    assert logged.case_file == case
    # That a reason was given; the reason itself is on the sharing, not in the trail.
    assert logged.changes["override_reason"]["changed"] is True
    assert "logement" not in str(logged.changes)


def test_the_override_field_is_offered_only_to_those_allowed(owner, case):
    url = reverse("case_share", kwargs={"pk": case.pk})
    form = signed_in(owner).get(url).context["form"]
    assert "override_reason" not in form.fields
    allowed = give_override_permission(owner)
    assert "override_reason" in signed_in(allowed).get(url).context["form"].fields


def test_an_override_posted_by_someone_not_allowed_is_ignored(owner, case):
    response = signed_in(owner).post(
        reverse("case_share", kwargs={"pk": case.pk}),
        {
            "partner": org("actiris").pk,
            "purpose": "Orientation",
            "scope": Scope.VIEW,
            "override_reason": "Je passe outre",
        },
    )
    assert response.status_code == 200
    assert "partner" in response.context["form"].errors
    assert not case.shares.exists()


def test_sharing_through_the_page_with_a_consent(owner, case):
    record_sharing_consent(case, owner, org("actiris"))
    response = signed_in(owner).post(
        reverse("case_share", kwargs={"pk": case.pk}),
        {
            "partner": org("actiris").pk,
            "purpose": "Orientation",
            "scope": Scope.NOTES,
            "end_date": (today() + 30 * DAY).isoformat(),
        },
    )
    assert response.status_code == 302
    share = case.shares.get()
    assert (share.status, share.scope) == (Share.Status.PENDING, Scope.NOTES)
    assert share.end_date == today() + 30 * DAY
    assert grants(case) == set()  # nothing is granted before the partner accepts


def test_a_case_file_is_not_shared_twice_with_the_same_partner(owner, partner, case):
    share_case(case, owner=owner, partner_user=partner)
    assert_refused(case, owner, org("actiris"), "partner")


def test_a_sharing_cannot_end_in_the_past(owner, case):
    record_sharing_consent(case, owner, org("actiris"))
    assert_refused(case, owner, org("actiris"), "end_date", end_date=today() - DAY)


def test_a_case_file_is_not_shared_with_its_own_organisation(owner, case):
    record_sharing_consent(case, owner, org("cdm"))
    assert_refused(case, owner, org("cdm"), "partner")


# --- the partner's answer ------------------------------------------------------------


def test_a_pending_referral_shows_who_but_opens_nothing(owner, partner, case):
    share = share_case(case, owner=owner, partner_user=partner, accept=False)
    client = signed_in(partner)
    shares_page = body(client.get(reverse("shares")))
    person = case.young_person
    assert f"{person.first_name} {person.last_name[0]}." in shares_page
    for value in (person.last_name, person.phone, person.email):
        assert value not in shares_page
    assert sees_everywhere(client, case) == NOWHERE
    assert access.shared_permissions(partner, case) == set()
    assert share.status == Share.Status.PENDING


@pytest.mark.parametrize(
    ("scope", "granted"),
    [(Scope.VIEW, VIEW), (Scope.NOTES, NOTES), (Scope.OUTCOMES, OUTCOMES)],
)
def test_accepting_opens_the_case_file_with_the_scope_granted(
    owner, partner, partner_colleague, case, scope, granted
):
    share = share_case(
        case, owner=owner, partner_user=partner, scope=scope, accept=False
    )
    client = signed_in(partner)
    response = client.post(
        reverse("share_answer", kwargs={"share_pk": share.pk, "answer": "accept"})
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("case_detail", kwargs={"pk": case.pk})
    share.refresh_from_db()
    assert (share.status, share.answered_by) == (Share.Status.ACCEPTED, partner)
    assert grants(case, org("actiris")) == granted
    # The organisation is granted, not the person who accepted.
    colleague = signed_in(partner_colleague)
    assert sees_everywhere(colleague, case) == EVERYWHERE
    may_add_notes = scope != Scope.VIEW
    note_page = colleague.get(reverse("note_create", kwargs={"pk": case.pk}))
    assert note_page.status_code == (200 if may_add_notes else 403)
    fresh = User.objects.get(pk=partner_colleague.pk)
    assert access.can_add_note(fresh, case) is may_add_notes
    assert access.can_record_outcome(fresh, case) is (scope == Scope.OUTCOMES)
    # Seeing is not changing.
    for name in ("case_edit", "person_edit", "consent_create", "case_share"):
        assert colleague.get(reverse(name, kwargs={"pk": case.pk})).status_code == 403


def test_a_partner_with_the_notes_scope_adds_a_note(owner, partner, case):
    share_case(case, owner=owner, partner_user=partner, scope=Scope.NOTES)
    response = signed_in(partner).post(
        reverse("note_create", kwargs={"pk": case.pk}),
        {
            "contact_date": today().isoformat(),
            "channel": "phone",
            "topic": "Inscription",
            "text": "Inscrite comme chercheuse d'emploi.",
            "visibility": V.SHARED,
        },
    )
    assert response.status_code == 302
    note = case.notes.get()
    assert (note.author, note.organisation) == (partner, org("actiris"))


def test_declining_opens_nothing(owner, partner, case):
    share = share_case(case, owner=owner, partner_user=partner, accept=False)
    client = signed_in(partner)
    response = client.post(
        reverse("share_decline", kwargs={"share_pk": share.pk}),
        {"confirm": "1", "reason": "Pas de place avant mars"},
    )
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.status == Share.Status.DECLINED
    assert grants(case) == set()
    assert sees_everywhere(client, case) == NOWHERE
    # A declined referral cannot be accepted afterwards.
    late = client.post(
        reverse("share_answer", kwargs={"share_pk": share.pk, "answer": "accept"})
    )
    assert late.status_code == 404
    assert grants(case) == set()


def test_only_the_partner_answers_a_referral(owner, partner, other_partner, case):
    share = share_case(case, owner=owner, partner_user=partner, accept=False)
    before = db_snapshot()
    for user in (other_partner, owner):
        response = signed_in(user).post(
            reverse("share_answer", kwargs={"share_pk": share.pk, "answer": "accept"})
        )
        assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.share_accept(share=share, acting_user=other_partner)
    assert not diff(before, db_snapshot())


def test_an_unknown_answer_is_not_found(owner, partner, case):
    share = share_case(case, owner=owner, partner_user=partner, accept=False)
    before = db_snapshot()
    response = signed_in(partner).post(
        reverse("share_answer", kwargs={"share_pk": share.pk, "answer": "maybe"})
    )
    assert response.status_code == 404
    assert not diff(before, db_snapshot())


def test_a_referral_that_ended_before_the_answer_cannot_be_accepted(
    owner, partner, case
):
    share = share_case(
        case, owner=owner, partner_user=partner, end_date=today() + DAY, accept=False
    )
    Share.objects.filter(pk=share.pk).update(end_date=today() - DAY)
    client = signed_in(partner)
    assert case.young_person.first_name not in body(client.get(reverse("shares")))
    response = client.post(
        reverse("share_answer", kwargs={"share_pk": share.pk, "answer": "accept"})
    )
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        services.share_accept(share=share, acting_user=partner)
    assert grants(case) == set()
    assert sees_everywhere(client, case) == NOWHERE


def test_accepting_an_ended_referral_records_its_expiry(owner, partner, case):
    share = share_case(
        case, owner=owner, partner_user=partner, end_date=today() + DAY, accept=False
    )
    Share.objects.filter(pk=share.pk).update(end_date=today() - DAY)
    with pytest.raises(ValidationError):
        services.share_accept(share=share, acting_user=partner)
    share.refresh_from_db()
    assert share.status == Share.Status.EXPIRED
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPIRE, object_id=share.pk
    ).exists()


# --- the end of a sharing takes effect on the next request ---------------------------


@pytest.fixture
def shared(owner, partner, case) -> Share:
    """The case file shared with Actiris (scope notes), accepted."""
    share = share_case(case, owner=owner, partner_user=partner, scope=Scope.NOTES)
    assert sees_everywhere(signed_in(partner), case) == EVERYWHERE
    return share


def test_revocation_takes_effect_on_the_next_request(owner, partner, case, shared):
    client = signed_in(partner)
    assert detail(client, case).status_code == 200
    response = signed_in(owner).post(
        reverse("share_revoke", kwargs={"pk": case.pk, "share_pk": shared.pk}),
        {"confirm": "1"},  # confirmed on the page that says what happens
    )
    assert response.status_code == 302
    assert sees_everywhere(client, case) == NOWHERE
    note_page = client.get(reverse("note_create", kwargs={"pk": case.pk}))
    assert note_page.status_code == 404
    shared.refresh_from_db()
    assert (shared.status, shared.ended_by) == (Share.Status.REVOKED, owner)
    assert grants(case) == set()
    assert not body(client.get(reverse("shares"))).count(case.young_person.last_name)


def test_a_revoked_sharing_cannot_be_revoked_or_accepted_again(
    owner, partner, case, shared
):
    services.share_revoke(share=shared, acting_user=owner)
    with pytest.raises(ValidationError):
        services.share_revoke(share=shared, acting_user=owner)
    with pytest.raises(ValidationError):
        services.share_accept(share=shared, acting_user=partner)
    assert grants(case) == set()


def test_the_partner_cannot_revoke_nor_can_another_organisation(
    owner, partner, case, shared
):
    outsider = make_user("thomas", org_code="vdab")
    before = db_snapshot()
    for user in (partner, outsider):
        with pytest.raises(PermissionDenied):
            services.share_revoke(share=shared, acting_user=user)
    assert not diff(before, db_snapshot())


def test_withdrawing_the_consent_takes_effect_on_the_next_request(
    owner, partner, case, shared
):
    client = signed_in(partner)
    assert detail(client, case).status_code == 200
    response = signed_in(owner).post(
        reverse(
            "consent_withdraw",
            kwargs={"pk": case.pk, "consent_pk": shared.consent_id},
        ),
        {"withdrawn_on": today().isoformat(), "confirm": "1"},
    )
    assert response.status_code == 302
    assert sees_everywhere(client, case) == NOWHERE
    shared.refresh_from_db()
    assert shared.status == Share.Status.WITHDRAWN
    assert grants(case) == set()
    assert Consent.objects.get(pk=shared.consent_id).withdrawn_on == today()


def test_withdrawing_a_consent_ends_only_the_sharings_it_covers(
    owner, partner, other_partner, case, shared
):
    other = share_case(case, owner=owner, partner_user=other_partner)
    services.consent_withdraw(
        consent=shared.consent, acting_user=owner, withdrawn_on=today()
    )
    other.refresh_from_db()
    assert other.status == Share.Status.ACCEPTED
    assert sees_everywhere(signed_in(other_partner), case) == EVERYWHERE
    assert sees_everywhere(signed_in(partner), case) == NOWHERE


def test_withdrawing_the_consent_ends_a_pending_referral_too(owner, partner, case):
    share = share_case(case, owner=owner, partner_user=partner, accept=False)
    services.consent_withdraw(
        consent=share.consent, acting_user=owner, withdrawn_on=today()
    )
    share.refresh_from_db()
    assert share.status == Share.Status.WITHDRAWN
    response = signed_in(partner).post(
        reverse("share_answer", kwargs={"share_pk": share.pk, "answer": "accept"})
    )
    assert response.status_code == 404
    assert grants(case) == set()


def test_an_end_date_in_the_past_hides_the_case_file_before_the_task_runs(
    owner, partner, case
):
    share = share_case(case, owner=owner, partner_user=partner, end_date=today())
    client = signed_in(partner)
    # The last day of a sharing is still a day of it.
    assert sees_everywhere(client, case) == EVERYWHERE
    Share.objects.filter(pk=share.pk).update(end_date=today() - DAY)
    assert sees_everywhere(client, case) == NOWHERE
    assert client.get(reverse("note_create", kwargs={"pk": case.pk})).status_code == 404
    # The grant is still there: the gate itself looks at the end date.
    assert grants(case, org("actiris")) == VIEW
    assert access.shared_permissions(partner, case) == set()


def test_the_expiry_service_ends_the_sharing_and_its_grant(owner, partner, case):
    share = share_case(case, owner=owner, partner_user=partner, end_date=today())
    Share.objects.filter(pk=share.pk).update(end_date=today() - DAY)
    assert services.shares_expire_due() == 1
    share.refresh_from_db()
    assert share.status == Share.Status.EXPIRED
    assert share.ended_by is None
    assert grants(case) == set()
    assert sees_everywhere(signed_in(partner), case) == NOWHERE
    expired = AuditEvent.objects.get(
        action=AuditEvent.Action.EXPIRE, object_id=share.pk
    )
    assert (expired.actor, expired.case_file) == (None, case)


# Committed data: with CELERY_BROKER_URL set, a separate worker process runs the task.
@pytest.mark.django_db(transaction=True)
def test_the_expiry_task_is_safe_to_run_twice(owner, partner, other_partner, case):
    due = share_case(case, owner=owner, partner_user=partner, end_date=today())
    lasting = share_case(
        case, owner=owner, partner_user=other_partner, end_date=today() + DAY
    )
    Share.objects.filter(pk=due.pk).update(end_date=today() - DAY)
    first = tasks.shares_expire.delay()
    second = tasks.shares_expire.delay()
    assert (first.get(timeout=30), second.get(timeout=30)) == (1, 0)
    due.refresh_from_db()
    lasting.refresh_from_db()
    assert (due.status, lasting.status) == (Share.Status.EXPIRED, Share.Status.ACCEPTED)
    assert grants(case, org("actiris")) == set()
    assert grants(case, org("bruxelles-formation")) == VIEW
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.EXPIRE, object_id=due.pk
        ).count()
        == 1
    )


# Committed data: with CELERY_BROKER_URL set, a separate worker process runs the task.
@pytest.mark.django_db(transaction=True)
def test_the_expiry_task_ends_sharings_whose_consent_lapsed(
    owner, partner, case, shared
):
    Consent.objects.filter(pk=shared.consent_id).update(
        given_on=today() - 30 * DAY, expires_on=today() - DAY
    )
    assert tasks.shares_expire.delay().get(timeout=30) == 1
    shared.refresh_from_db()
    assert shared.status == Share.Status.EXPIRED
    assert grants(case) == set()


def test_a_lapsed_consent_hides_the_case_file_before_the_task_runs(
    owner, partner, case, shared
):
    client = signed_in(partner)
    Consent.objects.filter(pk=shared.consent_id).update(
        given_on=today() - 30 * DAY, expires_on=today() - DAY
    )
    reached = sees_everywhere(client, case)
    assert reached == NOWHERE | {"dashboard": reached["dashboard"]}
    assert client.get(reverse("note_create", kwargs={"pk": case.pk})).status_code == 404
    assert access.shared_permissions(partner, case) == set()


def test_a_lapsed_consent_takes_the_referral_off_the_partners_lists(
    owner, partner, case, shared
):
    client = signed_in(partner)
    Consent.objects.filter(pk=shared.consent_id).update(
        given_on=today() - 30 * DAY, expires_on=today() - DAY
    )
    last_name = case.young_person.last_name
    for name in ("dashboard", "shares"):
        assert last_name not in body(client.get(reverse(name))), name


def test_the_gate_needs_both_the_sharing_and_the_grant(owner, partner, case, shared):
    """An accepted sharing without its guardian row opens nothing; neither does a
    guardian row whose sharing has ended."""
    client = signed_in(partner)
    rows = list(CaseFileGroupObjectPermission.objects.filter(content_object=case))
    CaseFileGroupObjectPermission.objects.filter(content_object=case).delete()
    # (The "shared with us" list reads the sharing alone; this state, a sharing
    # accepted without its grant, is not one the services leave behind.)
    reached = sees_everywhere(client, case)
    assert reached == NOWHERE | {"dashboard": reached["dashboard"]}
    CaseFileGroupObjectPermission.objects.bulk_create(rows)
    assert sees_everywhere(client, case) == EVERYWHERE
    Share.objects.filter(pk=shared.pk).update(status=Share.Status.REVOKED)
    assert sees_everywhere(client, case) == NOWHERE


# --- what else a partner could learn -------------------------------------------------


def test_other_case_files_of_the_same_person_stay_hidden(owner, partner, case, shared):
    second = CaseFileFactory(
        active=True,
        advisor=owner,
        young_person=case.young_person,
        programme=ref.programme("touchngo"),
    )
    page = body(detail(signed_in(partner), case))
    assert reverse("case_detail", kwargs={"pk": second.pk}) not in page
    assert f"#{second.pk}" not in page


def test_the_duplicate_check_does_not_reveal_people_one_may_not_see(hidden_case):
    """An advisor of Actiris registers someone with the name and birth date of a
    young person of the CDM: no warning names them, the intake goes through."""
    actiris_advisor = make_user("thomas", org_code="actiris")
    person = hidden_case.young_person
    response = signed_in(actiris_advisor).post(
        reverse("intake"),
        intake_post(
            person={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "birth_date": person.birth_date,
            }
        ),
    )
    assert response.status_code == 302
    assert person.phone not in body(response)


def test_the_intake_does_not_reuse_a_person_one_may_not_see(hidden_case):
    actiris_advisor = make_user("thomas", org_code="actiris")
    response = signed_in(actiris_advisor).get(
        reverse("intake"), {"person": hidden_case.young_person_id}
    )
    assert response.status_code == 404


def test_the_partner_finds_only_the_shared_case_file(
    owner, partner, case, hidden_case, shared
):
    client = signed_in(partner)
    for query in ("Vandersmissen", "melodie", f"#{case.pk}"):
        listing = client.get(reverse("case_list"), {"q": query})
        assert list(listing.context["page"].object_list) == [case]
    for query in (
        "Nooitgedeeld",
        "Séraphin",
        f"#{hidden_case.pk}",
        str(hidden_case.pk),
    ):
        listing = client.get(reverse("case_list"), {"q": query})
        assert listing.context["page"].paginator.count == 0
        text = body(listing)
        assert "0499 98 76 54" not in text and "seraphin.n@" not in text
    export = body(client.get(reverse("case_list_export"), {"q": "Nooitgedeeld"}))
    assert all(value not in export for value in person_strings(hidden_case))


# --- note visibility -----------------------------------------------------------------


@pytest.fixture
def noted(owner, colleague, partner, other_partner, case, shared):
    """The case file shared with Actiris (notes) and Bruxelles Formation (view), with
    a note of each visibility by the CDM and by Actiris."""
    share_case(case, owner=owner, partner_user=other_partner, scope=Scope.VIEW)
    writers = {
        "cdm_org": (owner, V.ORGANISATION),
        "cdm_private": (owner, V.PRIVATE),
        "cdm_shared": (owner, V.SHARED),
        "colleague_private": (colleague, V.PRIVATE),
        "actiris_org": (partner, V.ORGANISATION),
        "actiris_private": (partner, V.PRIVATE),
        "actiris_shared": (partner, V.SHARED),
    }
    return {
        key: make_note(
            case,
            author,
            visibility,
            text=f"Texte de la note «{key}», à ne pas divulguer.",
            topic=f"Sujet «{key}»",
        )
        for key, (author, visibility) in writers.items()
    }


READERS = {
    "owner": {"cdm_org", "cdm_private", "cdm_shared", "actiris_shared"},
    "colleague": {"cdm_org", "colleague_private", "cdm_shared", "actiris_shared"},
    "partner": {"actiris_org", "actiris_private", "cdm_shared", "actiris_shared"},
    "partner_colleague": {"actiris_org", "cdm_shared", "actiris_shared"},
    "other_partner": {"cdm_shared", "actiris_shared"},
}


def _csv_notes(response) -> set[str]:
    """The note texts of a case export (the facts, a blank line, a header row)."""
    rows = list(csv.reader(io.StringIO(body(response))))
    header = rows.index([]) + 1
    assert len(rows[header]) == 6
    return {row[-1] for row in rows[header + 1 :]}


@pytest.mark.parametrize("reader", list(READERS))
def test_each_reader_sees_the_notes_meant_for_them(request, noted, case, reader):
    user = request.getfixturevalue(reader)
    client = signed_in(user)
    expected = {noted[key].text for key in READERS[reader]}
    hidden = [note for key, note in noted.items() if key not in READERS[reader]]

    page = detail(client, case)
    assert {note.text for note in page.context["notes"]} == expected
    text = body(page)
    for note in hidden:
        assert note.text not in text and note.topic not in text
    # Not even how many there are.
    assert text.count('class="timeline__item"') == len(expected)

    export = client.get(reverse("case_export", kwargs={"pk": case.pk}))
    assert _csv_notes(export) == expected
    for page_name in ("case_list", "dashboard", "shares", "case_list_export"):
        listed = body(client.get(reverse(page_name)))
        assert all(note.text not in listed for note in hidden), page_name
    searched = body(client.get(reverse("case_list"), {"q": "divulguer"}))
    assert all(note.text not in searched for note in noted.values())


@pytest.mark.parametrize("reader", list(READERS))
def test_a_note_one_may_not_read_is_not_found(request, noted, case, reader):
    user = request.getfixturevalue(reader)
    client = signed_in(user)
    for key, note in noted.items():
        url = reverse("note_edit", kwargs={"pk": case.pk, "note_pk": note.pk})
        status = client.get(url).status_code
        if key not in READERS[reader]:
            assert status == 404, key
        else:
            assert status == (200 if note.author_id == user.pk else 403), key


def test_a_note_is_reached_only_through_its_own_case_file(owner, case, hidden_case):
    note = make_note(hidden_case, owner, V.ORGANISATION, "Texte", "Sujet")
    response = signed_in(owner).get(
        reverse("note_edit", kwargs={"pk": case.pk, "note_pk": note.pk})
    )
    assert response.status_code == 404


def test_when_sharing_ends_the_partners_notes_stay_with_the_owner(
    owner, partner, case, shared, noted
):
    services.share_revoke(share=shared, acting_user=owner)
    page = detail(signed_in(owner), case)
    assert {note.text for note in page.context["notes"]} == {
        noted[key].text for key in READERS["owner"]
    }


def test_the_last_contact_on_the_dashboard_counts_only_notes_one_may_read(
    owner, colleague, partner, case, shared
):
    mine = make_note(case, owner, V.ORGANISATION, "Premier entretien", "Accueil")
    Note.objects.filter(pk=mine.pk).update(contact_date=today() - 40 * DAY)
    services.notes.refresh_last_contact(case.pk)  # as the note services do
    make_note(case, partner, V.ORGANISATION, "Note interne d'Actiris", "Interne")
    make_note(case, colleague, V.PRIVATE, "Note privée de Karim", "Privé")
    (row,) = signed_in(owner).get(reverse("dashboard")).context["my_open_cases"]
    assert row.last_contact == today() - 40 * DAY


def test_a_sharing_or_consent_is_reached_only_through_its_own_case_file(
    owner, partner, case, hidden_case
):
    """The owner of two case files cannot revoke the sharing of one, nor withdraw
    its consent, through the URL of the other."""
    share = share_case(case, owner=owner, partner_user=partner)
    client = signed_in(owner)
    before = db_snapshot()
    revoke = client.post(
        reverse("share_revoke", kwargs={"pk": hidden_case.pk, "share_pk": share.pk})
    )
    withdraw = client.post(
        reverse(
            "consent_withdraw",
            kwargs={"pk": hidden_case.pk, "consent_pk": share.consent_id},
        ),
        {"withdrawn_on": today().isoformat()},
    )
    assert (revoke.status_code, withdraw.status_code) == (404, 404)
    assert not diff(before, db_snapshot())
