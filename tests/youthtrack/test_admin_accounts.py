"""No silent account takeover through the Django admin.

An administrator who sets an advisor's password, changes a role or resets two-factor
authentication leaves a row in the audit trail and an e-mail in the owner's mailbox;
a password the administrator chose must be changed at the next login; nobody widens
their own access, and widening another account's waits for a second administrator."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory, reference
from tests.youthtrack.conftest import sign_in
from youthtrack.models import AccountChangeRequest, AuditEvent, User

from .helpers import page_text

NEW_PASSWORD = "a-fresh-Passphrase-2026"


def change_url(account):
    return reverse("admin:youthtrack_user_change", args=[account.pk])


def change_form_data(client, account, **overrides):
    """What the admin's change form posts as displayed, with some fields changed
    (False unticks a box, a list of objects for programmes)."""
    page = client.get(change_url(account))
    assert page.status_code == 200
    form = page.context["adminform"].form
    values = {
        name: form.initial.get(name)
        for name, field in form.fields.items()
        if not field.disabled
    }
    values.update(overrides)
    data = {}
    for name, value in values.items():
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [getattr(item, "pk", item) for item in value]
        else:
            data[name] = getattr(value, "pk", value)
    return data


def post_change(client, account, **overrides):
    return client.post(
        change_url(account), change_form_data(client, account, **overrides)
    )


def account_events(account):
    return AuditEvent.objects.filter(
        object_type="youthtrack.user", object_id=account.pk
    )


@pytest.fixture
def admin_client(client, administrator):
    """The administrator, reading the admin in English."""
    client.cookies["django_language"] = "en"
    sign_in(client, administrator)
    return client


@pytest.fixture
def client_factory():
    def make():
        browser = Client()
        browser.cookies["django_language"] = "en"
        return browser

    return make


@pytest.fixture
def second_administrator(cdm):
    return UserFactory(
        username="admin2", first_name="Second", last_name="Admin", admin=True
    )


# --- The password an administrator sets ---


def test_a_password_set_in_the_admin_is_audited_told_and_must_be_changed(
    admin_client, administrator, advisor, django_capture_on_commit_callbacks
):
    url = reverse("admin:auth_user_password_change", args=[advisor.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url,
            {
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
                "usable_password": "true",
            },
        )
    assert response.status_code == 302
    advisor.refresh_from_db()
    assert advisor.check_password(NEW_PASSWORD)
    assert advisor.must_change_password

    event = account_events(advisor).latest("at")
    assert event.actor == administrator
    assert event.changes == {"password": [None, None]}
    assert NEW_PASSWORD not in str(event.changes)

    (message,) = mail.outbox
    assert message.to == [advisor.email]
    # The site's language (French): what, who, when, whom to contact.
    assert "compte youthtrack" in message.subject
    assert "Mot de passe" in message.body
    assert str(administrator) in message.body
    assert "dpo@localhost" in message.body
    assert NEW_PASSWORD not in message.body


def test_the_owner_must_change_that_password_before_anything_else(client, advisor):
    advisor.set_password(NEW_PASSWORD)
    advisor.must_change_password = True
    advisor.save()
    client.cookies["django_language"] = "en"
    sign_in(client, advisor)

    for path in (reverse("dashboard"), reverse("case_list"), reverse("account")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("password_change"))
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "An administrator chose your current password" in page_text(page)
    assert 'href="/static/' in page.content.decode()  # the site's own page

    # Keeping the password one was given is refused.
    same = client.post(
        reverse("password_change"),
        {
            "old_password": NEW_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert same.status_code == 200
    assert "different from the current one" in page_text(same)

    own = "my-own-secret-Phrase-77"
    response = client.post(
        reverse("password_change") + "?next=/cases/",
        {"old_password": NEW_PASSWORD, "new_password1": own, "new_password2": own},
    )
    assert response.status_code == 302 and response["Location"] == "/cases/"
    advisor.refresh_from_db()
    assert not advisor.must_change_password and advisor.check_password(own)
    assert client.get(reverse("dashboard")).status_code == 200
    assert account_events(advisor).latest("at").actor == advisor


def test_logout_and_the_password_page_stay_reachable_in_french(client, advisor):
    advisor.must_change_password = True
    advisor.save()
    sign_in(client, advisor)
    page = client.get(reverse("password_change"))
    assert "Un administrateur a choisi votre mot de passe" in page_text(page)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))


def test_an_account_created_in_the_admin_must_change_its_password(
    admin_client, administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:youthtrack_user_add"),
            {
                "username": "newcomer",
                "usable_password": "true",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
                "email": "newcomer@example.org",
                "role": User.Role.ADMIN,
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    account = User.objects.get(username="newcomer")
    assert account.must_change_password
    assert account.is_active  # an administrator role reads no case file
    assert AccountChangeRequest.objects.count() == 0
    event = account_events(account).get()
    assert event.action == AuditEvent.Action.CREATE
    assert "password" not in str(event.changes)
    (message,) = mail.outbox
    assert message.to == ["newcomer@example.org"]


# --- Changes of rights: audited, told, never one's own ---


def test_a_change_that_takes_access_away_applies_and_is_told(
    admin_client, administrator, advisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_change(admin_client, advisor, role=User.Role.ADMIN)
    assert response.status_code == 302
    advisor.refresh_from_db()
    assert advisor.role == User.Role.ADMIN
    event = account_events(advisor).latest("at")
    assert event.changes["role"] == ["advisor", "admin"]
    (message,) = mail.outbox
    assert "Conseiller·ère jeunes → Administrateur·rice" in message.body


def test_the_owner_is_told_in_the_site_language_when_they_have_none(
    admin_client, advisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_change(admin_client, advisor, is_active=False)
    (message,) = mail.outbox
    assert "Votre compte youthtrack a été modifié" == message.subject


def test_a_new_address_does_not_hide_the_change_from_the_old_one(
    admin_client, advisor, django_capture_on_commit_callbacks
):
    old_address = advisor.email
    with django_capture_on_commit_callbacks(execute=True):
        post_change(admin_client, advisor, email="someone-else@example.com")
    assert {address for m in mail.outbox for address in m.to} == {
        old_address,
        "someone-else@example.com",
    }


@pytest.mark.parametrize(
    "change",
    [
        {"role": User.Role.ADVISOR},
        {"is_superuser": False},
        {"organisation": None},
        {"programmes_led": ["youth-cdm"]},
    ],
    ids=["role", "superuser", "organisation", "programmes"],
)
def test_nobody_changes_their_own_access(admin_client, administrator, change):
    if "programmes_led" in change:
        change = {"programmes_led": [reference.programme("youth-cdm")]}
    response = post_change(admin_client, administrator, **change)
    assert response.status_code == 200
    (name,) = change
    errors = response.context["adminform"].form.errors[name]
    assert errors == [
        "You cannot change this on your own account: ask another administrator."
    ]
    fresh = User.objects.get(pk=administrator.pk)
    assert accounts_state(fresh) == accounts_state(administrator)
    assert AccountChangeRequest.objects.count() == 0


def accounts_state(user):
    from youthtrack.services.accounts import access_state

    return access_state(user)


def test_the_form_offers_no_groups_nor_permissions(admin_client, administrator):
    """Posting them anyway changes nothing."""
    group = Group.objects.create(name="anything")
    permission = Permission.objects.get(codename="view_casefile")
    data = change_form_data(admin_client, administrator)
    data.update({"groups": [group.pk], "user_permissions": [permission.pk]})
    form = admin_client.get(change_url(administrator)).context["adminform"].form
    assert "groups" not in form.fields and "user_permissions" not in form.fields
    admin_client.post(change_url(administrator), data)
    assert not administrator.groups.exists()
    assert not administrator.user_permissions.exists()
    assert not admin_client.get("/admin/auth/group/").status_code == 200


# --- Widening another account waits for a second administrator ---


@pytest.mark.parametrize(
    "role", [User.Role.ADVISOR, User.Role.LEAD, User.Role.PARTNER], ids=str
)
def test_a_case_reading_role_waits_for_a_second_administrator(
    admin_client,
    administrator,
    second_administrator,
    cdm,
    role,
    client_factory,
    django_capture_on_commit_callbacks,
):
    """An administrator's accomplice (here another administrator's account) does not
    become an advisor on one administrator's word."""
    target = UserFactory(username="helper", admin=True, is_superuser=False)
    response = post_change(admin_client, target, role=role, organisation=cdm)
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == User.Role.ADMIN  # not applied
    change_request = AccountChangeRequest.objects.get(account=target)
    assert change_request.status == AccountChangeRequest.Status.PENDING
    assert change_request.changes["role"] == ["admin", role]

    # The one who asked cannot approve it.
    changelist = reverse("admin:youthtrack_accountchangerequest_changelist")
    approve = {"action": "approve", "_selected_action": [change_request.pk]}
    response = admin_client.post(changelist, approve, follow=True)
    assert "Another administrator than the one who asked" in page_text(response)
    target.refresh_from_db()
    assert target.role == User.Role.ADMIN

    # A second administrator does.
    other = client_factory()
    sign_in(other, second_administrator)
    with django_capture_on_commit_callbacks(execute=True):
        other.post(changelist, approve)
    target.refresh_from_db()
    assert target.role == role and target.organisation == cdm
    change_request.refresh_from_db()
    assert change_request.status == AccountChangeRequest.Status.APPROVED
    assert change_request.decided_by == second_administrator
    event = account_events(target).latest("at")
    assert event.actor == second_administrator and "role" in event.changes
    (message,) = mail.outbox
    assert str(administrator) in message.body
    assert str(second_administrator) in message.body


