"""Back up and restore the database and the uploaded files, checked end to end.

A backup is a folder:

- ``database.dump``: PostgreSQL's custom format (``pg_dump -Fc``), or
  ``database.sqlite3``: a copy made with SQLite's online backup API;
- ``files.tar``: every file under ``OUTCOMES_EVIDENCE_ROOT`` (evidence documents and
  produced reports; no other folder holds uploaded files);
- ``manifest.json``: when, from which engine, the applied migrations, the number of
  rows of every table, the SHA-256 of every file in the archive and of the two
  artefacts.

The row counts are read in the snapshot that ``pg_dump`` dumps (exported from our own
repeatable-read transaction), so that a backup taken while people work still matches
its manifest. The database is dumped before the files are archived: a file is never
missing for a row of the dump (evidence names are random and files are never
rewritten; a file added in between is only an extra).

A restore refuses a damaged backup (checksums), a database that already has tables
and a file folder that is not empty; it then restores both and checks the row count of
every table and the checksum of every file against the manifest.
"""

import datetime
import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

MANIFEST = "manifest.json"
FILES = "files.tar"
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FORMAT = 1


class BackupError(Exception):
    """The backup or the restore cannot go on; the message says why."""


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    files: int = 0
    differences: list[str] = field(default_factory=list)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_root() -> Path:
    return Path(settings.OUTCOMES_EVIDENCE_ROOT)


def file_checksums(root: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every regular file under ``root``."""
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"no backup for the {vendor} engine")
    return vendor


def _tables() -> list[str]:
    # SQLite's own tables (sqlite_sequence, sqlite_stat1) are not the application's.
    return sorted(
        name
        for name in connection.introspection.table_names()
        if not name.startswith("sqlite_")
    )


def _row_counts(cursor, tables: list[str]) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


def _postgres_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def backup(directory: Path) -> dict:
    """Write a backup into ``directory`` (new or empty); returns the manifest."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: give a new folder")
    directory.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    manifest: dict = {
        "format": FORMAT,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "engine": engine,
        "migrations": _migrations(),
    }
    if engine == "postgresql":
        manifest["database"] = POSTGRES_DUMP
        manifest["tables"] = _dump_postgres(directory / POSTGRES_DUMP)
    else:
        manifest["database"] = SQLITE_COPY
        manifest["tables"] = _copy_sqlite(directory / SQLITE_COPY)
    root = files_root()
    manifest["files"] = file_checksums(root)
    with tarfile.open(directory / FILES, "w") as archive:
        for name in manifest["files"]:
            archive.add(root / name, arcname=name, recursive=False)
    manifest["artefacts"] = {
        name: sha256(directory / name) for name in (manifest["database"], FILES)
    }
    (directory / MANIFEST).write_text(
        json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8"
    )
    return manifest


def _dump_postgres(target: Path) -> dict[str, int]:
    args, env = _postgres_env()
    name = str(settings.DATABASES["default"]["NAME"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _row_counts(cursor, _tables())
        # The dump reads the same snapshot while this transaction holds it open.
        done = subprocess.run(
            [
                "pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
                name,
            ],
            env=env,
            capture_output=True,
            text=True,
        )
    if done.returncode:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return counts


def _copy_sqlite(target: Path) -> dict[str, int]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        tables = [
            name
            for (name,) in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
            if not name.startswith("sqlite_")
        ]
        cursor = copy.cursor()
        return _row_counts(cursor, tables)
    finally:
        copy.close()


def read_manifest(directory: Path) -> dict:
    """The manifest, once both artefacts match their checksums."""
    directory = Path(directory)
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} holds no {MANIFEST}: not a youthtrack backup")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for name, expected in manifest["artefacts"].items():
        artefact = directory / name
        if not artefact.is_file():
            raise BackupError(f"{name} is missing from the backup")
        if sha256(artefact) != expected:
            raise BackupError(
                f"{name} does not match its checksum: the backup is damaged"
            )
    return manifest


def restore(directory: Path) -> RestoreReport:
    """Restore a backup into the configured (empty) database and file folder, then
    compare both with the manifest."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(
            f"the backup is of a {manifest['engine']} database; this one is {engine}"
        )
    if _tables():
        raise BackupError(
            "the database already has tables: restore into a new, empty database"
        )
    root = files_root()
    if root.exists() and any(root.iterdir()):
        raise BackupError(f"{root} is not empty: restore into a new, empty folder")
    if engine == "postgresql":
        _restore_postgres(directory / manifest["database"])
    else:
        _restore_sqlite(directory / manifest["database"])
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(directory / FILES) as archive:
        archive.extractall(root, filter="data")
    return compare(manifest)


def _restore_postgres(dump: Path) -> None:
    args, env = _postgres_env()
    connection.close()  # pg_restore works in its own session
    done = subprocess.run(
        [
            "pg_restore",
            *args,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={settings.DATABASES['default']['NAME']}",
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")


def _restore_sqlite(copy: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(copy)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def compare(manifest: dict) -> RestoreReport:
    """The database and the files as they are now, against the manifest."""
    report = RestoreReport()
    expected: dict[str, int] = manifest["tables"]
    with connection.cursor() as cursor:
        tables = _tables()
        counts = _row_counts(cursor, tables)
    for table in sorted(set(expected) | set(counts)):
        if table not in counts:
            report.differences.append(f"table {table} is missing")
        elif table not in expected:
            report.differences.append(f"table {table} is not in the backup")
        elif counts[table] != expected[table]:
            report.differences.append(
                f"table {table}: {counts[table]} rows, {expected[table]} backed up"
            )
    report.tables, report.rows = len(counts), sum(counts.values())
    found = file_checksums(files_root())
    for name in sorted(set(manifest["files"]) | set(found)):
        if name not in found:
            report.differences.append(f"file {name} is missing")
        elif name not in manifest["files"]:
            report.differences.append(f"file {name} is not in the backup")
        elif found[name] != manifest["files"][name]:
            report.differences.append(f"file {name} differs from its backup")
    report.files = len(found)
    return report
