"""The user's own account: password and two-factor authentication (TOTP)."""

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login
from django_otp import match_token, user_has_device

from . import services
from .forms import OneTimeCodeForm
from .http import AuthenticatedHttpRequest
from .services.accounts import (
    account_password_changed_by_owner,
    user_language_at_login,
    user_language_set,
)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


def _language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class Login(auth_views.LoginView):
    """Django's login; the interface then speaks the user's own language (the one
    they are reading becomes theirs at their first login)."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = user_language_at_login(
            user=form.get_user(), current=translation.get_language() or ""
        )
        translation.activate(language)
        _language_cookie(response, language)
        return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (posted, CSRF-checked, redirects to a safe ``next``);
    a signed-in user's choice is kept on their account for their next login and
    their e-mails."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and translation.check_for_language(language):
        user_language_set(user=request.user, language=language)  # type: ignore[arg-type]
    return response


@login_required
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "account/account.html",
        {"has_two_factor": user_has_device(request.user)},
    )


@login_required
def otp_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Pair an authenticator app: scan the code, type the six digits it shows."""
    # OTPMiddleware attaches is_verified() to request.user; the model does not have it.
    if user_has_device(request.user) and not request.user.is_verified():  # type: ignore[attr-defined]
        return redirect("otp_verify")
    device = services.totp_device_pending(user=request.user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(
            device=device, acting_user=request.user, token=form.cleaned_data["token"]
        ):
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_next_url(request))
        form.add_error(
            "token",
            _(
                "This code is not right. Check the time on your phone; after a wrong "
                "code, wait a few seconds before the next try."
            ),
        )
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, title=_("QR code to scan with an authenticator app")
    )
    return render(
        request,
        "account/otp_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": services.totp_secret_for_display(device),
            "next": _next_url(request),
        },
    )


@login_required
def otp_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The second step of logging in, for users who have an authenticator."""
    # OTPMiddleware attaches is_verified() to request.user; the model does not have it.
    if request.user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error(
            "token",
            _(
                "This code is not right or has expired; after a wrong code, wait a "
                "few seconds before the next try."
            ),
        )
    return render(
        request, "account/otp_verify.html", {"form": form, "next": _next_url(request)}
    )


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form, refusing to keep the password one was given."""

    def clean_new_password1(self):
        password = self.cleaned_data.get("new_password1")
        if password and self.user.check_password(password):
            raise forms.ValidationError(
                _("Choose a new password, different from the current one."),
                code="password_unchanged",
            )
        return password


class PasswordChange(auth_views.PasswordChangeView):
    """Change one's password; the one an administrator chose must be changed here
    before anything else (PasswordChangeRequiredMiddleware)."""

    form_class = OwnPasswordChangeForm
    template_name = "account/password_change.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = self.request.user.must_change_password
        context["next"] = _next_url(self.request)
        return context

    def get_success_url(self) -> str:
        return _next_url(self.request)

    def form_valid(self, form):
        response = super().form_valid(form)
        account_password_changed_by_owner(user=self.request.user)
        messages.success(self.request, _("Your password is changed."))
        return response
