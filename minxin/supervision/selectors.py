"""Reads of supervision orders and of an appeal's supervision history, taking the viewer.

Supervisors, leaders and admins see every order; a handler sees only the orders addressed to
their own unit. Missing and out-of-scope orders are the same 404."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db.models import Q, QuerySet
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases import selectors as case_selectors
from minxin.cases.models import Appeal
from minxin.core.discover import app_modules
from minxin.core.errors import NotFound
from minxin.core.queries import filtered

from .models import (
    DeadlineWarning,
    Escalation,
    LeaderCase,
    SupervisionOrder,
    SupervisionOrderEvent,
    SupervisionOrderPhoto,
)
from .permissions import sees_every_order
from .workflow import OrderAction, OrderStatus

# The list's state filter: the stored status plus the two states derived from it.
ORDER_STATES = (
    ("open", "待答复"),
    ("overdue", "已逾期未答复"),
    ("escalated", "已升级"),
    ("answered", "已答复"),
)


def order_scope_for(*, user: User) -> QuerySet[SupervisionOrder]:
    orders = SupervisionOrder.objects.all()
    if sees_every_order(user):
        # A district's office sees the orders to its units and on its appeals.
        district = user.jurisdiction_scope
        if district is None:
            return orders
        return orders.filter(
            Q(unit__jurisdiction_id=district) | Q(appeal__jurisdiction_id=district)
        )
    if user.role == Role.HANDLER and user.unit_id is not None:
        return orders.filter(unit_id=user.unit_id)
    return orders.none()


def _state_q(state: str, now: datetime) -> Q:
    open_ = Q(status=OrderStatus.OPEN)
    return {
        "open": open_,
        "answered": Q(status=OrderStatus.ANSWERED),
        "escalated": open_ & Q(escalation__gt=Escalation.NONE),
        "overdue": open_ & Q(due_at__lt=now),
    }.get(state, Q())


def order_list_for(
    *, user: User, state: str = "", unit_id: int | None = None
) -> QuerySet[SupervisionOrder]:
    """Newest first; callers paginate."""
    orders = order_scope_for(user=user).select_related("unit", "appeal", "issued_by", "answered_by")
    orders = orders.filter(_state_q(state, timezone.now()))
    orders = filtered(orders, unit_id=unit_id)
    return orders.order_by("-issued_at", "-id")


def order_get_for(*, user: User, order_id: int) -> SupervisionOrder:
    order = (
        order_scope_for(user=user)
        .select_related("unit", "appeal", "issued_by", "answered_by")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound("未找到该督办单或无权查看")
    return order


def order_photos(*, order: SupervisionOrder) -> list[SupervisionOrderPhoto]:
    return list(order.photos.order_by("id"))


def order_photo_get(*, order: SupervisionOrder, photo_id: int) -> SupervisionOrderPhoto:
    photo = order.photos.filter(pk=photo_id).first()
    if photo is None:
        raise NotFound("未找到该照片")
    return photo


def order_history(*, order: SupervisionOrder) -> list[SupervisionOrderEvent]:
    return list(order.events.select_related("actor").order_by("created_at", "id"))


@dataclass(frozen=True)
class OrderState:
    code: str  # answered | escalated | overdue | open: a test handle
    label: str
    tone: str  # the badge colour, borrowed from the appeal statuses' badges


def order_state(order: SupervisionOrder, now: datetime | None = None) -> OrderState:
    """What a reader needs to know first: answered, escalated to whom, late, or waiting."""
    now = now or timezone.now()
    if order.status == OrderStatus.ANSWERED:
        return OrderState("answered", "已答复", "s-resolved")
    if order.escalation == Escalation.LEADER:
        return OrderState("escalated", "逾期未答复·已报领导", "s-follow_up")
    if order.escalation == Escalation.UNIT_HEAD:
        return OrderState("escalated", "逾期未答复·已提醒单位负责人", "s-follow_up")
    if order.due_at < now:
        return OrderState("overdue", "已逾期未答复", "s-follow_up")
    return OrderState("open", "待答复", "s-received")


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the appeal's merged timeline: its own event, an order step, a warning, or
    another app's row (drawn by its `template`, given `entry`)."""

    kind: str  # "event" | "order" | "warning", or another app's kind
    at: datetime
    item: Any
    state: OrderState | None = None  # an order's current state, on its "issue" step
    template: str = ""


class TimelineRows(Protocol):
    def __call__(self, *, user: User, appeal: Appeal) -> list[TimelineEntry]: ...


# Same instant: the appeal's own event first, then the order step, the warning, other rows.
_KIND_ORDER = {"event": 0, "order": 1, "warning": 2}


def appeal_supervision_timeline(*, user: User, appeal: Appeal) -> list[TimelineEntry]:
    """The appeal's events merged by time with the order steps the viewer may see (a handler:
    their unit's orders), the deadline warnings, and the rows other apps add through an
    `appeal_timeline.py` giving `entries(*, user, appeal)` (found like the machines: a joint
    visit). The caller has checked that the viewer sees the appeal. Three queries, and the
    other apps' own, whatever the length."""
    entries = [
        TimelineEntry("event", e.created_at, e)
        for e in case_selectors.appeal_timeline(appeal=appeal)
    ]
    orders = order_scope_for(user=user).filter(appeal=appeal)
    steps = SupervisionOrderEvent.objects.filter(order__in=orders).select_related(
        "order", "order__unit", "actor"
    )
    now = timezone.now()
    entries += [
        TimelineEntry(
            "order",
            s.created_at,
            s,
            order_state(s.order, now) if s.action == OrderAction.ISSUE else None,
        )
        for s in steps
    ]
    warnings = DeadlineWarning.objects.filter(appeal=appeal)
    entries += [TimelineEntry("warning", w.created_at, w) for w in warnings]
    for module in app_modules("appeal_timeline"):
        rows: TimelineRows = module.entries
        entries += rows(user=user, appeal=appeal)
    entries.sort(key=lambda e: (e.at, _KIND_ORDER.get(e.kind, 3), e.item.pk))
    return entries


def leaders_of(appeal_ids: set[int]) -> dict[int, list[User]]:
    """The leaders in charge of each of these appeals (those led by someone)."""
    led: dict[int, list[User]] = {}
    for case in LeaderCase.objects.filter(appeal_id__in=appeal_ids).select_related("leader"):
        led.setdefault(case.appeal_id, []).append(case.leader)
    return led


class OrderLeaders(Protocol):
    def __call__(self, *, order: SupervisionOrder) -> list[User]: ...


def order_leaders(order: SupervisionOrder) -> list[User]:
    """The leaders in charge of what an order is about, who hear when it escalates: a led
    appeal's (领导包案), and those another app names through an `order_leaders.py` giving
    `leaders(*, order)` (found like the machines, so supervision imports none of them: an
    issue-list item's leader, for the orders of the item's instructions)."""
    leaders = leaders_of({order.appeal_id}).get(order.appeal_id, []) if order.appeal_id else []
    for module in app_modules("order_leaders"):
        found: OrderLeaders = module.leaders
        leaders += found(order=order)
    return leaders


def leader_cases_of(appeal: Appeal) -> list[LeaderCase]:
    return list(appeal.leader_cases.select_related("leader").order_by("taken_at", "pk"))
