"""Views parse input, call one service or selector, and render."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import access, exports, panels, search, selectors, services
from .access import (
    can_add_note,
    can_edit_case_file,
    can_edit_note,
    can_edit_person,
    can_override_consent,
    can_read_audit_of,
    can_share,
    case_file_permissions,
)
from .duplicates import Match
from .filters import CaseFileFilter
from .forms import (
    CaseFileForm,
    ConfirmForm,
    ConsentForm,
    ConsentWithdrawForm,
    DpoSearchForm,
    IntakeChoiceForm,
    IntakeConsentForm,
    NoteForm,
    ShareDeclineForm,
    ShareForm,
    TransitionForm,
    YoungPersonForm,
)
from .http import AuthenticatedHttpRequest
from .models import CaseFile, Consent, YoungPerson
from .stale_edits import apply_service_errors, form_saved, show_stale_edit


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = selectors.dashboard_for_user(user=request.user)
    return render(request, "youthtrack/dashboard.html", context)


@login_required
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        # The search form is posted: the name goes to the session, the address
        # carries a token (``youthtrack.search``).
        query = search.query_for_posted_search(request.session, request.POST)
        url = reverse("case_list")
        return redirect(f"{url}?{query.urlencode()}" if query else url)
    params, expired = search.params_with_search(request.session, request.GET)
    if expired:
        messages.info(request, _("This search is no longer available: search again."))
    case_filter, page = selectors.case_file_page_for_user(
        user=request.user, params=params
    )
    # Links (pages, sorting, export) carry the token, never the text.
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        "youthtrack/case_list.html",
        {
            "filter": case_filter,
            "page": page,
            "query": query.urlencode(),
            "filter_cache_seconds": settings.YOUTHTRACK_FILTER_CACHE_SECONDS,
        },
    )
    if request.headers.get("HX-Request"):
        # As-you-type search: the posted search came back here (with its token);
        # the address bar follows, so that back and reload show the same list.
        response["HX-Push-Url"] = request.get_full_path()
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    case_file = selectors.case_file_get_for_user(user=user, pk=pk)
    services.case_file_record_view(case_file=case_file, acting_user=user)
    permissions = case_file_permissions(
        user, case_file, next_statuses=services.allowed_transitions(case_file)
    )
    owner = permissions.is_owner
    show_ended = request.GET.get("shares") == "all"
    consents = (
        list(case_file.consents.select_related("partner", "recorded_by"))
        if owner
        else []
    )
    if owner:
        # The declines of this file, read here with their reason: seen.
        services.share_declines_seen(case_file=case_file, acting_user=user)
    # The latest notes; the others, and who read the file, on pages of their own.
    notes, more_notes = selectors.latest_notes_for_case_file(
        user=user, case_file=case_file
    )
    return render(
        request,
        "youthtrack/case_detail.html",
        {
            "case": case_file,
            "person": case_file.young_person,
            "case_perms": permissions,
            "notes": notes,
            "more_notes": more_notes,
            "status_changes": case_file.status_changes.select_related("changed_by"),
            "consents": consents,
            "keep_consent_missing": owner
            and not any(
                c.purpose == Consent.Purpose.DATA_PROCESSING and c.is_active
                for c in consents
            ),
            "shares": selectors.share_list_for_case_file(
                case_file=case_file, ended=show_ended
            )
            if owner
            else [],
            "show_ended_shares": show_ended,
            "other_case_files": selectors.case_file_list_for_user(user=user)
            .filter(young_person_id=case_file.young_person_id)
            .exclude(pk=case_file.pk),
        },
    )


@login_required
def case_notes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """All the notes of the file the user may read, by pages, newest first."""
    user = request.user
    case_file = selectors.case_file_get_for_user(user=user, pk=pk)
    services.case_file_record_view(case_file=case_file, acting_user=user)
    page = selectors.note_page_for_case_file(
        user=user, case_file=case_file, page=request.GET.get("page")
    )
    return render(
        request,
        "youthtrack/case_notes.html",
        {
            "case": case_file,
            "case_perms": case_file_permissions(user, case_file),
            "page": page,
            "query": "",
        },
    )


@login_required
def case_access_log(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Who read or changed the file: its owner organisation's advisors and leads."""
    user = request.user
    case_file = selectors.case_file_get_for_user(user=user, pk=pk)
    permissions = case_file_permissions(user, case_file)
    if not can_read_audit_of(user, case_file):
        raise PermissionDenied
    page, rows = selectors.access_log_page_for_case_file(
        user=user, case_file=case_file, page=request.GET.get("page")
    )
    return render(
        request,
        "youthtrack/case_access_log.html",
        {
            "case": case_file,
            "case_perms": permissions,
            "page": page,
            "rows": rows,
            "query": "",
        },
    )


