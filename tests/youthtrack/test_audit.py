"""The audit trail: every view of a case file, every change, sharing, answer,
revocation, consent change and export is recorded — who, when, which organisation,
from which address. Nothing in the application updates or deletes a row, the admin
included. Administrators search it at /audit/; a case file's owner organisation sees
who accessed it.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from tests.factories.helpers import intake_post
from tests.youthtrack.conftest import sign_in
from youthtrack import services
from youthtrack.forms import CaseFileForm, YoungPersonForm
from youthtrack.models import AuditEvent, CaseFile, Note, Share, User
from youthtrack.pagination import BoundedPaginator

from .sharing_helpers import (
    audit_rows,
    confirmed_device,
    form_post,
    grants,
    make_case,
    make_note,
    make_user,
    org,
    record_sharing_consent,
    share_case,
    signed_in,
    today,
    verify_session,
)

A = AuditEvent.Action
Scope = Share.Scope
ADDRESS = "203.0.113.42"


@pytest.fixture
def owner(db) -> User:
    return make_user("sarah", org_code="cdm")


@pytest.fixture
def partner(db) -> User:
    return make_user("lotte", org_code="actiris", role=User.Role.PARTNER)


@pytest.fixture
def administrator(db) -> User:
    return make_user("admin", org_code="cdm", role=User.Role.ADMIN)


@pytest.fixture
def admin_client(administrator):
    client = signed_in(administrator)
    verify_session(client, confirmed_device(administrator))
    return client


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
def scene(owner, partner, case):
    """The case file shared with Actiris (notes), a second one awaiting Actiris's
    answer, a note by the owner and a consent to share with Bruxelles Formation."""
    shared = share_case(case, owner=owner, partner_user=partner, scope=Scope.NOTES)
    waiting_case = make_case(
        advisor=owner,
        first_name="Noémie",
        last_name="Wauters",
        phone="0470 99 88 77",
        email="noemie.w@example.net",
    )
    pending = share_case(waiting_case, owner=owner, partner_user=partner, accept=False)
    note = make_note(case, owner, Note.Visibility.ORGANISATION, "Entretien", "Suivi")
    record_sharing_consent(case, owner, org("bruxelles-formation"))
    return {"shared": shared, "pending": pending, "note": note}


def _case_url(name, case, **kwargs):
    return reverse(name, kwargs={"pk": case.pk, **kwargs})


def _do(who: str, method: str, url, data=None):
    def action(users, case, scene):
        client = signed_in(users[who], REMOTE_ADDR=ADDRESS)
        target = url(case, scene) if callable(url) else url
        if method == "GET":
            response = client.get(target)
        else:
            payload = data(case, scene) if callable(data) else (data or {})
            response = client.post(target, payload)
        assert response.status_code in (200, 302), (target, response.status_code)
        if response.status_code == 200 and response.context:
            form = response.context.get("form")
            assert not (form is not None and form.errors), form.errors

    return action


def _case_edit_data(case, scene):
    form = CaseFileForm(instance=case, user=case.advisor)
    return form_post(form, next_follow_up_on=today() + datetime.timedelta(days=9))


def _person_edit_data(case, scene):
    return form_post(
        YoungPersonForm(instance=case.young_person), other_languages="Lingala"
    )


NOTE_DATA = {
    "contact_date": timezone.localdate().isoformat(),
    "channel": "phone",
    "topic": "Appel",
    "text": "Rendez-vous fixé.",
    "visibility": Note.Visibility.SHARED,
}

# action → (what is done, the rows it writes: (action, record type, who))
AUDITED = {
    "view a case file": (
        _do("partner", "GET", lambda c, s: _case_url("case_detail", c)),
        [(A.VIEW, "youthtrack.casefile", "partner")],
    ),
    "change a case file": (
        _do("owner", "POST", lambda c, s: _case_url("case_edit", c), _case_edit_data),
        [(A.UPDATE, "youthtrack.casefile", "owner")],
    ),
    "change a young person": (
        _do(
            "owner", "POST", lambda c, s: _case_url("person_edit", c), _person_edit_data
        ),
        [(A.UPDATE, "youthtrack.youngperson", "owner")],
    ),
    "move a case file on": (
        _do(
            "owner",
            "POST",
            lambda c, s: _case_url("case_transition", c, to_status="follow_up"),
            lambda c, s: {
                "version": c.version,
                "effective_date": today().isoformat(),
                "comment": "",
            },
        ),
        [(A.TRANSITION, "youthtrack.casefile", "owner")],
    ),
    "register a young person": (
        _do("owner", "POST", reverse("intake"), lambda c, s: intake_post()),
        [
            (A.CREATE, "youthtrack.youngperson", "owner"),
            (A.CREATE, "youthtrack.casefile", "owner"),
        ],
    ),
    "add a note (a partner)": (
        _do("partner", "POST", lambda c, s: _case_url("note_create", c), NOTE_DATA),
        [(A.CREATE, "youthtrack.note", "partner")],
    ),
    "change a note": (
        _do(
            "owner",
            "POST",
            lambda c, s: _case_url("note_edit", c, note_pk=s["note"].pk),
            lambda c, s: {**NOTE_DATA, "version": s["note"].version},
        ),
        [(A.UPDATE, "youthtrack.note", "owner")],
    ),
    "record a consent": (
        _do(
            "owner",
            "POST",
            lambda c, s: _case_url("consent_create", c),
            {
                "purpose": "processing",
                "given_by": "self",
                "given_on": timezone.localdate().isoformat(),
            },
        ),
        [(A.CONSENT, "youthtrack.consent", "owner")],
    ),
    "withdraw a consent": (
        _do(
            "owner",
            "POST",
            lambda c, s: _case_url(
                "consent_withdraw", c, consent_pk=s["shared"].consent_id
            ),
            {"withdrawn_on": timezone.localdate().isoformat(), "confirm": "1"},
        ),
        [
            (A.WITHDRAW, "youthtrack.consent", "owner"),
            (A.WITHDRAW, "youthtrack.share", "owner"),
        ],
    ),
    "share": (
        _do(
            "owner",
            "POST",
            lambda c, s: _case_url("case_share", c),
            lambda c, s: {
                "partner": org("bruxelles-formation").pk,
                "purpose": "Formation",
                "scope": Scope.VIEW,
            },
        ),
        [(A.SHARE, "youthtrack.share", "owner")],
    ),
    "accept": (
        _do(
            "partner",
            "POST",
            lambda c, s: reverse(
                "share_answer",
                kwargs={"share_pk": s["pending"].pk, "answer": "accept"},
            ),
        ),
        [(A.ACCEPT, "youthtrack.share", "partner")],
    ),
    "decline": (
        _do(
            "partner",
            "POST",
            lambda c, s: reverse("share_decline", kwargs={"share_pk": s["pending"].pk}),
            {"confirm": "1", "reason": "Pas de place avant mars"},
        ),
        [(A.DECLINE, "youthtrack.share", "partner")],
    ),
    "revoke": (
        _do(
            "owner",
            "POST",
            lambda c, s: _case_url("share_revoke", c, share_pk=s["shared"].pk),
            {"confirm": "1"},
        ),
        [(A.REVOKE, "youthtrack.share", "owner")],
    ),
    "export a case file": (
        _do("partner", "GET", lambda c, s: _case_url("case_export", c)),
        [(A.EXPORT, "youthtrack.casefile", "partner")],
    ),
    "export the list": (
        _do("owner", "GET", reverse("case_list_export")),
        [(A.EXPORT, "youthtrack.user", "owner")],
    ),
}


@pytest.mark.parametrize("what", list(AUDITED))
def test_each_audited_action_writes_its_rows(owner, partner, case, scene, what):
    action, expected = AUDITED[what]
    users = {"owner": owner, "partner": partner}
    started = timezone.now()
    with audit_rows() as recorded:
        action(users, case, scene)
    got = [(row.action, row.object_type, row.actor) for row in recorded.rows]
    assert got == [(a, t, users[who]) for a, t, who in expected]
    for row in recorded.rows:
        assert row.organisation == row.actor.organisation
        assert row.ip_address == ADDRESS
        assert started <= row.at <= timezone.now()
        if row.object_type != "youthtrack.user" and what != "register a young person":
            assert row.case_file is not None
    if what == "change a case file":
        (row,) = recorded.rows
        assert list(row.changes) == ["next_follow_up_on"]
        assert row.object_version == CaseFile.objects.get(pk=case.pk).version
    if what == "move a case file on":
        assert recorded.rows[0].changes["status"] == ["active", "follow_up"]
    if what == "share":
        assert recorded.rows[0].changes["scope"] == [None, Scope.VIEW]


def test_an_override_is_recorded_with_its_reason(owner, case):
    owner.user_permissions.add(
        *owner.user_permissions.model.objects.filter(
            codename="override_sharing_consent"
        )
    )
    client = signed_in(User.objects.get(pk=owner.pk), REMOTE_ADDR="2001:db8::7")
    with audit_rows() as recorded:
        response = client.post(
            _case_url("case_share", case),
            {
                "partner": org("vdab").pk,
                "purpose": "Urgence",
                "scope": Scope.VIEW,
                "override_reason": "Expulsion imminente",
            },
        )
    assert response.status_code == 302
    assert [row.action for row in recorded.rows] == [A.SHARE, A.OVERRIDE]
    override = recorded.rows[1]
    # The reason is on the sharing; the trail says it was given, not what it says
    # (a typed text may name anyone).
    assert list(override.changes) == ["override_reason"]
    assert "Expulsion" not in str(override.changes)
    assert Share.objects.get(pk=override.object_id).override_reason == (
        "Expulsion imminente"
    )
    assert override.ip_address == "2001:db8::7"


def test_an_expiry_is_recorded_as_done_by_the_system(owner, partner, case):
    share = share_case(case, owner=owner, partner_user=partner, end_date=today())
    Share.objects.filter(pk=share.pk).update(
        end_date=today() - datetime.timedelta(days=1)
    )
    with audit_rows() as recorded:
        services.shares_expire_due()
    (row,) = recorded.rows
    assert (row.action, row.actor, row.organisation) == (A.EXPIRE, None, None)
    assert (row.case_file, row.object_id, row.ip_address) == (case, share.pk, None)


def test_switching_two_factor_on_is_recorded(owner):
    from django_otp.oath import totp

    client = signed_in(owner, REMOTE_ADDR=ADDRESS)
    client.get(reverse("otp_setup"))
    device = owner.totpdevice_set.get(confirmed=False)
    token = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    with audit_rows() as recorded:
        response = client.post(reverse("otp_setup"), {"token": token})
    assert response.status_code == 302
    (row,) = recorded.rows
    assert (row.action, row.actor, row.object_type) == (
        A.UPDATE,
        owner,
        "youthtrack.user",
    )
    assert row.changes == {"two_factor": [False, True]}


def test_a_refused_request_writes_no_row(owner, partner, case):
    client = signed_in(partner, REMOTE_ADDR=ADDRESS)
    with audit_rows() as recorded:
        for name in ("case_detail", "case_export", "case_edit", "note_create"):
            assert client.get(_case_url(name, case)).status_code == 404
    assert recorded.rows == []


def test_a_change_and_its_row_are_saved_together_or_not_at_all(
    owner, case, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("the audit table is unavailable")

    monkeypatch.setattr(services.versioning, "record_audit_event", broken)
    before = CaseFile.objects.get(pk=case.pk)
    with pytest.raises(RuntimeError):
        services.case_file_update(
            case_file=case,
            acting_user=owner,
            data={"next_follow_up_on": today() + datetime.timedelta(days=3)},
            expected_version=case.version,
        )
    after = CaseFile.objects.get(pk=case.pk)
    assert (after.version, after.next_follow_up_on) == (
        before.version,
        before.next_follow_up_on,
    )


def test_a_revocation_and_its_row_are_saved_together_or_not_at_all(
    owner, partner, case, monkeypatch
):
    share = share_case(case, owner=owner, partner_user=partner)

    def broken(**kwargs):
        raise RuntimeError("the audit table is unavailable")

    monkeypatch.setattr(services.sharing, "record_audit_event", broken)
    with pytest.raises(RuntimeError):
        services.share_revoke(share=share, acting_user=owner)
    share.refresh_from_db()
    assert share.status == Share.Status.ACCEPTED
    assert grants(case, org("actiris")) == {"view_shared_casefile"}


# --- append-only ---------------------------------------------------------------------


@pytest.fixture
def event(owner, case) -> AuditEvent:
    services.case_file_record_view(case_file=case, acting_user=owner)
    return AuditEvent.objects.get(action=A.VIEW, case_file=case)


def _refused(attempt) -> None:
    """The attempt raises PermissionDenied (in its own savepoint: bulk_update's
    atomic block would otherwise spoil the test's transaction)."""
    with pytest.raises(PermissionDenied), transaction.atomic():
        attempt()


def test_a_row_cannot_be_changed(event):
    event.action = A.EXPORT
    _refused(event.save)
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(action=A.EXPORT))
    _refused(lambda: AuditEvent.objects.bulk_update([event], ["action"]))
    _refused(
        lambda: AuditEvent.objects.update_or_create(
            pk=event.pk, defaults={"action": A.EXPORT}
        )
    )
    assert AuditEvent.objects.get(pk=event.pk).action == A.VIEW


