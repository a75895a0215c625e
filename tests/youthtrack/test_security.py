"""Login security: throttled logins (django-axes), idle and absolute session limits,
TOTP two-factor authentication (required for administrators, offered to everyone),
strong passwords, the Content-Security-Policy and no-store headers, and a production
configuration that ``manage.py check --deploy`` finds nothing to say about.

Time passes by moving stored timestamps back: the attempts' ``attempt_time``, the
session's ``expire_date`` and its ``youthtrack_login_at``.
"""

import datetime
import os
import secrets
import subprocess
import sys
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import DEMO_PASSWORD
from youthtrack.middleware import SessionLifetimeMiddleware
from youthtrack.models import User

from .sharing_helpers import (
    confirmed_device,
    make_case,
    make_user,
    session_cookie,
    signed_in,
)

LOGIN_AT = SessionLifetimeMiddleware.KEY
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def sarah(db) -> User:
    return make_user("sarah", org_code="cdm")


@pytest.fixture
def karim(db) -> User:
    return make_user("karim", org_code="cdm")


@pytest.fixture
def administrator(db) -> User:
    return make_user("admin", org_code="cdm", role=User.Role.ADMIN)


# --- throttled logins ----------------------------------------------------------------


def log_in(username: str, password: str, address: str) -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=address)
    response = client.post(
        reverse("login"), {"username": username, "password": password}
    )
    return client, response


