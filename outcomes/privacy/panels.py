"""The case page's legal-hold panel (``youthtrack.panels``): for those who may set
or lift the hold (the file's project leads), the hold and the retention date; and
the data protection officer's way to the erasure, on their page of a person."""

from youthtrack.http import AuthenticatedHttpRequest
from youthtrack.models import CaseFile, YoungPerson
from youthtrack.services import anonymisation


def legal_hold_context(
    *, request: AuthenticatedHttpRequest, case_file: CaseFile
) -> dict | None:
    if not anonymisation.can_hold(request.user, case_file):
        return None
    return {
        "case": case_file,
        "retention_end": anonymisation.retention_end_of(case_file),
    }


def erasure_context(
    *, request: AuthenticatedHttpRequest, person: YoungPerson
) -> dict | None:
    """The data protection officer's page of a person: the way to the erasure."""
    if not anonymisation.can_erase(request.user, person):
        return None
    return {"person": person}
