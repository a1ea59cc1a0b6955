"""Supervision orders (督办单): issue, answer, escalate. Each step writes one
SupervisionOrderEvent (the order's own history; the appeal's transition table is untouched)
and notifies after commit through notify."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal
from minxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from minxin.notify.services import notify

from .models import Escalation, OrderAction, OrderStatus, SupervisionOrder, SupervisionOrderEvent

ISSUERS = frozenset({Role.SUPERVISOR, Role.LEADER})
# An order still unanswered this long after the unit head was told goes to the leaders.
DEFAULT_LEADER_AFTER_HOURS = 24


def _subject(order: SupervisionOrder) -> str:
    return f"督办单{order.pk}" + (f"（{order.appeal.tracking_number}）" if order.appeal else "")


def _link(order: SupervisionOrder) -> str:
    return reverse("cases:appeal_detail", args=[order.appeal_id]) if order.appeal_id else ""


@transaction.atomic(durable=True)
def supervision_order_issue(
    *,
    actor: User,
    content: str,
    due_at: datetime,
    appeal_id: int | None = None,
    unit_id: int | None = None,
) -> SupervisionOrder:
    """On one appeal (its lead unit answers unless `unit_id` says otherwise) or on a unit."""
    if actor.role not in ISSUERS:
        raise PermissionDenied
    content = content.strip()
    if not content:
        raise ValidationFailed("请填写督办事项")
    if due_at <= timezone.now():
        raise ValidationFailed("答复期限应晚于当前时间")
    appeal = None
    if appeal_id is not None:
        appeal = Appeal.objects.filter(pk=appeal_id).first()
        if appeal is None:
            raise NotFound
        unit_id = unit_id or appeal.lead_unit_id
    if unit_id is None:
        raise ValidationFailed("请选择督办单位")
    order = SupervisionOrder.objects.create(
        appeal=appeal, unit_id=unit_id, content=content, due_at=due_at, issued_by=actor
    )
    SupervisionOrderEvent.objects.create(
        order=order, action=OrderAction.ISSUE, actor=actor, created_at=order.issued_at
    )
    notify(
        recipients=User.objects.filter(unit_id=unit_id, role=Role.HANDLER),
        title=f"【督办】{_subject(order)} 请按期答复",
        body=f"答复期限 {timezone.localtime(due_at):%Y-%m-%d %H:%M}",
        link=_link(order),
        kind="supervision_order",
    )
    return order


@transaction.atomic(durable=True)
def supervision_order_answer(*, actor: User, order_id: int, answer: str) -> SupervisionOrder:
    """The unit's answer; only a handler of that unit, only once."""
    order = (
        SupervisionOrder.objects.select_for_update(of=("self",))
        .select_related("appeal")
        .filter(pk=order_id)
        .first()
    )
    if order is None or actor.role != Role.HANDLER or actor.unit_id != order.unit_id:
        raise NotFound("未找到该督办单或无权查看")
    if order.status != OrderStatus.OPEN:
        raise ValidationFailed("该督办单已答复")
    answer = answer.strip()
    if not answer:
        raise ValidationFailed("请填写答复内容")
    now = timezone.now()
    order.status, order.answer, order.answered_by, order.answered_at = (
        OrderStatus.ANSWERED,
        answer,
        actor,
        now,
    )
    order.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    SupervisionOrderEvent.objects.create(
        order=order, action=OrderAction.ANSWER, actor=actor, created_at=now
    )
    notify(
        recipients=[order.issued_by],
        title=f"【督办答复】{_subject(order)} 已答复",
        body="",
        link=_link(order),
        kind="supervision_answer",
    )
    return order


def supervision_orders_escalate(*, now: datetime | None = None) -> int:
    """Unanswered past due → the unit head; still unanswered later → the leaders. Each step
    once per order (a conditional update claims it). The number of escalations made."""
    now = now or timezone.now()
    hours = settings.MINXIN.get("ORDER_LEADER_AFTER_HOURS", DEFAULT_LEADER_AFTER_HOURS)
    steps = (
        (Escalation.NONE, Escalation.UNIT_HEAD, now),
        (Escalation.UNIT_HEAD, Escalation.LEADER, now - timedelta(hours=int(hours))),
    )
    done = 0
    for current, target, due_before in steps:
        ids = list(
            SupervisionOrder.objects.filter(
                status=OrderStatus.OPEN, escalation=current, due_at__lt=due_before
            ).values_list("pk", flat=True)[:500]
        )
        for order_id in ids:
            done += _escalate(order_id=order_id, current=current, target=target, now=now)
    return done


@transaction.atomic(durable=True)
def _escalate(*, order_id: int, current: int, target: Escalation, now: datetime) -> int:
    claimed = SupervisionOrder.objects.filter(
        pk=order_id, status=OrderStatus.OPEN, escalation=current
    ).update(escalation=target)
    if not claimed:
        return 0
    order = SupervisionOrder.objects.select_related("appeal").get(pk=order_id)
    if target == Escalation.UNIT_HEAD:
        action = OrderAction.ESCALATE_UNIT_HEAD
        recipients = User.objects.filter(unit_id=order.unit_id, is_unit_head=True)
    else:
        action = OrderAction.ESCALATE_LEADER
        recipients = User.objects.filter(role=Role.LEADER)
    SupervisionOrderEvent.objects.create(order=order, action=action, actor=None, created_at=now)
    notify(
        recipients=recipients,
        title=f"【督办逾期】{_subject(order)} 逾期未答复",
        body=f"答复期限 {timezone.localtime(order.due_at):%Y-%m-%d %H:%M}",
        link=_link(order),
        kind="supervision_escalation",
    )
    return 1
