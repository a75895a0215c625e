"""Production refuses to start without its secrets, and starts with them."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

BASE_DIR = settings.BASE_DIR
START_DJANGO = "import django; django.setup()"


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """A fresh Python with production settings and nothing else in its environment
    but what is given (PATH and HOME so that the interpreter itself starts)."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "youthtrack.settings.production",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SECRET_KEY"),
        ({"DATABASE_URL": "postgres://youthtrack@db/youthtrack"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 60}, "DATABASE_URL"),
        ({"SECRET_KEY": "", "DATABASE_URL": "sqlite:///db.sqlite3"}, "SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(env, missing):
    result = run(["-c", START_DJANGO], **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set in the environment for production." in (
        result.stderr
    )


def test_production_starts_and_runs_the_deployment_checks(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy"],
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    output = result.stdout + result.stderr
    assert "ImproperlyConfigured" not in output
    assert "Traceback" not in output
    assert "System check identified" in output
    assert result.returncode == 0, output
