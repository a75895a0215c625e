"""``manage.py import_records FILE --organisation CODE [--dry-run] [--user NAME]``:
import past records from an XLSX workbook or a ZIP of CSV files (docs/import.md).

Every problem is listed (sheet, line, column, reason); a file with a problem imports
nothing and the command fails (exit status 1)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from outcomes.imports.importer import run_import
from youthtrack.models import Organisation, User


class Command(BaseCommand):
    help = "Import past records: operations, people, participations, outcomes."

    def add_arguments(self, parser):
        parser.add_argument("file", help="an XLSX workbook or a ZIP of CSV files")
        parser.add_argument("--organisation", required=True, help="organisation code")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, write nothing"
        )
        parser.add_argument(
            "--user",
            help="who the records are attributed to (default: a project lead of the "
            "organisation)",
        )

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(code=options["organisation"]).first()
        if organisation is None:
            raise CommandError(_("No organisation has this code."))
        members = User.objects.filter(organisation=organisation, is_active=True)
        if options["user"]:
            user = members.filter(username=options["user"]).first()
        else:
            user = (
                members.filter(role=User.Role.LEAD).order_by("pk").first()
                or members.filter(role=User.Role.ADVISOR).order_by("pk").first()
            )
        if user is None:
            raise CommandError(
                _(
                    "No active project lead or advisor of this organisation to "
                    "attribute the records to."
                )
            )
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from error
        result = run_import(
            data=data,
            file_name=path.name,
            organisation=organisation,
            user=user,
            dry_run=options["dry_run"],
        )
        for problem in result.problems:
            self.stdout.write(
                f"{problem.sheet or '-'}\t{problem.line}\t{problem.column or '-'}\t"
                f"{problem.message}"
            )
        for sheet, counts in result.counts.items():
            self.stdout.write(
                _(
                    "%(sheet)s: %(created)s new, %(updated)s updated, "
                    "%(unchanged)s unchanged"
                )
                % {"sheet": sheet, **counts}
            )
        if result.problems:
            raise CommandError(
                _("%(count)s problems: nothing was imported.")
                % {"count": len(result.problems)}
            )
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was imported."))
        else:
            self.stdout.write(_("Imported."))