def signed_in_as(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def locked_out(response) -> bool:
    return response.status_code == 429 and "registration/locked_out.html" in [
        template.name for template in response.templates
    ]


def fail(username: str, address: str, times: int) -> list[int]:
    return [
        log_in(username, "not-the-password", address)[1].status_code
        for _ in range(times)
    ]


def age_attempts(by: datetime.timedelta) -> None:
    """As if the failed attempts had been made ``by`` earlier."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - by)


def test_the_limits_are_five_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=15)
    # Separately: the account, and the address; not only their combination.
    assert "username" in settings.AXES_LOCKOUT_PARAMETERS
    assert "ip_address" in settings.AXES_LOCKOUT_PARAMETERS


def test_five_failures_lock_the_account_even_with_the_right_password(sarah, karim):
    statuses = fail("sarah", "198.51.100.1", 5)
    assert statuses[:4] == [200] * 4  # the form again, with its error
    client, response = log_in("sarah", DEMO_PASSWORD, "198.51.100.1")
    assert locked_out(response)
    assert signed_in_as(client) is None
    # The account is locked from any address...
    client, response = log_in("sarah", DEMO_PASSWORD, "192.0.2.200")
    assert locked_out(response) and signed_in_as(client) is None
    # ...while another account from another address logs in.
    client, response = log_in("karim", DEMO_PASSWORD, "192.0.2.201")
    assert response.status_code == 302
    assert signed_in_as(client) == karim.pk


def test_five_failures_lock_the_address_for_every_account(sarah, karim):
    for username in ("sarah", "nobody", "someone", "admin", "karim"):
        fail(username, "198.51.100.2", 1)
    client, response = log_in("karim", DEMO_PASSWORD, "198.51.100.2")
    assert locked_out(response) and signed_in_as(client) is None
    # Each account failed once only: from elsewhere it logs in.
    client, response = log_in("karim", DEMO_PASSWORD, "192.0.2.202")
    assert response.status_code == 302 and signed_in_as(client) == karim.pk


def test_the_lock_is_released_after_fifteen_minutes(sarah):
    fail("sarah", "198.51.100.3", 5)
    age_attempts(14 * MINUTE)
    client, response = log_in("sarah", DEMO_PASSWORD, "198.51.100.3")
    assert locked_out(response)
    age_attempts(15 * MINUTE + 5 * datetime.timedelta(seconds=1))
    client, response = log_in("sarah", DEMO_PASSWORD, "198.51.100.3")
    assert response.status_code == 302
    assert signed_in_as(client) == sarah.pk


def test_logging_in_to_ones_own_account_does_not_clear_failures_on_another(
    sarah, karim
):
    """Someone with an account alternates guesses at Sarah's with logins to their
    own, from one address (a success must not wipe the address's failures, those
    on Sarah's account included)."""
    for _ in range(3):
        fail("sarah", "198.51.100.6", 4)
        log_in("karim", DEMO_PASSWORD, "198.51.100.6")
    # Twelve wrong passwords for Sarah's account: it is locked, from anywhere.
    client, response = log_in("sarah", DEMO_PASSWORD, "192.0.2.203")
    assert locked_out(response) and signed_in_as(client) is None


def test_the_lockout_page_says_what_happened(sarah):
    fail("sarah", "198.51.100.5", 5)
    response = Client(REMOTE_ADDR="198.51.100.5", HTTP_ACCEPT_LANGUAGE="en").post(
        reverse("login"),
        {"username": "sarah", "password": DEMO_PASSWORD},
        HTTP_COOKIE="django_language=en",
    )
    assert locked_out(response)
    assert "15 minutes" in response.content.decode()
    assert "sarah" not in response.content.decode()


def test_a_forged_forwarded_for_header_does_not_dodge_the_address_lock(karim):
    """The address is the connection's, not one the client writes in a header."""
    for n, username in enumerate(["ana", "ben", "chloe", "dirk", "emma"]):
        Client(REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").post(
            reverse("login"), {"username": username, "password": "wrong"}
        )
    forged = Client(REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR="203.0.113.99")
    response = forged.post(
        reverse("login"), {"username": "karim", "password": DEMO_PASSWORD}
    )
    assert locked_out(response)


# --- sessions ------------------------------------------------------------------------


def test_sessions_end_after_30_minutes_idle_and_12_hours_at_most():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST  # each request restarts the 30 min
    assert settings.SESSION_MAX_LIFETIME == datetime.timedelta(hours=12)
    assert settings.SESSION_COOKIE_HTTPONLY
    middleware = settings.MIDDLEWARE
    assert middleware.index(
        "youthtrack.middleware.SessionLifetimeMiddleware"
    ) > middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")


def _session(client: Client) -> Session:
    return Session.objects.get(session_key=session_cookie(client))


def test_a_request_restarts_the_idle_limit(sarah):
    client = signed_in(sarah)
    Session.objects.filter(session_key=session_cookie(client)).update(
        expire_date=timezone.now() + MINUTE
    )  # 29 minutes idle
    assert client.get(reverse("dashboard")).status_code == 200
    left = _session(client).expire_date - timezone.now()
    assert 29 * MINUTE < left <= 30 * MINUTE


def test_after_30_minutes_idle_the_session_is_over(sarah):
    client = signed_in(sarah)
    assert client.get(reverse("dashboard")).status_code == 200
    Session.objects.filter(session_key=session_cookie(client)).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get(reverse("case_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_login_time_is_kept_in_the_session(sarah):
    client = Client()
    before = time.time()
    client.post(reverse("login"), {"username": "sarah", "password": DEMO_PASSWORD})
    assert client.get(reverse("dashboard")).status_code == 200
    assert before <= client.session[LOGIN_AT] <= time.time()


def _started(client: Client, hours_ago: float, minutes: float = 0) -> None:
    session = client.session
    session[LOGIN_AT] = time.time() - hours_ago * 3600 - minutes * 60
    session.save()


def test_a_session_still_works_just_before_12_hours(sarah):
    client = signed_in(sarah)
    _started(client, 12, minutes=-1)
    assert client.get(reverse("case_list")).status_code == 200


def test_after_12_hours_the_user_is_signed_out(sarah):
    client = signed_in(sarah)
    client.raise_request_exception = False
    _started(client, 12, minutes=1)
    client.get(reverse("case_list"))
    assert signed_in_as(client) is None
    response = client.get(reverse("case_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_after_12_hours_the_user_is_sent_to_the_login_page(sarah):
    client = signed_in(sarah)
    client.raise_request_exception = False
    _started(client, 12, minutes=1)
    response = client.get(reverse("case_list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/cases/"


# --- two-factor authentication -------------------------------------------------------


def token_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def test_an_administrator_sets_up_two_factor_before_anything_else(administrator):
    client = signed_in(administrator)
    response = client.get(reverse("audit_log"))
    assert response["Location"] == f"{reverse('otp_setup')}?next=%2Faudit%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=administrator, confirmed=False)
    wrong = client.post(reverse("otp_setup"), {"token": "000000", "next": "/audit/"})
    if token_for(device) != "000000":
        assert wrong.status_code == 200
        assert "token" in wrong.context["form"].errors
        assert client.get(reverse("audit_log")).status_code == 302
    # After a wrong code django-otp makes the next try wait a moment.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    right = client.post(
        reverse("otp_setup"), {"token": token_for(device), "next": "/audit/"}
    )
    assert right.status_code == 302 and right["Location"] == "/audit/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("audit_log")).status_code == 200


def test_with_a_device_each_login_asks_for_the_code(administrator, sarah):
    for user in (administrator, sarah):
        device = confirmed_device(user)
        client = signed_in(user)
        response = client.get(reverse("case_list"))
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('otp_verify')}?next=%2Fcases%2F"
        # The password alone does not let one pair another authenticator.
        setup = client.get(reverse("otp_setup"))
        assert setup.status_code == 302
        assert setup["Location"].startswith(reverse("otp_verify"))
        assert TOTPDevice.objects.filter(user=user).count() == 1
        verified = client.post(
            reverse("otp_verify"), {"token": token_for(device), "next": "/cases/"}
        )
        assert verified.status_code == 302 and verified["Location"] == "/cases/"
        assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
        assert client.get(reverse("case_list")).status_code == 200


def test_a_code_is_accepted_once(sarah):
    device = confirmed_device(sarah)
    token = token_for(device)
    first = signed_in(sarah)
    assert first.post(reverse("otp_verify"), {"token": token}).status_code == 302
    second = signed_in(sarah)
    replay = second.post(reverse("otp_verify"), {"token": token})
    assert replay.status_code == 200
    assert DEVICE_ID_SESSION_KEY not in second.session


def test_after_the_code_one_is_not_sent_to_another_site(sarah):
    device = confirmed_device(sarah)
    client = signed_in(sarah)
    response = client.post(
        reverse("otp_verify"),
        {"token": token_for(device), "next": "https://evil.example.org/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_two_factor_is_offered_to_everyone_and_required_of_no_advisor(sarah):
    client = signed_in(sarah)
    assert client.get(reverse("dashboard")).status_code == 200
    account = client.get(reverse("account"))
    assert account.status_code == 200
    assert account.context["has_two_factor"] is False
    assert reverse("otp_setup") in account.content.decode()
    assert client.get(reverse("otp_setup")).status_code == 200
    assert settings.TWO_FACTOR_REQUIRED_ROLES == [User.Role.ADMIN, User.Role.DPO]


# --- passwords -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "Sh0rt-pass",  # under 12 characters
        "password1234",  # common
        "482910573648",  # only digits
        "sarahjanssens",  # like the user's name
    ],
)
def test_weak_passwords_are_refused(password):
    user = User(username="sarah", first_name="Sarah", last_name="Janssens")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_uncommon_password_is_accepted():
    user = User(username="sarah", first_name="Sarah", last_name="Janssens")
    validate_password("tram-81-vers-Montgomery-à-l'aube", user)


# --- response headers ----------------------------------------------------------------


def test_every_page_has_a_content_security_policy(sarah):
    anonymous = Client().get(reverse("login"))
    signed = signed_in(sarah).get(reverse("dashboard"))
    for response in (anonymous, signed):
        policy = response["Content-Security-Policy"]
        directives = {
            part.split()[0]: part.split()[1:]
            for part in policy.split(";")
            if part.strip()
        }
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert response["X-Frame-Options"] == "DENY"


def test_pages_for_signed_in_users_are_never_stored(sarah):
    case = make_case(
        advisor=sarah,
        first_name="Mélodie",
        last_name="Vandersmissen",
        phone="0470 12 34 56",
        email="m.v@example.net",
    )
    client = signed_in(sarah)
    paths = [
        reverse("dashboard"),
        reverse("case_list"),
        reverse("case_detail", kwargs={"pk": case.pk}),
        reverse("case_export", kwargs={"pk": case.pk}),
        reverse("case_list_export"),
        reverse("case_detail", kwargs={"pk": case.pk + 1000}),  # 404
    ]
    for path in paths:
        cache_control = client.get(path)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control, path


# --- production ----------------------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "youthtrack.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ALLOWED_HOSTS": "youthtrack.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
