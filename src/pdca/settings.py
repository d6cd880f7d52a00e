"""Django settings for pdca, read from the environment.

Every setting an operator may change is a `PDCA_*` variable (or `DATABASE_URL`); the README
lists them. Production is the default: `PDCA_DEBUG=1` is needed for the relaxed development mode.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
# var/ holds the embedded database, uploaded files and collected static files of one install.
VAR_DIR = Path(os.environ.get("PDCA_VAR_DIR", Path.cwd() / "var")).resolve()

DEBUG = env_bool("PDCA_DEBUG")

SECRET_KEY = os.environ.get("PDCA_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "PDCA_SECRET_KEY must be set (a long random string) unless PDCA_DEBUG=1."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("PDCA_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("PDCA_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "django_filters",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "pdca.core",
    "pdca.accounts",
    "pdca.tenancy",
    "pdca.standards",
    "pdca.system",
    "pdca.risks",
    "pdca.documents",
    "pdca.people",
    "pdca.audits",
    "pdca.improvement",
    "pdca.certification",
    # The standards' own registers load their demo after corrective action's (their
    # demo nonconformities come after the ones the other demos number).
    "pdca.environment",
    "pdca.safety",
    "pdca.food",
    "pdca.continuity",
    "pdca.assessments",
    "pdca.reviews",
    "pdca.engagements",
    "pdca.interop",
    "pdca.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every error under /api/ as application/problem+json, 404 and 405 included.
    "pdca.core.problem_middleware.ProblemResponsesMiddleware",
    "pdca.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pdca.tenancy.middleware.CurrentOrganizationMiddleware",
    "pdca.core.middleware.PreconditionMiddleware",
    # axes last, as its documentation asks: it must see the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pdca.urls"
WSGI_APPLICATION = "pdca.wsgi.application"
ASGI_APPLICATION = "pdca.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pdca.web.context_processors.navigation",
            ],
        },
    },
]

DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'pdca.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two writers never both read
    # the activity-log head before either writes (SQLite has no row locks).
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    # Connections are kept between requests (conn_max_age above): a new SQLite connection
    # parses the whole schema before its first query, some 6 ms, more than a bare request.

# Report jobs (PDFs) read from a replica of PostgreSQL when one is given; every other
# read, and every write, goes to the primary (core/db_routing.py, docs/scaling.md).
if os.environ.get("PDCA_REPLICA_DATABASE_URL", "").strip():
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["PDCA_REPLICA_DATABASE_URL"].strip(), conn_max_age=60
    )
    # Tests run against the primary's test database (the same rows).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["pdca.core.db_routing.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Repeated failed logins lock the account for this address (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("PDCA_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("PDCA_LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# …and the account from every address once it had this many failures from all addresses
# together (guessing spread over many addresses); see accounts/lockout.py.
PDCA_LOGIN_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("PDCA_LOGIN_ACCOUNT_FAILURE_LIMIT", "20"))
AXES_HANDLER = "pdca.accounts.lockout.AccountLockoutHandler"
AXES_USERNAME_FORM_FIELD = "username"
# The address in any case is one account, as at sign-in (see accounts/lockout.py).
AXES_USERNAME_CALLABLE = "pdca.accounts.lockout.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("PDCA_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("PDCA_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("PDCA_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

#: The largest evidence file accepted, in MB.
PDCA_MAX_UPLOAD_MB = int(os.environ.get("PDCA_MAX_UPLOAD_MB", "50"))
# Evidence files are stored as evidence/ab/<sha256>: in a folder by default, or in an
# S3-compatible bucket with PDCA_EVIDENCE_STORAGE=s3 (pip install "pdca[s3]").
if os.environ.get("PDCA_EVIDENCE_STORAGE", "filesystem").strip().lower() == "s3":
    _s3 = {
        "bucket_name": os.environ.get("PDCA_S3_BUCKET", ""),
        "endpoint_url": os.environ.get("PDCA_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("PDCA_S3_REGION") or None,
        "location": os.environ.get("PDCA_S3_PREFIX", ""),
        "default_acl": None,
        "file_overwrite": True,
        "querystring_auth": True,
    }
    # Unset, boto3 finds credentials as usual (AWS_* variables, ~/.aws, an instance role).
    if os.environ.get("PDCA_S3_ACCESS_KEY_ID"):
        _s3["access_key"] = os.environ["PDCA_S3_ACCESS_KEY_ID"]
        _s3["secret_key"] = os.environ.get("PDCA_S3_SECRET_ACCESS_KEY", "")
    STORAGES["evidence"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3}
else:
    STORAGES["evidence"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            # The stored names start with evidence/, so files land in <root>/evidence/ab/….
            "location": str(Path(os.environ.get("PDCA_EVIDENCE_ROOT", VAR_DIR)).resolve()),
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    }

# Job uploads and results (jobs/…) live beside the evidence: in the same folder or bucket, so
# that every machine running web processes or workers reads the same files.
STORAGES["jobs"] = STORAGES["evidence"]

# Slow work runs on the task queue (docs/workers.md): in the database by default, run by
# `pdca worker`; PDCA_TASK_BACKEND=immediate runs each job inside the request that asked for it
# (a single process without workers).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = os.environ.get("PDCA_TASK_BACKEND", "database").strip().lower()
if _task_backend not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"PDCA_TASK_BACKEND must be one of {', '.join(TASK_BACKENDS)}, not {_task_backend!r}."
    )
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS[_task_backend],
        # Reports and imports wait in "default", e-mail in "mail": a slow mail server never
        # holds a report back.
        "QUEUES": ["default", "mail"],
    }
}
#: Finished jobs (and their files) are kept this many days, then cleared by a daily job.
PDCA_JOB_KEEP_DAYS = int(os.environ.get("PDCA_JOB_KEEP_DAYS", "30"))
#: A running job whose worker sent no progress for this many minutes is marked failed.
PDCA_JOB_STALL_MINUTES = int(os.environ.get("PDCA_JOB_STALL_MINUTES", "60"))
#: Daily jobs moved or turned off: "capa_reminders=07:30,prune_jobs=off".
PDCA_SCHEDULES = os.environ.get("PDCA_SCHEDULES", "")

EMAIL_BACKEND = os.environ.get(
    "PDCA_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("PDCA_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("PDCA_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("PDCA_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PDCA_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("PDCA_EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("PDCA_EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("PDCA_DEFAULT_FROM_EMAIL", "pdca <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. In production everything is on; behind a TLS-terminating proxy set
# PDCA_SECURE_PROXY_SSL_HEADER=1 so Django trusts X-Forwarded-Proto.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("PDCA_SESSION_AGE_SECONDS", str(60 * 60 * 12)))
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("PDCA_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("PDCA_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PDCA_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("PDCA_HSTS_PRELOAD", True)
    # Off only for plain-HTTP test setups on one machine (scripts/cluster.py): browsers
    # would otherwise not send the cookies back over http://127.0.0.1.
    SESSION_COOKIE_SECURE = env_bool("PDCA_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    if env_bool("PDCA_SECURE_PROXY_SSL_HEADER"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz must answer plain HTTP probes from a load balancer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PDCA_LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every step of every PDF at INFO.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# pdca's own settings.
PDCA_API_TOKEN_DEFAULT_DAYS = int(os.environ.get("PDCA_API_TOKEN_DEFAULT_DAYS", "90"))
PDCA_PAGE_SIZE = int(os.environ.get("PDCA_PAGE_SIZE", "50"))
#: The address people reach pdca at, for links in e-mails.
PDCA_BASE_URL = os.environ.get("PDCA_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
#: Public certificate verification (/verify/, /api/v1/verify/): requests a minute per client
#: address; 0 turns the limit off. Counted in Django's cache (see PDCA_CACHE_URL).
PDCA_VERIFY_RATE_LIMIT = int(os.environ.get("PDCA_VERIFY_RATE_LIMIT", "60"))
#: The header a trusted reverse proxy puts the client's address in (e.g. X-Forwarded-For, whose
#: last value is taken); empty: the address of the connection (REMOTE_ADDR).
PDCA_CLIENT_IP_HEADER = os.environ.get("PDCA_CLIENT_IP_HEADER", "").strip()
# Django's cache is local to each process unless PDCA_CACHE_URL names a shared Redis
# (`redis://host:6379/0`, needs `pip install redis`), so that rate limits hold across processes.
if os.environ.get("PDCA_CACHE_URL", "").strip():
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["PDCA_CACHE_URL"].strip(),
        }
    }
