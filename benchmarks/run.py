"""The pages of issue 9 on PostgreSQL at 100,000 and 1,000,000 young people.

    .venv/bin/python benchmarks/run.py                           # 100k and 1M
    .venv/bin/python benchmarks/run.py --sizes 20000 --repeat 7  # quick
    .venv/bin/python benchmarks/run.py --reuse                   # never seed

For each size it uses the database ``youthtrack_bench_<size>`` on 127.0.0.1:5432 (user
postgres; ``BENCH_POSTGRES_URL`` to change): it is created and seeded with
``seed_demo --people <size>`` when missing or seeded at another size (a ``bench_seeded``
row records the size, the seeding time and its peak memory), reused otherwise, and
migrated either way. Then, in a child process per size, with ``DEBUG`` off, through
Django's test client logged in as the demo user each page is for, it measures every
page: median and 95th percentile of the server time over ``--repeat`` requests, the
query count, the database time of the page (the sum of its queries' times, through
``connection.execute_wrapper``) beside the time of the best hand-written SQL for the
same rows (list pages; that SQL runs with the index it needs, created in a transaction
that is rolled back, so the schema measured stays the application's; for a page of
several lists, the dashboard and the cohort page, one statement per list, their times
added up). Last, the case
list's throughput under gunicorn (2 workers, 4 client threads on loopback, 20 s).

It prints one table and the targets of issue 9, and exits with 1 when one is missed.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"
)

# Targets of issue 9.
MEDIAN_MS = 100.0
GROWTH = 1.3
DB_OVER_BEST = 10.0
PARTNER_OVER_ADVISOR = 1.5
BUSY_OVER_NORMAL = 1.5
MIN_REQUESTS_PER_SECOND = 40.0

# (key, label, username); the URLs are worked out in the child, from the data.
PAGES = [
    ("dashboard", "advisor dashboard", "advisor"),
    ("busy_dashboard", "dashboard, advisor with 40,000 open files", "advisor.busy"),
    ("case_list", "advisor case list, page 1", "advisor"),
    ("filtered", "case list filtered (commune + status + gender)", "advisor"),
    ("sorted", "case list sorted by name", "advisor"),
    ("search", "search by name", "advisor"),
    ("cohort", "cohort page", "advisor"),
    ("register", "session register", "advisor"),
    ("partner_list", "partner's shared case list", "partner"),
    ("lead_dashboard", "lead dashboard", "lead"),
    ("contacts", "contacts figures for a year", "lead"),
    ("case_detail", "case detail", "advisor"),
]
LIST_PAGES = {"case_list", "filtered", "sorted", "search", "partner_list"}


def label(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def database_url(name: str) -> str:
    return f"{POSTGRES_URL}/{name}"


# --- the databases ------------------------------------------------------------------


def seeded_size(name: str) -> int | None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    if not exists:
        return None
    with psycopg.connect(database_url(name), autocommit=True) as conn:
        table = conn.execute("SELECT to_regclass('bench_seeded')").fetchone()[0]
        if table is None:
            return None
        row = conn.execute("SELECT people FROM bench_seeded").fetchone()
        return row[0] if row else None


def manage(name: str, *args: str, measure_memory: bool = False) -> int | None:
    """Run manage.py on the database; with ``measure_memory``, the peak RSS in kB."""
    env = bench_env(name)
    command = [PYTHON, str(ROOT / "manage.py"), *args]
    timer = shutil.which("time") or (
        "/usr/bin/time" if Path("/usr/bin/time").exists() else None
    )
    report = ROOT / "artifacts" / f"bench-{name}-time.txt"
    if measure_memory and timer:
        report.parent.mkdir(exist_ok=True)
        command = [timer, "-v", "-o", str(report), *command]
    subprocess.run(command, env=env, check=True, cwd=ROOT)
    if measure_memory and timer and report.exists():
        for line in report.read_text().splitlines():
            if "Maximum resident set size" in line:
                return int(line.rsplit(":", 1)[1])
    return None


def bench_env(name: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(name),
        "DJANGO_SETTINGS_MODULE": "youthtrack.settings.local",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "localhost,127.0.0.1,testserver",
        "CONN_MAX_AGE": "600",
        "PYTHONUNBUFFERED": "1",
    }


def ensure_database(size: int, reuse: bool) -> str:
    import psycopg

    name = f"youthtrack_bench_{label(size)}"
    if seeded_size(name) == size:
        print(f"» {name}: seeded with {size:,} young people, reused", flush=True)
        manage(name, "migrate", "--skip-checks", "-v0")
        return name
    if reuse:
        sys.exit(f"{name} is not seeded with {size:,} young people (--reuse given).")
    print(f"» {name}: creating and seeding {size:,} young people", flush=True)
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    started = time.monotonic()
    manage(name, "migrate", "--skip-checks", "-v0")
    rss = manage(
        name,
        "seed_demo",
        "--skip-checks",
        f"--people={size}",
        measure_memory=True,
    )
    seconds = time.monotonic() - started
    # Migrations may have landed while a long seed ran: apply them before measuring.
    manage(name, "migrate", "--skip-checks", "-v0")
    with psycopg.connect(database_url(name), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bench_seeded (people integer, seconds real, "
            "peak_rss_kb bigint, seeded_at timestamptz DEFAULT now())"
        )
        conn.execute(
            "INSERT INTO bench_seeded (people, seconds, peak_rss_kb) "
            "VALUES (%s, %s, %s)",
            [size, seconds, rss],
        )
        conn.execute("VACUUM ANALYZE")
    memory = f", peak memory {rss / 1024:.0f} MB" if rss else ""
    print(f"» seeded in {seconds / 60:.1f} min{memory}", flush=True)
    return name


# --- measuring one database (child process) -----------------------------------------


class Recorder:
    """Counts the queries of a request and adds up their times."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def page_urls() -> dict[str, str]:
    from django.utils import timezone

    from programmes.models import Cohort
    from youthtrack.models import CaseFile, Organisation

    today = timezone.localdate()
    cdm = Organisation.objects.get(code="cdm")
    mine = CaseFile.objects.filter(advisor__username="advisor").order_by("-updated_at")
    case = mine.select_related("young_person").first()
    cohort = (
        Cohort.objects.filter(programme__code="uppercut", owner_organisation=cdm)
        .order_by("-start_date")
        .first()
    )
    session = cohort.sessions.order_by("starts_at").first()
    year = today.year - 1
    return {
        "dashboard": "/",
        "busy_dashboard": "/",
        "case_list": "/cases/",
        "filtered": "/cases/?commune=21004&status=active&gender=female",
        "sorted": "/cases/?sort=name",
        "search": "/cases/?"
        + urllib.parse.urlencode({"q": case.young_person.last_name}),
        "cohort": f"/programmes/cohorts/{cohort.pk}/",
        "register": f"/programmes/sessions/{session.pk}/",
        "partner_list": "/cases/",
        "lead_dashboard": "/",
        "contacts": f"/programmes/contacts/?start={year}-01-01&end={year}-12-31",
        "case_detail": f"/cases/{case.pk}/",
    }


