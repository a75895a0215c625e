"""Nothing lost under load: 50 advisors writing at once through gunicorn on PostgreSQL.

    .venv/bin/python benchmarks/load.py                       # 50 advisors, 2 minutes
    .venv/bin/python benchmarks/load.py --users 20 --seconds 30 --database yt_load_me

On 127.0.0.1:5432 (user postgres; ``LOAD_POSTGRES_URL`` to change) it drops and
creates the database (``youthtrack_load`` by default), migrates, seeds the demo
(``seed_demo``) and adds ``--users`` advisor accounts (``load01``…, the demo password)
with four open case files each, a cohort of ``--capacity`` places (5) that they all ask
for at the same moment, and a cohort of all their second files whose registers they
take. It starts gunicorn (``--workers`` processes of 4 threads) on loopback with
``DEBUG`` off, then runs locust headless (``benchmarks/load_locustfile.py``) until
``--seconds`` (120) after the last advisor logged in: the advisors log in through the
login form, post every form as the page gives it (CSRF token, versions, idempotency
key), write notes (one in five posted twice, a double click), edit case files (some
from a form already saved in another tab: stale), take attendance and race for the
places.

Then it checks in the database, and exits with 1 on any failure:
- no server error (status 5xx, or a traceback in gunicorn's log);
- every note acknowledged (a redirect) is stored, exactly once even when posted twice;
- every acknowledged case file edit is what the file holds; every stale edit was
  refused and its value is nowhere stored;
- every acknowledged register line holds what was ticked last;
- the cohort is not over capacity, every acknowledged request for a place is there,
  the places went to the first requests and the waiting list is in order of request
  (a request acknowledged before another was sent stands before it).
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
POSTGRES_URL = os.environ.get("LOAD_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
CASES_PER_ADVISOR = 4


def env_for(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{POSTGRES_URL}/{database}",
        "DJANGO_SETTINGS_MODULE": "youthtrack.settings.local",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "CONN_MAX_AGE": "60",
        "PYTHONUNBUFFERED": "1",
    }


def run(database: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, *args], env=env_for(database), cwd=ROOT, check=True, **kwargs
    )


# --- inside Django (child processes) --------------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def setup_fixture(users: int, capacity: int, out: Path) -> None:
    """The load's accounts, case files, cohorts and sessions; written as JSON."""
    _django()
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from outcomes.demo.profiles import DEMO_PASSWORD
    from programmes import services as programme_services
    from programmes.models import ActivityType, Mode, Theme
    from programmes.models import Language as SessionLanguage
    from youthtrack.models import CaseFile, Organisation, Programme, User

    cdm = Organisation.objects.get(code="cdm")
    lead = User.objects.get(username="lead")
    password = make_password(DEMO_PASSWORD)
    advisors = User.objects.bulk_create(
        User(
            username=f"load{i:02d}",
            first_name="Load",
            last_name=f"Advisor {i:02d}",
            email=f"load{i:02d}@example.org",
            role=User.Role.ADVISOR,
            organisation=cdm,
            password=password,
        )
        for i in range(1, users + 1)
    )
    # A programme everyone in the demo may join: the race is for places, not rules.
    programme = Programme.objects.get(code="uppercut")
    Programme.objects.filter(pk=programme.pk).update(
        min_age=0, max_age=99, target_profiles=[], requires_actiris_registration=False
    )
    programme.refresh_from_db()
    open_files = list(
        CaseFile.objects.filter(
            owner_organisation=cdm,
            status__in=[CaseFile.Status.ACTIVE, CaseFile.Status.FOLLOW_UP],
        )
        .exclude(enrolments__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[: users * CASES_PER_ADVISOR]
    )
    if len(open_files) < users * CASES_PER_ADVISOR:
        sys.exit(f"only {len(open_files)} open case files: seed more people")
    fixture: dict = {"password": DEMO_PASSWORD, "users": users, "advisors": []}
    for i, advisor in enumerate(advisors):
        mine = open_files[i * CASES_PER_ADVISOR : (i + 1) * CASES_PER_ADVISOR]
        CaseFile.objects.filter(pk__in=mine).update(
            advisor=advisor, programme=programme
        )
        fixture["advisors"].append({"username": advisor.username, "cases": mine})
    today = timezone.localdate()
    race = programme_services.cohort_create(
        acting_user=lead,
        programme=programme,
        data={
            "name": "Load race",
            "start_date": today + datetime.timedelta(days=14),
            "end_date": today + datetime.timedelta(days=28),
            "capacity": capacity,
            "advisors": [],
            "partners": [],
        },
    )
    register = programme_services.cohort_create(
        acting_user=lead,
        programme=programme,
        data={
            "name": "Load registers",
            "start_date": today - datetime.timedelta(days=14),
            "end_date": today + datetime.timedelta(days=14),
            "capacity": users,
            "advisors": advisors,
            "partners": [],
        },
    )
    starts = timezone.make_aware(
        datetime.datetime.combine(
            today - datetime.timedelta(days=14), datetime.time(9, 30)
        )
    )
    sessions = programme_services.session_create(
        cohort=register,
        acting_user=lead,
        data={
            "phase": programme.phases.first(),
            "activity_type": ActivityType.objects.order_by("pk").first(),
            "title": "Atelier",
            "theme": Theme.LEARN,
            "language": SessionLanguage.FRENCH,
            "mode": Mode.IN_PERSON,
            "organiser": cdm,
            "place": "Cité des métiers",
            "starts_at": starts,
            "ends_at": starts + datetime.timedelta(hours=3),
        },
        repeat_until=today - datetime.timedelta(days=1),
    )
    for advisor, entry in zip(advisors, fixture["advisors"], strict=True):
        results = programme_services.enrolments_create_many(
            cohort=register,
            case_files=CaseFile.objects.filter(pk=entry["cases"][1]),
            acting_user=advisor,
        )
        if results[0].enrolment is None:
            sys.exit(f"setup: {entry['cases'][1]} refused: {results[0].refusals}")
    fixture["race_cohort"] = race.pk
    fixture["capacity"] = capacity
    fixture["sessions"] = [s.pk for s in sessions][-8:]  # the last two weeks' mornings
    out.write_text(json.dumps(fixture), encoding="utf-8")


def check(fixture_path: Path, results_path: Path, log_path: Path, out: Path) -> None:
    """Compare what the server acknowledged with what the database holds."""
    _django()
    from programmes.models import Attendance, Enrolment
    from youthtrack.models import CaseFile, Note

    fixture = json.loads(fixture_path.read_text(encoding="utf-8"))
    results = json.loads(results_path.read_text(encoding="utf-8"))
    rows: list[tuple[str, str, str, bool]] = []  # figure, value, expected, ok

    def row(figure: str, value, expected: str, ok: bool) -> None:
        rows.append((figure, str(value), expected, ok))

    log = log_path.read_text(encoding="utf-8", errors="replace")
    tracebacks = log.count("Traceback (most recent call last)")
    users = fixture["users"]
    work = results["work_seconds"] or 0
    row(
        "advisors logged in through the login form",
        results["logins"],
        str(users),
        results["logins"] == users,
    )
    row(
        "seconds until all were logged in",
        f"{results['logged_in_after'] or 0:.0f}",
        "",
        True,
    )
    row("seconds of work after that", f"{work:.0f}", "", work > 0)
    row("requests (logins included)", results["requests"], "", True)
    rate = results["work_requests"] / work if work else 0
    row("requests per second during the work", f"{rate:.1f}", "", True)
    errors = results["server_errors"]
    answered = [e for e in errors if e["status"]]
    row("server errors (5xx)", len(answered), "0", not answered)
    dropped = len(errors) - len(answered)
    row("connections dropped without an answer", dropped, "0", not dropped)
    row("tracebacks in gunicorn's log", tracebacks, "0", tracebacks == 0)

    notes = results["notes"]
    stored = {}
    for text in Note.objects.filter(text__contains="(load-").values_list(
        "text", flat=True
    ):
        marker = text.split("(", 1)[1].split(")", 1)[0]
        stored[marker] = stored.get(marker, 0) + 1
    found = sum(1 for n in notes if stored.get(n["marker"]) == 1)
    doubles = [n for n in notes if n["posts"] == 2]
    twice = sum(1 for n in notes if stored.get(n["marker"], 0) > 1)
    row("notes acknowledged", len(notes), "> 0", bool(notes))
    row("notes found (exactly once)", found, str(len(notes)), found == len(notes))
    row("  of them posted twice (double click)", len(doubles), "", True)
    row("notes stored twice", twice, "0", twice == 0)
    row(
        "notes not acknowledged",
        results["notes_unacknowledged"],
        "0",
        results["notes_unacknowledged"] == 0,
    )

    edits = results["edits"]
    held = {
        str(pk): day.isoformat() if day else ""
        for pk, day in CaseFile.objects.filter(
            pk__in=[int(k) for k in edits]
        ).values_list("pk", "next_follow_up_on")
    }
    matching = sum(1 for pk, day in edits.items() if held.get(pk) == day)
    row(
        "case file edits acknowledged",
        results["edits_acknowledged"],
        "> 0",
        results["edits_acknowledged"] > 0,
    )
    row(
        "edited files holding their last acknowledged edit",
        matching,
        str(len(edits)),
        matching == len(edits),
    )
    row(
        "edits refused though not stale",
        results["edits_unexpectedly_refused"],
        "0",
        results["edits_unexpectedly_refused"] == 0,
    )
    attempts, refused = results["stale_attempts"], results["stale_refused"]
    row("stale edits refused", refused, str(attempts), refused == attempts > 0)
    overwritten = sum(
        1 for pk, values in results["stale_values"].items() if held.get(pk) in values
    )
    row("files holding a stale edit's value", overwritten, "0", overwritten == 0)

    marks = results["attendance"]
    keys = {tuple(int(x) for x in k.split(":")): v for k, v in marks.items()}
    db = {
        (s, c): status
        for s, c, status in Attendance.objects.filter(
            session_id__in=fixture["sessions"]
        ).values_list("session_id", "case_file_id", "status")
    }
    holding = sum(1 for key, status in keys.items() if db.get(key) == status)
    row(
        "register saves acknowledged",
        results["attendance_acknowledged"],
        "> 0",
        results["attendance_acknowledged"] > 0,
    )
    row(
        "register lines holding the last acknowledged mark",
        holding,
        str(len(keys)),
        holding == len(keys),
    )
    row(
        "register saves refused (someone saved a line since)",
        results["attendance_conflicts"],
        "",
        True,
    )

    capacity = fixture["capacity"]
    enrolments = list(
        Enrolment.objects.filter(cohort_id=fixture["race_cohort"]).order_by(
            "requested_at", "pk"
        )
    )
    enrolled = [e for e in enrolments if e.status == Enrolment.Status.ENROLLED]
    waiting = [e for e in enrolments if e.status == Enrolment.Status.WAITING]
    acked = results["enrolments"]
    by_case = {e.case_file_id: e for e in enrolments}
    present = sum(1 for a in acked if a["case"] in by_case)
    row(
        "requests for a place acknowledged", len(acked), str(users), len(acked) == users
    )
    row("  of them found", present, str(len(acked)), present == len(acked))
    row(
        "requests for a place not acknowledged",
        results["enrol_not_acknowledged"],
        "0",
        results["enrol_not_acknowledged"] == 0,
    )
    row("places taken", len(enrolled), f"<= {capacity}", len(enrolled) <= capacity)
    empty = max(min(capacity, len(enrolments)) - len(enrolled), 0) if waiting else 0
    row("places left empty while others wait", empty, "0", empty == 0)
    first = (
        not enrolled
        or not waiting
        or (
            max(e.requested_at for e in enrolled) < min(e.requested_at for e in waiting)
        )
    )
    row("places went to the first requests", "yes" if first else "no", "yes", first)
    position = {e.case_file_id: i for i, e in enumerate(waiting)}
    listed = [a for a in acked if a["waiting_list"]]
    out_of_order = sum(
        1
        for a in listed
        for b in listed
        if a["acked"] < b["sent"]
        and position.get(a["case"], -1) > position.get(b["case"], -1)
    )
    row("waiting list", len(waiting), "", True)
    row("waiting list pairs out of request order", out_of_order, "0", out_of_order == 0)
    pk_order = [e.pk for e in waiting] == sorted(e.pk for e in waiting)
    row(
        "waiting list in order of request (time and id agree)",
        "yes" if pk_order else "no",
        "yes",
        pk_order,
    )
    out.write_text(json.dumps(rows), encoding="utf-8")


# --- the run --------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("gunicorn did not start")
        time.sleep(0.3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", default="youthtrack_load")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--capacity", type=int, default=5)
    parser.add_argument(
        "--seconds",
        type=int,
        default=120,
        help="how long the advisors work once all are logged in (default: 120)",
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--people", type=int, default=400, help="seed_demo --people")
    parser.add_argument("--setup", help=argparse.SUPPRESS)
    parser.add_argument("--check", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup_fixture(args.users, args.capacity, Path(args.setup))
        return 0
    if args.check:
        check(*(Path(p) for p in args.check))
        return 0

    import psycopg

    name = args.database
    print(f"» {name}: creating, migrating, seeding {args.people} people", flush=True)
    with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    run(name, "manage.py", "migrate", "--skip-checks", "-v0")
    run(
        name,
        "manage.py",
        "seed_demo",
        "--skip-checks",
        f"--people={args.people}",
        stdout=subprocess.DEVNULL,
    )
    work = Path(tempfile.mkdtemp(prefix="youthtrack-load-"))
    fixture, results = work / "fixture.json", work / "results.json"
    log, figures = work / "gunicorn.log", work / "figures.json"
    run(
        name,
        __file__,
        "--setup",
        str(fixture),
        f"--users={args.users}",
        f"--capacity={args.capacity}",
    )
    port = free_port()
    print(
        f"» gunicorn: {args.workers} workers x 4 threads on 127.0.0.1:{port}",
        flush=True,
    )
    with open(log, "w", encoding="utf-8") as log_file:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                f"--workers={args.workers}",
                "--threads=4",
                f"--bind=127.0.0.1:{port}",
                "--timeout=60",
                # Longer than a client stays idle between two requests: a connection
                # closed by the server while a request is on its way is reset.
                "--keep-alive=30",
                "--log-level=warning",
                "youthtrack.wsgi:application",
            ],
            env=env_for(name),
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/login/", server)
            print(f"» locust: {args.users} advisors, {args.seconds} s", flush=True)
            started = time.monotonic()
            subprocess.run(
                [
                    str(BIN / "locust"),
                    "-f",
                    str(ROOT / "benchmarks" / "load_locustfile.py"),
                    "--headless",
                    f"--users={args.users}",
                    f"--spawn-rate={args.users}",
                    # A bound in case the run does not stop itself (logins included).
                    f"--run-time={args.seconds + 600}s",
                    f"--host=http://127.0.0.1:{port}",
                    "--only-summary",
                    "--loglevel=WARNING",
                    "--stop-timeout=10",
                ],
                env={
                    **os.environ,
                    "LOAD_FIXTURE": str(fixture),
                    "LOAD_RESULTS": str(results),
                    "LOAD_SECONDS": str(args.seconds),
                },
                cwd=ROOT,
                check=False,  # locust's own exit code counts failures we count below
            )
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=60)
    run(name, __file__, "--check", str(fixture), str(results), str(log), str(figures))
    rows = json.loads(figures.read_text(encoding="utf-8"))
    rows.insert(0, ["seconds, whole locust run", f"{elapsed:.0f}", "", True])
    widths = [max(len(str(r[i])) for r in rows) for i in range(3)]
    print()
    print(
        f"| {'figure'.ljust(widths[0])} | {'value'.rjust(widths[1])} | "
        f"{'expected'.ljust(widths[2])} | ok |"
    )
    rule = [("-" * (w + 2)) for w in widths]
    print(f"|{rule[0]}|{rule[1][:-1]}:|{rule[2]}|----|")
    failed = False
    for figure, value, expected, ok in rows:
        failed |= not ok
        mark = "ok" if ok else "NO"
        print(
            f"| {figure.ljust(widths[0])} | {str(value).rjust(widths[1])} | "
            f"{expected.ljust(widths[2])} | {mark} |"
        )
    print(f"\nLogs and results in {work}")
    if failed:
        print("FAILED: see the rows marked NO.")
        return 1
    print("Nothing lost.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
