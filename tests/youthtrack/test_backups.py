"""Backups (README, "Backups"): ``manage.py backup`` / ``restore`` on the embedded
default. A backup restored into a new database and a new evidence folder holds every
row and every file; a damaged backup, a database that already has tables and a folder
that is not empty are refused before anything is written. On PostgreSQL the same round
trip runs in CI (``.ci/backup_restore.py``: pg_dump and pg_restore)."""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests.factories import NoteFactory
from youthtrack.backups import BackupError, backup, restore
from youthtrack.models import Note

ROOT = Path(django_settings.BASE_DIR)

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the PostgreSQL round trip is .ci/backup_restore.py (pg_dump, pg_restore)",
)


@pytest.fixture
def evidence(tmp_path, settings):
    root = tmp_path / "evidence-root"
    (root / "evidence").mkdir(parents=True)
    (root / "evidence" / "a.pdf").write_bytes(b"%PDF-1.4 first\n%%EOF")
    (root / "reports").mkdir()
    (root / "reports" / "b.xlsx").write_bytes(bytes(range(256)) * 40)
    settings.OUTCOMES_EVIDENCE_ROOT = root
    return root


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_elsewhere_holds_every_row_and_file(tmp_path, evidence):
    note = NoteFactory(text="Entretien du mardi : inscription à la formation.")
    target = tmp_path / "backup"

    manifest = backup(target)

    assert manifest["tables"]["youthtrack_note"] == Note.objects.count() == 1
    assert set(manifest["files"]) == {"evidence/a.pdf", "reports/b.xlsx"}
    # Restored by another process, into a new SQLite file and a new folder.
    restored_db, restored_files = tmp_path / "restored.sqlite3", tmp_path / "files"
    done = subprocess.run(
        [sys.executable, "manage.py", "restore", "--skip-checks", str(target)],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "youthtrack.settings.local",
            "DATABASE_URL": f"sqlite:///{restored_db}",
            "OUTCOMES_EVIDENCE_ROOT": str(restored_files),
            "DEBUG": "0",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert "every row count and checksum matches the backup" in done.stdout
    with sqlite3.connect(restored_db) as copy:
        texts = [t for (t,) in copy.execute("SELECT text FROM youthtrack_note")]
        tables = {
            name
            for (name,) in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        }
    copy.close()
    assert texts == [note.text]
    assert set(manifest["tables"]) <= tables
    assert digests(restored_files) == digests(evidence)


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_restored(
    tmp_path, evidence, settings
):
    NoteFactory()
    target = tmp_path / "backup"
    backup(target)
    archive = target / "files.tar"
    data = bytearray(archive.read_bytes())
    data[100] ^= 0xFF
    archive.write_bytes(bytes(data))
    settings.OUTCOMES_EVIDENCE_ROOT = tmp_path / "new-folder"

    with pytest.raises(BackupError, match="files.tar does not match its checksum"):
        restore(target)
    assert not (tmp_path / "new-folder").exists()


@pytest.mark.django_db(transaction=True)
def test_a_restore_never_writes_over_a_database_in_use(tmp_path, evidence, settings):
    NoteFactory()
    target = tmp_path / "backup"
    backup(target)
    settings.OUTCOMES_EVIDENCE_ROOT = tmp_path / "fresh"

    with pytest.raises(BackupError, match="already has tables"):
        restore(target)
    assert Note.objects.count() == 1
    assert not (tmp_path / "fresh").exists()


@pytest.mark.django_db(transaction=True)
def test_a_backup_goes_only_into_a_new_or_empty_folder(tmp_path, evidence):
    target = tmp_path / "backup"
    target.mkdir()
    (target / "older.txt").write_text("yesterday's backup")

    with pytest.raises(BackupError, match="is not empty"):
        backup(target)
    assert [p.name for p in target.iterdir()] == ["older.txt"]


@pytest.mark.django_db(transaction=True)
def test_the_manifest_says_what_the_backup_holds(tmp_path, evidence):
    NoteFactory.create_batch(3)
    target = tmp_path / "backup"

    backup(target)

    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == "sqlite"
    assert manifest["tables"]["youthtrack_note"] == 3
    assert "youthtrack" in manifest["migrations"]
    assert (
        manifest["files"]["evidence/a.pdf"]
        == hashlib.sha256(b"%PDF-1.4 first\n%%EOF").hexdigest()
    )
    assert set(manifest["artefacts"]) == {"database.sqlite3", "files.tar"}
