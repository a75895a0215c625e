"""Merging two records of the same young person: a project lead's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import selectors
from .access import can_merge_people, people_mergeable_by
from .duplicates import likely_duplicates
from .http import AuthenticatedHttpRequest
from .models import CaseFile, YoungPerson
from .services.merge import merge_counts, young_person_merge
from .services.reads import young_person_record_view


def _number(raw: str | None) -> int | None:
    if not raw:
        return None
    if not (raw.isdigit() and len(raw) < 19):
        raise Http404
    return int(raw)


@login_required
def person_merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """From a case file: find the other record of the same person (the likely
    duplicates, or a case file's number), see what each record holds, choose the one
    to keep and merge."""
    case_file = selectors.case_file_get_for_user(user=request.user, pk=pk)
    mergeable = people_mergeable_by(request.user)
    person = mergeable.filter(pk=case_file.young_person_id).first()
    if person is None:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    other: YoungPerson | None = None
    error = ""
    other_pk = _number(data.get("with"))
    file_number = (data.get("file") or "").strip().lstrip("#")
    if other_pk is not None:
        other = mergeable.exclude(pk=person.pk).filter(pk=other_pk).first()
        if other is None:
            raise Http404
    elif file_number:
        if not (file_number.isdigit() and len(file_number) < 19):
            error = _("Type the number of a case file, as on its page (#123).")
        else:
            found = (
                selectors.case_file_list_for_user(user=request.user)
                .filter(pk=int(file_number))
                .first()
            )
            if found is None:
                error = _("No case file of yours has this number.")
            elif found.young_person_id == person.pk:
                error = _("This case file is already one of this person's.")
            elif found.young_person.anonymised_at is not None:
                # An erased record is never merged back to a name (access.py).
                error = _("This person has already been anonymised.")
            else:
                other = mergeable.filter(pk=found.young_person_id).first()
                if other is None:
                    error = _(
                        "The person of this case file has files kept by another "
                        "organisation: only people whose files are all your "
                        "organisation's can be merged."
                    )
    if other is not None and not can_merge_people(request.user, person, other):
        raise PermissionDenied
    if request.method == "POST":
        keep = _number(request.POST.get("keep"))
        if other is None:
            error = error or _("Choose the other record of this person first.")
        elif keep not in (person.pk, other.pk):
            error = _("Choose the record to keep.")
        else:
            kept, merged = (person, other) if keep == person.pk else (other, person)
            young_person_merge(kept=kept, merged=merged, acting_user=request.user)
            messages.success(
                request,
                _(
                    "The two records are merged: everything is now on the record of "
                    "%(name)s; the other record is archived."
                )
                % {"name": kept},
            )
            return redirect("case_detail", pk=case_file.pk)
    candidates = []
    if other is None:
        candidates = likely_duplicates(
            people=mergeable,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            exclude_pk=person.pk,
        )
    records = []
    if other is not None:
        for record in (person, other):
            # The page shows who both records are: a read of each.
            if request.method == "GET":
                young_person_record_view(young_person=record, acting_user=request.user)
            records.append(
                {
                    "person": record,
                    "files": CaseFile.objects.filter(young_person=record)
                    .select_related("programme", "owner_organisation")
                    .order_by("pk"),
                    "counts": merge_counts(record),
                }
            )
    return render(
        request,
        "youthtrack/person_merge.html",
        {
            "case": case_file,
            "person": person,
            "other": other,
            "candidates": candidates,
            "records": records,
            "error": error,
            "file_number": file_number,
        },
        status=200,
    )
