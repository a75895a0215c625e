"""The upload page of past records, for project leads: a dry run lists every problem
(or what would be created), then "Import" writes the checked file."""

from django import forms
from django.contrib import messages
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
from .importer import run_import
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
    organisation = _lead_organisation(request.user)
    result = None
    form = ImportForm()
    if request.method == "POST" and "run" in request.POST:
        try:
            run_pk = int(request.POST["run"])
        except ValueError:
            raise Http404 from None
        run = ImportRun.objects.filter(
            pk=run_pk,
            user=request.user,
            organisation=organisation,
            status=ImportRun.Status.CHECKED,
            content__isnull=False,
        ).first()
        if run is None or run.content is None:
            raise Http404
        data = bytes(run.content)
        run.content = None  # checked once, imported once
        run.save(update_fields=["content"])
        result = run_import(
            data=data,
            file_name=run.file_name,
            organisation=organisation,
            user=request.user,
            dry_run=False,
        )
        if result.imported:
            messages.success(request, _("The records were imported."))
            return redirect("outcomes:import_records")
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            # Only the latest check can be imported: earlier files are not kept.
            ImportRun.objects.filter(
                user=request.user,
                status=ImportRun.Status.CHECKED,
                content__isnull=False,
            ).update(content=None)
            result = run_import(
                data=upload.read(),
                file_name=upload.name or "",
                organisation=organisation,
                user=request.user,
                dry_run=True,
            )
    recent = ImportRun.objects.filter(organisation=organisation).select_related("user")[
        :10
    ]
    return render(
        request,
        "outcomes/import_records.html",
        {"form": form, "result": result, "recent": recent},
    )


@login_required
def import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    _lead_organisation(request.user)
    return xlsx_response("past-records-template.xlsx", template_sheets())
