"""The demo: SQLite under var/, DEBUG on unless said otherwise."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The demo's logins print passwords only: the second factor is offered, not required (set
# MINXIN_2FA_REQUIRED=1 to try the requirement; production requires it by default).
MINXIN_2FA_REQUIRED = env_bool("MINXIN_2FA_REQUIRED", False)
