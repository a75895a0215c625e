"""Compile locale/*/LC_MESSAGES/*.po into .mo without GNU gettext (polib does it), so
that a machine with nothing but Python can run youthtrack in French and Dutch."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po → .mo)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, quiet=False, **options):
        compiled = 0
        for locale_path in settings.LOCALE_PATHS:
            for po_path in Path(locale_path).glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if (
                    mo_path.exists()
                    and mo_path.stat().st_mtime >= po_path.stat().st_mtime
                ):
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                compiled += 1
        if not quiet or compiled:
            self.stdout.write(f"Compiled {compiled} translation catalogue(s).")
