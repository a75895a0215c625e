"""Back up the database and the uploaded files into a new folder (``youthtrack.backups``
says what it holds): ``manage.py backup /backups/youthtrack-2026-12-01``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from youthtrack.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump's custom format, or a copy of the SQLite file) "
        "and the evidence files into a new folder, with a manifest of checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a new or empty folder")

    def handle(self, *args, directory: Path, **options):
        try:
            manifest = backup(directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables ({rows} rows) and "
            f"{len(manifest['files'])} files into {directory}."
        )