def measure_pages(repeat: int) -> dict:
    from django.db import connection
    from django.test import Client

    from youthtrack.models import User

    urls = page_urls()
    users = {
        u.username: u for u in User.objects.filter(username__in={p[2] for p in PAGES})
    }
    clients: dict[str, Client] = {}
    results = {}
    for key, _label, username in PAGES:
        if username not in users:
            continue  # the busy advisor exists from 100,000 people on
        if username not in clients:
            client = Client()
            client.force_login(
                users[username], backend="django.contrib.auth.backends.ModelBackend"
            )
            clients[username] = client
        client = clients[username]
        url = urls[key]
        for _ in range(2):  # warm the caches
            response = client.get(url)
            assert response.status_code == 200, (key, url, response.status_code)
        times, db_times, counts = [], [], []
        for _ in range(repeat):
            recorder = Recorder()
            with connection.execute_wrapper(recorder):
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, (key, url, response.status_code)
            db_times.append(recorder.seconds)
            counts.append(recorder.count)
        times.sort()
        results[key] = {
            "url": url,
            "median": statistics.median(times) * 1000,
            "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000,
            "queries": max(counts),
            "db": statistics.median(db_times) * 1000,
        }
        print(
            f"  {key:<15} {results[key]['median']:8.1f} ms  "
            f"{results[key]['queries']:3d} queries",
            file=sys.stderr,
            flush=True,
        )
    return results


