"""Supervision orders (督办单): issue, answer, escalate, each through the orders' machine
(`machine.ORDERS`): one SupervisionOrderEvent per step (the order's own history; the appeal's
table is untouched), and a notification through notify."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.accounts.selectors import unit_handlers
from minxin.cases.photos import photos_validate
from minxin.cases.selectors import appeal_scope_for
from minxin.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from minxin.core.models import photos_save
from minxin.core.text import line_clean
from minxin.directory.models import Unit
from minxin.directory.selectors import serving
from minxin.machine.engine import Change
from minxin.notify.services import notifications_send

from .machine import MISSING, ORDERS
from .models import Escalation, LeaderCase, SupervisionOrder, SupervisionOrderPhoto
from .permissions import takes_charge
from .selectors import order_leaders
from .workflow import OrderAction, OrderStatus

# An order still unanswered this long after the unit head was told goes to the leaders.
DEFAULT_LEADER_AFTER_HOURS = 24


def _subject(order: SupervisionOrder) -> str:
    about = order.appeal.tracking_number if order.appeal else order.about
    return f"督办单{order.pk}" + (f"（{about}）" if about else "")


def _link(order: SupervisionOrder) -> str:
    if order.appeal_id:
        return reverse("cases:appeal_detail", args=[order.appeal_id])
    return order.about_link


# Not durable: a caller may issue orders inside its own write (a task force meeting's decisions
# are its orders, recorded in one transaction with the meeting).
@transaction.atomic
def supervision_order_issue(
    *,
    actor: User,
    content: str,
    due_at: datetime,
    appeal_id: int | None = None,
    unit_id: int | None = None,
    about: str = "",
    about_link: str = "",
) -> SupervisionOrder:
    """On one appeal (its lead unit answers unless `unit_id` says otherwise), on a unit, or on
    something another app names (`about`, with its page's path: a livelihood project)."""
    who = Actor.of(actor)
    ORDERS.may_create(action=OrderAction.ISSUE, actor=who)
    content = content.strip()
    if not content:
        raise ValidationFailed("请填写督办事项")
    if due_at <= timezone.now():
        raise ValidationFailed("答复期限应晚于当前时间")
    appeal = None
    district = actor.jurisdiction_scope
    if appeal_id is not None:
        # Only an appeal of the issuer's district (any for the city's): another is missing.
        appeal = appeal_scope_for(user=actor).filter(pk=appeal_id).first()
        if appeal is None:
            raise NotFound
        unit_id = unit_id or appeal.lead_unit_id
    if unit_id is None:
        raise ValidationFailed("请选择督办单位")
    if not Unit.objects.filter(serving(district), pk=unit_id).exists():
        raise ValidationFailed("请选择有效的督办单位")
    order = SupervisionOrder.objects.create(
        appeal=appeal,
        unit_id=unit_id,
        content=content,
        due_at=due_at,
        issued_by=actor,
        about=about[:200],
        about_link=about_link if about_link.startswith("/") and about_link[1:2] != "/" else "",
    )
    ORDERS.created(order, action=OrderAction.ISSUE, actor=who, at=order.issued_at)
    notifications_send(
        recipients=unit_handlers([unit_id]),
        title=f"【督办】{_subject(order)} 请按期答复",
        body=f"答复期限 {timezone.localtime(due_at):%Y-%m-%d %H:%M}",
        link=_link(order),
        kind="supervision_order",
    )
    return order


@transaction.atomic(durable=True)
def supervision_order_answer(
    *,
    actor: User,
    order_id: int,
    answer: str,
    photos: Sequence[UploadedFile[bytes]] = (),
) -> SupervisionOrder:
    """The unit's answer, with photos of what was done (checked like the citizens'); only a
    handler of that unit, only once."""
    who = Actor.of(actor)
    checked = photos_validate(photos)  # decoded before the row is locked
    try:
        order = ORDERS.lock(
            pk=order_id, action=OrderAction.ANSWER, actor=who, expected_version=None
        )
    except PermissionDenied:
        raise NotFound(MISSING) from None  # another unit's order is as good as missing
    except IllegalTransition:
        raise ValidationFailed("该督办单已答复") from None
    now = timezone.now()
    answer = ORDERS.reason_clean(OrderAction.ANSWER, answer)
    change = Change({"answer": answer, "answered_by": actor, "answered_at": now})
    order = ORDERS.apply(
        order, action=OrderAction.ANSWER, actor=who, reason=answer, change=change, at=now
    ).subject
    photos_save(SupervisionOrderPhoto, checked, order=order, created_at=now)
    notifications_send(
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
    to_leaders = target == Escalation.LEADER
    action = OrderAction.ESCALATE_LEADER if to_leaders else OrderAction.ESCALATE_UNIT_HEAD
    system = Actor.system()
    try:
        order = ORDERS.lock(pk=order_id, action=action, actor=system, expected_version=None)
    except IllegalTransition:
        return 0  # answered meanwhile
    if order.escalation != current:
        return 0  # another run took this step
    ORDERS.apply(order, action=action, actor=system, change=Change({"escalation": target}), at=now)
    recipients = list(
        User.objects.filter(role=Role.LEADER)
        if to_leaders
        else User.objects.filter(unit_id=order.unit_id, is_unit_head=True)
    )
    # The leaders in charge of what it is about (a led appeal, an item's instruction) hear of
    # the first step, not only of the second that goes to every leader.
    recipients += order_leaders(order)
    notifications_send(
        recipients=recipients,
        title=f"【督办逾期】{_subject(order)} 逾期未答复",
        body=f"答复期限 {timezone.localtime(order.due_at):%Y-%m-%d %H:%M}",
        link=_link(order),
        kind="supervision_escalation",
    )
    return 1


@transaction.atomic(durable=True)
def appeal_take_charge(
    *, actor: User, appeal_id: int, note: str = "", at: datetime | None = None
) -> LeaderCase:
    """领导包案: a leader takes charge of an appeal; its lead unit is told. Once per leader."""
    if not takes_charge(actor):
        raise PermissionDenied("只有区领导可以包案")
    appeal = appeal_scope_for(user=actor).select_for_update().filter(pk=appeal_id).first()
    if appeal is None:  # missing, or another district's
        raise NotFound
    if LeaderCase.objects.filter(appeal=appeal, leader=actor).exists():
        raise ValidationFailed("您已包案该诉求")
    note = line_clean(note, label="包案说明", max_length=500, required=False)
    case = LeaderCase.objects.create(
        appeal=appeal, leader=actor, note=note, taken_at=at or timezone.now()
    )
    if appeal.lead_unit_id:
        notifications_send(
            recipients=unit_handlers([appeal.lead_unit_id]),
            title=f"【领导包案】{appeal.tracking_number} 由{actor}包案",
            body=note,
            link=reverse("cases:appeal_detail", args=[appeal.pk]),
            kind="leader_case",
        )
    return case
