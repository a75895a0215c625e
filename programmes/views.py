"""Views parse input, call one service or selector, and render."""

import calendar as calendar_module
import datetime
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from youthtrack import search as name_search
from youthtrack.fields import clean_search, parse_day
from youthtrack.forms import data_copy
from youthtrack.http import AuthenticatedHttpRequest
from youthtrack.stale_edits import apply_service_errors
from youthtrack.views import intake_page

from . import access, charts, pdf, selectors, services
from .filters import SessionFilter
from .forms import (
    SESSION_ERROR_FIELDS,
    CohortForm,
    EnrolSelectionForm,
    ProgrammeForm,
    RegisterForm,
    SessionForm,
    WalkInForm,
    WalkInLinkForm,
    WithdrawForm,
)
from .models import Attendance, Cohort, Enrolment
from .templatetags.programmes_tags import completion_label


def _flash_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# --- programmes ---


@login_required
def programme_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    programmes = selectors.programme_list_for_user(user=request.user)
    cohorts = selectors.cohort_list_for_user(user=request.user).filter(
        end_date__gte=timezone.localdate()
    )
    return render(
        request,
        "programmes/programme_list.html",
        {
            "programmes": programmes,
            "cohorts": cohorts,
            "can_create_cohort": access.can_create_cohort(request.user),
        },
    )


@login_required
def programme_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "cohorts": selectors.cohort_list_for_user(
                user=request.user, programme=programme
            ),
            "can_manage": access.can_manage_programme(request.user, programme),
            "can_create_cohort": access.can_create_cohort(request.user),
            "has_rule": selectors.counting_phase_ids(programme) is not None,
        },
    )


