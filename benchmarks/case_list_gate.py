"""How the partner's case list costs as the case table grows: our access gate against
django-guardian's stock ``get_objects_for_user``, both measured in the same run.

    .venv/bin/python benchmarks/case_list_gate.py                 # SQLite, temp file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yt_bench \\
        .venv/bin/python benchmarks/case_list_gate.py --people 50000

On PostgreSQL the database is created when missing, and emptied at the end (use a
database of its own). CI runs it there at a small size and only prints the figures.

It builds the demo data set at two sizes with the same number of files shared with the
partner, and prints for each size the median time of one case-list page (first 25 rows
and the total count) through each path, then the ratios: how much each path slows down
when the table grows, and how much faster the gate is than guardian's function.
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
    for size in (args.small, args.people):
        setup_data(size, args.shared)
        results[size] = measure(args.repeat)
        gate, stock = results[size]
        print(
            f"{size:>7,} young people, {args.shared} shared: "
            f"gate {gate * 1000:7.2f} ms   guardian get_objects_for_user "
            f"{stock * 1000:7.2f} ms"
        )
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
    cases = list(CaseFile.objects.filter(owner_organisation__code="cdm")[:shared])
    Share.objects.bulk_create(
        Share(
            case_file=case,
            partner=actiris,
            purpose="bench",
            scope=Share.Scope.VIEW,
            status=Share.Status.ACCEPTED,
            created_by=advisor,
        )
        for case in cases
    )
    for case in cases:
        assign_perm("youthtrack.view_shared_casefile", group, case)


def measure(repeat: int) -> tuple[float, float]:
    from django.db import reset_queries
    from guardian.shortcuts import get_objects_for_user

    from youthtrack.models import CaseFile, User
    from youthtrack.selectors import case_file_list_for_user

    partner = User.objects.get(username="partner")

    def gate() -> None:
        queryset = case_file_list_for_user(user=partner).order_by("-updated_at")
        list(queryset[:25])
        queryset.count()

    def stock() -> None:
        queryset = get_objects_for_user(
            partner,
            "youthtrack.view_shared_casefile",
            klass=CaseFile,
            accept_global_perms=False,
        ).order_by("-updated_at")
        # The same rows as the case list shows, for a fair comparison.
        queryset = queryset.select_related(
            "young_person",
            "young_person__gender",
            "young_person__commune",
            "programme",
            "advisor",
        )
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
