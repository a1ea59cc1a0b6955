"""Deadline watch: yellow when a running clock has used most of its time, red when it is past.

Candidates are narrowed in the database (open, not suspended, deadline within a window or
past, not already red for that deadline); the share of working time used is computed in
Python on those only, in batches. Each warning is inserted once (unique per appeal, clock,
level and deadline) and only the rows this run inserted are notified.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.accounts.selectors import unit_handlers
from minxin.cases.models import Appeal
from minxin.cases.workflow import OPEN_STATUSES
from minxin.deadlines import calendar
from minxin.notify.services import notifications_send

from .models import Clock, DeadlineWarning, WarningLevel
from .selectors import leaders_of

BATCH_SIZE = 500
# A clock can only have used its yellow share when its deadline is this close (or past). Far
# wider than any policy's last quarter, so the prefilter never hides a due warning.
DEFAULT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class _ClockSpec:
    clock: Clock
    due_field: str
    label: str
    running: Q


CLOCKS = (
    _ClockSpec(
        Clock.FIRST_CONTACT,
        "first_contact_due",
        "先行联系",
        Q(first_contacted_at__isnull=True, first_contact_due__isnull=False),
    ),
    _ClockSpec(Clock.RESOLVE, "resolve_due", "办结", Q(resolve_due__isnull=False)),
)


def _window() -> timedelta:
    days = settings.MINXIN.get("WARNING_WINDOW_DAYS", DEFAULT_WINDOW_DAYS)
    return timedelta(days=int(days))


def deadline_warnings_raise(*, now: datetime | None = None) -> int:
    """Raise the warnings due at `now`; the number of warnings inserted (and notified)."""
    now = now or timezone.now()
    near = float(settings.MINXIN["NEAR_DEADLINE_SHARE"])
    raised = 0
    for spec in CLOCKS:
        already_red = DeadlineWarning.objects.filter(
            appeal_id=OuterRef("pk"),
            clock=spec.clock,
            level=WarningLevel.RED,
            due=OuterRef(spec.due_field),
        )
        # SUSPENDED is not among OPEN_STATUSES: its clock is stopped.
        candidates = (
            Appeal.objects.filter(
                spec.running,
                status__in=OPEN_STATUSES,
                dispatched_at__isnull=False,
                **{f"{spec.due_field}__lte": now + _window()},
            )
            .filter(~Exists(already_red))
            .order_by("pk")
            .values_list("pk", "dispatched_at", spec.due_field)
        )
        last_pk = 0
        while True:
            batch = list(candidates.filter(pk__gt=last_pk)[:BATCH_SIZE])
            if not batch:
                break
            last_pk = batch[-1][0]
            raised += _raise_batch(spec=spec, rows=batch, now=now, near=near)
    return raised


_LEVELS = {"overdue": WarningLevel.RED, "near": WarningLevel.YELLOW}


def _level(start: datetime, due: datetime, now: datetime, near: float) -> str:
    return _LEVELS.get(calendar.deadline_state(start, due, now, near), "")


@transaction.atomic(durable=True)
def _raise_batch(
    *, spec: _ClockSpec, rows: list[tuple[Any, ...]], now: datetime, near: float
) -> int:
    run = uuid.uuid4()
    warnings = []
    for appeal_id, start, due in rows:
        level = _level(start, due, now, near)
        if level:
            share = calendar.share_used(start, due, now)
            warnings.append(
                DeadlineWarning(
                    appeal_id=appeal_id,
                    clock=spec.clock,
                    level=level,
                    due=due,
                    share_used=round(share, 4),
                    run=run,
                    created_at=now,
                )
            )
    if not warnings:
        return 0
    DeadlineWarning.objects.bulk_create(warnings, ignore_conflicts=True)
    inserted = list(
        DeadlineWarning.objects.filter(run=run)
        .select_related("appeal")
        .order_by("appeal_id", "level")
    )
    _notify(spec=spec, warnings=inserted)
    return len(inserted)


def _notify(*, spec: _ClockSpec, warnings: list[DeadlineWarning]) -> None:
    unit_ids = {w.appeal.lead_unit_id for w in warnings if w.appeal.lead_unit_id}
    handlers: dict[int, list[User]] = {}
    for user in unit_handlers(unit_ids):
        assert user.unit_id is not None
        handlers.setdefault(user.unit_id, []).append(user)
    supervisors = list(User.objects.filter(role=Role.SUPERVISOR, is_active=True))
    # An appeal a leader has taken in charge (领导包案) warns the leader too.
    led = leaders_of({w.appeal_id for w in warnings})
    tz = timezone.get_default_timezone()
    for warning in warnings:
        appeal = warning.appeal
        red = warning.level == WarningLevel.RED
        due = timezone.localtime(warning.due, tz).strftime("%Y-%m-%d %H:%M")
        title = (
            f"【超期】{appeal.tracking_number} {spec.label}已超期"
            if red
            else f"【临期】{appeal.tracking_number} {spec.label}时限将至"
        )
        body = (
            f"诉求 {appeal.tracking_number}《{appeal.title}》的{spec.label}时限为 {due}，"
            f"已用时 {warning.share_used:.0%}。"
        )
        notifications_send(
            recipients=[
                *handlers.get(appeal.lead_unit_id or 0, []),
                *supervisors,
                *led.get(appeal.pk, []),
            ],
            title=title,
            body=body,
            link=reverse("cases:appeal_detail", args=[appeal.pk]),
            kind=f"deadline_{warning.level}",
        )
