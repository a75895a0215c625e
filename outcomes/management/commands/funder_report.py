"""``manage.py funder_report RULE_SET --operation REF --from YYYY-MM-DD --to
YYYY-MM-DD --format json|csv|xlsx|pdf [--output FILE]``: the figures of the web page,
for scripting."""

import datetime
import json
import sys
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from outcomes.indicators import engine
from outcomes.indicators.definitions import RULE_SETS
from youthtrack.models import Operation

FORMATS = ("json", "csv", "xlsx", "pdf")


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from None


class Command(BaseCommand):
    help = "Compute a funder report (ESF+ 2021-2027 or ESF 2014-2020 with the YEI)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("rule_set", choices=RULE_SETS)
        parser.add_argument("--operation", required=True, help="the reference")
        parser.add_argument("--from", dest="date_from", required=True)
        parser.add_argument("--to", dest="date_to", required=True)
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--output", help="a file (default: standard output)")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="the language of the labels (default: %(default)s)",
        )

    def handle(self, *args, **options) -> None:
        # Management commands run without a language; the report speaks one.
        with translation.override(options["language"]):
            self._handle(**options)

    def _handle(self, **options) -> None:
        date_from, date_to = _date(options["date_from"]), _date(options["date_to"])
        if date_to < date_from:
            raise CommandError("--to is before --from")
        try:
            operation = Operation.objects.get(reference=options["operation"])
        except Operation.DoesNotExist:
            raise CommandError(
                f"no operation with the reference {options['operation']!r}"
            ) from None
        result = engine.report_compute(
            rule_set=options["rule_set"],
            operation=operation,
            date_from=date_from,
            date_to=date_to,
        )
        output_format = options["format"]
        if output_format == "json":
            content = json.dumps(result, ensure_ascii=False, indent=2).encode()
        else:
            try:
                render = getattr(
                    import_module("outcomes.reports.render"), f"render_{output_format}"
                )
            except (ImportError, AttributeError):
                raise CommandError(
                    f"the {output_format} renderer is not available yet "
                    "(outcomes.reports.render); use --format json"
                ) from None
            content = render(result)
        if options["output"]:
            with open(options["output"], "wb") as target:
                target.write(content)
        elif output_format == "json":
            self.stdout.write(content.decode())
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
