"""The case page's legal-hold panel (``youthtrack.panels``): for those who may set
or lift the hold (the file's project leads), the hold and the retention date."""

from youthtrack.http import AuthenticatedHttpRequest
from youthtrack.models import CaseFile
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
