"""Settings shared by every environment; everything that differs comes from the environment."""

import json
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
# .localhost: the demo's other district answers under a2.localhost (a browser sends every
# *.localhost name to this machine).
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,.localhost").split(",")
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
    "django_rq",
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
    "minxin.citylink",
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
    "minxin.review",
    "minxin.metrics",
    "minxin.intake",
    "minxin.feedback",
    "minxin.open311",
    "minxin.suggestions",
    "minxin.visits",
    "minxin.imports",
    "minxin.cti",
    "minxin.board",
    "minxin.citizen",
    "minxin.selection",
    "minxin.consultation",
    "minxin.deliberation",
    "minxin.panels",
    "minxin.knowledge",
    "minxin.exemptions",
    "minxin.demo",
]

MIDDLEWARE = [
    # Every request counted, timed and logged in one line (docs/deploy.md, "Metrics").
    "minxin.core.observability.RequestMetricsMiddleware",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: the web's queries are short, and compiling one (a second and more on a busy
    # machine, measured on the search lists) costs more than it ever saves them.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# Reporting reads (dashboards, scorecards, exports, the transparency page) go to a streaming
# replica when MINXIN_REPLICA_URL names one (minxin/core/replica.py): while it answers and lags
# less than MINXIN_REPLICA_MAX_LAG_SECONDS; otherwise they stay on the primary. docs/deploy.md.
MINXIN_REPLICA_URL = os.environ.get("MINXIN_REPLICA_URL", "")
MINXIN_REPLICA_MAX_LAG_SECONDS = float(os.environ.get("MINXIN_REPLICA_MAX_LAG_SECONDS", "30"))
# How long a process trusts its last look at the replica (up, lag) before looking again.
MINXIN_REPLICA_CHECK_SECONDS = float(os.environ.get("MINXIN_REPLICA_CHECK_SECONDS", "5"))
if MINXIN_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        MINXIN_REPLICA_URL,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    # A replica refuses writes; a short connect timeout so a dead one costs little.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    DATABASES["replica"]["OPTIONS"].setdefault("options", "-c jit=off")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["minxin.core.replica.ReportingRouter"]

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
# Database sessions; a database out of reach while saving one is a 500, not a 400.
SESSION_ENGINE = "minxin.core.session_store"

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
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "minxin_cache"}
}
# Sessions live in the database (Django's default engine): a web process keeps nothing of its
# own, so any number of them serve behind one proxy (docs/deploy.md, "Stateless web tier").

# Uploaded files (citizens' photos, scans, exports, imports): on the local disk under
# MINXIN_VAR_DIR by default; MINXIN_MEDIA_STORAGE=s3 keeps them in an S3-compatible bucket
# (django-storages), so web and worker machines share them. Never public: the views that
# check who asks stream them (`FileResponse` of `storage.open`), the bucket stays private.


def media_storage(environ: Mapping[str, str]) -> dict[str, Any]:
    """The storage of uploaded files, from MINXIN_MEDIA_STORAGE and the MINXIN_S3_* variables."""
    if environ.get("MINXIN_MEDIA_STORAGE", "local") != "s3":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": environ.get("MINXIN_S3_BUCKET", ""),
            "endpoint_url": environ.get("MINXIN_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("MINXIN_S3_REGION") or None,
            "access_key": environ.get("MINXIN_S3_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("MINXIN_S3_SECRET_ACCESS_KEY") or None,
            "location": environ.get("MINXIN_S3_PREFIX", ""),
            # Private objects; links, if a view ever gives one, signed and short-lived.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "addressing_style": environ.get("MINXIN_S3_ADDRESSING_STYLE", "path"),
        },
    }