@login_required
def intake(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Register a young person and open their case file, guarding against duplicates."""
    return intake_page(request, open_case_file=services.case_file_intake)


def intake_page(
    request: AuthenticatedHttpRequest,
    *,
    open_case_file: Callable[..., CaseFile],
    initial: dict[str, dict] | None = None,
) -> HttpResponse:
    """The intake form, shared with the apps that open case files from what they
    recorded (a walk-in of a collective activity, in programmes): ``initial`` fills
    the form, ``open_case_file`` takes ``case_file_intake``'s arguments."""
    if not request.user.works_on_cases:
        raise PermissionDenied
    existing = None
    existing_id = request.GET.get("person") or request.POST.get("existing_person")
    if existing_id and not (existing_id.isdigit() and len(existing_id) < 19):
        raise Http404
    if existing_id:
        # Only a person of the user's own organisation; a partner's file is not enough.
        existing = selectors.young_person_linkable_get_for_user(
            user=request.user, pk=int(existing_id)
        )
        if request.method == "GET":  # the page names the person: a read
            services.young_person_record_view(
                young_person=existing, acting_user=request.user
            )
    initial = initial or {"person": {}, "case": {}}
    person_form = YoungPersonForm(
        request.POST or None,
        prefix="person",
        instance=existing,
        initial=initial["person"],
    )
    case_form = CaseFileForm(
        request.POST or None, prefix="case", user=request.user, initial=initial["case"]
    )
    choice_form = IntakeChoiceForm(request.POST or None)
    consent_form = IntakeConsentForm(
        request.POST or None,
        prefix="consent",
        organisation_id=request.user.organisation_id,
    )
    duplicates: list[Match] = []
    if request.method == "POST":
        # Every form checked, so that all errors show at once.
        valid = [
            existing is not None or person_form.is_valid(),
            case_form.is_valid(),
            choice_form.is_valid(),
            consent_form.is_valid(),
        ]
        if all(valid):
            intake_data = {
                "acting_user": request.user,
                "person_data": None if existing else person_form.model_data(),
                "case_data": case_form.model_data(),
                "existing_person": existing,
                "confirmed_new_person": choice_form.cleaned_data["confirm_new_person"],
            }
            try:
                # The file and the consents given at intake, in one transaction.
                case_file = services.case_file_open_with_consent(
                    open_case_file=open_case_file,
                    consent=consent_form.consent_data(),
                    sharing_partners=list(consent_form.cleaned_data["partners"]),
                    funder_reporting=consent_form.cleaned_data["funder_reporting"],
                    **intake_data,
                )
            except services.DuplicatePersonError as error:
                duplicates = error.matches
            except ValidationError as error:
                apply_service_errors(case_form, error, person_form, consent_form)
            else:
                if case_file.status == CaseFile.Status.INTAKE:
                    message = _("Case file #%(pk)s opened for %(name)s.")
                else:  # a re-entry in the same operation reopened the participation
                    message = _(
                        "%(name)s already took part in this operation: case file "
                        "#%(pk)s is reopened, with its first entry date and the "
                        "situation at that entry."
                    )
                messages.success(
                    request,
                    message % {"pk": case_file.pk, "name": case_file.young_person},
                )
                return redirect("case_detail", pk=case_file.pk)
    return render(
        request,
        "youthtrack/intake.html",
        {
            "person_form": person_form,
            "case_form": case_form,
            "choice_form": choice_form,
            "consent_form": consent_form,
            "existing": existing,
            "duplicates": duplicates,
            "forms_with_errors": [
                form
                for form in (
                    None if existing else person_form,
                    case_form,
                    choice_form,
                    consent_form,
                )
                if form is not None and form.is_bound and form.errors
            ],
        },
    )


@login_required
def person_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case_file = selectors.case_file_get_for_user(user=request.user, pk=pk)
    if not can_edit_case_file(request.user, case_file):
        raise PermissionDenied
    person = case_file.young_person
    if not can_edit_person(request.user, person):
        # Who the person is belongs to the organisation that registered them.
        raise PermissionDenied
    if request.method == "GET":  # the form shows the person's details: a view
        services.case_file_record_view(case_file=case_file, acting_user=request.user)
    form = YoungPersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        if form_saved(
            request,
            form,
            lambda: services.young_person_update(
                young_person=person,
                acting_user=request.user,
                data=form.model_data(),
                expected_version=form.expected_version(),
                case_file=case_file,
            ),
        ):
            messages.success(request, _("The young person's details were saved."))
            return redirect("case_detail", pk=case_file.pk)
    return render(
        request,
        "youthtrack/person_form.html",
        {"form": form, "case": case_file, "person": person},
    )


@login_required
def case_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case_file = selectors.case_file_get_for_user(user=request.user, pk=pk)
    if not can_edit_case_file(request.user, case_file):
        raise PermissionDenied
    if request.method == "GET":  # the form shows the file's details: a view
        services.case_file_record_view(case_file=case_file, acting_user=request.user)
    form = CaseFileForm(request.POST or None, instance=case_file, user=request.user)
    if request.method == "POST" and form.is_valid():
        if form_saved(
            request,
            form,
            lambda: services.case_file_update(
                case_file=case_file,
                acting_user=request.user,
                data=form.model_data(),
                expected_version=form.expected_version(),
            ),
        ):
            messages.success(request, _("The case file was saved."))
            return redirect("case_detail", pk=case_file.pk)
    return render(
        request, "youthtrack/case_form.html", {"form": form, "case": case_file}
    )


@login_required
def case_transition(
    request: AuthenticatedHttpRequest, pk: int, to_status: str
) -> HttpResponse:
    case_file = selectors.case_file_get_for_user(user=request.user, pk=pk)
    if not can_edit_case_file(request.user, case_file):
        raise PermissionDenied
    if to_status not in CaseFile.Status.values:
        raise Http404
    handled_at = panels.transition_url(case_file, to_status)
    if request.method == "GET" and handled_at != request.path:
        # Another app's page asks more (outcomes: the situation upon leaving).
        return redirect(handled_at)
    closing = to_status == CaseFile.Status.CLOSED
    form = TransitionForm(
        request.POST or None,
        closing=closing,
        initial={"version": case_file.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_file_transition(
                case_file=case_file,
                acting_user=request.user,
                to_status=to_status,
                effective_date=form.cleaned_data["effective_date"],
                exit_reason=form.cleaned_data.get("exit_reason", ""),
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleEditError as error:
            show_stale_edit(request, form, error)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The case file is now “%(status)s”.")
                % {"status": CaseFile.Status(to_status).label},
            )
            return redirect("case_detail", pk=case_file.pk)
    return render(
        request,
        "youthtrack/transition_form.html",
        {
            "form": form,
            "case": case_file,
            "to_status": CaseFile.Status(to_status),
            "allowed": to_status in services.allowed_transitions(case_file),
        },
    )


@login_required
def note_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case_file = selectors.case_file_get_for_user(user=request.user, pk=pk)
    if not can_add_note(request.user, case_file):
        raise PermissionDenied
    form = NoteForm(
        request.POST or None,
        can_set_follow_up=can_edit_case_file(request.user, case_file),
    )
    if request.method == "POST" and form.is_valid():
        if form_saved(
            request,
            form,
            lambda: services.note_create(
                case_file=case_file,
                acting_user=request.user,
                data=form.model_data(),
                idempotency_key=form.idempotency_key(),
                next_follow_up_on=form.next_follow_up_on(),
            ),
        ):
            messages.success(request, _("The note was added."))
            return redirect("case_detail", pk=case_file.pk)
    return render(
        request, "youthtrack/note_form.html", {"form": form, "case": case_file}
    )


@login_required
def note_edit(request: AuthenticatedHttpRequest, pk: int, note_pk: int) -> HttpResponse:
    case_file = selectors.case_file_get_for_user(user=request.user, pk=pk)
    note = selectors.note_get_for_user(
        user=request.user, case_file=case_file, pk=note_pk
    )
    if not can_edit_note(request.user, note):
        raise PermissionDenied
    form = NoteForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        if form_saved(
            request,
            form,
            lambda: services.note_update(
                note=note,
                acting_user=request.user,
                data=form.model_data(),
                expected_version=form.expected_version(),
            ),
        ):
            messages.success(request, _("The note was saved."))
            return redirect("case_detail", pk=case_file.pk)
    return render(
        request,
        "youthtrack/note_form.html",
        {"form": form, "case": case_file, "note": note},
    )


@login_required
def consent_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case_file = selectors.case_file_get_for_user(user=request.user, pk=pk)
    if not can_edit_case_file(request.user, case_file):
        raise PermissionDenied
    purpose = request.GET.get("purpose")  # from the dashboard's "files without consent"
    form = ConsentForm(
        request.POST or None,
        initial={"purpose": purpose} if purpose in Consent.Purpose.values else None,
    )
    if request.method == "POST" and form.is_valid():
        if form_saved(
            request,
            form,
            lambda: services.consent_record(
                case_file=case_file, acting_user=request.user, data=form.cleaned_data
            ),
        ):
            messages.success(request, _("The consent was recorded."))
            return redirect("case_detail", pk=case_file.pk)
    return render(
        request, "youthtrack/consent_form.html", {"form": form, "case": case_file}
    )


@login_required
def consent_withdraw(
    request: AuthenticatedHttpRequest, pk: int, consent_pk: int
) -> HttpResponse:
    """A page that says what the withdrawal ends (which partners lose access) and
    asks to confirm it; posted with ``confirm``, the withdrawal is recorded."""
    case_file = selectors.case_file_get_for_user(user=request.user, pk=pk)
    if not can_edit_case_file(request.user, case_file):
        raise PermissionDenied
    consent = get_object_or_404(
        case_file.consents.select_related("partner"), pk=consent_pk
    )
    form = ConsentWithdrawForm(request.POST or None)
    confirmed = ConfirmForm(request.POST or None).is_valid()
    if request.method == "POST" and confirmed and form.is_valid():
        try:
            services.consent_withdraw(
                consent=consent,
                acting_user=request.user,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The consent was withdrawn."))
            return redirect("case_detail", pk=case_file.pk)
    elif request.method == "POST" and not confirmed:
        # Posted without the confirmation: the page, with the date that was sent.
        form = ConsentWithdrawForm(
            initial={"withdrawn_on": request.POST.get("withdrawn_on")}
        )
    return render(
        request,
        "youthtrack/consent_withdraw.html",
        {
            "form": form,
            "case": case_file,
            "consent": consent,
            "losing_access": selectors.shares_ending_with_consent(consent=consent),
        },
    )


# --- sharing ---


@login_required
def case_share(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case_file = selectors.case_file_get_for_user(user=request.user, pk=pk)
    if not can_share(request.user, case_file):
        raise PermissionDenied
    form = ShareForm(
        request.POST or None,
        case_file=case_file,
        may_override=can_override_consent(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            share = services.case_file_share(
                case_file=case_file,
                acting_user=request.user,
                partner=form.cleaned_data["partner"],
                purpose=form.cleaned_data["purpose"],
                scope=form.cleaned_data["scope"],
                end_date=form.cleaned_data["end_date"],
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The case file was sent to %(partner)s; it awaits their answer.")
                % {"partner": share.partner},
            )
            return redirect("case_detail", pk=case_file.pk)
    return render(
        request, "youthtrack/share_form.html", {"form": form, "case": case_file}
    )


@login_required
def share_revoke(
    request: AuthenticatedHttpRequest, pk: int, share_pk: int
) -> HttpResponse:
    """A page that says the partner loses access at once and asks to confirm it;
    posted with ``confirm``, the sharing ends."""
    case_file = selectors.case_file_get_for_user(user=request.user, pk=pk)
    if not can_share(request.user, case_file):
        raise PermissionDenied
    share = get_object_or_404(case_file.shares.select_related("partner"), pk=share_pk)
    if request.method == "POST" and ConfirmForm(request.POST).is_valid():
        try:
            services.share_revoke(share=share, acting_user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _(
                    "Sharing with %(partner)s revoked: they no longer see this case "
                    "file."
                )
                % {"partner": share.partner},
            )
        return redirect("case_detail", pk=case_file.pk)
    return render(
        request, "youthtrack/share_revoke.html", {"case": case_file, "share": share}
    )


SHARES_ENDED_ROWS = 100


@login_required
def shares(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Live referrals; with ``ended=1`` the declined and ended ones too."""
    show_ended = request.GET.get("ended") == "1"
    user = request.user
    return render(
        request,
        "youthtrack/shares.html",
        {
            "shared_with_us": selectors.shares_received_for_user(user=user),
            "shared_by_us": selectors.shares_sent_for_user(user=user),
            "show_ended": show_ended,
            "ended_with_us": selectors.shares_received_ended_for_user(user=user)[
                :SHARES_ENDED_ROWS
            ]
            if show_ended
            else [],
            "ended_by_us": selectors.shares_sent_ended_for_user(user=user)[
                :SHARES_ENDED_ROWS
            ]
            if show_ended
            else [],
        },
    )


@login_required
@require_POST
def share_answer(
    request: AuthenticatedHttpRequest, share_pk: int, answer: str
) -> HttpResponse:
    # "decline" is share_decline's URL (it asks for a reason first).
    if answer != "accept":
        raise Http404
    share = selectors.share_received_get_for_user(user=request.user, pk=share_pk)
    try:
        services.share_accept(share=share, acting_user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("shares")
    messages.success(request, _("Sharing accepted: the case file is open to you."))
    return redirect("case_detail", pk=share.case_file_id)


@login_required
def share_decline(request: AuthenticatedHttpRequest, share_pk: int) -> HttpResponse:
    """The partner declines a referral: a page that asks why (the referring advisor
    reads it) and confirms; posted with ``confirm`` and a reason, it is declined."""
    share = selectors.share_received_get_for_user(user=request.user, pk=share_pk)
    confirmed = ConfirmForm(request.POST or None).is_valid()
    form = ShareDeclineForm(request.POST if confirmed else None)
    if confirmed and form.is_valid():
        try:
            services.share_decline(
                share=share,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                for message in error.messages:
                    messages.error(request, message)
                return redirect("shares")
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Sharing declined: %(org)s is told, with your reason.")
                % {"org": share.case_file.owner_organisation},
            )
            return redirect("shares")
    return render(
        request, "youthtrack/share_decline.html", {"form": form, "share": share}
    )


# --- exports ---


# The facts of a case export beyond its head: (model, field) in their order.
_EXPORTED_PERSON_FIELDS = ("birth_date", "gender", "commune", "phone", "email")
_EXPORTED_CASE_FIELDS = (
    "employment_status",
    "unemployed_since",
    "education",
    "highest_diploma",
    "registered_at_actiris",
    "disability",
    "foreign_background",
    "minority",
    "homeless",
    "first_visit",
    "referral",
    "referred_by",
    "next_follow_up_on",
)


def _export_value(obj, name: str) -> str:
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _export_facts(case_file: CaseFile, shown: access.FieldsShown) -> list[list[str]]:
    rows = []
    for obj, names, visible in (
        (case_file.young_person, _EXPORTED_PERSON_FIELDS, shown.person),
        (case_file, _EXPORTED_CASE_FIELDS, shown.case_file),
    ):
        for name in names:
            if name in visible:
                # Any: a model's field, which the stubs cannot tell from a relation.
                field: Any = obj._meta.get_field(name)
                label = str(field.verbose_name)
                rows.append([label[:1].upper() + label[1:], _export_value(obj, name)])
    return rows


@login_required
def case_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The case file and the notes the user may read, as CSV (access requests,
    hand-overs). Notes the user may not read are not in it."""
    case_file = selectors.case_file_get_for_user(user=request.user, pk=pk)
    notes = selectors.note_list_for_user(user=request.user, case_file=case_file)
    services.record_export(
        acting_user=request.user, obj=case_file, case_file=case_file, what="case_csv"
    )
    response, writer = exports.csv_response(f"case-{case_file.pk}.csv")
    person = case_file.young_person
    writer.writerow([_("Case file"), case_file.pk])
    writer.writerow([_("Young person"), f"{person.first_name} {person.last_name}"])
    writer.writerow([_("Programme"), str(case_file.programme)])
    writer.writerow([_("Status"), case_file.get_status_display()])
    writer.writerow([_("Entry date"), case_file.entry_date.isoformat()])
    # The rest as the page shows it to this reader (a partner: what the sharing's
    # scope lists, sensitive answers only as its consent names them).
    writer.writerows(
        _export_facts(case_file, access.case_file_fields_shown(request.user, case_file))
    )
    writer.writerow([])
    writer.writerow(
        [_("Date"), _("Channel"), _("Topic"), _("Author"), _("Organisation"), _("Note")]
    )
    for note in notes:
        writer.writerow(
            [
                note.contact_date.isoformat(),
                str(note.channel),
                note.topic,
                str(note.author),
                str(note.organisation),
                note.text,
            ]
        )
    return response


@login_required
def case_list_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filtered case list as CSV, for the files the user may see."""
    queryset = selectors.case_file_list_for_user(user=request.user)
    params, _expired = search.params_with_search(request.session, request.GET)
    case_filter = CaseFileFilter(params or None, queryset=queryset, user=request.user)
    if case_filter.is_bound and not case_filter.is_valid():
        queryset = queryset.none()
    elif case_filter.is_bound:
        queryset = case_filter.qs
    services.record_export(
        acting_user=request.user, obj=request.user, case_file=None, what="case_list_csv"
    )
    response, writer = exports.csv_response("case-files.csv")
    writer.writerow(
        [
            _("No."),
            _("Last name"),
            _("First name"),
            _("Date of birth"),
            _("Commune"),
            _("Programme"),
            _("Status"),
            _("Advisor"),
            _("Entry date"),
            _("Exit date"),
        ]
    )
    for case in queryset.order_by("pk").iterator(chunk_size=2000):
        person = case.young_person
        writer.writerow(
            [
                case.pk,
                person.last_name,
                person.first_name,
                person.birth_date.isoformat(),
                str(person.commune),
                str(case.programme),
                case.get_status_display(),
                str(case.advisor or ""),
                case.entry_date.isoformat(),
                case.exit_date.isoformat() if case.exit_date else "",
            ]
        )
    return response


# --- audit trail ---


@login_required
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The whole trail, for administrators (the data-protection officer)."""
    audit_filter, page = selectors.audit_event_page_for_admin(
        user=request.user, params=request.GET
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "youthtrack/audit_log.html",
        {"filter": audit_filter, "page": page, "query": query.urlencode()},
    )


# --- the data protection officer ---


def _require_dpo(user) -> None:
    """Only a data protection officer (or an administrator holding the role) has
    these pages; anyone else is answered as if they did not exist."""
    if not user.acts_as_dpo:
        raise Http404


@login_required
def dpo_people(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Finds a young person of the organisation's files by name and date of birth;
    every person listed is an audited read."""
    user = request.user
    _require_dpo(user)
    form = DpoSearchForm(request.POST if request.method == "POST" else None)
    people: list[YoungPerson] | None = None
    more = False
    if form.is_bound and form.is_valid():
        people = selectors.dpo_person_search(
            user=user,
            name=form.cleaned_data["name"],
            birth_date=form.cleaned_data["birth_date"],
        )
        more = len(people) > selectors.DPO_SEARCH_ROWS
        people = people[: selectors.DPO_SEARCH_ROWS]
        for person in people:
            services.young_person_record_view(young_person=person, acting_user=user)
    return render(
        request,
        "youthtrack/dpo_people.html",
        {"form": form, "people": people, "more": more},
    )


@login_required
def dpo_person(request: AuthenticatedHttpRequest, person_pk: int) -> HttpResponse:
    """What the organisation holds about one young person, and what the officer can
    do with it (the other apps' panels: the right of access's export…)."""
    user = request.user
    _require_dpo(user)
    person = selectors.dpo_person_get(user=user, pk=person_pk)
    services.young_person_record_view(young_person=person, acting_user=user)
    return render(
        request,
        "youthtrack/dpo_person.html",
        {
            "person": person,
            "case_files": selectors.dpo_person_case_files(user=user, person=person),
        },
    )
