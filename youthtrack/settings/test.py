"""Test settings: SQLite by default, PostgreSQL when DATABASE_URL says so."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Evidence documents of the tests go to a throw-away folder, never private-media/.
OUTCOMES_EVIDENCE_ROOT = Path(tempfile.gettempdir()) / "youthtrack-test-evidence"
# The worker-kill test (.ci/worker_kill.py) slows the report rendering down.
YT_REPORT_TEST_DELAY_SECONDS = float(
    os.environ.get("YT_REPORT_TEST_DELAY_SECONDS", "0")
)
