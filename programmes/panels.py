"""The programmes app's panels on pages youthtrack composes (``youthtrack.panels``)."""

from youthtrack.http import AuthenticatedHttpRequest
from youthtrack.models import CaseFile

from . import access, selectors


def case_enrolments_context(
    *, request: AuthenticatedHttpRequest, case_file: CaseFile
) -> dict:
    """The case file's enrolments with attendance and completion; the case file has
    already been reached through its gate by the page that shows it."""
    return {
        "entries": selectors.enrolment_list_for_case_file(
            user=request.user, case_file=case_file
        ),
        "can_enrol": access.can_enrol(request.user, case_file),
    }
