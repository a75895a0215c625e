"""Erasure on request (the data protection officer) and legal holds (the project lead
or the officer of the file's organisation): parse input, call one service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from youthtrack.http import AuthenticatedHttpRequest
from youthtrack.services import anonymisation

from . import selectors
from .forms import ErasureForm, LegalHoldForm


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                form.add_error(name if name in form.fields else None, item)
    else:
        for message in error.messages:
            form.add_error(None, message)


@login_required
@require_http_methods(["GET", "POST"])
def person_erase(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What erasing the person would do, then — confirmed, with a reason — do it."""
    person = selectors.person_for_erasure(user=request.user, pk=pk)
    if person.anonymised_at is not None:
        return render(request, "outcomes/person_erase.html", {"person": person})
    form = ErasureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            anonymisation.young_person_erase(
                person=person,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The person is erased: their personal data is removed for good. "
                    "The reports already produced keep their figures."
                ),
            )
            return redirect("outcomes:person_erase", pk=person.pk)
    preview = selectors.erasure_preview(person=person, user=request.user)
    return render(
        request,
        "outcomes/person_erase.html",
        {"person": person, "preview": preview, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def legal_hold(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Set a legal hold on a case file (with a reason), or lift it."""
    case_file = selectors.case_file_for_hold(user=request.user, pk=pk)
    form = LegalHoldForm(
        request.POST if request.method == "POST" and "set" in request.POST else None
    )
    if request.method == "POST":
        if "lift" in request.POST:
            try:
                anonymisation.legal_hold_clear(
                    case_file=case_file, acting_user=request.user
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The legal hold is lifted."))
            return redirect("outcomes:legal_hold", pk=case_file.pk)
        try:
            if form.is_valid():
                anonymisation.legal_hold_set(
                    case_file=case_file,
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(
                    request,
                    _(
                        "The case file is under legal hold: neither erasure nor "
                        "retention will anonymise it until the hold is lifted."
                    ),
                )
                return redirect("outcomes:legal_hold", pk=case_file.pk)
        except ValidationError as error:
            _add_errors(form, error)
    return render(
        request,
        "outcomes/legal_hold.html",
        {
            "case_file": case_file,
            "form": form,
            "retention_end": anonymisation.retention_end_of(case_file),
        },
    )
