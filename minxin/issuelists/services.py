"""Issue lists (事项清单): a unit's list for the year, its items, and each item's steps through
the items' machine (`machine.ITEMS`) — progress, linked appeals, closing with its evidence and
the check of whether its appeals stopped, a leader's charge and instructions (each one a
supervision order to the unit that must act, tracked and escalated like any), and the warnings
of items near or past their deadline."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.accounts.selectors import unit_handlers
from minxin.cases.selectors import appeal_scope_for
from minxin.cases.volume import VolumeChange, volume_change
from minxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from minxin.core.text import line_clean, text_clean, text_normalise
from minxin.directory.models import Category, Region, Unit
from minxin.machine.engine import Change
from minxin.notify.services import notifications_send
from minxin.supervision.services import supervision_order_issue

from .machine import ITEMS, MISSING
from .models import Difficulty, IssueItem, IssueList, ItemAppeal, Urgency
from .permissions import may_keep_list
from .workflow import LIVE, ItemAction

TITLE_MAX = 200
TEXT_MAX = 3000
LINKS_AT_ONCE = 100
# Warned this many days before the deadline, and again once it has passed.
WARN_DAYS_BEFORE = 7


@dataclass(frozen=True)
class ItemDraft:
    title: str
    goal: str
    deadline: date | None
    responsible: str
    description: str = ""
    urgency: str = Urgency.NORMAL
    difficulty: str = Difficulty.NORMAL
    category_ids: Sequence[int] = field(default_factory=tuple)
    region_ids: Sequence[int] = field(default_factory=tuple)


def _link(item: IssueItem) -> str:
    return reverse("issuelists:item_detail", args=[item.pk])


def issue_list_for(*, actor: User, unit_id: int, year: int) -> IssueList:
    """The unit's list of the year, opened when first needed."""
    if not may_keep_list(actor, unit_id):
        raise PermissionDenied("只能维护本单位的事项清单")
    if not Unit.objects.filter(pk=unit_id, is_active=True).exists():
        raise ValidationFailed("请选择责任单位")
    if not 2000 <= year <= 2100:
        raise ValidationFailed("年度有误")
    issue_list, _ = IssueList.objects.get_or_create(
        unit_id=unit_id, year=year, defaults={"created_by": actor}
    )
    return issue_list


def _clean(draft: ItemDraft, today: date) -> ItemDraft:
    title = line_clean(draft.title, label="事项名称", max_length=TITLE_MAX)
    goal = text_clean(draft.goal, label="工作目标", max_length=TEXT_MAX)
    description = text_clean(
        draft.description, label="情况说明", max_length=TEXT_MAX, required=False
    )
    responsible = line_clean(draft.responsible, label="责任人", max_length=50)
    if draft.deadline is None:
        raise ValidationFailed("请填写完成时限")
    if draft.deadline < today:
        raise ValidationFailed("完成时限不能早于今天")
    if draft.deadline > today + timedelta(days=3 * 366):
        raise ValidationFailed("完成时限不能晚于三年以后，请核对年份")
    if draft.urgency not in Urgency.values or draft.difficulty not in Difficulty.values:
        raise ValidationFailed("急、难分级有误")
    categories = set(draft.category_ids)
    if Category.objects.filter(pk__in=categories).count() != len(categories):
        raise ValidationFailed("所选诉求分类不存在")
    regions = set(draft.region_ids)
    if Region.objects.filter(pk__in=regions).count() != len(regions):
        raise ValidationFailed("所选区域不存在")
    return ItemDraft(
        title=title,
        goal=goal,
        deadline=draft.deadline,
        responsible=responsible,
        description=description,
        urgency=draft.urgency,
        difficulty=draft.difficulty,
        category_ids=sorted(categories),
        region_ids=sorted(regions),
    )


@transaction.atomic(durable=True)
def issue_item_add(
    *, actor: User, unit_id: int, year: int, draft: ItemDraft, at: datetime | None = None
) -> IssueItem:
    """An item onto the unit's list of the year (the list opened if it has none yet)."""
    who = Actor.of(actor)
    ITEMS.may_create(action=ItemAction.CREATE, actor=who)
    now = at or timezone.now()
    draft = _clean(draft, timezone.localdate(now))
    assert draft.deadline is not None  # _clean refused it
    issue_list = issue_list_for(actor=actor, unit_id=unit_id, year=year)
    item = IssueItem.objects.create(
        issue_list=issue_list,
        title=draft.title,
        description=draft.description,
        goal=draft.goal,
        urgency=draft.urgency,
        difficulty=draft.difficulty,
        deadline=draft.deadline,
        responsible=draft.responsible,
        created_by=actor,
        created_at=now,
    )
    item.categories.set(draft.category_ids)
    item.regions.set(draft.region_ids)
    ITEMS.created(item, action=ItemAction.CREATE, actor=who, at=now)
    return item


