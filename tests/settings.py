"""Settings for the test suite: production settings with test-friendly overrides."""

import os
import tempfile

os.environ.setdefault("PDCA_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("PDCA_VAR_DIR", os.path.join(tempfile.gettempdir(), "pdca-test-var"))

from pdca.settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Argon2 is deliberately slow; tests create hundreds of users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "evidence": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "jobs": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
AXES_ENABLED = True
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405  (whitenoise warns about a missing folder)
# Jobs run inside the request that queued them, so tests see their results at once; one
# PostgreSQL test runs real workers (tests/core/jobs/test_workers_postgres.py).
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS[os.environ.get("PDCA_TASK_BACKEND", "immediate")],  # noqa: F405
        "QUEUES": ["default", "mail"],
    }
}
