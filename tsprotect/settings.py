"""Settings for the tsprotect portal, read from the environment.

With nothing set the portal runs on SQLite under ``var/`` with Celery tasks run eagerly, which is
what ``make run`` uses. Production sets ``DATABASE_URL`` (PostgreSQL), ``REDIS_URL``,
``SECRET_KEY`` and ``ALLOWED_HOSTS``; see README.md.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tsprotect.monitoring.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
env.smart_cast = False
# ENV_FILE names a file of KEY=value lines (the one `make stack` writes, or an operator's
# /etc/tsprotect/tsprotect.env) read as the portal's environment: `make backup ENV_FILE=…` then
# backs up the portal that file describes. Its values take precedence over the shell's.
if ENV_FILE := env.str("ENV_FILE", default=""):
    if not Path(ENV_FILE).is_file():
        raise ImproperlyConfigured(f"ENV_FILE names {ENV_FILE}, which is not a readable file.")
    environ.Env.read_env(ENV_FILE, overwrite=True)

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "insecure-development-key-only-for-make-run-with-debug-on"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` and export it."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "axes",
    "simple_history",
    "captcha",
    "django_ratelimit",
    "csp",
    "tsprotect.core",
    "tsprotect.legal",
    "tsprotect.regions",
    "tsprotect.accounts",
    "tsprotect.notifications",
    "tsprotect.trainings",
    "enterprises",
    "demonstrations",
    "assessments",
    "complaints",
    "tsprotect.publicity",
    "tsprotect.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "tsprotect.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tsprotect.core.middleware.PortalLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tsprotect.urls"
WSGI_APPLICATION = "tsprotect.wsgi.application"

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
                "tsprotect.core.context_processors.navigation",
                "tsprotect.notifications.context_processors.notifications",
            ],
        },
    },
]

# An empty DATABASE_URL counts as unset, so `DATABASE_URL= make run` is the embedded default.
DATABASE_URL = env.str("DATABASE_URL", default="")
if not DATABASE_URL:
    # A fresh clone has no var/ yet, and SQLite will not create the folder of its file.
    VAR_DIR.mkdir(exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'tsprotect.sqlite3'}"
DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

# Outages (README, "Faults"). PostgreSQL: a connection attempt gives up after DB_CONNECT_TIMEOUT
# seconds, and the request gets the 503 page (tsprotect/core/outage.py) instead of hanging; a
# kept connection is checked before each request reuses it, so nothing needs restarting once the
# database is back. Redis: the cache answers as an empty one while it is unreachable
# (tsprotect/core/cache.py), after REDIS_TIMEOUT seconds at most; the rate limits then let
# requests through (the login lockout is on the database). Celery: a task that cannot be sent
# fails within seconds rather than holding the page, and the worker and beat retry the broker
# for as long as it takes.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=3)
    )
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=2.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "tsprotect.core.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tsprotect",
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
RATELIMIT_FAIL_OPEN = True
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # the worker waits for the broker indefinitely
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = 30
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses a locked-out account before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Model permissions from the shared cache (tsprotect/core/permcache.py).
    "tsprotect.accounts.backends.CachedModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "tsprotect.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id first (tsprotect/accounts/hashers.py); PBKDF2 still verifies the hashes of accounts
# created before, which are upgraded at their next login.
PASSWORD_HASHERS = [
    "tsprotect.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after SESSION_IDLE_MINUTES without a request, and when the browser closes.
# Saved on every request, each save one UPDATE, skipped while the stored expiry is less than
# SESSION_REFRESH_SECONDS behind (tsprotect/core/sessions.py).
SESSION_ENGINE = "tsprotect.core.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
if not 0 <= SESSION_REFRESH_SECONDS < SESSION_COOKIE_AGE:
    raise ImproperlyConfigured("SESSION_REFRESH_SECONDS must be 0 or more, below the idle timeout.")
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "tsprotect.core.views.csrf_failure"

# The client's address: with TRUSTED_PROXY_COUNT proxies in front (nginx: 1), the address that
# many entries from the right of X-Forwarded-For; 0 (direct serving, `make run`) is REMOTE_ADDR.
# Every throttle, the lockout and every log read it through tsprotect/core/network.py.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or the number of proxies in front.")

# Lockout after repeated failed logins, per (account, address) pair: a stranger who knows an
# officer's user name cannot lock the officer out from elsewhere. Guessing from one address
# across accounts is stopped by the per-address "login_failure" rate below, set higher, since
# the officers of a bureau share one NAT address.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "tsprotect.core.network.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# Rate limits of the public forms, per client address, counted in the shared cache
# (tsprotect/accounts/throttle.py). Login counts failed attempts only.
RATELIMITS = {
    "register": env.str("REGISTER_RATE", default="5/h"),
    "password_reset": env.str("PASSWORD_RESET_RATE", default="5/h"),
    "login_failure": env.str("LOGIN_FAILURE_RATE", default="30/10m"),
    "public_report": env.str("PUBLIC_REPORT_RATE", default="5/h"),
    "public_api": env.str("PUBLIC_API_RATE", default="600/h"),
}
RATELIMIT_IP_META_KEY = "tsprotect.core.network.throttle_address"
# Django's own Redis backend increments atomically; without REDIS_URL (make run) the limits are
# per process, which is enough for the development server.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
# The registration captcha is drawn by Pillow from the bundled font: nothing leaves the server.
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_IMAGE_SIZE = (140, 44)
CAPTCHA_FONT_SIZE = 30

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: the public sees only public pages

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]


def object_storages(
    *, bucket, evidence_bucket, endpoint_url, access_key, secret_key, region, addressing_style
):
    """Uploads and complaint evidence in an S3-compatible object store that several app nodes
    share. Evidence stays apart from every other upload (its own bucket, or its own prefix in a
    shared one), and no object gets a public ACL or a URL: the portal's views stream them."""
    common = {
        "endpoint_url": endpoint_url or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "region_name": region or None,
        "addressing_style": addressing_style or None,
        "default_acl": None,  # the bucket's own, private; never "public-read"
        # Two uploads of 合同.pdf in one month get two keys, as two local files would.
        "file_overwrite": False,
    }
    return {
        "default": {
            "BACKEND": "tsprotect.core.storage.PrivateS3Storage",
            "OPTIONS": {**common, "bucket_name": bucket, "location": "media"},
        },
        "evidence": {
            "BACKEND": "tsprotect.core.storage.PrivateS3Storage",
            "OPTIONS": {**common, "bucket_name": evidence_bucket, "location": "evidence"},
        },
    }


STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="filesystem")
if STORAGE_BACKEND == "filesystem":
    UPLOAD_STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        # Complaint evidence is itself a trade secret: kept apart from every other upload, under
        # EVIDENCE_ROOT, with no URL (served only by the permission-checked, logged view).
        "evidence": {
            "BACKEND": "complaints.storage.EvidenceStorage",
            "OPTIONS": {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
        },
    }
elif STORAGE_BACKEND == "s3":
    if not env.str("S3_BUCKET", default=""):
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs S3_BUCKET, the uploads' bucket.")
    if env.str("S3_ADDRESSING_STYLE", default="") not in ("", "auto", "path", "virtual"):
        raise ImproperlyConfigured("S3_ADDRESSING_STYLE must be auto, path or virtual.")
    UPLOAD_STORAGES = object_storages(
        bucket=env.str("S3_BUCKET"),
        evidence_bucket=env.str("S3_EVIDENCE_BUCKET", default="") or env.str("S3_BUCKET"),
        endpoint_url=env.str("S3_ENDPOINT_URL", default=""),
        access_key=env.str("S3_ACCESS_KEY_ID", default=""),
        secret_key=env.str("S3_SECRET_ACCESS_KEY", default=""),
        region=env.str("S3_REGION", default=""),
        addressing_style=env.str("S3_ADDRESSING_STYLE", default=""),
    )