def item_volume(item: IssueItem, *, now: datetime | None = None) -> VolumeChange:
    """Did its appeals stop coming? The item's categories in its places: the 30 days before it
    was listed, against the last 30 days (or, once closed, the 30 days after closing)."""
    now = now or timezone.now()
    if item.closed_at is not None:
        done: datetime = item.closed_at
    else:  # the latest 30 days, or what has passed since it was listed
        done = max(item.created_at, now - timedelta(days=30))
    return volume_change(
        categories=list(item.categories.all()),
        regions=list(item.regions.all()),
        start=item.created_at,
        done=done,
        now=now,
    )


def _check(item: IssueItem, now: datetime) -> dict[str, object]:
    """The volume check as the event keeps it: what the office saw when it decided."""
    v = item_volume(item, now=now)
    return {
        "before": v.before,
        "after": v.after,
        "observed_days": v.observed_days,
        "elsewhere_before": v.elsewhere_before,
        "elsewhere_after": v.elsewhere_after,
    }


def _lock(actor: User, item_id: int, action: ItemAction, version: int | None) -> IssueItem:
    try:
        return ITEMS.lock(
            pk=item_id, action=action, actor=Actor.of(actor), expected_version=version
        )
    except PermissionDenied:
        unit_id = (
            IssueItem.objects.filter(pk=item_id)
            .values_list("issue_list__unit_id", flat=True)
            .first()
        )
        if actor.role == Role.HANDLER and actor.unit_id != unit_id:
            raise NotFound(MISSING) from None  # another unit's item is as good as missing
        raise