# The best SQL for the rows of each list page: only the rows shown, by a keyset on an
# index that matches (created for the measurement, then rolled back).
SHARED_IDS = """
    SELECT s.case_file_id FROM youthtrack_share s
    LEFT JOIN youthtrack_consent k ON k.id = s.consent_id
    WHERE s.partner_id = %(org)s AND s.status = 'accepted'
      AND (s.end_date IS NULL OR s.end_date >= CURRENT_DATE)
      AND (k.id IS NULL OR (k.withdrawn_on IS NULL
           AND (k.expires_on IS NULL OR k.expires_on >= CURRENT_DATE)))
      AND EXISTS (
        SELECT 1 FROM youthtrack_casefilegroupobjectpermission g
        WHERE g.content_object_id = s.case_file_id AND g.group_id = %(group)s
          AND g.permission_id = %(view_perm)s)"""
COLUMNS = """c.id, c.status, c.entry_date, c.next_follow_up_on, c.updated_at,
    c.programme_id, c.advisor_id, y.first_name, y.last_name, y.birth_date,
    y.gender_id, y.commune_id"""
FROM = """youthtrack_casefile c
    JOIN youthtrack_youngperson y ON y.id = c.young_person_id"""


def visible_page(where: str, order: str, limit: int = 25) -> str:
    """A page of the files an advisor sees (the organisation's and those shared with
    it), each part read by its own index, then merged."""
    return f"""
    SELECT {COLUMNS} FROM (
      (SELECT c.id FROM {FROM} WHERE c.owner_organisation_id = %(org)s {where}
       ORDER BY {order} LIMIT {limit})
      UNION
      (SELECT c.id FROM {FROM} WHERE c.id IN ({SHARED_IDS}) {where}
       ORDER BY {order} LIMIT {limit})
    ) page JOIN {FROM} ON c.id = page.id
    ORDER BY {order} LIMIT {limit}"""


