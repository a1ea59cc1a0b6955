"""Settings shared by every environment; everything that differs comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("MINXIN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "minxin.core",
    "minxin.accounts",
    "minxin.directory",
    "minxin.deadlines",
    "minxin.machine",
    "minxin.audit",
    "minxin.cases",
    "minxin.dispatch",
    "minxin.triage",
    "minxin.notify",
    "minxin.supervision",
    "minxin.projects",
    "minxin.proactive",
    "minxin.issuelists",
    "minxin.taskforces",
    "minxin.jointhandling",
    "minxin.metrics",
    "minxin.intake",
    "minxin.feedback",
    "minxin.open311",
    "minxin.suggestions",
    "minxin.visits",
    "minxin.imports",
    "minxin.board",
    "minxin.citizen",
    "minxin.selection",
    "minxin.consultation",
    "minxin.deliberation",
    "minxin.panels",
    "minxin.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy (django-csp), below.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session limits, then the second factor (docs/security.md); the
    # session says where it stands, so django-otp's middleware (a query per request) is not used.
    "minxin.accounts.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Turns a blocked @ratelimit into settings.RATELIMIT_VIEW (a 429 page).
    "django_ratelimit.middleware.RatelimitMiddleware",
    "minxin.core.middleware.MinxinErrorMiddleware",
    # Last: turns a locked-out login into the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "minxin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minxin.accounts.context_processors.staff_nav",
            ],
        },
    },
]

# SQLite under var/ by default so the demo needs nothing installed; DATABASE_URL for PostgreSQL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'minxin.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A kept connection is checked before reuse: after a database restart the first
        # request reconnects instead of failing on a dead socket.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# django-axes counts failed logins first, then the usual model backend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Passwords: at least 10 characters, not like the username or other attributes, not a common
# password, not all digits, and not containing the username.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name", "email", "phone")},
    },
    {
        "NAME": "minxin.accounts.passwords.LengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "minxin.accounts.passwords.UsernameInPasswordValidator"},
]

# Lockout (django-axes): after AXES_FAILURE_LIMIT failed logins, the account and the address
# are each locked for the cool-off time; an admin unlocks earlier (用户 → 解除登录锁定, or
# 登录失败记录 in the admin). Counted in the database, shared by every process.
AXES_FAILURE_LIMIT = int(os.environ.get("MINXIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("MINXIN_LOGIN_LOCKOUT_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "minxin.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "minxin.accounts.lockout.client_ip"
AXES_VERBOSE = False
# The usernames typed are kept in AccessAttempt for the unlock screen, not in the log.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]

# Sessions of staff: logged out after MINXIN_SESSION_IDLE_MINUTES without a request and
# MINXIN_SESSION_MAX_HOURS after the login whatever happens; the cookie dies with the browser.
# A password change ends every other session of the account (Django's session hash).
MINXIN_SESSION_IDLE_MINUTES = int(os.environ.get("MINXIN_SESSION_IDLE_MINUTES", "30"))
MINXIN_SESSION_MAX_HOURS = int(os.environ.get("MINXIN_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = MINXIN_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Two-factor login (TOTP with recovery codes, django-otp): required of the roles below when
# MINXIN_2FA_REQUIRED is on (the default; the demo's dev settings turn it off), available to
# everyone from 账号安全.
MINXIN_2FA_REQUIRED = env_bool("MINXIN_2FA_REQUIRED", True)
MINXIN_2FA_ROLES = ["admin", "supervisor", "leader"]
OTP_TOTP_ISSUER = "民心 minxin"
# Audit log (minxin/audit): kept this many days at least (never fewer than 180).
MINXIN_AUDIT_RETENTION_DAYS = max(180, int(os.environ.get("MINXIN_AUDIT_RETENTION_DAYS", "365")))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "minxin" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

# Rate limits count in the cache: Redis in production (REDIS_URL), the database otherwise
# (shared by every process of the demo, though its increments are not atomic).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "minxin_cache"}
}

# Content-Security-Policy: scripts and stylesheets only from this site, no inline script (what
# pages did in onclick= is in static/js/minxin.js), no <style> element (htmx's indicator styles
# are in minxin.css). Left: style= attributes (progress bars' widths and a few layouts in
# templates; ECharts' tooltips) through style-src-attr, until they become classes.
_TILE_ORIGIN = "/".join(os.environ.get("MINXIN_MAP_TILE_URL", "").split("/")[:3])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Uploads: a photo is at most 5 MB, a form at most 6 photos.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 40 * 1024 * 1024
MINXIN_PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Pixels, not bytes: a small PNG can decode to gigabytes (a decompression bomb).
MINXIN_PHOTO_MAX_PIXELS = 50_000_000
MINXIN_PHOTO_MAX_COUNT = 6
# Region boundaries (GeoJSON) imported in the admin: the file's limit, and the tolerance in
# degrees (~20 m) the maps' outlines are simplified with.
MINXIN_GEOJSON_MAX_BYTES = int(os.environ.get("MINXIN_GEOJSON_MAX_BYTES", 20 * 1024 * 1024))
MINXIN_GEOJSON_SIMPLIFY_TOLERANCE = float(
    os.environ.get("MINXIN_GEOJSON_SIMPLIFY_TOLERANCE", "0.0002")
)
# Maps are drawn offline from the boundaries; where a tile server exists, its URL template
# (https://tiles.example/{z}/{x}/{y}.png) is handed to the map pages (docs/map.md).
MINXIN_MAP_TILE_URL = os.environ.get("MINXIN_MAP_TILE_URL", "")

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}

# Periodic tasks: each run books the next (django-tasks has no scheduler); `minxin
# schedule_tasks` books the first run of each, once.
MINXIN_PERIODIC_TASKS = [
    "minxin.cases.tasks.archive_unrated_appeals_task",
    "minxin.supervision.tasks.raise_deadline_warnings_task",
    "minxin.supervision.tasks.escalate_supervision_orders_task",
    "minxin.projects.tasks.raise_project_warnings_task",
    "minxin.issuelists.tasks.warn_issue_items_task",
    "minxin.metrics.tasks.apply_metric_changes_task",
    "minxin.metrics.tasks.expire_exports_task",
    "minxin.imports.tasks.fail_stalled_imports_task",
    "minxin.open311.tasks.prune_idempotency_keys_task",
    "minxin.audit.tasks.prune_audit_log_task",
]

RATELIMIT_VIEW = "minxin.core.views.ratelimited"
# Wrong query codes for one tracking number (from any address) before its tracking form
# refuses it for the rest of the period: a query code cannot be guessed.
MINXIN_QUERY_CODE_FAILURES = os.environ.get("MINXIN_QUERY_CODE_FAILURES", "5/h")
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
# Behind a reverse proxy, the client address comes from a header the proxy sets.
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or None
# django-ratelimit warns that the database cache is not atomic; accepted for the embedded demo.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", "django_ratelimit.E003"]

# The loop's tunables (all overridable from the environment).
MINXIN: dict[str, Any] = {
    # Unrated appeals are archived this many days after the reply.
    "ARCHIVE_UNRATED_AFTER_DAYS": int(os.environ.get("MINXIN_ARCHIVE_UNRATED_AFTER_DAYS", "7")),
    # Working hours of a working day, as (start, end) in local time.
    "WORKING_HOURS": [("09:00", "12:00"), ("13:30", "18:00")],
    # Share of a deadline used before a queue flags it as near (the yellow flag).
    "NEAR_DEADLINE_SHARE": float(os.environ.get("MINXIN_NEAR_DEADLINE_SHARE", "0.75")),
    "DISTRICT_NAME": os.environ.get("MINXIN_DISTRICT_NAME", "A市A3区"),
    # Open311 (docs/open311.md): the jurisdiction_id clients send (the district's domain in
    # production), the channels whose appeals GET requests publishes, the rate limits.
    "OPEN311_JURISDICTION_ID": os.environ.get("MINXIN_OPEN311_JURISDICTION_ID", ""),
    "OPEN311_PUBLISHED_CHANNELS": ["api"],
    "OPEN311_KEY_RATE": "60/m",
    "OPEN311_IP_RATE": "300/m",
    "OPEN311_BAD_KEY_RATE": "20/m",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request lines would carry query strings; we log our own events instead.
        "django.server": {"level": "WARNING"},
    },
}
