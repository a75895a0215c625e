"""Personal data only where it belongs: a representative set of journeys (intake,
correcting the young person, a note, a search by name, a case export, a funder
report built by its background task) runs with every logger at DEBUG and every
Celery task published recorded; none of the young person's values (names, birth
date, phone, e-mail, the note's text) may appear in a log record, in a task's
arguments, nor in any address the application sends the browser to or links to.

Searching by name posts the name, which the list keeps in the session behind a
token (``youthtrack.search``): the address carries the token, never the name."""

import datetime
import logging
import re
from urllib.parse import quote, quote_plus, unquote_plus

import pytest
from celery.app.task import Task
from django.urls import reverse

from tests.factories import reference as ref
from tests.factories.helpers import intake_post
from youthtrack.forms import YoungPersonForm
from youthtrack.models import CaseFile, Note, User, YoungPerson

from .helpers import form_data
from .sharing_helpers import make_user, signed_in, today

FIRST, LAST = "Zoélie", "Vanderbeken"
NEW_LAST = "Vanderbeken-Oumarou"
BIRTH = datetime.date(2004, 3, 2)
PHONE, NEW_PHONE = "0470 98 76 54", "0485 11 22 33"
EMAIL = "zoelie.vanderbeken@example.org"
NOTE = "Zoélie cherche un stage en menuiserie chez son oncle à Molenbeek"


def personal_values() -> list[str]:
    values = [FIRST, LAST, NEW_LAST, PHONE, NEW_PHONE, EMAIL, NOTE]
    values += [BIRTH.isoformat(), BIRTH.strftime("%d/%m/%Y"), "menuiserie"]
    spelled = []
    for value in values:
        spelled += [value, quote(value), quote_plus(value), value.lower()]
    return sorted(set(spelled))


class Recorded:
    def __init__(self):
        self.records: list[logging.LogRecord] = []
        self.tasks: list[tuple[str, object, object]] = []
        self.urls: list[str] = []


class _Keep(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]):
        super().__init__(logging.DEBUG)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


@pytest.fixture
def recorded(monkeypatch):
    """Every logger at DEBUG, each record kept (those of loggers that do not
    propagate too), and every task published."""
    seen = Recorded()
    handler = _Keep(seen.records)
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)

    # Sent to a broker (apply_async, delay) or run in-process (apply, the embedded
    # default): the arguments are the same.
    for method in ("apply_async", "apply"):
        original = getattr(Task, method)

        def publish(task, args=None, kwargs=None, *rest, _original=original, **opts):
            seen.tasks.append((task.name, args, kwargs))
            return _original(task, args, kwargs, *rest, **opts)

        monkeypatch.setattr(Task, method, publish)
    yield seen
    for logger, level in saved:
        logger.setLevel(level)
        logger.removeHandler(handler)


def _log_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), repr(record.args)]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    # What a handler may add to the line: the request Django attaches, for one.
    for name in ("request", "status_code"):
        if hasattr(record, name):
            parts.append(repr(getattr(record, name)))
    return "\n".join(parts)


def _follow(seen: Recorded, response) -> None:
    """The addresses a response sends the browser to or offers it."""
    if response.has_header("Location"):
        seen.urls.append(response["Location"])
    if "html" in response.get("Content-Type", ""):
        seen.urls += re.findall(
            r'(?:href|action|src)="([^"]*)"', response.content.decode()
        )


def _leaks(texts: list[str]) -> list[tuple[str, str]]:
    values = personal_values()
    return [
        (value, text[:200])
        for text in texts
        for value in values
        if value in text or value in unquote_plus(text)
    ]