def test_superuser_status_waits_and_the_account_itself_cannot_approve(
    admin_client, administrator, second_administrator, client_factory
):
    target = UserFactory(username="staffer", admin=True, is_superuser=False)
    post_change(admin_client, target, is_superuser=True)
    target.refresh_from_db()
    assert not target.is_superuser
    change_request = AccountChangeRequest.objects.get(account=target)
    # Making the target a superuser by other means first would make it able to
    # decide; the target can never approve its own request.
    User.objects.filter(pk=target.pk).update(is_superuser=True)
    own = client_factory()
    sign_in(own, User.objects.get(pk=target.pk))
    changelist = reverse("admin:youthtrack_accountchangerequest_changelist")
    response = own.post(
        changelist,
        {"action": "approve", "_selected_action": [change_request.pk]},
        follow=True,
    )
    assert "their own account" in page_text(response)
    change_request.refresh_from_db()
    assert change_request.status == AccountChangeRequest.Status.PENDING


def test_a_request_is_not_applied_if_the_account_changed_since(
    admin_client, administrator, second_administrator, client_factory, cdm, actiris
):
    target = UserFactory(username="helper", admin=True, is_superuser=False)
    post_change(admin_client, target, role=User.Role.ADVISOR, organisation=cdm)
    change_request = AccountChangeRequest.objects.get(account=target)
    User.objects.filter(pk=target.pk).update(organisation=actiris)
    other = client_factory()
    sign_in(other, second_administrator)
    changelist = reverse("admin:youthtrack_accountchangerequest_changelist")
    response = other.post(
        changelist,
        {"action": "approve", "_selected_action": [change_request.pk]},
        follow=True,
    )
    assert "changed since" in page_text(response)
    target.refresh_from_db()
    assert target.role == User.Role.ADMIN


