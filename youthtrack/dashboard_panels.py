"""youthtrack's own panels on the dashboard (``youthtrack.panels``): what asks for the
advisor's attention before the long lists. Each shows nothing when there is nothing."""

from django.http import HttpRequest

from . import selectors

NOTICE_ROWS = 10


def _bounded(queryset) -> tuple[list, bool]:
    """The first rows, and whether there are more (one row more is read, no count)."""
    rows = list(queryset[: NOTICE_ROWS + 1])
    return rows[:NOTICE_ROWS], len(rows) > NOTICE_ROWS


def files_without_consent_context(*, request: HttpRequest) -> dict | None:
    """The user's open files without a consent to keep them."""
    user = request.user
    if not getattr(user, "works_on_cases", False):
        return None
    files, more = _bounded(selectors.case_files_without_consent(user=user))  # type: ignore[arg-type]
    if not files:
        return None
    return {"files": files, "more": more}


def declined_referrals_context(*, request: HttpRequest) -> dict | None:
    """Referrals of the user's files that a partner declined, until seen."""
    user = request.user
    if not getattr(user, "works_on_cases", False):
        return None
    declined, more = _bounded(selectors.share_decline_notices_for_user(user=user))  # type: ignore[arg-type]
    if not declined:
        return None
    return {"declined": declined, "more": more}
