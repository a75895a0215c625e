"""Views of outcomes, exits and follow-ups: parse input, call one service, render.
Every page reaches its case file through youthtrack's gate (404 otherwise)."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from youthtrack import selectors as case_selectors
from youthtrack import services as case_services
from youthtrack.access import can_edit_case_file, can_record_outcome
from youthtrack.http import AuthenticatedHttpRequest
from youthtrack.models import CaseFile
from youthtrack.stale_edits import apply_service_errors

from ..models import evidence_storage
from . import selectors, services
from .forms import ExitForm, FollowUpAnswerForm, OutcomeForm


@login_required
def participation_exit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Close the participation and record the situation upon leaving in one step."""
    case_file = case_selectors.case_file_get_for_user(user=request.user, pk=pk)
    if not can_edit_case_file(request.user, case_file):
        raise PermissionDenied
    allowed = CaseFile.Status.CLOSED in case_services.allowed_transitions(case_file)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    exit_form = ExitForm(data, initial={"version": case_file.version})
    outcome_form = OutcomeForm(data, files, prefix="outcome", optional=True)
    if allowed and request.method == "POST":
        exit_valid = exit_form.is_valid()
        if outcome_form.is_valid() and exit_valid:
            try:
                services.participation_exit(
                    case_file=case_file,
                    acting_user=request.user,
                    exit_date=exit_form.cleaned_data["exit_date"],
                    exit_reason=exit_form.cleaned_data["exit_reason"],
                    comment=exit_form.cleaned_data["comment"],
                    expected_version=exit_form.cleaned_data["version"],
                    outcome_data=outcome_form.model_data(),
                    evidence=outcome_form.evidence,
                )
            except case_services.StaleEditError:
                exit_form.add_error(
                    None,
                    _(
                        "Someone else changed this case file after you opened it: "
                        "nothing was saved. Check the case file, then close it again."
                    ),
                )
            except ValidationError as error:
                apply_service_errors(exit_form, error, outcome_form)
            else:
                messages.success(
                    request,
                    _(
                        "The participation is closed. The follow-ups upon leaving and "
                        "six months after are scheduled."
                    ),
                )
                return redirect("case_detail", pk=case_file.pk)
    return render(
        request,
        "outcomes/exit_form.html",
        {
            "case": case_file,
            "form": exit_form,
            "outcome_form": outcome_form,
            "allowed": allowed,
        },
    )


@login_required
def outcome_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case_file = case_selectors.case_file_get_for_user(user=request.user, pk=pk)
    if not can_record_outcome(request.user, case_file):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = OutcomeForm(data, files)
    if request.method == "POST" and form.is_valid():
        outcome_data = form.model_data()
        assert outcome_data is not None
        try:
            services.outcome_record(
                case_file=case_file,
                acting_user=request.user,
                data=outcome_data,
                evidence=form.evidence,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The outcome is recorded."))
            return redirect("case_detail", pk=case_file.pk)
    return render(
        request, "outcomes/outcome_form.html", {"case": case_file, "form": form}
    )


def _download_name(uploaded: str, stored: str) -> str:
    """The name the file was uploaded under, with the extension of the type its
    content was checked to be (the stored name's): a PDF uploaded as ``x.html``
    must not open as a web page once saved."""
    stem = PurePath(uploaded or "evidence").stem or "evidence"
    return f"{stem}{PurePath(stored).suffix}"


@login_required
def evidence_download(
    request: AuthenticatedHttpRequest, pk: int, outcome_pk: int
) -> FileResponse:
    """The evidence document, only to those who may see the case file (404 for
    anyone else, as for a file that does not exist); every download is audited."""
    case_file = case_selectors.case_file_get_for_user(user=request.user, pk=pk)
    outcome = selectors.outcome_get_for_case_file(case_file=case_file, pk=outcome_pk)
    if not outcome.evidence_file:
        raise Http404
    try:
        handle = evidence_storage.open(outcome.evidence_file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    services.evidence_record_download(outcome=outcome, acting_user=request.user)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=_download_name(outcome.evidence_name, outcome.evidence_file.name),
        content_type=outcome.evidence_content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def follow_up_answer(
    request: AuthenticatedHttpRequest, pk: int, follow_up_pk: int
) -> HttpResponse:
    case_file = case_selectors.case_file_get_for_user(user=request.user, pk=pk)
    follow_up = selectors.follow_up_get_for_case_file(
        case_file=case_file, pk=follow_up_pk
    )
    if not can_record_outcome(request.user, case_file):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = FollowUpAnswerForm(data)
    outcome_form = OutcomeForm(
        data,
        files,
        prefix="outcome",
        with_kind=False,
        initial={"start_date": follow_up.due_on},
    )
    if request.method == "POST" and follow_up.is_open and form.is_valid():
        records = form.records_outcome
        if not records or outcome_form.is_valid():
            try:
                services.follow_up_answer(
                    follow_up=follow_up,
                    acting_user=request.user,
                    situation=form.cleaned_data["situation"],
                    attempts=form.cleaned_data["attempts"],
                    comment=form.cleaned_data["comment"],
                    outcome_data=outcome_form.model_data() if records else None,
                    evidence=outcome_form.evidence if records else None,
                )
            except ValidationError as error:
                apply_service_errors(form, error, outcome_form)
            else:
                messages.success(request, _("The follow-up answer is recorded."))
                return redirect("case_detail", pk=case_file.pk)
    return render(
        request,
        "outcomes/follow_up_form.html",
        {
            "case": case_file,
            "follow_up": follow_up,
            "form": form,
            "outcome_form": outcome_form,
        },
    )


@login_required
def follow_up_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every open follow-up of the advisor's files, due today first, then overdue,
    then coming (the dashboard shows the first few)."""
    follow_ups = selectors.follow_ups_open_for_advisor(user=request.user)
    page = Paginator(follow_ups, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "outcomes/follow_up_list.html",
        {"page": page, "today": timezone.localdate()},
    )
