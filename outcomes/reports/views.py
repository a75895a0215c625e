"""Funder report pages for project leads: ask for a report, follow it, download it,
drill down from a figure to the participants it counts (through the viewer's gate),
and the data-quality list. Anyone else is refused (403); another organisation's
report answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from youthtrack.exports import csv_response
from youthtrack.http import AuthenticatedHttpRequest
from youthtrack.services import record_export
from youthtrack.stale_edits import apply_service_errors

from ..models import ReportJob, evidence_storage
from . import charts as report_charts
from . import render as renderers
from . import selectors, services
from .forms import QualityForm, ReportRequestForm

DRILL_GENDERS = ("women", "men", "non_binary")


@login_required
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The organisation's reports, newest first, and the form to ask for one."""
    jobs = selectors.report_jobs_for_user(user=request.user)
    form = ReportRequestForm(
        request.POST if request.method == "POST" else None, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = services.report_job_request(
                acting_user=request.user,
                rule_set=form.cleaned_data["rule_set"],
                operation=form.cleaned_data["operation"],
                date_from=form.cleaned_data["date_from"],
                date_to=form.cleaned_data["date_to"],
                formats=form.cleaned_data["formats"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            job.refresh_from_db()  # run already when tasks run in-process
            if job.status == ReportJob.Status.DONE:
                messages.success(request, _("The report is ready."))
            elif job.status != ReportJob.Status.FAILED:
                messages.success(request, _("The report is queued."))
            return redirect("outcomes:report_detail", job_pk=job.pk)
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    pending = any(
        job.status in (ReportJob.Status.QUEUED, ReportJob.Status.RUNNING)
        for job in page.object_list
    )
    return render(
        request,
        "outcomes/report_list.html",
        {"form": form, "page": page, "refresh": pending},
    )


def _figure_sections(job: ReportJob) -> list[dict]:
    """The kept figures in the funder's order, section by section (a title, a chart
    by gender when the figures have one, the rows with their drill-down columns)."""
    result = job.result or {}
    if not result.get("indicators"):
        return []
    columns = renderers._columns(result)
    found = []
    for index, (title, codes) in enumerate(renderers.sections(result), start=1):
        rows = []
        for code in codes:
            figure = result["indicators"][code]
            rows.append(
                {
                    "code": code,
                    "label": result.get("labels", {}).get(code, ""),
                    "cells": [
                        (column, renderers._value(figure, column)) for column in columns
                    ],
                }
            )
        chart = report_charts.section_chart(result, index, title, codes)
        found.append({"title": title, "rows": rows, "chart": chart})
    return found


def _parameters_shown(job: ReportJob, result: dict) -> list[tuple[str, str]]:
    """The parameters used, named as the report names them (never internal keys)."""
    labels = result.get("parameter_labels") or {}
    return [
        (
            str(labels.get(key, key.replace("_", " ").capitalize())),
            ", ".join(str(v) for v in value)
            if isinstance(value, list | tuple)
            else str(value),
        )
        for key, value in (job.parameters or {}).items()
    ]


@login_required
def report_detail(request: AuthenticatedHttpRequest, job_pk: int) -> HttpResponse:
    job = selectors.report_job_get_for_user(user=request.user, pk=job_pk)
    result = job.result or {}
    columns = renderers._columns(result) if result else []
    return render(
        request,
        "outcomes/report_detail.html",
        {
            "job": job,
            "files": list(job.files.all()),
            "columns": [(c, renderers.gender_label(c)) for c in columns],
            "sections": _figure_sections(job),
            "drillable": job.rule_set in ("esfplus2021", "esf2014"),
            "drill_genders": DRILL_GENDERS,
            "incomplete": result.get("incomplete"),
            "parameters": _parameters_shown(job, result),
            "refresh": job.status
            in (ReportJob.Status.QUEUED, ReportJob.Status.RUNNING),
        },
    )


@login_required
def report_download(
    request: AuthenticatedHttpRequest, job_pk: int, fmt: str
) -> FileResponse:
    """A produced file, as kept; every download is audited."""
    job = selectors.report_job_get_for_user(user=request.user, pk=job_pk)
    report_file = selectors.report_file_get_for_job(job=job, fmt=fmt)
    try:
        handle = evidence_storage.open(report_file.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    services.report_file_record_download(
        report_file=report_file, acting_user=request.user
    )
    operation = job.operation.reference if job.operation else job.rule_set
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{operation}_{job.date_from}_{job.date_to}.{fmt}",
        content_type=renderers.CONTENT_TYPES[fmt],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def report_drilldown(
    request: AuthenticatedHttpRequest, job_pk: int, code: str
) -> HttpResponse:
    """The participants a figure counts, as many as the viewer may see."""
    job = selectors.report_job_get_for_user(user=request.user, pk=job_pk)
    result = job.result or {}
    if job.rule_set not in ("esfplus2021", "esf2014") or code not in result.get(
        "indicators", {}
    ):
        raise Http404
    gender = request.GET.get("gender") or None
    if gender is not None and gender not in DRILL_GENDERS:
        raise Http404
    participants = services.drill_down(
        job=job, code=code, gender=gender, user=request.user
    ).select_related("young_person", "young_person__gender", "operation")
    if request.GET.get("format") == "csv":
        return _drilldown_csv(request, job, code, gender, participants)
    page = Paginator(participants, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "outcomes/report_drilldown.html",
        {
            "job": job,
            "code": code,
            "label": result.get("labels", {}).get(code, ""),
            "gender": gender,
            "gender_label": renderers.gender_label(gender) if gender else "",
            "figure": renderers._value(result["indicators"][code], gender or "total"),
            "page": page,
            "query": f"gender={gender}" if gender else "",
        },
    )


def _drilldown_csv(request, job, code, gender, participants) -> HttpResponse:
    """The participant-level list behind a figure, for the funder's own checks: only
    the participants the viewer may see (the drill-down's gate), and audited."""
    response, writer = csv_response(f"{code}-{gender or 'total'}-{job.pk}.csv")
    writer.writerow(
        [
            _("Case file"),
            _("Last name"),
            _("First name"),
            _("Date of birth"),
            _("Gender"),
            _("Operation"),
            _("Entry date"),
            _("Exit date"),
        ]
    )
    count = 0
    for case_file in participants.iterator(chunk_size=500):
        person = case_file.young_person
        writer.writerow(
            [
                case_file.pk,
                person.last_name,
                person.first_name,
                person.birth_date,
                person.gender,
                case_file.operation.reference if case_file.operation else "",
                case_file.entry_date,
                case_file.exit_date or "",
            ]
        )
        count += 1
    record_export(
        acting_user=request.user,
        obj=job,
        case_file=None,
        what=f"{code} {gender or 'total'}: {count} participants",
    )
    return response


@login_required
def report_quality(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Participants with missing or inconsistent facts, each with a link to fix it."""
    if not services.can_ask_for_reports(request.user):
        raise PermissionDenied
    form = QualityForm(request.GET or None, user=request.user)
    problems = None
    if form.is_valid():
        problems = services.quality_problems(
            operation=form.cleaned_data["operation"],
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            user=request.user,
        )
    return render(
        request,
        "outcomes/report_quality.html",
        {"form": form, "problems": problems},
    )