BEST_SQL = {
    "case_list": (
        visible_page("", "c.updated_at DESC, c.id DESC"),
        [
            "CREATE INDEX ON youthtrack_casefile "
            "(owner_organisation_id, updated_at DESC, id DESC)"
        ],
    ),
    "filtered": (
        visible_page(
            "AND c.status = 'active' AND y.commune_id = '21004' "
            "AND y.gender_id = 'female'",
            "c.updated_at DESC, c.id DESC",
        ),
        [
            "CREATE INDEX ON youthtrack_casefile "
            "(owner_organisation_id, status, updated_at DESC, id DESC)"
        ],
    ),
    # The list sorts by the normalised name (accents and case ignored), which the case
    # file keeps a copy of (migration youthtrack 0011, with its indexes).
    "sorted": (visible_page("", "c.name_key ASC, c.id DESC"), []),
    "search": (
        visible_page("AND c.name_key LIKE %(pattern)s", "c.updated_at DESC, c.id DESC"),
        [],
    ),
    "partner_list": (
        f"""SELECT {COLUMNS} FROM {FROM} WHERE c.id IN ({SHARED_IDS})
        ORDER BY c.updated_at DESC, c.id DESC LIMIT 25""",
        [],
    ),
    # The dashboard shows several lists: the best SQL reads the rows of each, one
    # statement per list, and its time is their sum.
    "dashboard": (
        [
            # My open cases, first 50 by next follow-up, with the last contact the
            # file keeps (CaseFile.last_contact_on, written with each note).
            f"""SELECT {COLUMNS}, c.last_contact_on
            FROM {FROM} WHERE c.advisor_id = %(user)s AND c.status <> 'closed'
            ORDER BY c.next_follow_up_on, y.last_name LIMIT 50""",
            # How many (exact up to 1,000).
            """SELECT count(*) FROM (SELECT 1 FROM youthtrack_casefile c
            WHERE c.advisor_id = %(user)s AND c.status <> 'closed' LIMIT 1001) n""",
            # Follow-ups due today, overdue, and in the coming week (8 shown each,
            # one more read for "see all").
            f"""SELECT {COLUMNS} FROM {FROM}
            WHERE c.advisor_id = %(user)s AND c.status <> 'closed'
              AND c.next_follow_up_on = CURRENT_DATE
            ORDER BY c.next_follow_up_on, c.id LIMIT 9""",
            f"""SELECT {COLUMNS} FROM {FROM}
            WHERE c.advisor_id = %(user)s AND c.status <> 'closed'
              AND c.next_follow_up_on < CURRENT_DATE
            ORDER BY c.next_follow_up_on, c.id LIMIT 9""",
            f"""SELECT {COLUMNS} FROM {FROM}
            WHERE c.advisor_id = %(user)s AND c.status <> 'closed'
              AND c.next_follow_up_on > CURRENT_DATE
              AND c.next_follow_up_on <= CURRENT_DATE + 7
            ORDER BY c.next_follow_up_on, c.id LIMIT 9""",
            # The advisor's week: their next follow-ups and their cohorts' sessions
            # from Monday (the week shown is taken from them).
            f"""SELECT {COLUMNS} FROM {FROM}
            WHERE c.advisor_id = %(user)s AND c.status <> 'closed'
              AND c.next_follow_up_on >= date_trunc('week', CURRENT_DATE)::date
            ORDER BY c.next_follow_up_on, c.id LIMIT 41""",
            """SELECT s.id, s.starts_at, s.ends_at, s.title FROM programmes_session s
            WHERE s.cohort_id IN (SELECT ca.cohort_id FROM programmes_cohort_advisors ca
                                  WHERE ca.user_id = %(user)s)
              AND s.starts_at >= date_trunc('week', now())
            ORDER BY s.starts_at, s.id LIMIT 41""",
            # Gone quiet for 30 days.
            f"""SELECT {COLUMNS}, c.last_contact_on FROM {FROM}
            WHERE c.advisor_id = %(user)s AND c.status <> 'closed'
              AND (c.last_contact_on < CURRENT_DATE - 30 OR
                   (c.last_contact_on IS NULL AND c.entry_date < CURRENT_DATE - 30))
            ORDER BY c.last_contact_on NULLS LAST, c.id LIMIT 20""",
            # Recently changed among the files the advisor sees.
            visible_page(
                "AND c.updated_at >= now() - %(recent)s * interval '1 day'",
                "c.updated_at DESC, c.id DESC",
                10,
            ),
            # Shared with us (pending first).
            f"""SELECT s.id, s.status, s.created_at, {COLUMNS}
            FROM youthtrack_share s JOIN {FROM} ON c.id = s.case_file_id
            LEFT JOIN youthtrack_consent k ON k.id = s.consent_id
            WHERE s.partner_id = %(org)s AND s.status IN ('pending', 'accepted')
              AND (s.end_date IS NULL OR s.end_date >= CURRENT_DATE)
              AND (k.id IS NULL OR (k.withdrawn_on IS NULL
                   AND (k.expires_on IS NULL OR k.expires_on >= CURRENT_DATE)))
            ORDER BY s.status = 'pending' DESC, s.created_at DESC LIMIT 50""",
            # Shared by us.
            """SELECT s.id, s.status, s.created_at, s.partner_id, y.first_name,
                y.last_name
            FROM youthtrack_share s
            JOIN youthtrack_casefile c ON c.id = s.case_file_id
            JOIN youthtrack_youngperson y ON y.id = c.young_person_id
            WHERE s.owner_organisation_id = %(org)s
              AND s.status IN ('pending', 'accepted')
            ORDER BY s.created_at DESC, s.id DESC LIMIT 50""",
            # Follow-ups after exit due within a week, and how many are open.
            # (A follow-up keeps its file's advisor: FollowUp.advisor.)
            # Today's, the overdue and the coming week's, each read in the order of
            # the index (advisor, due date) of the open ones, then ranked.
            f"""SELECT f.id, f.kind, f.due_on, {COLUMNS}
            FROM outcomes_followup f JOIN {FROM} ON c.id = f.case_file_id
            WHERE f.id = ANY(ARRAY(
              (SELECT id FROM outcomes_followup WHERE advisor_id = %(user)s
                 AND answered_on IS NULL AND due_on = CURRENT_DATE
               ORDER BY due_on, id LIMIT 10)
              UNION ALL
              (SELECT id FROM outcomes_followup WHERE advisor_id = %(user)s
                 AND answered_on IS NULL AND due_on < CURRENT_DATE
               ORDER BY due_on, id LIMIT 10)
              UNION ALL
              (SELECT id FROM outcomes_followup WHERE advisor_id = %(user)s
                 AND answered_on IS NULL AND due_on > CURRENT_DATE
                 AND due_on <= CURRENT_DATE + 7
               ORDER BY due_on, id LIMIT 10)))
            ORDER BY f.due_on = CURRENT_DATE DESC, f.due_on, f.id LIMIT 10""",
            """SELECT
              (SELECT count(*) FROM (SELECT 1 FROM outcomes_followup f
               WHERE f.advisor_id = %(user)s AND f.answered_on IS NULL
                 AND f.due_on <= CURRENT_DATE + 7 LIMIT 1001) w),
              (SELECT count(*) FROM (SELECT 1 FROM outcomes_followup f
               WHERE f.advisor_id = %(user)s AND f.answered_on IS NULL
               LIMIT 1001) a)""",
            # Open files without a consent to keep them (the date the file keeps:
            # CaseFile.keep_consent_until), oldest entry first.
            f"""SELECT {COLUMNS} FROM {FROM}
            WHERE c.advisor_id = %(user)s AND c.status <> 'closed'
              AND (c.keep_consent_until IS NULL
                   OR c.keep_consent_until < CURRENT_DATE)
            ORDER BY c.entry_date, c.id LIMIT 11""",
            # Referrals a partner declined, not yet seen.
            """SELECT s.id, s.partner_id, s.answered_at, y.first_name, y.last_name
            FROM youthtrack_share s
            JOIN youthtrack_casefile c ON c.id = s.case_file_id
            JOIN youthtrack_youngperson y ON y.id = c.young_person_id
            WHERE c.owner_organisation_id = %(org)s AND s.status = 'declined'
              AND s.decline_seen_at IS NULL
              AND (c.advisor_id = %(user)s
                   OR (c.advisor_id IS NULL AND s.created_by_id = %(user)s))
            ORDER BY s.answered_at DESC, s.id DESC LIMIT 11""",
        ],
        [
            "CREATE INDEX ON youthtrack_casefile (advisor_id, next_follow_up_on) "
            "WHERE status <> 'closed'"
        ],
    ),
    # The cohort page: the cohort with its counts, its participants with their
    # attendance, its sessions with theirs.
    "cohort": (
        [
            """SELECT co.id, co.name, co.capacity,
                count(e.id) FILTER (WHERE e.status = 'enrolled'),
                count(e.id) FILTER (WHERE e.status = 'waiting'),
                count(e.id) FILTER (WHERE e.status = 'withdrawn')
            FROM programmes_cohort co
            LEFT JOIN programmes_enrolment e ON e.cohort_id = co.id
            WHERE co.id = %(cohort)s GROUP BY co.id""",
            f"""SELECT e.id, e.status, {COLUMNS}, a.attended, a.excused, a.marked
            FROM programmes_enrolment e
            JOIN {FROM} ON c.id = e.case_file_id
            LEFT JOIN LATERAL (
              SELECT count(*) FILTER (WHERE t.status IN ('present', 'late'))
                       AS attended,
                     count(*) FILTER (WHERE t.status = 'excused') AS excused,
                     count(*) AS marked
              FROM programmes_attendance t
              JOIN programmes_session ss ON ss.id = t.session_id
              WHERE t.case_file_id = c.id AND ss.cohort_id = e.cohort_id) a ON true
            WHERE e.cohort_id = %(cohort)s
              AND (c.owner_organisation_id = %(org)s OR c.id IN ({SHARED_IDS}))
            ORDER BY y.last_name, y.first_name, e.id""",
            """SELECT ss.id, ss.starts_at, ss.title,
                count(t.id) FILTER (WHERE t.status IN ('present', 'late')),
                count(t.id)
            FROM programmes_session ss
            LEFT JOIN programmes_attendance t ON t.session_id = ss.id
            WHERE ss.cohort_id = %(cohort)s
            GROUP BY ss.id ORDER BY ss.starts_at, ss.id""",
        ],
        [],
    ),
    "register": (
        f"""SELECT e.id, a.status, {COLUMNS} FROM programmes_session s
        JOIN programmes_enrolment e ON e.cohort_id = s.cohort_id
             AND e.status = 'enrolled'
        JOIN {FROM} ON c.id = e.case_file_id
        LEFT JOIN programmes_attendance a ON a.session_id = s.id
             AND a.case_file_id = c.id
        WHERE s.id = %(session)s
          AND (c.owner_organisation_id = %(org)s OR c.id IN ({SHARED_IDS}))
        ORDER BY y.last_name, y.first_name""",
        [],
    ),
}
# The SQL is the advisor's unless said here.
BEST_SQL_USER = {"partner_list": "partner"}
BEST_SQL_FOR_PAGE = {"busy_dashboard": ("dashboard", "advisor.busy")}


