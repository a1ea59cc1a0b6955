"""Production: secrets and hosts must come from the environment; HTTPS only.

Behind a reverse proxy that ends TLS (nginx …), the proxy must set `X-Forwarded-Proto: https`
(and overwrite whatever the client sent): `SECURE_PROXY_SSL_HEADER` below trusts it, so Django
knows the request was secure (secure cookies, no redirect loop, HSTS). Without such a proxy,
set MINXIN_BEHIND_PROXY=0. The client's address for the rate limits and the lockout comes from
RATELIMIT_IP_META_KEY (e.g. HTTP_X_REAL_IP, also set by the proxy). See docs/security.md."""

import os

from .base import *  # noqa: F403
from .base import env_bool

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
if env_bool("MINXIN_BEHIND_PROXY", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS: a year, subdomains included (MINXIN_HSTS_SECONDS=0 while trying HTTPS out).
SECURE_HSTS_SECONDS = int(os.environ.get("MINXIN_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("MINXIN_HSTS_INCLUDE_SUBDOMAINS", True)
# "preload" in the header only allows submitting the domain to the browsers' preload list.
SECURE_HSTS_PRELOAD = env_bool("MINXIN_HSTS_PRELOAD", True)
MINXIN_2FA_REQUIRED = env_bool("MINXIN_2FA_REQUIRED", True)
STORAGES = {
    "default": MEDIA_STORAGE,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# One JSON object a line on the standard error (journald keeps it), personal data masked.
# MINXIN_LOG_FORMAT=plain for readable lines while debugging.
LOGGING["handlers"]["console"]["formatter"] = (  # noqa: F405
    "plain" if os.environ.get("MINXIN_LOG_FORMAT") == "plain" else "json"
)
LOGGING["loggers"]["minxin.request"]["level"] = os.environ.get(  # noqa: F405
    "MINXIN_REQUEST_LOG_LEVEL", "INFO"
)
# Probes and the scraper speak plain HTTP to gunicorn on the loopback (docs/deploy.md).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
