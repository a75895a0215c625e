"""Each user's language: kept when they switch, taken again at their next login, and
the language of every e-mail written to them (follow-up reminders, account changes,
declined referrals). The switch posts one button per language (no separate 'Change').
"""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from outcomes.records import services as records
from outcomes.tasks import follow_up_reminders
from tests.factories import DEMO_PASSWORD
from tests.outcomes.records_helpers import active_case
from youthtrack.models import CaseFile, User
from youthtrack.services.accounts import account_owner_notify

from .sharing_helpers import body, make_user, share_case, signed_in

COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture
def advisor(db) -> User:
    user = make_user("sarah", org_code="cdm")
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def log_in(client: Client, user: User):
    return client.post(
        reverse("login"), {"username": user.username, "password": DEMO_PASSWORD}
    )


def switch(client: Client, language: str, next_url: str = "/cases/"):
    return client.post(
        reverse("set_language"), {"language": language, "next": next_url}
    )


def test_the_first_login_keeps_the_language_being_read(advisor):
    client = Client()
    client.cookies[COOKIE] = "nl"
    response = log_in(client, advisor)
    assert response.status_code == 302
    advisor.refresh_from_db()
    assert advisor.language == "nl"
    assert response.cookies[COOKIE].value == "nl"


def test_login_brings_back_the_users_language_whatever_the_browser_had(advisor):
    advisor.language = "nl"
    advisor.save()
    client = Client()
    client.cookies[COOKIE] = "fr"  # a shared computer left in French
    response = log_in(client, advisor)
    assert response.cookies[COOKIE].value == "nl"
    dashboard = client.get(reverse("dashboard"))
    assert '<html lang="nl"' in body(dashboard)
    advisor.refresh_from_db()
    assert advisor.language == "nl"  # not overwritten by the browser's French


def test_switching_is_kept_for_the_next_login(advisor):
    client = Client()
    log_in(client, advisor)
    response = switch(client, "en", "/cases/")
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    advisor.refresh_from_db()
    assert advisor.language == "en"

    elsewhere = Client()
    elsewhere.cookies[COOKIE] = "nl"
    assert log_in(elsewhere, advisor).cookies[COOKIE].value == "en"


def test_the_switch_changes_nothing_on_get_or_for_an_unknown_language(advisor):
    advisor.language = "fr"
    advisor.save()
    client = signed_in(advisor)
    assert client.get(reverse("set_language"), {"language": "nl"}).status_code == 405
    switch(client, "de")
    advisor.refresh_from_db()
    assert advisor.language == "fr"


def test_the_switch_needs_the_csrf_token(advisor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(advisor)
    assert switch(client, "nl").status_code == 403
    advisor.refresh_from_db()
    assert advisor.language == ""


def test_a_visitor_who_is_not_signed_in_can_switch_too():
    response = switch(Client(), "nl", "/login/")
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "nl"


def test_the_switch_is_one_button_per_other_language(advisor):
    client = signed_in(advisor)
    client.cookies[COOKIE] = "nl"
    html = body(client.get(reverse("dashboard")))
    switch_form = html.split('class="lang-switch"')[1].split("</form>")[0]
    assert switch_form.count("<button") == 2
    assert 'value="fr"' in switch_form and 'value="en"' in switch_form
    assert 'value="nl"' not in switch_form  # the current one is no button
    assert 'aria-current="true">NL' in switch_form
    assert "<select" not in switch_form


# --- e-mails in the recipient's language ---


def test_follow_up_reminders_are_written_in_the_advisors_language(advisor):
    advisor.language = "nl"
    advisor.save()
    case = active_case(advisor)
    records.participation_exit(
        case_file=case,
        acting_user=advisor,
        exit_date=datetime.date.today() - datetime.timedelta(days=28),
        exit_reason=CaseFile.ExitReason.COMPLETED,
        comment="",
        expected_version=CaseFile.objects.get(pk=case.pk).version,
        outcome_data=None,
    )
    assert follow_up_reminders.apply().get() == 1
    (message,) = mail.outbox
    assert message.subject == f"Opvolging te doen: dossier nr. {case.pk}"


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("nl", "Uw youthtrack-account werd gewijzigd"),
        ("en", "Your youthtrack account was changed"),
        ("", "Votre compte youthtrack a été modifié"),  # none yet: the site's
    ],
)
def test_account_emails_are_written_in_the_owners_language(
    advisor, language, subject, django_capture_on_commit_callbacks
):
    advisor.language = language
    advisor.save()
    with django_capture_on_commit_callbacks(execute=True):
        account_owner_notify(
            account=advisor, acting_user=None, changes={"is_active": [True, False]}
        )
    (message,) = mail.outbox
    assert message.subject == subject


def test_a_declined_referral_is_told_in_the_referrers_language(
    advisor, django_capture_on_commit_callbacks
):
    advisor.language = "nl"
    advisor.save()
    partner = make_user("lotte", org_code="actiris", role=User.Role.PARTNER)
    partner.language = "fr"
    partner.save()
    case = active_case(advisor)
    share = share_case(case, owner=advisor, partner_user=partner, accept=False)
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(partner).post(
            reverse("share_decline", args=[share.pk]),
            {"confirm": "1", "reason": "Pas inscrite"},
        )
    (message,) = mail.outbox
    assert message.subject == f"Doorverwijzing geweigerd: dossier nr. {case.pk}"