def measure_best_sql(repeat: int, urls: dict[str, str]) -> dict[str, float]:
    from django.conf import settings
    from django.contrib.auth.models import Permission
    from django.db import connection, transaction

    from youthtrack.models import User, normalise_name
    from youthtrack.services import organisation_group

    def parameters(username: str) -> dict:
        user = User.objects.select_related("organisation").get(username=username)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(urls["search"]).query)
        return {
            "user": user.pk,
            "org": user.organisation_id,
            "group": organisation_group(user.organisation).pk,
            "view_perm": Permission.objects.get(codename="view_shared_casefile").pk,
            "pattern": f"%{normalise_name(query['q'][0], '').strip()}%",
            "cohort": int(urls["cohort"].rstrip("/").rsplit("/", 1)[1]),
            "session": int(urls["register"].rstrip("/").rsplit("/", 1)[1]),
            "recent": settings.YOUTHTRACK_RECENT_DAYS,
        }

    results = {}
    jobs = [(key, key, BEST_SQL_USER.get(key, "advisor")) for key in BEST_SQL]
    jobs += [(page, key, user) for page, (key, user) in BEST_SQL_FOR_PAGE.items()]
    for page, key, username in jobs:
        if not User.objects.filter(username=username).exists():
            continue
        sql, indexes = BEST_SQL[key]
        statements = [sql] if isinstance(sql, str) else sql
        params = parameters(username)
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in indexes:
                cursor.execute(statement)
            if indexes:
                cursor.execute("ANALYZE youthtrack_casefile")
            samples = []
            for attempt in range(repeat + 2):
                started = time.perf_counter()
                for statement in statements:
                    cursor.execute(statement, params)
                    cursor.fetchall()
                if attempt >= 2:
                    samples.append(time.perf_counter() - started)
            transaction.set_rollback(True)
        results[page] = statistics.median(samples) * 1000
    return results