def test_a_row_cannot_be_deleted(event):
    _refused(event.delete)
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    _refused(lambda: AuditEvent.objects.all().delete())
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_rows_outlive_what_they_are_about(event, owner, case):
    """Deleting a case file, its keeper or their organisation would take the rows
    with it: the database refuses."""
    for obj in (case, owner):
        with pytest.raises(ProtectedError), transaction.atomic():
            type(obj).objects.filter(pk=obj.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_shows_the_trail_read_only(admin_client, event):
    changelist = reverse("admin:youthtrack_auditevent_changelist")
    change = reverse("admin:youthtrack_auditevent_change", args=[event.pk])
    delete = reverse("admin:youthtrack_auditevent_delete", args=[event.pk])
    add = reverse("admin:youthtrack_auditevent_add")
    listing = admin_client.get(changelist)
    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()
    page = admin_client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(change, {"action": "export"}).status_code == 403
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.get(add).status_code == 403
    admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert AuditEvent.objects.get(pk=event.pk).action == A.VIEW


def test_the_admin_cannot_delete_a_user_who_left_a_trail(admin_client, owner, event):
    url = reverse("admin:youthtrack_user_delete", args=[owner.pk])
    admin_client.post(url, {"post": "yes"})
    assert User.objects.filter(pk=owner.pk).exists()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- the administrator's page --------------------------------------------------------


@pytest.fixture
def trail(owner, partner, case, administrator):
    share = share_case(case, owner=owner, partner_user=partner)
    services.case_file_record_view(case_file=case, acting_user=partner)
    services.case_file_record_view(case_file=case, acting_user=owner)
    other = make_case(
        advisor=owner,
        first_name="Noémie",
        last_name="Wauters",
        phone="0470 99 88 77",
        email="noemie.w@example.net",
    )
    services.case_file_record_view(case_file=other, acting_user=owner)
    old = AuditEvent.objects.create(
        at=timezone.now() - datetime.timedelta(days=10),
        actor=owner,
        organisation=owner.organisation,
        action=A.VIEW,
        object_type="youthtrack.casefile",
        object_id=case.pk,
        case_file=case,
        ip_address="198.51.100.7",
    )
    return {"share": share, "other": other, "old": old}


def _listed(client, **query) -> set[int]:
    response = client.get(reverse("audit_log"), query)
    assert response.status_code == 200
    return {event.pk for event in response.context["page"].object_list}


def test_the_administrator_filters_the_trail(admin_client, owner, partner, case, trail):
    everything = set(AuditEvent.objects.values_list("pk", flat=True))
    assert _listed(admin_client) == everything
    by_partner = set(
        AuditEvent.objects.filter(actor=partner).values_list("pk", flat=True)
    )
    assert by_partner and _listed(admin_client, actor=partner.pk) == by_partner
    assert (
        _listed(admin_client, organisation=org("actiris").pk) == by_partner
    )  # partner staff only
    views = set(AuditEvent.objects.filter(action=A.VIEW).values_list("pk", flat=True))
    assert _listed(admin_client, action="view") == views
    sharing = set(
        AuditEvent.objects.filter(action__in=[A.SHARE, A.ACCEPT]).values_list(
            "pk", flat=True
        )
    )
    assert len(sharing) == 2
    assert _listed(admin_client, action=["share", "accept"]) == sharing
    of_other = set(
        AuditEvent.objects.filter(case_file=trail["other"]).values_list("pk", flat=True)
    )
    assert _listed(admin_client, case_file=trail["other"].pk) == of_other
    today_iso = timezone.localdate().isoformat()
    recent = _listed(admin_client, date_from=today_iso, date_to=today_iso)
    assert recent == everything - {trail["old"].pk}
    old_day = timezone.localtime(trail["old"].at).date().isoformat()
    assert _listed(admin_client, date_to=old_day) == {trail["old"].pk}
    assert _listed(admin_client, date_from="not a date") == set()


def test_the_trail_shows_who_from_where_and_no_personal_data(
    admin_client, partner, case, trail
):
    response = admin_client.get(reverse("audit_log"), {"actor": partner.pk})
    text = response.content.decode()
    assert str(partner) in text and "Actiris" in text
    assert "198.51.100.7" in admin_client.get(reverse("audit_log")).content.decode()
    for value in ("Vandersmissen", "Mélodie", "0470 12 34 56", "Wauters"):
        assert value not in text


def test_a_long_trail_is_counted_up_to_a_bound_newest_first(
    admin_client, owner, case, monkeypatch
):
    monkeypatch.setattr(BoundedPaginator, "count_limit", 60)
    for days in range(70):
        AuditEvent.objects.create(
            at=timezone.now() - datetime.timedelta(days=days),
            actor=owner,
            organisation=owner.organisation,
            action=A.VIEW,
            object_type="youthtrack.casefile",
            object_id=case.pk,
            case_file=case,
        )
    first = admin_client.get(reverse("audit_log"))
    text = first.content.decode()
    # The administrator reads French.
    assert "Plus de 60 événements" in text and "Page 1 sur 2" in text
    second = admin_client.get(reverse("audit_log"), {"page": 2})
    newest = list(
        AuditEvent.objects.order_by("-at", "-pk").values_list("pk", flat=True)[:60]
    )
    shown = [e.pk for r in (first, second) for e in r.context["page"].object_list]
    assert shown == newest
    assert "affinez la recherche pour voir les autres" in second.content.decode()
    assert 'rel="next"' not in second.content.decode()


# --- who accessed this file ----------------------------------------------------------


def test_the_owner_organisation_sees_who_accessed_the_file(owner, partner, case):
    share_case(case, owner=owner, partner_user=partner)
    signed_in(partner, REMOTE_ADDR=ADDRESS).get(_case_url("case_detail", case))
    colleague = make_user("karim", org_code="cdm")
    for reader in (owner, colleague):
        client = signed_in(reader)
        # The case page links to the read log, on a page of its own.
        detail = client.get(_case_url("case_detail", case)).content.decode()
        assert _case_url("case_access_log", case) in detail
        response = client.get(_case_url("case_access_log", case))
        log = [row.event for row in response.context["rows"]]
        viewed = [e for e in log if e.action == A.VIEW and e.actor == partner]
        assert viewed and viewed[0].ip_address == ADDRESS
        assert viewed[0].organisation == org("actiris")
        text = response.content.decode()
        assert ADDRESS in text and str(partner) in text


def test_nobody_else_sees_who_accessed_the_file(owner, partner, case):
    """Not the partner it is shared with, nor a project lead of another
    organisation who leads its programme."""
    share_case(case, owner=owner, partner_user=partner)
    lead = make_user("nadia", org_code="actiris", role=User.Role.LEAD)
    lead.programmes_led.add(case.programme)
    for reader in (partner, lead):
        client = signed_in(reader)
        response = client.get(_case_url("case_detail", case))
        assert response.status_code == 200
        assert _case_url("case_access_log", case) not in response.content.decode()
        assert client.get(_case_url("case_access_log", case)).status_code == 403


def test_an_account_change_in_the_admin_is_in_the_audit_trail(
    client, administrator, advisor
):
    """A role changed through the Django admin leaves a row naming the fields, never
    the password. (A change that widens access waits for a second administrator:
    test_admin_accounts.py.)"""
    sign_in(client, administrator)
    url = reverse("admin:youthtrack_user_change", args=[advisor.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"password", "groups", "user_permissions"}
    }
    data.update(
        {
            "role": "admin",
            "organisation": advisor.organisation_id,
            "date_joined_0": advisor.date_joined.date().isoformat(),
            "date_joined_1": "09:00:00",
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    advisor.refresh_from_db()
    assert advisor.role == "admin"
    event = AuditEvent.objects.filter(
        object_type="youthtrack.user", object_id=advisor.pk
    ).latest("at")
    assert event.actor == administrator
    assert "role" in event.changes
    assert not any("password" in name for name in event.changes)
