"""The embedded default (SQLite in a file, ``runserver``) holds a few people saving at
once: an outside probe saw 16 "database is locked" server errors out of 20 enrolments
posted together. Here a real ``manage.py runserver`` (threaded, local settings) runs on
loopback on a fresh SQLite file; 20 threads, each with its own signed-in session, post
at the same moment. Bounded: 40 requests in all, each with a timeout.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings

THREADS = 20
CAPACITY = 5
CSRF = "concurrencytestcsrfsecret0123456"  # 32 letters and digits: a valid secret
REQUEST_TIMEOUT = 60

# The server has its own database; the mark only makes the suite's session setup
# create the test database (tests/conftest.py loads reference data into it).
pytestmark = pytest.mark.django_db

SETUP = f"""
import datetime, json
from django.test import Client
from django.utils import timezone
from tests.factories import CaseFileFactory, CohortFactory, EligibleCaseFileFactory
from tests.factories import UserFactory, reference
from youthtrack.models import ContactChannel, Note

today = timezone.localdate()
uppercut = reference.programme("uppercut")
advisor = UserFactory(username="concurrent-advisor")
cohort = CohortFactory(
    programme=uppercut,
    start_date=today + datetime.timedelta(days=7),
    capacity={CAPACITY},
    advisors=[advisor],
)
to_enrol = [
    EligibleCaseFileFactory(programme=uppercut, advisor=advisor).pk
    for _ in range({THREADS})
]
to_note = [CaseFileFactory(active=True, advisor=advisor).pk for _ in range({THREADS})]
sessions = []
for _ in range({THREADS}):
    client = Client()
    client.force_login(advisor)
    sessions.append(client.cookies["sessionid"].value)
print("RESULT:" + json.dumps({{
    "cohort": cohort.pk,
    "to_enrol": to_enrol,
    "to_note": to_note,
    "sessions": sessions,
    "channel": ContactChannel.objects.order_by("pk").first().pk,
    "visibility": Note.Visibility.ORGANISATION,
}}))
"""

STATE = """
import json
from programmes.models import Enrolment
from youthtrack.models import Note

data = json.loads('''{data}''')
enrolments = Enrolment.objects.filter(cohort_id=data["cohort"])
print("RESULT:" + json.dumps({{
    "enrolled": enrolments.filter(status="enrolled").count(),
    "waiting": enrolments.filter(status="waiting").count(),
    "per_case": sorted(
        enrolments.values_list("case_file_id", flat=True)
    ),
    "notes": sorted(
        Note.objects.filter(case_file_id__in=data["to_note"]).values_list(
            "text", flat=True
        )
    ),
}}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedServer:
    def __init__(self, directory: Path):
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DATABASE_URL", "CELERY_", "DJANGO_SETTINGS"))
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="youthtrack.settings.local",
            DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
            DEBUG="0",
        )
        self.log = directory / "server.log"
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def python(self, code: str) -> dict:
        out = self.manage("shell", "-c", code)
        (line,) = [ln for ln in out.splitlines() if ln.startswith("RESULT:")]
        return json.loads(line.removeprefix("RESULT:"))

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "runserver",
                f"127.0.0.1:{self.port}",
                "--noreload",
                "--skip-checks",
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if self.request("GET", "/login/", session=None)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError("runserver did not answer within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def request(
        self, method: str, path: str, *, session: str | None, data=None
    ) -> tuple[int, str]:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT
        )
        headers = {"Accept-Language": "en"}
        body = None
        if session is not None:
            headers["Cookie"] = f"sessionid={session}; csrftoken={CSRF}"
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": CSRF})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheader("Location") or ""
        finally:
            connection.close()

    def server_errors(self) -> str:
        return self.log.read_text()[-5000:]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    embedded = EmbeddedServer(tmp_path_factory.mktemp("embedded"))
    embedded.manage("migrate", "--verbosity", "0")
    embedded.manage("load_reference_data")
    embedded.data = embedded.python(SETUP)
    embedded.start()
    try:
        yield embedded
    finally:
        embedded.stop()


def all_at_once(jobs) -> list:
    """Run the jobs in as many threads, released together; their results in order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        barrier.wait(timeout=30)
        try:
            results[index] = job()
        except Exception as error:  # a dropped connection is a failure too
            results[index] = (None, repr(error))

    threads = [
        threading.Thread(target=run, args=(i, job), daemon=True)
        for i, job in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT + 30)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def test_the_embedded_default_is_a_file_sqlite_in_wal_mode(server):
    journal = server.python(
        "import json\nfrom django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode')\n"
        "    mode = c.fetchone()[0]\n"
        "print('RESULT:' + json.dumps({'mode': mode, "
        "'vendor': connection.vendor}))"
    )
    assert journal == {"mode": "wal", "vendor": "sqlite"}


def test_twenty_enrolments_and_twenty_notes_at_once(server):
    data = server.data
    sessions = data["sessions"]

    def enrol(index: int):
        case = data["to_enrol"][index]
        return lambda: server.request(
            "POST",
            f"/programmes/cases/{case}/enrol/",
            session=sessions[index],
            data={"cohort": data["cohort"], "waiting_list": "1"},
        )

    enrolled = all_at_once([enrol(i) for i in range(THREADS)])

    def note(index: int):
        case = data["to_note"][index]
        return lambda: server.request(
            "POST",
            f"/cases/{case}/notes/new/",
            session=sessions[index],
            data={
                "contact_date": time.strftime("%Y-%m-%d"),
                "channel": data["channel"],
                "topic": f"Concurrent {index}",
                "text": f"Note written at the same time as the others, #{index}.",
                "visibility": data["visibility"],
            },
        )

    noted = all_at_once([note(i) for i in range(THREADS)])

    statuses = [status for status, _location in enrolled + noted]
    assert all(status is not None and status < 500 for status in statuses), (
        statuses,
        server.server_errors(),
    )
    # Every enrolment was answered by the case file's page (enrolled or waiting).
    assert [status for status, _ in enrolled] == [302] * THREADS, enrolled
    state = server.python(STATE.format(data=json.dumps(data)))
    assert state["enrolled"] == CAPACITY  # capacity respected, every place taken
    assert state["waiting"] == THREADS - CAPACITY
    assert state["per_case"] == sorted(data["to_enrol"])  # one enrolment each
    acknowledged = [
        f"Note written at the same time as the others, #{i}."
        for i, (status, location) in enumerate(noted)
        if status == 302 and location.rstrip("/").endswith(str(data["to_note"][i]))
    ]
    assert len(acknowledged) == THREADS, noted
    assert sorted(acknowledged) == state["notes"]
