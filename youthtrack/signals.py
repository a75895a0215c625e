"""Hooks for the apps built on youthtrack (youthtrack never imports them).

``participation_exit_changed`` is sent inside the service's transaction whenever a case
file's exit moves: closed (``change="closed"``), reopened (``"reopened"``) or its exit
date corrected (``"moved"``). Outcomes schedules and moves its follow-ups from it.
Arguments: ``case_file`` (saved), ``acting_user``, ``change``.

``case_file_advisor_changed`` is sent inside the service's transaction when a case file
changes advisor in charge; outcomes' follow-ups keep a copy of it. Arguments:
``case_file`` (saved)."""

from django.dispatch import Signal

participation_exit_changed = Signal()
case_file_advisor_changed = Signal()
