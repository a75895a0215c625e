"""The pseudonymised statistics export: project leads (their programmes) and data
protection officers (their organisation's files); anyone else 403."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from youthtrack.http import AuthenticatedHttpRequest

from . import selectors, services
from .forms import StatisticsExportForm

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
def statistics_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.may_export_statistics(request.user):
        raise PermissionDenied
    form = StatisticsExportForm(
        request.POST if request.method == "POST" else None, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["format"]
        programme = form.cleaned_data["programme"]
        content = services.statistics_export_file(
            acting_user=request.user,
            programme=programme,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            fmt=fmt,
        )
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        filename = (
            f"statistics-{programme.code}-{timezone.localdate().isoformat()}.{fmt}"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "outcomes/statistics_export.html", {"form": form})
