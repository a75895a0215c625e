"""Settings shared by every environment; everything variable comes from the environment.

With nothing set, youthtrack runs embedded: SQLite next to the code and Celery tasks
run in-process. Point ``DATABASE_URL`` at PostgreSQL and ``CELERY_BROKER_URL`` at Redis
to run it as it runs in production.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the form renderer below finds Django's widget templates here
    "django_filters",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "youthtrack",
    "programmes",
    "outcomes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "youthtrack.middleware.SessionLifetimeMiddleware",
    "youthtrack.middleware.TwoFactorMiddleware",
    "youthtrack.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "youthtrack.middleware.NoStoreMiddleware",
    "youthtrack.middleware.AuditContextMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "youthtrack.urls"
WSGI_APPLICATION = "youthtrack.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so that templates/django/forms/ can replace Django's
# own: there the select's options are written in the loop instead of one template
# include each (the case list's filters have some 120 options).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
SQLITE_BUSY_TIMEOUT_SECONDS = 20
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must hold a few people saving at once. A transaction
    # takes the write lock when it begins (IMMEDIATE), so that two of them never
    # both read and then both try to write, which SQLite can only refuse with
    # "database is locked"; a writer waits its turn for up to the timeout; with WAL,
    # readers never wait for a writer. (tests/test_concurrency.py)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000};"
            ),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "youthtrack.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out account or address is refused before any check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sessions: 30 minutes idle (the cookie is renewed on every request), 12 hours at most
# (SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_MAX_LIFETIME = datetime.timedelta(hours=12)
CSRF_COOKIE_HTTPONLY = True

# Failed logins (django-axes): five failures lock the account, and separately the
# address, for 15 minutes; a success resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success does not wipe the failures: axes would wipe those of the whole address,
# letting someone alternate guesses at another account with logins to their own.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address, for the lock and the audit trail. Behind one reverse proxy that
# appends the client to X-Forwarded-For (nginx's $proxy_add_x_forwarded_for), set
# BEHIND_PROXY=true: the right-most entry is then the address the proxy saw. Without a
# proxy, X-Forwarded-For is written by the client and never read.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_IPWARE_PROXY_COUNT = None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if BEHIND_PROXY else ("REMOTE_ADDR",)
)

# Two-factor authentication (TOTP): required for administrators, offered to everyone.
OTP_TOTP_ISSUER = "youthtrack"
# The admin never shows an authenticator's secret or QR code: whoever saw it could
# pass another user's second factor.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
TWO_FACTOR_REQUIRED_ROLES = ["admin", "dpo"]

# Content Security Policy (django-csp): our own scripts, styles and images only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# French first: Brussels is bilingual, and the CDM works in French by default.
LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("fr", _("French")),
    ("nl", _("Dutch")),
    ("en", _("English")),
]
# The second: Dutch abbreviated months with their full stop (Django's have none).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "youthtrack" / "formats" / "months"]
FORMAT_MODULE_PATH = ["youthtrack.formats"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage",
    },
}

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # youthtrack shows nothing to anonymous visitors

# Celery: with no broker configured, tasks run in-process (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or (
    CELERY_BROKER_URL or None
)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# A task's message is acknowledged once the task has finished, and given back to the
# broker when its worker process dies: a worker killed in the middle of a report
# leaves the message to be delivered again (the tasks are safe to run twice).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With Redis, the message of a worker killed outright (SIGKILL, power loss) is
# delivered again only once it has been unacknowledged for the visibility timeout:
# it must be longer than the longest task (CELERY_TASK_TIME_LIMIT) and than any retry
# countdown, or a task still running would be delivered twice.
CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # How often a worker looks for messages whose timeout has passed (seconds,
    # roughly interval × throttle): a hundredth of the timeout, 1 s to 100 s.
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 100)),
    "unacked_restore_throttle": 1 if CELERY_VISIBILITY_TIMEOUT < 1000 else 10,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Anonymises the closed case files whose retention has ended: takes nothing, and
    # an anonymised file is not due any more (idempotent).
    "retention": {"task": "youthtrack.retention_run", "schedule": 24 * 60 * 60},
    "expire-shares": {"task": "youthtrack.shares_expire", "schedule": 15 * 60},
    # Safe to run twice: each follow-up's reminder is claimed before it is sent.
    "follow-up-reminders": {
        "task": "outcomes.follow_up_reminders",
        "schedule": 60 * 60,
    },
    # Report jobs whose worker died: queued again, or failed after a few attempts.
    "report-jobs-sweep": {"task": "outcomes.report_jobs_sweep", "schedule": 5 * 60},
}
# A report job's claim is a lease longer than a task may run: a job still "running"
# after it has ended lost its worker, and is taken over (REPORT_JOB_MAX_ATTEMPTS
# claims at most, then it fails with its reason).
REPORT_JOB_LEASE_SECONDS = int(
    os.environ.get("REPORT_JOB_LEASE_SECONDS", str(CELERY_TASK_TIME_LIMIT + 5 * 60))
)
REPORT_JOB_MAX_ATTEMPTS = 3
# Test-only: seconds each report format waits before it is rendered, so that the
# worker-kill test can kill a worker in the middle (read only by the test settings
# and under DEBUG; production never sets it).
YT_REPORT_TEST_DELAY_SECONDS = 0.0

# Domain settings.
YOUTHTRACK_PAGE_SIZE = 25
YOUTHTRACK_RECENT_DAYS = 14
# How long the unfiltered case list's filters (the programme and advisor choices) are
# rendered once and reused, per organisation and language (templates/youthtrack/
# case_list.html); 0 renders them every time.
YOUTHTRACK_FILTER_CACHE_SECONDS = 60
# Retention: the closed case files of an operation are anonymised after 31 December of
# this many years after the operation's end, unless the operation sets its own date
# (``Operation.retention_until``). 5: the ESF+ keeps documents until 31 December of the
# fifth year after the operation's end (the funder's audit period).
YOUTHTRACK_RETENTION_YEARS_AFTER_END = int(
    os.environ.get("YOUTHTRACK_RETENTION_YEARS_AFTER_END", "5")
)

# E-mail: account owners are told of every change an administrator makes to their
# account. The console in development (local.py), an in-memory box in tests.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "youthtrack@localhost")
# Whom an account's owner contacts about a change they did not expect (the data
# protection officer or the security contact of the organisation running youthtrack).
ACCOUNT_SECURITY_CONTACT = os.environ.get("ACCOUNT_SECURITY_CONTACT", "dpo@localhost")

# Outcomes: evidence documents are stored outside the web root (no URL; served only
# through the case-file gate), and the follow-up rules (funder-indicators.md).
OUTCOMES_EVIDENCE_ROOT = Path(
    os.environ.get("OUTCOMES_EVIDENCE_ROOT", BASE_DIR / "private-media")
)
OUTCOMES_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
OUTCOMES_UPON_LEAVING_DAYS = 28  # the "upon leaving" window after the exit date
OUTCOMES_UNREACHABLE_ATTEMPTS = 3  # attempts before "unreachable" is an answer
# Where the links in e-mails point (reminders sent by a background task).
YOUTHTRACK_SITE_URL = os.environ.get("YOUTHTRACK_SITE_URL", "http://127.0.0.1:8000")

# No personal data in the logs, whatever LOG_LEVEL says: the loggers of the
# frameworks that would write some are filtered (``youthtrack.logs``); nothing of
# the application logs more than a record's number.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "youthtrack.logs.PersonalDataFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
        },
    },
    "loggers": {
        "django.template": {"filters": ["personal_data"]},
        "django.db.backends": {"filters": ["personal_data"]},
        "django.db.backends.schema": {"filters": ["personal_data"]},
        "django.server": {
            "handlers": ["django.server"],
            "filters": ["personal_data"],
            "level": "INFO",
            "propagate": False,
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
# Error reports (the debug page, and the e-mails to ADMINS should any be set) show
# no request parameters and no variable of the failing code: either may hold a name.
DEFAULT_EXCEPTION_REPORTER_FILTER = (
    "youthtrack.logs.PersonalDataExceptionReporterFilter"
)
