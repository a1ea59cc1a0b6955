"""Staff sessions end after idle and absolute limits, and a session whose second factor is due
reaches nothing but the pages to give it (docs/security.md)."""

from collections.abc import Callable
from typing import Final

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve
from django.utils.http import urlencode

from minxin.core.htmx import htmx_made

from .sessions import session_expired
from .twofactor import session_state

# What a session with its second factor still due may open.
SECOND_FACTOR_PAGES: Final = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:otp_verify",
        "accounts:otp_setup",
        "accounts:otp_qr",
        "admin:logout",
        "healthz",
    }
)


class StaffSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        reason = session_expired(request)
        if reason:
            request.minxin_logout_reason = reason  # type: ignore[attr-defined]
            logout(request)
            messages.info(request, reason)
            return _go(request, resolve_url("accounts:login"), login=True)
        state = session_state(request)
        if state != "ok" and _url_name(request) not in SECOND_FACTOR_PAGES:
            target = "accounts:otp_verify" if state == "verify" else "accounts:otp_setup"
            return _go(request, resolve_url(target))
        return self.get_response(request)


def _url_name(request: HttpRequest) -> str:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return ""
    return str(match.view_name)


def _go(request: HttpRequest, url: str, *, login: bool = False) -> HttpResponse:
    """To `url`, coming back to this page afterwards if it was a page (a GET)."""
    back = request.get_full_path() if request.method == "GET" else ""
    if htmx_made(request):
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    if login:
        return redirect_to_login(back or resolve_url("cases:home"), url)
    response = HttpResponse(status=302)
    response["Location"] = f"{url}?{urlencode({'next': back})}" if back else url
    return response
