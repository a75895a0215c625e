"""The right of access's export, for a data protection officer (or an administrator
holding the role) of the organisation keeping the person's files; anyone else 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from youthtrack import selectors as youthtrack_selectors
from youthtrack.http import AuthenticatedHttpRequest

from . import render, services
from .forms import SubjectAccessForm


@login_required
@require_POST
def subject_access_export(
    request: AuthenticatedHttpRequest, person_pk: int
) -> HttpResponse:
    person = youthtrack_selectors.dpo_person_get(user=request.user, pk=person_pk)
    form = SubjectAccessForm(request.POST, person=person)
    if not form.is_valid():
        messages.error(request, _("Choose the language and the format of the export."))
        return redirect("dpo_person", person_pk=person.pk)
    fmt = form.cleaned_data["format"]
    content = services.subject_access_export(
        person=person,
        acting_user=request.user,
        language=form.cleaned_data["language"],
        fmt=fmt,
    )
    response = HttpResponse(content, content_type=render.CONTENT_TYPES[fmt])
    # No name in the file's name: it lands in download folders and their lists.
    filename = f"right-of-access-{person.pk}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
