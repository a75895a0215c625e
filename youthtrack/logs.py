"""Logs without personal data, whatever level they are configured at.

What the application logs itself names records by their number only. Three sources
in the frameworks would write personal values into the logs, and are filtered here
(``settings.LOGGING`` puts ``PersonalDataFilter`` on their loggers):

- ``django.template`` at DEBUG logs every variable a template failed to resolve with
  the whole template context (the young person's name, their notes…): dropped;
- ``django.db.backends`` at DEBUG (with ``DEBUG`` on) logs each SQL statement with
  its values: dropped, unless ``LOG_SQL=1`` is set on a developer's machine;
- ``django.server`` (the development server) logs each request line, query string
  included: kept without its query string. Nothing the application generates puts a
  name in an address (searches are posted: ``youthtrack.search``), but an address
  typed by hand could.
"""

import logging
import os
import re

from django.views.debug import SafeExceptionReporterFilter

_QUERY_STRING = re.compile(r"\?[^\s\"']*")


def without_query_string(text: str) -> str:
    return _QUERY_STRING.sub("", text)


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if (
            record.name.startswith("django.template")
            and record.levelno <= logging.DEBUG
        ):
            return False
        if record.name.startswith("django.db.backends") and not os.environ.get(
            "LOG_SQL"
        ):
            return record.levelno > logging.DEBUG
        if record.name == "django.server":
            if isinstance(record.args, tuple):
                record.args = tuple(
                    without_query_string(arg) if isinstance(arg, str) else arg
                    for arg in record.args
                )
            if isinstance(record.msg, str):
                record.msg = without_query_string(record.msg)
            request = getattr(record, "request", None)
            if request is not None:
                # The request line again, in the development server's "extra".
                record.request = without_query_string(str(request))
        return True


class PersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports without the request's parameters nor the values of the failing
    code's variables (a name, a note's text): their names stay, for the reader to
    know where to look."""

    def is_active(self, request) -> bool:
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return {name: self.cleansed_substitute for name in request.POST}

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
