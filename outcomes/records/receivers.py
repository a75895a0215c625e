"""youthtrack tells when a participation's exit moves; the follow-ups move with it."""

from youthtrack.models import CaseFile, User

from . import services


def exit_changed(
    sender, *, case_file: CaseFile, acting_user: User | None, change: str, **kwargs
) -> None:
    services.follow_ups_on_exit_change(
        case_file=case_file, acting_user=acting_user, change=change
    )


def advisor_changed(sender, *, case_file: CaseFile, **kwargs) -> None:
    services.follow_ups_follow_advisor(case_file=case_file)