else:
    raise ImproperlyConfigured("STORAGE_BACKEND must be filesystem or s3.")
STORAGES = {
    **UPLOAD_STORAGES,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded files (dossier documents, evidence) are never served as static files: views check
# scope and stream them.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"
EVIDENCE_ROOT = env.path("EVIDENCE_ROOT", default=VAR_DIR / "evidence")
# Behind the repo's nginx (deploy/nginx/): a permission-checked download of a local file is
# handed to nginx with X-Accel-Redirect instead of being streamed by a gunicorn worker.
X_ACCEL_REDIRECT = env.bool("X_ACCEL_REDIRECT", default=False)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_MB", default=20) * 1024 * 1024
# A 100,000-row directory workbook with every column filled is about 14 MB.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_MB", default=25) * 1024 * 1024
# A previewed import left unconfirmed this long loses its kept rows and file (up to 100,000 rows
# each): the officer uploads it again (enterprises.tasks.expire_import_previews, hourly).
IMPORT_PREVIEW_KEEP_HOURS = env.int("IMPORT_PREVIEW_KEEP_HOURS", default=72)
if IMPORT_PREVIEW_KEEP_HOURS < 1:
    raise ImproperlyConfigured("IMPORT_PREVIEW_KEEP_HOURS must be at least 1.")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "tsprotect.core.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "tsprotect.core.schema.PortalAutoSchema",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "tsprotect API",
    "DESCRIPTION": "JSON API of the Hunan trade secret protection portal. Every endpoint applies "
    "the same per-prefecture scoping as the pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # The enterprise's tier and a checklist's tier are the same choice set.
    "ENUM_NAME_OVERRIDES": {
        "RiskTierEnum": "assessments.models.Tier.choices",
        "ComplaintStatusEnum": "complaints.workflow.State.choices",
        "KindEnum": "complaints.workflow.Kind.choices",
        "ClockExtensionKindEnum": "complaints.workflow.ExtensionKind.choices",
        "ClockPauseReasonEnum": "complaints.api.PAUSE_REASONS",
        "TimeLimitUnitEnum": "complaints.api.TIME_UNITS",
        "ReportStatusEnum": "tsprotect.reports.api.REPORT_STATUSES",
        "ReportBuildStatusEnum": "tsprotect.reports.api.BUILD_STATUSES",
        "FtzSelectionEnum": "demonstrations.workflow.FtzSelection.choices",
        "PoliceDecisionEnum": "complaints.workflow.PoliceDecision.choices",
    },
}

# Celery: a real Redis broker when REDIS_URL is set, otherwise tasks run in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Longer than the longest job (a report build or PDF takes seconds), so no task is delivered
# twice while it runs; a task left unacknowledged by a killed worker is delivered again once this
# has passed. No task is scheduled further ahead (eta/countdown), which would also need it longer.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=1800),
    "socket_connect_timeout": REDIS_TIMEOUT,
}
# Where beat keeps the time each job last ran, so a restart neither repeats nor skips one.
CELERY_BEAT_SCHEDULE_FILENAME = str(
    env.path("CELERY_BEAT_SCHEDULE_FILE", default=VAR_DIR / "celerybeat-schedule")
)
CELERY_BEAT_SCHEDULE: dict = {
    "training-reminders": {
        "task": "tsprotect.trainings.tasks.send_training_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    "complaint-clocks": {
        "task": "complaints.tasks.refresh_open_clocks",
        "schedule": crontab(hour=0, minute=30),
    },
    "import-preview-expiry": {
        "task": "enterprises.tasks.expire_import_previews",
        "schedule": crontab(minute=20),
    },
    "captcha-cleanup": {
        "task": "tsprotect.accounts.tasks.remove_expired_captchas",
        "schedule": crontab(hour=3, minute=0),
    },
    "complaint-reminders": {
        "task": "complaints.tasks.send_deadline_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # After the night's clock refresh, so the reports count the corrected deadlines.
    "periodic-reports": {
        "task": "tsprotect.reports.tasks.build_due_reports",
        "schedule": crontab(hour=1, minute=30),
    },
}

# Backups (tsprotect/core/backup.py): one archive a night into BACKUP_DIR, outside MEDIA_ROOT and
# EVIDENCE_ROOT; archives older than BACKUP_KEEP_DAYS are deleted, the BACKUP_KEEP_NEWEST newest
# never are.
BACKUP_DIR = env.path("BACKUP_DIR", default=VAR_DIR / "backups")
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=30)
BACKUP_KEEP_NEWEST = env.int("BACKUP_KEEP_NEWEST", default=7)
if BACKUP_KEEP_DAYS < 1 or BACKUP_KEEP_NEWEST < 1:
    raise ImproperlyConfigured("BACKUP_KEEP_DAYS and BACKUP_KEEP_NEWEST must be at least 1.")
