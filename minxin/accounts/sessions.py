"""Staff sessions: when they began and when they were last used (set at login), and the two
limits on them (settings.MINXIN_SESSION_IDLE_MINUTES and MINXIN_SESSION_MAX_HOURS)."""

from typing import Any, Final

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django.utils import timezone

from .twofactor import SECOND_FACTOR_KEY, state_at_login

LOGIN_AT: Final = "minxin_login_at"
SEEN_AT: Final = "minxin_seen_at"
# The last-seen time is written at most this often (a session write per request otherwise).
SEEN_RESOLUTION: Final = 60


def _at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Every login (the login page, the admin's, a test's force_login) starts the clocks and
    says whether the second factor is still due."""
    if request is None or not hasattr(request, "session"):
        return
    now = timezone.now().timestamp()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session[SECOND_FACTOR_KEY] = state_at_login(user)


def connect() -> None:
    user_logged_in.connect(_at_login, dispatch_uid="minxin_session_at_login")


def session_expired(request: HttpRequest) -> str:
    """Why the session has ended ("" if it has not); notes the request's time."""
    session = request.session
    now = timezone.now().timestamp()
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT)
    if not isinstance(login_at, (int, float)) or not isinstance(seen_at, (int, float)):
        session[LOGIN_AT] = session[SEEN_AT] = now
        return ""
    if now - login_at > settings.MINXIN_SESSION_MAX_HOURS * 3600:
        return f"登录已超过 {settings.MINXIN_SESSION_MAX_HOURS} 小时，请重新登录"
    if now - seen_at > settings.MINXIN_SESSION_IDLE_MINUTES * 60:
        return f"超过 {settings.MINXIN_SESSION_IDLE_MINUTES} 分钟未操作，已自动退出，请重新登录"
    if now - seen_at > SEEN_RESOLUTION:
        session[SEEN_AT] = now
    return ""