def session_cookie(username: str) -> str:
    """A logged-in session for the throughput clients."""
    from django.conf import settings
    from django.test import Client

    from youthtrack.models import User

    client = Client()
    client.force_login(
        User.objects.get(username=username),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    client.get("/cases/")
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def child(repeat: int) -> None:
    import django

    django.setup()
    from youthtrack.models import CaseFile, YoungPerson

    print(
        f"  {YoungPerson.objects.count():,} young people, "
        f"{CaseFile.objects.count():,} case files",
        file=sys.stderr,
        flush=True,
    )
    pages = measure_pages(repeat)
    best = measure_best_sql(repeat, {k: v["url"] for k, v in pages.items()})
    print(
        json.dumps({"pages": pages, "best": best, "cookie": session_cookie("advisor")})
    )


# --- throughput -----------------------------------------------------------------------


def throughput(name: str, cookie: str, seconds: float, port: int = 8765) -> float:
    import http.client

    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            "youthtrack.wsgi:application",
        ],
        env=bench_env(name),
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", "/cases/", headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    break
                raise RuntimeError(f"/cases/ answered {response.status}")
            except (ConnectionRefusedError, OSError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        done = [0] * 4
        stop = time.monotonic() + seconds

        def client(index: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while time.monotonic() < stop:
                conn.request("GET", "/cases/", headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    done[index] += 1
            conn.close()

        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(done) / (time.monotonic() - started)
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- report ---------------------------------------------------------------------------


def report(sizes: list[int], results: dict[int, dict]) -> bool:
    small, large = sizes[0], sizes[-1]
    header = ["page"]
    for size in sizes:
        n = label(size)
        header += [
            f"{n} median",
            f"{n} p95",
            f"{n} queries",
            f"{n} db ms",
            f"{n} best SQL ms",
        ]
    if len(sizes) > 1:
        header.append(f"{label(large)}/{label(small)}")
    rows = [header]
    for key, title, _user in PAGES:
        if not all(key in results[s]["pages"] for s in sizes):
            continue
        row = [title]
        for size in sizes:
            page = results[size]["pages"][key]
            best = results[size]["best"].get(key)
            row += [
                f"{page['median']:.0f} ms",
                f"{page['p95']:.0f} ms",
                str(page["queries"]),
                f"{page['db']:.1f}",
                f"{best:.2f}" if best is not None else "—",
            ]
        if len(sizes) > 1:
            ratio = (
                results[large]["pages"][key]["median"]
                / results[small]["pages"][key]["median"]
            )
            row.append(f"×{ratio:.2f}")
        rows.append(row)
    row = ["case list under gunicorn (req/s)"]
    for size in sizes:
        row += [f"{results[size]['throughput']:.1f}", "", "", "", ""]
    if len(sizes) > 1:
        row.append("")
    rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    print()
    print(
        "| "
        + " | ".join(c.ljust(w) for c, w in zip(header, widths, strict=True))
        + " |"
    )
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows[1:]:
        print(
            "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
        )

    checks: list[tuple[bool, str]] = []
    for size in sizes:
        pages, best = results[size]["pages"], results[size]["best"]
        n = label(size)
        slow = [k for k, p in pages.items() if p["median"] > MEDIAN_MS]
        checks.append(
            (
                not slow,
                f"{n}: every median ≤ {MEDIAN_MS:.0f} ms"
                + (f" (over: {', '.join(slow)})" if slow else ""),
            )
        )
        heavy = [
            f"{k} ×{pages[k]['db'] / best[k]:.0f}"
            for k in LIST_PAGES | {"dashboard", "busy_dashboard", "cohort", "register"}
            if k in pages and k in best and pages[k]["db"] > DB_OVER_BEST * best[k]
        ]
        checks.append(
            (
                not heavy,
                f"{n}: database time ≤ {DB_OVER_BEST:.0f}× best SQL"
                + (f" (over: {', '.join(heavy)})" if heavy else ""),
            )
        )
        ratio = pages["partner_list"]["median"] / pages["case_list"]["median"]
        checks.append(
            (
                ratio <= PARTNER_OVER_ADVISOR,
                f"{n}: partner's list / advisor's list = ×{ratio:.2f} "
                f"(≤ ×{PARTNER_OVER_ADVISOR})",
            )
        )
        if "busy_dashboard" in pages:
            ratio = pages["busy_dashboard"]["median"] / pages["dashboard"]["median"]
            checks.append(
                (
                    ratio <= BUSY_OVER_NORMAL,
                    f"{n}: 40,000-file advisor's dashboard / normal = "
                    f"×{ratio:.2f} (≤ ×{BUSY_OVER_NORMAL})",
                )
            )
        rate = results[size]["throughput"]
        checks.append(
            (
                rate >= MIN_REQUESTS_PER_SECOND,
                f"{n}: case list under gunicorn {rate:.1f} req/s "
                f"(≥ {MIN_REQUESTS_PER_SECOND:.0f})",
            )
        )
    if len(sizes) > 1:
        grown = []
        for key, _title, _user in PAGES:
            if key in results[small]["pages"] and key in results[large]["pages"]:
                ratio = (
                    results[large]["pages"][key]["median"]
                    / results[small]["pages"][key]["median"]
                )
                if ratio > GROWTH:
                    grown.append(f"{key} ×{ratio:.1f}")
        checks.append(
            (
                not grown,
                f"{label(large)} ≤ {GROWTH}× {label(small)} on every page"
                + (f" (over: {', '.join(grown)})" if grown else ""),
            )
        )
    print("\nTargets (issue 9):")
    for ok, text in checks:
        print(f"  {'✔' if ok else '✘'} {text}")
    return all(ok for ok, _ in checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated")
    parser.add_argument("--reuse", action="store_true", help="never seed: fail instead")
    parser.add_argument("--repeat", type=int, default=14, help="requests per page")
    parser.add_argument("--seconds", type=float, default=20.0, help="throughput run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.repeat)
        return
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    names = {size: ensure_database(size, args.reuse) for size in sizes}
    results = {}
    for size, name in names.items():
        print(f"» measuring {name}", flush=True)
        output = subprocess.run(
            [PYTHON, __file__, "--child", f"--repeat={args.repeat}"],
            env=bench_env(name),
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        results[size] = json.loads(output.strip().splitlines()[-1])
        results[size]["throughput"] = throughput(
            name, results[size]["cookie"], args.seconds
        )
        print(
            f"  case list under gunicorn: {results[size]['throughput']:.1f} req/s",
            flush=True,
        )
    sys.exit(0 if report(sizes, results) else 1)


if __name__ == "__main__":
    main()