@transaction.atomic(durable=True)
def issue_item_act(
    *,
    actor: User,
    item_id: int,
    action: ItemAction,
    reason: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> IssueItem:
    """Progress, a request to close with its evidence, the office's close or send-back. A
    request and a close record the volume check they were made with."""
    if action not in (
        ItemAction.NOTE,
        ItemAction.REQUEST_CLOSE,
        ItemAction.CLOSE,
        ItemAction.SEND_BACK,
    ):
        raise ValidationFailed("该操作请使用对应的表单")
    item = _lock(actor, item_id, action, expected_version)
    now = at or timezone.now()
    reason = ITEMS.reason_clean(action, reason)
    change = Change()
    if action == ItemAction.REQUEST_CLOSE:
        change = Change({"evidence": reason}, {"check": _check(item, now)})
    elif action == ItemAction.CLOSE:
        change = Change({"closed_at": now}, {"check": _check(item, now)})
    elif action == ItemAction.SEND_BACK:
        change = Change({"evidence": ""})
    who = Actor.of(actor)
    item = ITEMS.apply(item, action=action, actor=who, reason=reason, change=change, at=now).subject
    unit_id = item.issue_list.unit_id
    if action == ItemAction.REQUEST_CLOSE:
        office = User.objects.filter(role=Role.SUPERVISOR, is_active=True)
        _tell(list(office), item, "申请销号，请审核")
    elif action in (ItemAction.CLOSE, ItemAction.SEND_BACK):
        _tell(list(unit_handlers([unit_id])), item, ITEMS.label(action))
    return item


def _tell(recipients: list[User], item: IssueItem, what: str, body: str = "") -> None:
    notifications_send(
        recipients=recipients,
        title=f"【事项清单】{item.title} {what}",
        body=body,
        link=_link(item),
        kind="issue_item",
    )


@transaction.atomic(durable=True)
def issue_item_link(
    *, actor: User, item_id: int, appeal_ids: Sequence[int], at: datetime | None = None
) -> int:
    """Link the appeals the actor may see to the item (those already linked are kept as they
    are); one event names them. The number newly linked."""
    if not appeal_ids:
        raise ValidationFailed("请选择要关联的诉求")
    if len(appeal_ids) > LINKS_AT_ONCE:
        raise ValidationFailed(f"一次最多关联{LINKS_AT_ONCE}件诉求")
    item = _lock(actor, item_id, ItemAction.LINK_APPEAL, None)
    visible = dict(
        appeal_scope_for(user=actor)
        .filter(pk__in=set(appeal_ids))
        .values_list("pk", "tracking_number")
    )
    if len(visible) != len(set(appeal_ids)):
        raise NotFound("未找到所选诉求或无权查看")
    linked = set(item.appeal_links.values_list("appeal_id", flat=True))
    new = sorted(set(visible) - linked)
    if not new:
        raise ValidationFailed("所选诉求已关联到该事项")
    now = at or timezone.now()
    ItemAppeal.objects.bulk_create(
        [ItemAppeal(item=item, appeal_id=pk, linked_by=actor, linked_at=now) for pk in new]
    )
    numbers = [visible[pk] for pk in new]
    ITEMS.apply(
        item,
        action=ItemAction.LINK_APPEAL,
        actor=Actor.of(actor),
        reason="关联诉求 " + "、".join(numbers[:10]) + (" 等" if len(numbers) > 10 else ""),
        change=Change(payload={"appeals": numbers}),
        at=now,
    )
    return len(new)


@transaction.atomic(durable=True)
def issue_item_take_charge(*, actor: User, item_id: int, at: datetime | None = None) -> IssueItem:
    """领导包案: the leader takes the item personally; the unit is told."""
    item = _lock(actor, item_id, ItemAction.TAKE_CHARGE, None)
    if item.leader_id == actor.pk:
        raise ValidationFailed("您已包案该事项")
    item = ITEMS.apply(
        item,
        action=ItemAction.TAKE_CHARGE,
        actor=Actor.of(actor),
        change=Change({"leader": actor}, {"previous_leader": item.leader_id}),
        at=at,
    ).subject
    _tell(list(unit_handlers([item.issue_list.unit_id])), item, f"由{actor}领导包案")
    return item


def issue_item_instruct(
    *,
    actor: User,
    item_id: int,
    instruction: str,
    unit_id: int | None,
    due_at: datetime | None,
    at: datetime | None = None,
) -> IssueItem:
    """领导批示: a supervision order to the unit that must act (the list's unit unless another
    is named) by when — answered, warned and escalated like every order — and the instruction
    on the item's timeline naming that order. Two transactions (the order's service is a
    durable one of its own): the order first, so the timeline never names a missing one."""
    who = Actor.of(actor)
    item = IssueItem.objects.select_related("issue_list").filter(pk=item_id).first()
    if item is None:
        raise NotFound(MISSING)
    refused = ITEMS.refusal(
        action=ItemAction.INSTRUCT,
        actor=who,
        status=item.status,
        lead_unit_id=item.issue_list.unit_id,
    )
    if refused is not None:
        raise PermissionDenied(refused)
    instruction = ITEMS.reason_clean(ItemAction.INSTRUCT, text_normalise(instruction))
    if due_at is None:
        raise ValidationFailed("请填写办理时限")
    unit_id = unit_id or item.issue_list.unit_id
    order = supervision_order_issue(
        actor=actor,
        content=f"领导批示：{instruction}",
        due_at=due_at,
        unit_id=unit_id,
        about=f"事项清单：{item.title}"[:200],
        about_link=_link(item),
    )
    with transaction.atomic(durable=True):
        item = _lock(actor, item_id, ItemAction.INSTRUCT, None)
        payload = {"unit": unit_id, "due_at": due_at.isoformat(), "order": order.pk}
        return ITEMS.apply(
            item,
            action=ItemAction.INSTRUCT,
            actor=who,
            reason=instruction,
            change=Change(payload=payload),
            at=at,
        ).subject


def issue_items_warn(*, now: datetime | None = None) -> int:
    """Items near their deadline (7 days) or past it warn their unit and their leader, once
    per item and level (the event says which was given). The number of warnings."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = IssueItem.objects.filter(
        status__in=LIVE, deadline__lte=today + timedelta(days=WARN_DAYS_BEFORE)
    ).values_list("pk", "deadline")
    done = 0
    for item_id, deadline in due[:1000]:
        level = "overdue" if deadline < today else "near"
        done += _warn(item_id=item_id, level=level, now=now)
    return done


@transaction.atomic(durable=True)
def _warn(*, item_id: int, level: str, now: datetime) -> int:
    system = Actor.system()
    item = ITEMS.lock(pk=item_id, action=ItemAction.WARN, actor=system, expected_version=None)
    if item.events.filter(action=ItemAction.WARN, payload__level=level).exists():
        return 0
    deadline_end = timezone.make_aware(datetime.combine(item.deadline, time(23, 59)))
    text = "已超过完成时限" if level == "overdue" else "临近完成时限"
    ITEMS.apply(
        item,
        action=ItemAction.WARN,
        actor=system,
        reason=f"{text}（{item.deadline:%Y-%m-%d}）",
        change=Change(payload={"level": level, "deadline": deadline_end.isoformat()}),
        at=now,
    )
    recipients = list(unit_handlers([item.issue_list.unit_id]))
    if item.leader is not None:
        recipients.append(item.leader)
    _tell(recipients, item, text)
    return 1
