"""CI: a backup restored on PostgreSQL holds what was backed up (README, "Backups").

    .venv/bin/python .ci/backup_restore.py [--prefix youthtrack_backup_ci] [--people 60]

Creates ``<prefix>_source``, migrates it, seeds the demo (``seed_demo``) and gives a few
outcomes an evidence document; backs it up with ``bin/backup``; restores the backup
with ``bin/restore`` into a new database ``<prefix>_restored`` and a new evidence
folder; then compares, by itself (not through the manifest): the tables, the row count
and a checksum of the rows of every table, the sequences, and the SHA-256 of every
file. Prints a line per table and exits with 1 on any difference. A damaged backup
must be refused.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get(
    "BACKUP_CI_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"
)
PYTHON = str(ROOT / ".venv" / "bin" / "python")

ATTACH_EVIDENCE = """
from django.core.files.base import ContentFile
from outcomes.models import Outcome
for i, outcome in enumerate(Outcome.objects.order_by("pk")[:5]):
    body = b"%PDF-1.4\\n% evidence " + str(i).encode() * 1000 + b"\\n%%EOF\\n"
    outcome.evidence_file.save(f"attestation-{i}.pdf", ContentFile(body), save=True)
print(Outcome.objects.exclude(evidence_file="").count(), "outcomes with evidence")
"""


def env(database: str, files: Path) -> dict[str, str]:
    # Tasks run in-process here, whatever broker the caller's environment names.
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")
    }
    return {
        **inherited,
        "DATABASE_URL": f"{POSTGRES}/{database}",
        "OUTCOMES_EVIDENCE_ROOT": str(files),
        "DJANGO_SETTINGS_MODULE": "youthtrack.settings.local",
        "DEBUG": "0",
    }


def sh(args: list[str], environment: dict[str, str], **kwargs):
    return subprocess.run(args, env=environment, cwd=ROOT, **kwargs)


def recreate(name: str) -> None:
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def snapshot(database: str) -> dict[str, tuple[int, str]]:
    """Table -> (rows, MD5 of the rows in a fixed order); sequence -> last value."""
    figures: dict[str, tuple[int, str]] = {}
    with psycopg.connect(f"{POSTGRES}/{database}") as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' "
                "ORDER BY table_name"
            )
        ]
        for table in tables:
            rows, digest = conn.execute(
                f"SELECT COUNT(*), md5(COALESCE(string_agg(t::text, E'\\n' "  # noqa: S608
                f"ORDER BY t::text), '')) FROM \"{table}\" t"
            ).fetchone()
            figures[table] = (rows, digest)
        for (sequence,) in conn.execute(
            "SELECT sequence_name FROM information_schema.sequences "
            "WHERE sequence_schema = 'public'"
        ):
            (last,) = conn.execute(f'SELECT last_value FROM "{sequence}"').fetchone()
            figures[f"sequence {sequence}"] = (last, "")
    return figures


def checksums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--prefix", default="youthtrack_backup_ci")
    parser.add_argument("--people", type=int, default=60)
    args = parser.parse_args()
    source, restored = f"{args.prefix}_source", f"{args.prefix}_restored"
    work = Path(tempfile.mkdtemp(prefix="youthtrack-backup-ci-"))
    source_files, restored_files = work / "files-source", work / "files-restored"
    backup_dir = work / "backup"
    source_env, restored_env = env(source, source_files), env(restored, restored_files)

    print(
        f"» {source}: migrate, seed {args.people} people, attach evidence", flush=True
    )
    recreate(source)
    sh([PYTHON, "manage.py", "migrate", "-v0"], source_env, check=True)
    sh(
        [PYTHON, "manage.py", "seed_demo", f"--people={args.people}"],
        source_env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    sh([PYTHON, "manage.py", "shell", "-c", ATTACH_EVIDENCE], source_env, check=True)

    print(f"» bin/backup {backup_dir}", flush=True)
    sh(["bin/backup", str(backup_dir)], source_env, check=True)
    print(f"» bin/restore into {restored} and {restored_files}", flush=True)
    recreate(restored)
    sh(["bin/restore", str(backup_dir)], restored_env, check=True)

    failures = []
    before, after = snapshot(source), snapshot(restored)
    for name in sorted(set(before) | set(after)):
        was, now = before.get(name), after.get(name)
        same = was == now
        if not same:
            failures.append(name)
        shown = f"{was[0] if was else '-'} -> {now[0] if now else '-'}"
        print(f"  {'ok' if same else 'DIFFERS'}  {name}: {shown}")
    files_before, files_after = checksums(source_files), checksums(restored_files)
    for name in sorted(set(files_before) | set(files_after)):
        same = files_before.get(name) == files_after.get(name)
        if not same:
            failures.append(name)
        print(f"  {'ok' if same else 'DIFFERS'}  file {name}")
    if not files_before:
        failures.append("no evidence file was backed up")

    # A damaged backup is refused, before anything is restored.
    dump = backup_dir / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    recreate(restored)
    damaged = sh(
        ["bin/restore", str(backup_dir)],
        env(restored, work / "files-damaged"),
        capture_output=True,
        text=True,
    )
    refused = damaged.returncode != 0 and "checksum" in damaged.stderr
    print(f"  {'ok' if refused else 'ACCEPTED'}  a damaged backup is refused")
    if not refused:
        failures.append("damaged backup accepted")

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        for name in (source, restored):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    tables = {k: v for k, v in before.items() if not k.startswith("sequence ")}
    rows = sum(count for count, _ in tables.values())
    print(
        f"{len(tables)} tables ({rows} rows) and {len(files_before)} files compared; "
        f"{len(failures)} differences."
    )
    if failures:
        print("FAILED: the restored backup differs: " + ", ".join(failures[:20]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
