"""Load the reference data in ``fixtures/`` (genders, channels, communes, ISCED and
diplomas, organisations, programmes).

Every fixture row has an explicit primary key, so running the command again updates the
rows in place instead of duplicating them.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# In dependency order: diplomas need ISCED levels (both in isced.json, levels first).
FIXTURES = [
    "genders",
    "contact_channels",
    "communes",
    "isced",
    "organisations",
    "programmes",
]

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = "Load (or refresh) the reference data from fixtures/."

    def add_arguments(self, parser):
        parser.add_argument(
            "--database",
            default="default",
            help="Database to load into (default: %(default)s).",
        )

    def handle(self, *args, **options):
        counts = []
        for name in FIXTURES:
            path = FIXTURE_DIR / f"{name}.json"
            call_command(
                "loaddata",
                str(path),
                database=options["database"],
                verbosity=0,
            )
            counts.append(f"{name} {_count_objects(path)}")
        self.stdout.write(
            self.style.SUCCESS("Reference data loaded: " + ", ".join(counts) + ".")
        )


def _count_objects(path: Path) -> int:
    return len(json.loads(path.read_text(encoding="utf-8")))