@login_required
def programme_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get_for_user(user=request.user, pk=pk)
    if not access.can_manage_programme(request.user, programme):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(
                programme=programme,
                acting_user=request.user,
                data=dict(form.cleaned_data),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The programme was saved."))
            return redirect("programmes:programme_detail", pk=programme.pk)
    return render(
        request,
        "programmes/programme_form.html",
        {"form": form, "programme": programme},
    )


# --- cohorts ---


@login_required
def cohort_create(request: AuthenticatedHttpRequest, programme_pk: int) -> HttpResponse:
    programme = selectors.programme_get_for_user(user=request.user, pk=programme_pk)
    if not access.can_create_cohort(request.user):
        raise PermissionDenied
    form = CohortForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(
                acting_user=request.user,
                programme=programme,
                data=form.model_data(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("The cohort “%(name)s” was created.") % {"name": cohort}
            )
            return redirect("programmes:cohort_detail", pk=cohort.pk)
    return render(
        request,
        "programmes/cohort_form.html",
        {"form": form, "programme": programme},
    )


@login_required
def cohort_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get_for_user(user=request.user, pk=pk)
    if not access.can_manage_cohort(request.user, cohort):
        raise PermissionDenied
    form = CohortForm(request.POST or None, instance=cohort, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            _updated, promoted = services.cohort_update(
                cohort=cohort,
                acting_user=request.user,
                data=form.model_data(),
                expected_version=form.expected_version(),
            )
        except services.StaleCohortError as error:
            messages.warning(
                request,
                _(
                    "Someone else saved this cohort after you opened it. Check its "
                    "details below, then save again to keep yours."
                ),
            )
            form.data = data_copy(form)
            form.data["version"] = error.current.version
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The cohort was saved."))
            if promoted:
                messages.info(
                    request,
                    ngettext(
                        "%(count)s person moved in from the waiting list.",
                        "%(count)s people moved in from the waiting list.",
                        len(promoted),
                    )
                    % {"count": len(promoted)},
                )
            return redirect("programmes:cohort_detail", pk=cohort.pk)
    return render(
        request,
        "programmes/cohort_form.html",
        {"form": form, "programme": cohort.programme, "cohort": cohort},
    )


@login_required
def cohort_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get_for_user(user=request.user, pk=pk)
    rows = selectors.participant_rows(user=request.user, cohort=cohort)
    sessions = list(selectors.cohort_sessions(user=request.user, cohort=cohort))
    status = Enrolment.Status
    return render(
        request,
        "programmes/cohort_detail.html",
        {
            "cohort": cohort,
            "summary": selectors.cohort_summary(
                user=request.user, cohort=cohort, rows=rows
            ),
            "enrolled": [r for r in rows if r.enrolment.status == status.ENROLLED],
            "waiting": sorted(
                (r for r in rows if r.enrolment.status == status.WAITING),
                key=lambda r: r.waiting_position or 0,
            ),
            "withdrawn": [r for r in rows if r.enrolment.status == status.WITHDRAWN],
            "sessions": sessions,
            "attendance_chart": charts.attendance_chart(sessions),
            "has_rule": selectors.counting_phase_ids(cohort.programme) is not None,
            "can_manage": access.can_manage_cohort(request.user, cohort),
            "can_enrol": request.user.works_on_cases and not cohort.has_ended,
            "now": timezone.now(),
        },
    )


def _searched_by_name(request: AuthenticatedHttpRequest) -> HttpResponse | None:
    """A name search posted (``find``): kept in the session, and the page shown again
    at an address carrying its token, never the name (``youthtrack.search``)."""
    if request.method != "POST" or not request.POST.get("find"):
        return None
    posted = request.POST.copy()
    posted.pop("find", None)
    query = name_search.query_for_posted_search(request.session, posted)
    return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)


@login_required
def cohort_enrol(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Enrol a selection of case files at once; each refusal says why."""
    cohort = selectors.cohort_get_for_user(user=request.user, pk=pk)
    if not request.user.works_on_cases:
        raise PermissionDenied
    if searched := _searched_by_name(request):
        return searched
    params, _gone = name_search.params_with_search(request.session, request.GET)
    search, search_error = clean_search(params.get("q", ""))
    candidates = selectors.enrol_candidates(
        user=request.user, cohort=cohort, search=search
    )
    eligible = [c for c in candidates if c.eligible]
    form = EnrolSelectionForm(
        request.POST or None,
        choices=[(c.case_file.pk, str(c.case_file.young_person)) for c in eligible],
    )
    if request.method == "POST" and form.is_valid():
        chosen = selectors.case_files_for_enrolment(
            user=request.user, pks=form.cleaned_data["case_files"]
        )
        results = services.enrolments_create_many(
            cohort=cohort, case_files=chosen, acting_user=request.user
        )
        _report_enrolments(request, results)
        return redirect("programmes:cohort_detail", pk=cohort.pk)
    return render(
        request,
        "programmes/cohort_enrol.html",
        {
            "cohort": cohort,
            "form": form,
            "eligible": eligible,
            "refused": [c for c in candidates if not c.eligible],
            "search": search,
            "search_error": search_error,
            "selected": [_int(pk) for pk in request.POST.getlist("case_files")],
            "places_left": (
                max(cohort.capacity - cohort.enrolled_count, 0)
                if access.sees_hidden_count(request.user, cohort)
                else None
            ),
        },
    )


def _report_enrolments(request: HttpRequest, results) -> None:
    enrolled = [r for r in results if r.enrolment and r.enrolment.status == "enrolled"]
    waiting = [r for r in results if r.enrolment and r.enrolment.status == "waiting"]
    if enrolled:
        messages.success(
            request,
            ngettext(
                "%(count)s young person enrolled: %(names)s.",
                "%(count)s young people enrolled: %(names)s.",
                len(enrolled),
            )
            % {
                "count": len(enrolled),
                "names": ", ".join(str(r.case_file.young_person) for r in enrolled),
            },
        )
    if waiting:
        messages.warning(
            request,
            ngettext(
                "The cohort is full: %(count)s young person put on the waiting list: "
                "%(names)s.",
                "The cohort is full: %(count)s young people put on the waiting list: "
                "%(names)s.",
                len(waiting),
            )
            % {
                "count": len(waiting),
                "names": ", ".join(str(r.case_file.young_person) for r in waiting),
            },
        )
    for result in results:
        if result.refusals:
            messages.error(
                request,
                _("%(name)s was not enrolled: %(reasons)s")
                % {
                    "name": result.case_file.young_person,
                    "reasons": " ".join(str(r) for r in result.refusals),
                },
            )


@login_required
def cohort_attendance_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get_for_user(user=request.user, pk=pk)
    rows = selectors.participant_rows(user=request.user, cohort=cohort)
    sessions = list(selectors.cohort_sessions(user=request.user, cohort=cohort))
    marks = selectors.cohort_attendance_marks(user=request.user, cohort=cohort)
    services.record_export(
        acting_user=request.user, obj=cohort, what="cohort attendance csv"
    )
    body = pdf.cohort_attendance_csv(
        sessions=sessions,
        rows=[(row, completion_label(row.completion)) for row in rows],
        marks=marks,
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="cohort-{cohort.pk}-attendance.csv"'
    )
    return response


# --- sessions ---


@login_required
def session_create(request: AuthenticatedHttpRequest, cohort_pk: int) -> HttpResponse:
    cohort = selectors.cohort_get_for_user(user=request.user, pk=cohort_pk)
    if not access.can_manage_cohort(request.user, cohort):
        raise PermissionDenied
    form = SessionForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            sessions = services.session_create(
                cohort=cohort,
                acting_user=request.user,
                data=form.model_data(),
                repeat_until=form.cleaned_data.get("repeat_until"),
            )
        except ValidationError as error:
            apply_service_errors(form, error, renamed=SESSION_ERROR_FIELDS)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s session scheduled.",
                    "%(count)s sessions scheduled.",
                    len(sessions),
                )
                % {"count": len(sessions)},
            )
            return redirect("programmes:cohort_detail", pk=cohort.pk)
    return render(
        request, "programmes/session_form.html", {"form": form, "cohort": cohort}
    )


@login_required
def session_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for_user(user=request.user, pk=pk)
    cohort = session.cohort
    if not access.can_manage_cohort(request.user, cohort):
        raise PermissionDenied
    form = SessionForm(request.POST or None, instance=session, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(
                session=session, acting_user=request.user, data=form.model_data()
            )
        except ValidationError as error:
            apply_service_errors(form, error, renamed=SESSION_ERROR_FIELDS)
        else:
            messages.success(request, _("The session was saved."))
            return redirect("programmes:session_register", pk=session.pk)
    return render(
        request,
        "programmes/session_form.html",
        {"form": form, "cohort": cohort, "session": session},
    )


@login_required
def session_register(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The attendance register: one line per participant the user may see."""
    session = selectors.session_get_for_user(user=request.user, pk=pk)
    may_take = access.can_take_attendance(request.user, session)
    if request.method == "POST" and not may_take:
        raise PermissionDenied
    # Before the session starts, the register is read-only (and says when it opens).
    can_take = may_take and services.session_has_started(session)
    if request.method == "POST" and not can_take:
        messages.error(request, services.session_not_started_message(session))
        return redirect(reverse("programmes:session_register", args=[session.pk]))
    rows = selectors.register_rows(user=request.user, session=session)
    data = request.POST if request.method == "POST" else None
    form = RegisterForm(data, rows=rows, session=session)
    conflicts = []
    if data is not None and form.is_valid():
        marks = form.marks(all_present="all_present" in request.POST)
        if not marks:
            messages.warning(request, _("Nothing was ticked: nothing to save."))
        else:
            try:
                result = services.attendance_save(
                    session=session, acting_user=request.user, marks=marks
                )
            except services.AttendanceConflictError as error:
                conflicts = error.conflicts
                form = form.after_conflict(
                    selectors.register_rows(user=request.user, session=session),
                    {conflict.case_file.pk for conflict in conflicts},
                )
                messages.warning(
                    request,
                    _(
                        "Someone else saved part of this register after you opened "
                        "it. Nothing was saved yet: check what changed below, then "
                        "save again to keep your choices."
                    ),
                )
            else:
                messages.success(
                    request,
                    _("Attendance saved: %(created)s recorded, %(updated)s changed.")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect(
                    reverse("programmes:session_register", args=[session.pk])
                )
    return _render_register(
        request, session, form=form, can_take=can_take, conflicts=conflicts
    )


def _render_register(
    request: AuthenticatedHttpRequest,
    session,
    *,
    form: RegisterForm,
    can_take: bool,
    conflicts=(),
    walk_in_form: WalkInForm | None = None,
) -> HttpResponse:
    """The register page; ``walk_in_form``: a walk-in form sent with errors, shown
    again with what was typed."""
    walk_ins = selectors.walk_ins_for_session(user=request.user, session=session)
    if walk_in_form is None and can_take:
        walk_in_form = WalkInForm(session=session)
    return render(
        request,
        "programmes/session_register.html",
        {
            "session": session,
            "cohort": session.cohort,
            "form": form,
            "conflicts": conflicts,
            "conflict_pks": {conflict.case_file.pk for conflict in conflicts},
            "can_take": can_take,
            "not_started": not services.session_has_started(session),
            "can_manage": access.can_manage_cohort(request.user, session.cohort),
            "hidden_count": selectors.hidden_register_count(
                user=request.user, session=session
            ),
            "walk_ins": walk_ins,
            "walk_in_form": walk_in_form,
            "statuses": Attendance.Status,
        },
    )


def _sheet_data(request: AuthenticatedHttpRequest, pk: int):
    session = selectors.session_get_for_user(user=request.user, pk=pk)
    rows = selectors.register_rows(user=request.user, session=session)
    walk_ins = list(selectors.walk_ins_for_session(user=request.user, session=session))
    return session, rows, walk_ins


@login_required
def session_sheet_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session, rows, walk_ins = _sheet_data(request, pk)
    blank = request.GET.get("blank") == "1"
    body = pdf.attendance_sheet_pdf(
        session=session,
        rows=rows,
        walk_ins=[] if blank else walk_ins,
        printed_by=request.user,
        blank=blank,
    )
    services.record_export(
        acting_user=request.user, obj=session, what="attendance sheet pdf"
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="attendance-session-{session.pk}.pdf"'
    )
    return response


@login_required
def session_sheet_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session, rows, walk_ins = _sheet_data(request, pk)
    body = pdf.attendance_sheet_csv(session=session, rows=rows, walk_ins=walk_ins)
    services.record_export(
        acting_user=request.user, obj=session, what="attendance sheet csv"
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="attendance-session-{session.pk}.csv"'
    )
    return response


# --- walk-ins ---


@login_required
@require_POST
def walk_in_create(request: AuthenticatedHttpRequest, session_pk: int) -> HttpResponse:
    session = selectors.session_get_for_user(user=request.user, pk=session_pk)
    if not access.can_take_attendance(request.user, session):
        raise PermissionDenied
    if not services.session_has_started(session):
        messages.error(request, services.session_not_started_message(session))
        return redirect(reverse("programmes:session_register", args=[session.pk]))
    form = WalkInForm(request.POST, session=session)
    if form.is_valid():
        try:
            walk_in = services.walk_in_record(
                session=session, acting_user=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was recorded as a walk-in.") % {"name": walk_in},
            )
            return redirect(reverse("programmes:session_register", args=[session.pk]))
    # The register again, with the walk-in form as it was sent and its errors.
    rows = selectors.register_rows(user=request.user, session=session)
    return _render_register(
        request,
        session,
        form=RegisterForm(None, rows=rows, session=session),
        can_take=True,
        walk_in_form=form,
    )


@login_required
def walk_in_convert(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Open a case file for a walk-in (the intake, prefilled), or link the walk-in to
    a case file already open."""
    walk_in = selectors.walk_in_get_for_user(user=request.user, pk=pk)
    if not request.user.works_on_cases:
        raise PermissionDenied
    if searched := _searched_by_name(request):
        return searched
    params, _gone = name_search.params_with_search(request.session, request.GET)
    search, search_error = clean_search(params.get("q", walk_in.first_name))
    candidates = selectors.walk_in_link_candidates(user=request.user, search=search)
    form = WalkInLinkForm(
        request.POST or None,
        choices=[
            (c.pk, f"#{c.pk} {c.young_person} · {c.programme}") for c in candidates
        ],
    )
    if request.method == "POST" and form.is_valid():
        case_file = selectors.case_files_for_enrolment(
            user=request.user, pks=[form.cleaned_data["case_file"]]
        )
        if not case_file:
            raise Http404
        try:
            _walk_in, attendance = services.walk_in_convert(
                walk_in=walk_in, case_file=case_file[0], acting_user=request.user
            )
        except ValidationError as error:
            _flash_errors(request, error)
        else:
            messages.success(
                request,
                _("The walk-in is now linked to case file #%(pk)s.")
                % {"pk": case_file[0].pk},
            )
            if attendance is not None:
                messages.info(
                    request,
                    _("Their presence was added to the register of the session."),
                )
            return redirect(
                reverse("programmes:session_register", args=[walk_in.session_id])
            )
    return render(
        request,
        "programmes/walk_in_convert.html",
        {
            "walk_in": walk_in,
            "form": form,
            "search": search,
            "search_error": search_error,
            "candidates": candidates,
        },
    )


@login_required
def walk_in_intake(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """youthtrack's intake, prefilled from the walk-in (no typing again); the case
    file it opens is linked to the walk-in and the walk-in's presence recorded."""
    walk_in = selectors.walk_in_get_for_user(user=request.user, pk=pk)
    return intake_page(
        request,
        initial=selectors.walk_in_intake_initial(user=request.user, pk=walk_in.pk),
        open_case_file=functools.partial(
            services.case_file_intake_from_walk_in, walk_in=walk_in
        ),
    )


# --- enrolment of one case file, withdrawal ---


@login_required
def case_enrol(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    """From a case file: the cohorts of its programme it may join, and joining one."""
    case_file = selectors.case_file_for_enrolment(user=request.user, pk=case_pk)
    if not access.can_enrol(request.user, case_file):
        raise PermissionDenied
    offer_waiting = None
    if request.method == "POST":
        cohort = selectors.cohort_get_for_user(
            user=request.user, pk=_int(request.POST.get("cohort")) or 0
        )
        try:
            enrolment = services.enrolment_create(
                cohort=cohort,
                case_file=case_file,
                acting_user=request.user,
                accept_waiting_list=request.POST.get("waiting_list") == "1",
            )
        except services.CohortFullError:
            offer_waiting = cohort
            messages.warning(
                request,
                _(
                    "“%(cohort)s” is full. You can put %(name)s on its waiting list: "
                    "they move in, in order of request, as soon as a place frees up."
                )
                % {"cohort": cohort, "name": case_file.young_person},
            )
        except services.EnrolmentRefusedError as error:
            for refusal in error.refusals:
                messages.error(request, str(refusal))
        else:
            if enrolment.status == Enrolment.Status.WAITING:
                messages.warning(
                    request,
                    _("%(name)s is on the waiting list of “%(cohort)s”.")
                    % {"name": case_file.young_person, "cohort": cohort},
                )
            else:
                messages.success(
                    request,
                    _("%(name)s is enrolled in “%(cohort)s”.")
                    % {"name": case_file.young_person, "cohort": cohort},
                )
            return redirect("case_detail", pk=case_file.pk)
    return render(
        request,
        "programmes/case_enrol.html",
        {
            "case": case_file,
            "options": selectors.cohorts_open_for(
                user=request.user, case_file=case_file
            ),
            "offer_waiting": offer_waiting,
        },
    )


@login_required
def enrolment_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_get_for_user(user=request.user, pk=pk)
    if not access.can_enrol(request.user, enrolment.case_file):
        raise PermissionDenied
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        messages.info(request, _("This participant has already withdrawn."))
        return redirect("programmes:cohort_detail", pk=enrolment.cohort_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.enrolment_withdraw(
                enrolment=enrolment,
                acting_user=request.user,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s withdrew from “%(cohort)s”.")
                % {
                    "name": enrolment.case_file.young_person,
                    "cohort": enrolment.cohort,
                },
            )
            _report_promotions(request, result.promoted, cohort=enrolment.cohort)
            return redirect("programmes:cohort_detail", pk=enrolment.cohort_id)
    return render(
        request,
        "programmes/withdraw_form.html",
        {"form": form, "enrolment": enrolment, "cohort": enrolment.cohort},
    )


def _report_promotions(
    request: AuthenticatedHttpRequest, promoted: list[Enrolment], *, cohort: Cohort
) -> None:
    if not promoted:
        return
    visible = selectors.visible_enrolment_names(user=request.user, enrolments=promoted)
    for name in visible:
        messages.info(
            request,
            _("%(name)s moved in from the waiting list.") % {"name": name},
        )
    others = len(promoted) - len(visible)
    # How many people one cannot see moved in is itself hidden, except from the
    # organisation in charge of the cohort (as on the cohort page).
    if others and access.sees_hidden_count(request.user, cohort):
        messages.info(
            request,
            ngettext(
                "%(count)s person moved in from the waiting list.",
                "%(count)s people moved in from the waiting list.",
                others,
            )
            % {"count": others},
        )


# --- calendar and contacts ---


def _parse_day(value: str | None) -> datetime.date:
    """A day from the query, within the dates the service deals with (navigating
    from 9999-12-31 or 0001-01-01 would leave Python's calendar)."""
    return parse_day(value, timezone.localdate())


@login_required
def session_calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Sessions by week or by month, as a list of days (readable on a phone and by a
    screen reader), filtered by programme, theme and language."""
    view = "month" if request.GET.get("view") == "month" else "week"
    day = _parse_day(request.GET.get("day"))
    if view == "week":
        start = day - datetime.timedelta(days=day.weekday())
        end = start + datetime.timedelta(days=6)
        previous = start - datetime.timedelta(days=7)
        following = start + datetime.timedelta(days=7)
    else:
        start = day.replace(day=1)
        end = start.replace(day=calendar_module.monthrange(start.year, start.month)[1])
        previous = (start - datetime.timedelta(days=1)).replace(day=1)
        following = end + datetime.timedelta(days=1)
    queryset = selectors.sessions_between(user=request.user, start=start, end=end)
    session_filter = SessionFilter(request.GET or None, queryset=queryset)
    sessions = session_filter.qs if session_filter.is_valid() else queryset.none()
    by_day: dict[datetime.date, list] = {}
    for session in sessions:
        by_day.setdefault(timezone.localtime(session.starts_at).date(), []).append(
            session
        )
    if view == "week":
        days = [
            (
                start + datetime.timedelta(days=n),
                by_day.get(start + datetime.timedelta(days=n), []),
            )
            for n in range(7)
        ]
    else:
        days = sorted(by_day.items())
    query = request.GET.copy()
    for key in ("day", "view"):
        query.pop(key, None)
    return render(
        request,
        "programmes/calendar.html",
        {
            "filter": session_filter,
            "view": view,
            "start": start,
            "end": end,
            "days": days,
            "count": sum(len(s) for s in by_day.values()),
            "previous": previous,
            "following": following,
            "today": timezone.localdate(),
            "query": query.urlencode(),
            "filter_active": any(
                request.GET.get(name) for name in ("programme", "theme", "language")
            ),
        },
    )


@login_required
def contacts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Contacts for the yearly activity figures: counselling by channel and
    participations in collective activities."""
    if not request.user.works_on_cases:
        raise PermissionDenied
    today = timezone.localdate()
    start = _parse_day(
        request.GET.get("start") or today.replace(month=1, day=1).isoformat()
    )
    end = _parse_day(request.GET.get("end") or today.isoformat())
    if end < start:
        start, end = end, start
    figures = selectors.contacts_for_period(user=request.user, start=start, end=end)
    return render(
        request,
        "programmes/contacts.html",
        {"figures": figures, "start": start, "end": end},
    )
