"""Reading the audit log: filtered, newest first, for those who may read it."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, QuerySet

from minxin.accounts.models import User
from minxin.core.errors import NotFound
from minxin.core.queries import filtered
from minxin.deadlines.calendar import day_start

from .models import AuditEvent
from .permissions import may_read_audit


@dataclass(frozen=True)
class AuditFilters:
    kind: str = ""
    username: str = ""
    text: str = ""
    since: date | None = None
    until: date | None = None


def audit_list_for(*, user: User, filters: AuditFilters) -> QuerySet[AuditEvent]:
    if not may_read_audit(user):
        raise NotFound("本页面仅供督查室和管理员使用")
    rows = AuditEvent.objects.select_related("actor")
    rows = filtered(rows, kind=filters.kind, username=filters.username)
    if filters.text:
        rows = rows.filter(
            Q(summary__icontains=filters.text)
            | Q(target__icontains=filters.text)
            | Q(username__icontains=filters.text)
        )
    if filters.since:
        rows = rows.filter(created_at__gte=day_start(filters.since))
    if filters.until:
        rows = rows.filter(created_at__lt=day_start(filters.until + timedelta(days=1)))
    return rows.order_by("-created_at", "-id")
