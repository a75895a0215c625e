"""Anonymise the closed case files whose retention has ended (``--dry-run``: only say
which, by operation). The periodic task ``youthtrack.retention_run`` does the same
every day."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from youthtrack.services.anonymisation import RetentionReport, retention_run


def report_lines(report: RetentionReport, *, dry_run: bool) -> list[str]:
    """The report, one line per operation: what is due, what a legal hold keeps.
    Case files by number only: never a name."""
    lines = [
        f"Retention on {report.today.isoformat()}"
        + (" (dry run: nothing is changed)" if dry_run else "")
    ]
    operations = sorted(set(report.due) | set(report.held))
    if not operations:
        lines.append("No closed case file has reached the end of its retention.")
    for reference in operations:
        due = report.due.get(reference, [])
        held = report.held.get(reference, [])
        name = reference or "(no operation)"
        line = f"{name}: {len(due)} case file(s) to anonymise"
        if due:
            line += " (" + ", ".join(f"#{pk}" for pk in due) + ")"
        if held:
            line += (
                f"; {len(held)} kept under legal hold ("
                + ", ".join(f"#{pk}" for pk in held)
                + ")"
            )
        lines.append(line)
    lines.append(
        f"Total: {report.due_count} to anonymise, {report.held_count} under legal hold."
    )
    if not dry_run:
        lines.append(
            f"Anonymised: {len(report.anonymised_files)} case file(s), "
            f"{len(report.anonymised_people)} person(s) with no case file left."
        )
    return lines


class Command(BaseCommand):
    help = (
        "Anonymise the closed case files whose retention period has ended "
        "(--dry-run: list them by operation and change nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would be anonymised, by operation; change nothing.",
        )
        parser.add_argument(
            "--today",
            help="Run as on this day (YYYY-MM-DD; default: today).",
        )

    def handle(self, *args, dry_run=False, today=None, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as error:
                raise CommandError(
                    f"--today: not a date (YYYY-MM-DD): {today}"
                ) from error
        report = retention_run(today=day, dry_run=dry_run)
        for line in report_lines(report, dry_run=dry_run):
            self.stdout.write(line)
