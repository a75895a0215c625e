"""How the partner's case list costs as the case table grows: our access gate against
django-guardian's stock ``get_objects_for_user``, both measured in the same run.

    .venv/bin/python benchmarks/case_list_gate.py                 # SQLite, temp file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yt_bench \\
        .venv/bin/python benchmarks/case_list_gate.py --people 50000

On PostgreSQL the database is created when missing, analysed after each seeding (as
autovacuum would do), and emptied at the end (use a database of its own). CI runs it
there at a small size.

It builds the demo data set at two sizes with the same number of files shared with the
partner, and prints for each size the median time of one case-list page (first 25 rows
and the total count) through each path, then the ratios: how much each path slows down
when the table grows, and how much faster the gate is than guardian's function. On
PostgreSQL it also prints how the plan of the gate's page reaches the case files (by
primary key from the shares, or by scanning the table).

It exits with 1 when the gate and guardian's function disagree on which case files the
partner sees, or when, on PostgreSQL, the plan of the gate's page scans the case file
table; timings never fail it (they depend on the machine).
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20_000, help="large table size")
    parser.add_argument("--small", type=int, default=1_000, help="small table size")
    parser.add_argument("--shared", type=int, default=200, help="files shared")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        scratch = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youthtrack.settings.local")
    os.environ.setdefault("DEBUG", "0")  # no query log in the timings
    if os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        create_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    results = {}
    problems = []
    for size in (args.small, args.people):
        setup_data(size, args.shared)
        problems += check_same_rows(size)
        results[size] = measure(args.repeat)
        gate, stock = results[size]
        print(
            f"{size:>7,} young people, {args.shared} shared: "
            f"gate {gate * 1000:7.2f} ms   guardian get_objects_for_user "
            f"{stock * 1000:7.2f} ms"
        )
        problems += check_plan(size)
    (gate_small, stock_small), (gate_big, stock_big) = (
        results[args.small],
        results[args.people],
    )
    growth = args.people / args.small
    print(f"table grew ×{growth:.0f}:")
    print(f"  gate slowed down     ×{gate_big / gate_small:.2f}")
    print(f"  guardian slowed down ×{stock_big / stock_small:.2f}")
    speed = stock_big / gate_big
    print(f"  guardian time / gate time at {args.people:,}: ×{speed:.1f}")
    call_command("flush", interactive=False, verbosity=0)
    for problem in problems:
        print(f"✘ {problem}")
    if problems:
        sys.exit(1)


def create_postgres_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as admin:
        if not admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def setup_data(people: int, shared: int) -> None:
    from django.core.management import call_command
    from guardian.shortcuts import assign_perm

    from youthtrack.models import (
        CaseFile,
        CaseFileGroupObjectPermission,
        Organisation,
        Share,
        User,
    )
    from youthtrack.services import organisation_group

    call_command("seed_demo", people=people, reset=True, stdout=io.StringIO())
    # Only the files shared below: the seed's referrals (and, at scale, its grants
    # to the partners of the generated offices) go.
    Share.objects.all().delete()
    CaseFileGroupObjectPermission.objects.all().delete()
    actiris = Organisation.objects.get(code="actiris")
    advisor = User.objects.get(username="advisor")
    partner = User.objects.get(username="partner")
    group = organisation_group(actiris)
    partner.groups.add(group)  # guardian's function checks the user's groups
    # Spread over the table, as shared files are: the first ``shared`` in the list's
    # order would let a scan in that order (guardian's plan) stop after 25 rows.
    cdm = CaseFile.objects.filter(owner_organisation__code="cdm").order_by("pk")
    ids = list(cdm.values_list("pk", flat=True))
    picked = ids[:: max(1, len(ids) // shared)][:shared]
    cases = list(CaseFile.objects.filter(pk__in=picked))
    Share.objects.bulk_create(
        Share(
            case_file=case,
            partner=actiris,
            owner_organisation_id=case.owner_organisation_id,
            purpose="bench",
            scope=Share.Scope.VIEW,
            status=Share.Status.ACCEPTED,
            created_by=advisor,
        )
        for case in cases
    )
    for case in cases:
        assign_perm("youthtrack.view_shared_casefile", group, case)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def the_partner():
    from youthtrack.models import User

    return User.objects.get(username="partner")


def gate_page(partner):
    from youthtrack.selectors import case_file_list_for_user

    return case_file_list_for_user(user=partner).order_by("-updated_at", "-pk")


def stock_page(partner):
    from guardian.shortcuts import get_objects_for_user

    from youthtrack.models import CaseFile

    queryset = get_objects_for_user(
        partner,
        "youthtrack.view_shared_casefile",
        klass=CaseFile,
        accept_global_perms=False,
    ).order_by("-updated_at", "-pk")
    # The same rows as the case list shows, for a fair comparison.
    return queryset.select_related(
        "young_person",
        "young_person__gender",
        "young_person__commune",
        "programme",
        "advisor",
    )


def check_same_rows(size: int) -> list[str]:
    """Both paths must show the partner the same case files (every share here is
    accepted, in force and granted)."""
    partner = the_partner()
    gate = set(gate_page(partner).values_list("pk", flat=True))
    stock = set(stock_page(partner).values_list("pk", flat=True))
    if gate == stock:
        return []
    return [
        f"at {size:,}: the gate shows {len(gate - stock)} case files guardian does "
        f"not, and misses {len(stock - gate)}"
    ]


def check_plan(size: int) -> list[str]:
    """On PostgreSQL, how the plan of the gate's page reaches the case files."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    sql, params = gate_page(the_partner())[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    reads = [
        line.strip().split("  (")[0].lstrip("-> ")
        for line in plan
        if "youthtrack_casefile " in line or "youthtrack_casefile_" in line
    ]
    scans = [line for line in reads if line.startswith("Seq Scan")]
    print(f"         gate's plan reads the case files by: {'; '.join(reads)}")
    if scans:
        return [f"at {size:,}: the gate's page scans the case file table"]
    return []


def measure(repeat: int) -> tuple[float, float]:
    from django.db import reset_queries

    partner = the_partner()

    def gate() -> None:
        queryset = gate_page(partner)
        list(queryset[:25])
        queryset.count()

    def stock() -> None:
        queryset = stock_page(partner)
        list(queryset[:25])
        queryset.count()

    timings = {}
    for name, run in (("gate", gate), ("stock", stock)):
        run()  # warm caches
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            samples.append(time.perf_counter() - started)
            reset_queries()
        timings[name] = statistics.median(samples)
    return timings["gate"], timings["stock"]


if __name__ == "__main__":
    main()