def test_moving_an_advisor_to_another_organisation_waits(
    admin_client, other_advisor, cdm, actiris
):
    """An advisor moved to the CDM would read the CDM's files."""
    post_change(admin_client, other_advisor, organisation=cdm, first_name="Tom")
    other_advisor.refresh_from_db()
    assert other_advisor.organisation == actiris
    assert other_advisor.first_name == "Tom"  # the rest is applied
    assert AccountChangeRequest.objects.get(account=other_advisor).changes == {
        "organisation": [actiris.pk, cdm.pk]
    }


def test_an_advisor_created_in_the_admin_opens_once_approved(
    admin_client, administrator, cdm
):
    admin_client.post(
        reverse("admin:youthtrack_user_add"),
        {
            "username": "newadvisor",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "role": User.Role.ADVISOR,
            "organisation": cdm.pk,
        },
    )
    account = User.objects.get(username="newadvisor")
    assert not account.is_active
    change_request = AccountChangeRequest.objects.get(account=account)
    assert change_request.changes == {"is_active": [False, True]}


def test_change_requests_are_read_only(admin_client, administrator, advisor):
    change_request = AccountChangeRequest.objects.create(
        account=advisor, requested_by=administrator, changes={}, state_before={}
    )
    url = reverse(
        "admin:youthtrack_accountchangerequest_change", args=[change_request.pk]
    )
    page = admin_client.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert not page.context["has_delete_permission"]
    assert (
        admin_client.get(
            reverse("admin:youthtrack_accountchangerequest_add")
        ).status_code
        == 403
    )


# --- Two-factor reset ---


def test_deleting_an_authenticator_is_a_two_factor_reset_audited_and_told(
    admin_client, administrator, advisor, django_capture_on_commit_callbacks
):
    device = TOTPDevice.objects.create(user=advisor, name="phone", confirmed=True)
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    event = account_events(advisor).latest("at")
    assert event.actor == administrator
    assert event.changes == {"two_factor": [True, False]}
    (message,) = mail.outbox
    assert message.to == [advisor.email]
    assert "double authentification" in message.body.lower() or "Two-factor" in (
        message.body
    )


def test_the_admin_never_shows_an_authenticator_secret(admin_client, advisor):
    device = TOTPDevice.objects.create(user=advisor, name="phone", confirmed=True)
    page = admin_client.get(
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    )
    assert device.key not in page.content.decode()
    assert admin_client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
