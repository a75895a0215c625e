"""Restore a backup made by ``manage.py backup`` into the configured database (new and
empty) and evidence folder (new or empty), then check every table's row count and every
file's checksum against the backup's manifest: ``manage.py restore /backups/…``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from youthtrack.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup into an empty database and an empty evidence folder, then "
        "compare the row count of every table and the checksum of every file."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a folder made by backup")

    def handle(self, *args, directory: Path, **options):
        try:
            report = restore(directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if report.differences:
            for difference in report.differences:
                self.stderr.write(difference)
            raise CommandError(
                f"The restored data differ from the backup in "
                f"{len(report.differences)} places."
            )
        self.stdout.write(
            f"Restored {report.tables} tables ({report.rows} rows) and {report.files} "
            "files; every row count and checksum matches the backup."
        )