MEDIA_STORAGE = media_storage(os.environ)
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Content-Security-Policy: scripts and stylesheets only from this site, no inline script (what
# pages did in onclick= is in static/js/minxin.js), no <style> element (htmx's indicator styles
# are in minxin.css), no style= attribute (layouts are classes; bars' widths are data-bar
# attributes drawn by minxin.js through the style object, which the policy allows).


def tile_origin(template: str) -> str:
    """The origin the map's tile images come from, for img-src: "" for none or a path on this
    site; a {s} subdomain template as the wildcard CSP allows (https://*.tiles.example)."""
    parts = urlsplit(template.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    host = parts.netloc.replace("{s}", "*")
    return f"{parts.scheme}://{host}"


_TILE_ORIGIN = tile_origin(os.environ.get("MINXIN_MAP_TILE_URL", ""))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
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
# 考核申诉: a unit asks that a dissatisfied rating or an overdue be left out of its scores
# within this many working days of the rating or of the missed deadline (docs/metrics.md).
MINXIN_EXEMPTION_REQUEST_WORKING_DAYS = int(
    os.environ.get("MINXIN_EXEMPTION_REQUEST_WORKING_DAYS", "5")
)
# Region boundaries (GeoJSON) imported in the admin: the file's limit, and the tolerance in
# degrees (~20 m) the maps' outlines are simplified with.
MINXIN_GEOJSON_MAX_BYTES = int(os.environ.get("MINXIN_GEOJSON_MAX_BYTES", 20 * 1024 * 1024))
MINXIN_GEOJSON_SIMPLIFY_TOLERANCE = float(
    os.environ.get("MINXIN_GEOJSON_SIMPLIFY_TOLERANCE", "0.0002")
)
# Maps are drawn offline from the boundaries; where a tile server exists, its URL template
# (https://tiles.example/{z}/{x}/{y}.png) is handed to the map pages (docs/map.md).
MINXIN_MAP_TILE_URL = os.environ.get("MINXIN_MAP_TILE_URL", "")

# Background work: the database backend (`minxin db_worker`), the embedded default; with
# MINXIN_TASK_BACKEND=rq it goes on Redis (django-tasks-rq, REDIS_URL), run by any number of
# `minxin rqworker --job-class django_tasks_rq.Job --worker-class rq.SimpleWorker
# --with-scheduler default` (docs/deploy.md; deploy/systemd/minxin-rqworker@.service).
MINXIN_TASK_BACKEND = os.environ.get("MINXIN_TASK_BACKEND", "database")
# The Redis queues (MINXIN_RQ_QUEUES, comma-separated; tasks name theirs, "default" otherwise).
MINXIN_RQ_QUEUES = [q for q in os.environ.get("MINXIN_RQ_QUEUES", "default").split(",") if q]
RQ_QUEUES = {q: {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"} for q in MINXIN_RQ_QUEUES}
TASKS = {
    "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": MINXIN_RQ_QUEUES}
    if MINXIN_TASK_BACKEND == "rq"
    else {"BACKEND": "django_tasks_db.DatabaseBackend"}
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
    "minxin.cases.tasks.sweep_peer_outbox_task",
    "minxin.cases.tasks.sweep_appeal_sms_task",
    "minxin.triage.tasks.sweep_untriaged_appeals_task",
    "minxin.audit.tasks.prune_audit_log_task",
    "minxin.triage.tasks.train_model_version_task",
]

# The safety nets of intake's background work (triage, the receipt SMS): a run lost with a
# crashed worker or database (an enqueue lost after the commit, a task the killed worker was
# running) is queued again by a sweep every MINXIN_TASK_SWEEP_EVERY_SECONDS, once the work is
# MINXIN_TASK_SWEEP_AFTER_SECONDS late and no run of it is waiting.
MINXIN_TASK_SWEEP_EVERY_SECONDS = float(os.environ.get("MINXIN_TASK_SWEEP_EVERY_SECONDS", "60"))
MINXIN_TASK_SWEEP_AFTER_SECONDS = float(os.environ.get("MINXIN_TASK_SWEEP_AFTER_SECONDS", "300"))

# The city link (docs/citylink.md): the api_keys this platform sends to its peers, by the peer's
# key name, as a JSON object in the environment (a secret, never in the database), and how the
# outbox retries a peer that is down (BACKOFF_SECONDS, twice that…, at most BACKOFF_MAX_SECONDS).
MINXIN_CITYLINK_KEYS: dict[str, str] = json.loads(os.environ.get("MINXIN_CITYLINK_KEYS") or "{}")
MINXIN_CITYLINK = {
    "BACKOFF_SECONDS": float(os.environ.get("MINXIN_CITYLINK_BACKOFF_SECONDS", "30")),
    "BACKOFF_MAX_SECONDS": float(os.environ.get("MINXIN_CITYLINK_BACKOFF_MAX_SECONDS", "3600")),
    "TIMEOUT_SECONDS": float(os.environ.get("MINXIN_CITYLINK_TIMEOUT_SECONDS", "10")),
}

# Citizen SMS (docs/sms.md): the backend (the logging one by default; Alibaba Cloud's is
# "minxin.notify.aliyun.AliyunSmsBackend"), its credentials from the environment, and how a
# transient failure is retried by the worker (ATTEMPTS tries, waiting BACKOFF_SECONDS, then
# twice that…).
MINXIN_SMS_BACKEND = os.environ.get("MINXIN_SMS_BACKEND", "minxin.notify.sms.LoggingSmsBackend")
MINXIN_SMS = {
    "ATTEMPTS": int(os.environ.get("MINXIN_SMS_ATTEMPTS", "3")),
    "BACKOFF_SECONDS": float(os.environ.get("MINXIN_SMS_BACKOFF_SECONDS", "2")),
}
MINXIN_SMS_ALIYUN = {
    "ACCESS_KEY_ID": os.environ.get("MINXIN_SMS_ALIYUN_ACCESS_KEY_ID", ""),
    "ACCESS_KEY_SECRET": os.environ.get("MINXIN_SMS_ALIYUN_ACCESS_KEY_SECRET", ""),
    "SIGN_NAME": os.environ.get("MINXIN_SMS_ALIYUN_SIGN_NAME", ""),
    "ENDPOINT": os.environ.get("MINXIN_SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
    "REGION_ID": os.environ.get("MINXIN_SMS_ALIYUN_REGION_ID", "cn-hangzhou"),
}

RATELIMIT_VIEW = "minxin.core.views.ratelimited"
# Wrong query codes for one tracking number (from any address) before its tracking form
# refuses it for the rest of the period: a query code cannot be guessed.
MINXIN_QUERY_CODE_FAILURES = os.environ.get("MINXIN_QUERY_CODE_FAILURES", "5/h")
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
# Behind a reverse proxy, the client address comes from a header the proxy sets.
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or None
# The public participation pages' reads per address and hour, all pages together (core/pages.py).
MINXIN_PUBLIC_READ_RATE = os.environ.get("MINXIN_PUBLIC_READ_RATE", "600/h")
# django-ratelimit warns that the database cache is not atomic; accepted for the embedded demo.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", "django_ratelimit.E003"]

# The loop's tunables (all overridable from the environment).
MINXIN: dict[str, Any] = {
    # Unrated appeals are archived this many days after the reply.
    "ARCHIVE_UNRATED_AFTER_DAYS": int(os.environ.get("MINXIN_ARCHIVE_UNRATED_AFTER_DAYS", "7")),
    # The share (%) of released replies that no dissatisfied rating calls for, called back all
    # the same (回访抽样).
    "REVISIT_SAMPLE_PERCENT": int(os.environ.get("MINXIN_REVISIT_SAMPLE_PERCENT", "20")),
    # Working hours of a working day, as (start, end) in local time.
    "WORKING_HOURS": [("09:00", "12:00"), ("13:30", "18:00")],
    # Share of a deadline used before a queue flags it as near (the yellow flag).
    "NEAR_DEADLINE_SHARE": float(os.environ.get("MINXIN_NEAR_DEADLINE_SHARE", "0.75")),
    "DISTRICT_NAME": os.environ.get("MINXIN_DISTRICT_NAME", "A市A3区"),
    # Units ranked on the scorecards only with at least this many appeals dispatched to them
    # in the period (a unit with 3 appeals was ranked #1 at 100.00); the others are listed.
    "SCORE_MIN_APPEALS": int(os.environ.get("MINXIN_SCORE_MIN_APPEALS", "10")),
    # Open311 (docs/open311.md): the jurisdiction_id clients send (the district's domain in
    # production), the channels whose appeals GET requests publishes, the rate limits.
    "OPEN311_JURISDICTION_ID": os.environ.get("MINXIN_OPEN311_JURISDICTION_ID", ""),
    "OPEN311_PUBLISHED_CHANNELS": ["api"],
    "OPEN311_KEY_RATE": "60/m",
    "OPEN311_IP_RATE": "300/m",
    "OPEN311_BAD_KEY_RATE": "20/m",
    # The telephone exchanges' hook (docs/cti.md): per address, per exchange, wrong tokens.
    "CTI_IP_RATE": "1200/m",
    "CTI_PBX_RATE": "600/m",
    "CTI_BAD_TOKEN_RATE": "20/m",  # a rate, not a password  # nosec B105
}

# Logs go to the standard error: plain lines by default, one JSON object a line with
# MINXIN_LOG_FORMAT=json (production; minxin/core/logs.py masks personal data in every line).
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "minxin.core.logs.JsonFormatter"},
    },
    # MINXIN_TASK_LOG_LEVEL=WARNING (make demo): no line per background task run, its
    # failures still shown.
    "filters": {
        "tasks": {
            "()": "minxin.core.logs.QuietTasks",
            "level": os.environ.get("MINXIN_TASK_LOG_LEVEL", "INFO"),
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("MINXIN_LOG_FORMAT") == "json" else "plain",
            "filters": ["tasks"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request lines would carry query strings; we log our own events instead.
        "django.server": {"level": "WARNING"},
        # One line a request (core/observability.py): INFO in production, quiet elsewhere.
        "minxin.request": {"level": os.environ.get("MINXIN_REQUEST_LOG_LEVEL", "WARNING")},
    },
}

# /metrics (Prometheus): answered only to a request bearing this token
# (`Authorization: Bearer …`); unset, the endpoint answers 404. The proxy also keeps it to the
# monitoring network (deploy/nginx/minxin.conf).
MINXIN_METRICS_TOKEN = os.environ.get("MINXIN_METRICS_TOKEN", "")
