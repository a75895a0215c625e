import time
from urllib.parse import urlencode

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_otp import user_has_device

from .audit import client_address


class NoStoreMiddleware:
    """Pages seen by a signed-in user show personal data: never keep them in a cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) and request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private"
        return response


class AuditContextMiddleware:
    """Makes the client's address known to the audit trail for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_address.set(get_client_ip_address(request) or None)
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after login, however active it has been; the idle
    limit (30 minutes) is the session cookie's age."""

    KEY = "youthtrack_login_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(self.KEY, now)
            limit = settings.SESSION_MAX_LIFETIME.total_seconds()
            if now - started > limit:
                logout(request)
                messages.info(
                    request,
                    _("For your safety, a session ends after 12 hours. Log in again."),
                )
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class TwoFactorMiddleware:
    """Asks for the one-time code of users who have a device, and makes
    administrators set one up before anything else."""

    EXEMPT_URL_NAMES = {"otp_verify", "otp_setup", "logout", "set_language", "login"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(settings.STATIC_URL)
        ):
            match = resolve_or_none(request.path_info)
            if match is None or match.url_name not in self.EXEMPT_URL_NAMES:
                if user_has_device(user):
                    return redirect_with_next("otp_verify", request)
                if user.role in settings.TWO_FACTOR_REQUIRED_ROLES:
                    return redirect_with_next("otp_setup", request)
        return self.get_response(request)


def resolve_or_none(path):
    try:
        return resolve(path)
    except Resolver404:
        return None


def redirect_with_next(url_name: str, request) -> HttpResponseRedirect:
    return HttpResponseRedirect(
        f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}"
    )


class PasswordChangeRequiredMiddleware:
    """A password an administrator chose is changed by its owner before anything
    else: every page but the password change, logout and the two-factor steps sends
    them to the password change."""

    EXEMPT_VIEW_NAMES = {
        "password_change",
        "logout",
        "admin:logout",
        "otp_verify",
        "otp_setup",
        "set_language",
        "login",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(settings.STATIC_URL)
        ):
            match = resolve_or_none(request.path_info)
            if match is None or match.view_name not in self.EXEMPT_VIEW_NAMES:
                return redirect_with_next("password_change", request)
        return self.get_response(request)
