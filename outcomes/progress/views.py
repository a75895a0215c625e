"""Views parse input, call one service or selector, and render. The case file is
always reached through its gate first (404 for a file the user may not see); who may
record is then asked of ``can_record_outcome`` (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from youthtrack import selectors as case_selectors
from youthtrack.access import can_record_outcome
from youthtrack.http import AuthenticatedHttpRequest
from youthtrack.models import CaseFile
from youthtrack.stale_edits import form_saved

from ..models import Assessment, Goal
from . import selectors, services
from .forms import AssessmentForm, GoalForm


def _case_for_recording(request: AuthenticatedHttpRequest, pk: int) -> CaseFile:
    case_file = case_selectors.case_file_get_for_user(user=request.user, pk=pk)
    if not can_record_outcome(request.user, case_file):
        raise PermissionDenied
    return case_file


@login_required
def assessment_edit(
    request: AuthenticatedHttpRequest, pk: int, moment: str
) -> HttpResponse:
    """Take, or correct, the assessment of one moment."""
    case_file = _case_for_recording(request, pk)
    assessment = selectors.assessment_get(case_file=case_file, moment=moment)
    instance = assessment or Assessment(case_file=case_file, moment=moment)
    form = AssessmentForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        if assessment is None:

            def save() -> object:
                return services.assessment_record(
                    case_file=case_file,
                    moment=moment,
                    acting_user=request.user,
                    data=form.model_data(),
                )
        else:

            def save() -> object:
                return services.assessment_update(
                    assessment=assessment,
                    acting_user=request.user,
                    data=form.model_data(),
                    expected_version=form.expected_version(),
                )

        if form_saved(request, form, save):
            messages.success(request, _("The assessment was saved."))
            return redirect("case_detail", pk=case_file.pk)
    return render(
        request,
        "outcomes/assessment_form.html",
        {
            "form": form,
            "case": case_file,
            "assessment": assessment,
            "moment_label": dict(Assessment.Moment.choices)[moment],
        },
    )


@login_required
def goal_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case_file = _case_for_recording(request, pk)
    form = GoalForm(request.POST or None, instance=Goal(case_file=case_file))
    if request.method == "POST" and form.is_valid():
        if form_saved(
            request,
            form,
            lambda: services.goal_create(
                case_file=case_file, acting_user=request.user, data=form.model_data()
            ),
        ):
            messages.success(request, _("The goal was added to the action plan."))
            return redirect("case_detail", pk=case_file.pk)
    return render(request, "outcomes/goal_form.html", {"form": form, "case": case_file})


@login_required
def goal_edit(request: AuthenticatedHttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    """Edit or review a goal: its status, when it was reviewed and what was said."""
    case_file = case_selectors.case_file_get_for_user(user=request.user, pk=pk)
    goal = selectors.goal_get(case_file=case_file, pk=goal_pk)
    if not can_record_outcome(request.user, case_file):
        raise PermissionDenied
    form = GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        if form_saved(
            request,
            form,
            lambda: services.goal_update(
                goal=goal,
                acting_user=request.user,
                data=form.model_data(),
                expected_version=form.expected_version(),
            ),
        ):
            messages.success(request, _("The goal was saved."))
            return redirect("case_detail", pk=case_file.pk)
    return render(
        request,
        "outcomes/goal_form.html",
        {"form": form, "case": case_file, "goal": goal},
    )