@pytest.mark.django_db(transaction=False)
def test_journeys_leave_no_personal_data_in_logs_addresses_or_tasks(
    recorded, django_capture_on_commit_callbacks
):
    advisor = make_user("sarah", org_code="cdm")
    client = signed_in(advisor)

    def visit(method: str, url: str, data=None, **extra):
        recorded.urls.append(url)
        response = getattr(client, method)(url, data or {}, **extra)
        _follow(recorded, response)
        return response

    # Intake.
    visit("get", reverse("intake"))
    opened = visit(
        "post",
        reverse("intake"),
        intake_post(
            person={
                "first_name": FIRST,
                "last_name": LAST,
                "birth_date": BIRTH,
                "phone": PHONE,
                "email": EMAIL,
            },
            case={"advisor": advisor, "entry_date": today()},
        ),
    )
    assert opened.status_code == 302, opened.content.decode()[:500]
    case_file = CaseFile.objects.get()
    person = YoungPerson.objects.get()
    visit("get", opened["Location"])

    # Correcting the young person.
    edit = reverse("person_edit", args=[case_file.pk])
    visit("get", edit)
    corrected = visit(
        "post",
        edit,
        form_data(
            YoungPersonForm(instance=person), last_name=NEW_LAST, phone=NEW_PHONE
        ),
    )
    assert corrected.status_code == 302
    assert YoungPerson.objects.get().last_name == NEW_LAST

    # A note.
    note_url = reverse("note_create", args=[case_file.pk])
    visit("get", note_url)
    written = visit(
        "post",
        note_url,
        {
            "contact_date": today().isoformat(),
            "channel": ref.channel("in_person").pk,
            "topic": "Stage",
            "text": NOTE,
            "visibility": Note.Visibility.ORGANISATION,
        },
    )
    assert written.status_code == 302, written.content.decode()[:800]
    assert Note.objects.get().text == NOTE

    # A search by name, as the list's form sends it; then its next page and export.
    listing = visit("get", reverse("case_list"))
    assert 'method="post"' in listing.content.decode()
    searched = visit("post", reverse("case_list"), {"q": NEW_LAST, "sort": "name"})
    assert searched.status_code == 302
    results = visit("get", searched["Location"])
    assert [c.pk for c in results.context["page"]] == [case_file.pk]
    assert results.context["filter"].form["q"].value() == NEW_LAST
    visit("get", reverse("case_list_export") + "?" + results.context["query"])
    visit("get", reverse("case_export", args=[case_file.pk]))

    # A funder report, built by its background task.
    lead = make_user("nadia", org_code="cdm", role=User.Role.LEAD)
    lead.programmes_led.add(case_file.programme)
    client = signed_in(lead)
    operation = case_file.operation
    assert operation is not None
    with django_capture_on_commit_callbacks(execute=True):
        asked = visit(
            "post",
            reverse("outcomes:report_list"),
            {
                "rule_set": operation.rule_set,
                "operation": str(operation.pk),
                "date_from": f"{today().year}-01-01",
                "date_to": f"{today().year}-12-31",
                "formats": ["pdf", "csv"],
            },
        )
    assert asked.status_code == 302, asked.content.decode()[:800]
    visit("get", asked["Location"])
    assert any(name == "outcomes.report_generate" for name, _a, _k in recorded.tasks)

    # The journeys did log (the check is not empty-handed), and left nothing.
    assert recorded.records and recorded.urls
    assert _leaks([_log_text(record) for record in recorded.records]) == []
    assert (
        _leaks([repr((args, kwargs)) for _name, args, kwargs in recorded.tasks]) == []
    )
    assert _leaks(recorded.urls) == []


def test_the_check_finds_a_name_where_it_does_not_belong():
    """The scan itself: a name in a logged address, a task's arguments or a link is
    caught, encoded or not."""
    assert _leaks([f"GET /cases/?q={quote_plus(NEW_LAST)} HTTP/1.1"])
    assert _leaks([repr(((1,), {"name": FIRST}))])
    assert _leaks([f"/cases/?q={quote(FIRST)}"])
    assert _leaks(["/cases/?search=Ab3dE_9x&sort=name"]) == []


# --- the filters and the search token, one by one ---


def test_the_development_servers_request_lines_lose_their_query_string():
    from youthtrack.logs import PersonalDataFilter

    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /cases/?q={quote_plus(LAST)}&sort=name HTTP/1.1", "200", "512"),
        None,
    )
    assert PersonalDataFilter().filter(record)
    assert record.getMessage() == '"GET /cases/ HTTP/1.1" 200 512'


def test_sql_with_its_values_is_not_logged_unless_asked(monkeypatch):
    from youthtrack.logs import PersonalDataFilter

    def sql_record():
        return logging.LogRecord(
            "django.db.backends",
            logging.DEBUG,
            __file__,
            1,
            "(%.3f) %s; args=%s",
            (0.001, f"SELECT 1 WHERE last_name = '{LAST}'", (LAST,)),
            None,
        )

    monkeypatch.delenv("LOG_SQL", raising=False)
    assert not PersonalDataFilter().filter(sql_record())
    monkeypatch.setenv("LOG_SQL", "1")
    assert PersonalDataFilter().filter(sql_record())


def test_an_error_report_shows_no_posted_value_nor_variable(rf):
    import sys

    from django.views.debug import ExceptionReporter

    request = rf.post("/cases/1/person/", {"last_name": LAST, "phone": PHONE})
    note_text = NOTE  # a variable of the failing code
    try:
        raise ValueError("the save failed")
    except ValueError:
        reporter = ExceptionReporter(request, *sys.exc_info())
    report = reporter.get_traceback_text() + reporter.get_traceback_html()
    assert "last_name" in report  # the parameter is named, its value is not
    assert "note_text" in report
    for value in (LAST, PHONE, note_text, quote_plus(PHONE)):
        assert value not in report


@pytest.mark.django_db
def test_a_search_token_is_the_sessions_own_and_says_when_it_is_gone():
    advisor = make_user("sarah", org_code="cdm")
    mine = signed_in(advisor)
    searched = mine.post(reverse("case_list"), {"q": LAST})
    assert "search=" in searched["Location"] and LAST not in searched["Location"]
    # Another session (another user, or the same after logging in again) does not
    # know it: the list is shown unsearched, saying so.
    other = signed_in(make_user("karim", org_code="cdm"))
    page = other.get(searched["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page.context["filter"].form["q"].value() in (None, "")
    assert "This search is no longer available" in page.content.decode()
    # An empty search leaves no token.
    cleared = mine.post(reverse("case_list"), {"q": "  ", "status": "active"})
    assert cleared["Location"] == reverse("case_list") + "?status=active"
