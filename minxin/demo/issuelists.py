"""The demo's issue lists (事项清单): two departments' lists for the year, each item one of the
matters its appeals raise most (a category in a subdistrict), graded 急/难, in every state —
closed with its evidence, waiting for the office to close it, past its deadline, near it and
taken in charge by a leader who gave an instruction (a supervision order), and just listed —
with the appeals that fall under it linked by the office. Through `issuelists.services`,
back-dated with their `at`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal
from minxin.directory.models import Category, Region, Unit
from minxin.issuelists import services as il
from minxin.issuelists.models import IssueItem
from minxin.issuelists.workflow import ItemAction

from . import district as d

# The two departments whose lists the demo keeps (slugs of district.DEPARTMENTS).
KEEPERS = ("cgzf", "zjj")


@dataclass(frozen=True)
class Plan:
    listed: int  # days ago
    deadline: int  # days from today (negative: past)
    urgency: str
    difficulty: str
    close: str  # "", "request" or "done"
    led: bool = False


PLANS = (
    Plan(80, -20, "urgent", "normal", "done"),
    Plan(60, 10, "normal", "hard", "request"),
    Plan(50, -5, "urgent", "hard", ""),
    Plan(40, 5, "urgent", "hard", "", led=True),
    Plan(10, 120, "normal", "normal", ""),
)


def issue_lists_seed(*, now: datetime | None = None) -> int:
    """The items listed; none without appeals or the departments."""
    now = now or timezone.now()
    supervisor = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    leader = User.objects.filter(role=Role.LEADER).order_by("pk").first()
    if supervisor is None or leader is None:
        return 0
    made = 0
    for slug in KEEPERS:
        name = next(n for s, n, _ in d.DEPARTMENTS if s == slug)
        unit = Unit.objects.filter(name=name).first()
        handler = User.objects.filter(role=Role.HANDLER, unit=unit).order_by("pk").first()
        if unit is None or handler is None:
            continue
        for plan, (category, region, count) in zip(PLANS, _matters(unit), strict=False):
            made += _item(plan, unit, handler, supervisor, leader, category, region, count, now)
    return made


def _matters(unit: Unit) -> list[tuple[Category, Region, int]]:
    """The unit's most frequent (category, subdistrict) among the appeals it led."""
    rows = (
        Appeal.objects.filter(lead_unit=unit, category__isnull=False, region__parent__isnull=False)
        .values("category", "region__parent")
        .annotate(n=Count("pk"))
        .order_by("-n", "category", "region__parent")[: len(PLANS)]
    )
    categories = Category.objects.in_bulk([r["category"] for r in rows])
    regions = Region.objects.in_bulk([r["region__parent"] for r in rows])
    return [(categories[r["category"]], regions[r["region__parent"]], r["n"]) for r in rows]


def _item(
    plan: Plan,
    unit: Unit,
    handler: User,
    supervisor: User,
    leader: User,
    category: Category,
    region: Region,
    count: int,
    now: datetime,
) -> int:
    listed = now - timedelta(days=plan.listed)
    item = il.issue_item_add(
        actor=handler,
        unit_id=unit.pk,
        year=timezone.localdate(now).year,
        draft=il.ItemDraft(
            title=f"{region.name}{category.name}问题集中整治",
            goal=f"{category.name}类诉求在{region.name}明显下降，群众满意率不低于90%",
            description=f"近三个月{region.name}「{category.path_name}」类诉求{count}件，反复出现。",
            deadline=timezone.localdate(now) + timedelta(days=plan.deadline),
            responsible=f"{unit.short_name or unit.name}分管负责人",
            urgency=plan.urgency,
            difficulty=plan.difficulty,
            category_ids=[category.pk],
            region_ids=[region.pk],
        ),
        at=listed,
    )
    # The office links the latest appeals of the matter (by hand: the demo's texts are real
    # messages, too varied for the word suggestions to pick them all).
    latest = list(
        Appeal.objects.filter(category=category, region__parent=region, merged_into__isnull=True)
        .order_by("-received_at")
        .values_list("pk", flat=True)[:6]
    )
    if latest:
        il.issue_item_link(
            actor=supervisor, item_id=item.pk, appeal_ids=latest, at=listed + timedelta(days=1)
        )
    il.issue_item_act(
        actor=handler,
        item_id=item.pk,
        action=ItemAction.NOTE,
        reason="已召开专题会，明确责任科室，制定整治方案并开展联合检查",
        at=listed + timedelta(days=3),
    )
    _item_followed(
        plan, item, handler=handler, supervisor=supervisor, leader=leader, listed=listed, now=now
    )
    return 1


def _item_followed(
    plan: Plan,
    item: IssueItem,
    *,
    handler: User,
    supervisor: User,
    leader: User,
    listed: datetime,
    now: datetime,
) -> None:
    """What the plan says happens next: a leader takes it in charge and instructs; the unit
    asks to close it; the office closes it."""
    if plan.led:
        il.issue_item_take_charge(actor=leader, item_id=item.pk, at=listed + timedelta(days=5))
        il.issue_item_instruct(
            actor=leader,
            item_id=item.pk,
            instruction="请牵头单位会同属地街道两周内拿出长效管理方案，报区政府",
            unit_id=None,
            due_at=now + timedelta(days=7),
        )
    if plan.close:
        il.issue_item_act(
            actor=handler,
            item_id=item.pk,
            action=ItemAction.REQUEST_CLOSE,
            reason="整治完成：建立长效巡查机制，问题点位全部整改，现场照片及台账已归档",
            at=listed + timedelta(days=plan.listed // 2),
        )
    if plan.close == "done":
        il.issue_item_act(
            actor=supervisor,
            item_id=item.pk,
            action=ItemAction.CLOSE,
            reason="经现场核查，同意销号",
            at=listed + timedelta(days=plan.listed // 2 + 2),
        )
