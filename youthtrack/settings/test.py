"""Test settings: SQLite by default, PostgreSQL when DATABASE_URL says so."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
# Every test sees the choices of its own data (tests/youthtrack/test_filters.py sets it
# to check the cache).
YOUTHTRACK_FILTER_CACHE_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Quiet, but filtered as in production (``youthtrack.logs``): the loggers let through
# what they would there (tests/youthtrack/test_no_personal_data_in_transit.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": LOGGING["filters"],  # noqa: F405
    "loggers": {
        name: {"filters": ["personal_data"]}
        for name in (
            "django.template",
            "django.db.backends",
            "django.db.backends.schema",
            "django.server",
        )
    },
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Evidence documents of the tests go to a throw-away folder, never private-media/.
OUTCOMES_EVIDENCE_ROOT = Path(tempfile.gettempdir()) / "youthtrack-test-evidence"
# The worker-kill test (.ci/worker_kill.py) slows the report rendering down.
YT_REPORT_TEST_DELAY_SECONDS = float(
    os.environ.get("YT_REPORT_TEST_DELAY_SECONDS", "0")
)
