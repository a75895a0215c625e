"""Developer and demo settings: the embedded default (SQLite, in-process tasks)."""

import os
import warnings

from .base import *  # noqa: F401,F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "local-only-insecure-key-never-use-in-production"  # noqa: F405
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)

# bin/demo runs with DEBUG off, as production does. WhiteNoise then serves the static
# files straight from static/ and the apps (no collectstatic step, nothing stale), and
# has no collected directory to warn about.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
