"""Failed logins and their lockout (django-axes): the client's address as the rate limits see
it, the list of locked accounts and addresses for the admins, and the unlock."""

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone

from minxin.core.signals import security_event

from .models import User


def client_ip(request: HttpRequest) -> str:
    """The address the lockout counts: behind a proxy, the header it sets (the same setting as
    the rate limits, RATELIMIT_IP_META_KEY); otherwise REMOTE_ADDR."""
    key = getattr(settings, "RATELIMIT_IP_META_KEY", None) or "REMOTE_ADDR"
    value = str(request.META.get(key, "") or request.META.get("REMOTE_ADDR", ""))
    return value.split(",")[0].strip()


@dataclass(frozen=True)
class Lock:
    username: str
    ip_address: str
    failures: int
    last_at: datetime


def locks_current() -> list[Lock]:
    """Usernames and addresses at or over the failure limit within the cool-off time."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last_at=Max("attempt_time"))
        .order_by("-last_at")
    )
    return [
        Lock(r["username"] or "", r["ip_address"] or "", r["failures"], r["last_at"])
        for r in rows
        if r["failures"] >= settings.AXES_FAILURE_LIMIT
    ]


def login_unlock(*, actor: User, username: str = "", ip_address: str = "") -> int:
    """Forget the failed logins of `username` (and/or of `ip_address`): the lock is lifted at
    once. Returns how many counters were cleared; the audit log records who lifted it."""
    cleared = 0
    if username:
        cleared += reset(username=username)
    if ip_address:
        cleared += reset(ip=ip_address)
    security_event.send(
        sender=User,
        kind="unlock",
        user=actor,
        username=username,
        detail={"ip_address": ip_address, "cleared": cleared},
    )
    return cleared