# A cron line on one chosen host may run `backup_portal --prune` instead (README).
if env.bool("BACKUP_NIGHTLY", default=True):
    # After the night's reports, so that the archive holds them.
    CELERY_BEAT_SCHEDULE["portal-backup"] = {
        "task": "tsprotect.core.tasks.back_up_portal",
        "schedule": crontab(hour=2, minute=30),
    }

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-pass-2026")

# Notifications are also e-mailed when a mail server is set (tsprotect/notifications/services.py).
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="webmaster@localhost")
# Mail is sent after the commit, within the request: a mail server that does not answer must not
# hold the page for long.
EMAIL_TIMEOUT = 10

# Behind the bureau's TLS-terminating proxy; HTTPS=false only for tests on plain loopback HTTP.
HTTPS = env.bool("HTTPS", default=not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    # Preloading is a one-way commitment for the whole domain, left to the operator.
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS.append("security.W021")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts and styles only from the portal's own static files: the templates have no inline script,
# style block or style attribute, so an injected one does not run. A page that must inline one
# gives it the request's nonce (request.csp_nonce), as the API docs page does with its style.
# Images may be data: URLs (the Swagger UI's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features the portal never uses, refused to its pages and to anything they might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "midi=(), payment=(), usb=()"
)

# Monitoring (tsprotect/monitoring/) ------------------------------------------------------------
# Logs: one JSON object a line in production (time, level, logger, message, request id, user id,
# prefecture), plain text for `make run`; the request id comes from the proxy's X-Request-ID.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = logging_config(LOG_FORMAT, env.str("LOG_LEVEL", default="INFO"))
# Metrics for Prometheus at /metrics: request latency (django-prometheus' middleware around all
# the others), database time (its wrappers of the database backends), Celery's queue and failed
# tasks. The endpoint is answered only to a scrape with the bearer token, from the allowed
# networks when they are set; everyone else gets 404, as when no token is set.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
try:
    METRICS_ALLOWED_NETWORKS = [
        ipaddress.ip_network(network, strict=False)
        for network in env.list("METRICS_ALLOWED_NETWORKS", default=[])
    ]
except ValueError as error:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {error}") from error
# Prometheus scrapes each gunicorn node itself, over the bureau's internal network (through the
# proxy each scrape would reach another node): plain HTTP, not redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]
INSTALLED_APPS.append("django_prometheus")
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "tsprotect.monitoring.middleware.RequestIdMiddleware",
    *MIDDLEWARE,
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
_MEASURED_ENGINES = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
DATABASES["default"]["ENGINE"] = _MEASURED_ENGINES.get(
    DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"]
)
PROMETHEUS_EXPORT_MIGRATIONS = False  # would query the database at every process start

PORTAL_NAME = _("Hunan Trade Secret Protection Portal")
