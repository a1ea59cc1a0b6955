"""Writing the audit log: one row per event, never changed afterwards."""

import ipaddress
from typing import Any

from django.http import HttpRequest

from minxin.accounts.lockout import client_ip
from minxin.accounts.models import User

from .models import AuditEvent, AuditKind


def audit_record(
    *,
    kind: AuditKind | str,
    actor: Any = None,
    request: HttpRequest | None = None,
    username: str = "",
    target: str = "",
    summary: str = "",
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one event. `actor` is the member of staff acting (None for a failed login or a
    citizen); `username` defaults to the actor's. The address comes from the request."""
    user = actor if isinstance(actor, User) and actor.pk else None
    return AuditEvent.objects.create(
        kind=AuditKind(kind),
        actor=user,
        username=(username or (user.username if user else ""))[:150],
        ip_address=_address(request),
        target=target[:200],
        summary=summary[:500],
        payload=payload or {},
    )


def _address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None
