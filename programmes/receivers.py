"""What programmes does when a case file's participation ends (youthtrack's signals)."""

from typing import Any

from youthtrack.models import CaseFile, User

from . import services


def exit_changed(
    *, case_file: CaseFile, acting_user: User, change: str, **kwargs: Any
) -> None:
    """Closing a file frees its places in the cohorts that have not started."""
    if change == "closed":
        services.enrolments_end_on_closure(case_file=case_file, acting_user=acting_user)
