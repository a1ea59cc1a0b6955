"""Tests: fast hashing, tasks run immediately, SQLite file per worker unless DATABASE_URL."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ALLOWED_HOSTS = ["*"]
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No sampled revisits unless a test asks for them (tests/cases/test_revisits.py sets the share):
# a hash-drawn sample would keep some of the builders' appeals from being archived.
# Builders' districts are small: every unit with a score ranked unless a test asks for a
# minimum (tests/metrics/test_score_minimum.py).
MINXIN = {**MINXIN, "REVISIT_SAMPLE_PERCENT": 0, "SCORE_MIN_APPEALS": 0}  # noqa: F405
