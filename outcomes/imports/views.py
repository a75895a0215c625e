"""The upload page of past records, for project leads: the file is checked in the
background (its page follows the progress), the check lists every problem (or what
would be created), then "Import" writes the checked file, in the background too."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from youthtrack.exports import xlsx_response
from youthtrack.http import AuthenticatedHttpRequest
from youthtrack.models import Organisation, User

from ..models import ImportRun
from . import selectors, services
from .reader import MAX_FILE_BYTES
from .template import template_sheets


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "An XLSX workbook, or a ZIP of CSV files, with the sheets of the template."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


def _lead_organisation(user: User) -> Organisation:
    """A project lead imports for their organisation; anyone else is refused."""
    if user.role != User.Role.LEAD or user.organisation is None:
        raise PermissionDenied
    return user.organisation


@login_required
def import_records(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The upload form: the file is kept on a new run, checked in the background,
    and the run's page follows the check."""
    organisation = _lead_organisation(request.user)
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            run = services.import_check_request(
                acting_user=request.user,
                organisation=organisation,
                data=upload.read(),
                file_name=upload.name or "",
            )
            return redirect("outcomes:import_run", pk=run.pk)
    return render(
        request,
        "outcomes/import_records.html",
        {
            "form": form,
            "recent": selectors.import_runs_recent(organisation=organisation),
        },
    )


@login_required
def import_run(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One check or import: its progress while it runs (the page re-reads itself),
    then every problem, or what the import creates and the "Import" button."""
    organisation = _lead_organisation(request.user)
    run = selectors.import_run_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.import_request(
                acting_user=request.user, organisation=organisation, pk=run.pk
            )
        except services.NothingToImport:
            raise Http404 from None
        return redirect("outcomes:import_run", pk=run.pk)
    pending = run.status in services.PENDING
    return render(
        request,
        "outcomes/import_run.html",
        {
            "run": run,
            "refresh": pending,
            "can_import": run.status == ImportRun.Status.CHECKED
            and not run.problem_count
            and getattr(run, "content_kept", False),
        },
    )


@login_required
def import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    _lead_organisation(request.user)
    return xlsx_response("past-records-template.xlsx", template_sheets())
