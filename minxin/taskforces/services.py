"""Task forces (工作专班): set up, members added, scope widened (issue-list items, appeals,
projects), meetings recorded with their decisions — each decision a supervision order to the
member that must act, by when, in the meeting's own transaction — and closed with a summary.
Every step one TaskForceEvent through `machine.TASK_FORCES`."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.accounts.selectors import unit_handlers
from minxin.cases.selectors import appeal_scope_for
from minxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from minxin.core.text import line_clean, text_clean
from minxin.directory.models import Unit
from minxin.issuelists.models import IssueItem
from minxin.machine.engine import Change
from minxin.notify.services import notifications_send
from minxin.projects.models import Project
from minxin.supervision.services import supervision_order_issue

from .machine import MISSING, TASK_FORCES
from .models import Decision, Meeting, TaskForce
from .workflow import TaskForceAction

DECISIONS_AT_ONCE = 20


@dataclass(frozen=True)
class Scope:
    """What a task force covers: items, appeals (by tracking number), projects."""

    item_ids: Sequence[int] = ()
    tracking_numbers: Sequence[str] = ()
    project_ids: Sequence[int] = ()

    def __bool__(self) -> bool:
        return bool(self.item_ids or self.tracking_numbers or self.project_ids)


@dataclass(frozen=True)
class DecisionDraft:
    content: str
    unit_id: int | None
    due_at: datetime | None


@dataclass(frozen=True)
class MeetingDraft:
    held_at: datetime | None
    attendees: str
    minutes: str
    place: str = ""
    decisions: Sequence[DecisionDraft] = field(default_factory=tuple)


def _link(task_force: TaskForce) -> str:
    return reverse("taskforces:task_force_detail", args=[task_force.pk])


def _tell(unit_ids: Sequence[int], task_force: TaskForce, what: str) -> None:
    notifications_send(
        recipients=unit_handlers(unit_ids),
        title=f"【工作专班】{task_force.name} {what}",
        body="",
        link=_link(task_force),
        kind="task_force",
    )


def _units(unit_ids: Sequence[int]) -> list[int]:
    wanted = set(unit_ids)
    found = set(Unit.objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
    if found != wanted:
        raise ValidationFailed("所选单位不存在或已停用")
    return sorted(found)


def _scope_rows(actor: User, scope: Scope) -> tuple[list[int], dict[int, str], list[int]]:
    """The scope's items, appeals (pk → number) and projects, each checked to exist (and an
    appeal to be one the actor may see)."""
    items = sorted(set(scope.item_ids))
    if IssueItem.objects.filter(pk__in=items).count() != len(items):
        raise ValidationFailed("所选清单事项不存在")
    numbers = {n.strip() for n in scope.tracking_numbers if n.strip()}
    appeals = dict(
        appeal_scope_for(user=actor)
        .filter(tracking_number__in=numbers)
        .values_list("pk", "tracking_number")
    )
    missing = numbers - set(appeals.values())
    if missing:
        raise NotFound(f"未找到受理编号为{sorted(missing)[0][:20]}的诉求或无权查看")
    projects = sorted(set(scope.project_ids))
    if Project.objects.filter(pk__in=projects).count() != len(projects):
        raise ValidationFailed("所选民心工程项目不存在")
    return items, appeals, projects


@transaction.atomic(durable=True)
def task_force_set_up(
    *,
    actor: User,
    name: str,
    purpose: str,
    lead_unit_id: int | None,
    member_ids: Sequence[int] = (),
    leader_id: int | None = None,
    scope: Scope = Scope(),
    at: datetime | None = None,
) -> TaskForce:
    who = Actor.of(actor)
    TASK_FORCES.may_create(action=TaskForceAction.SET_UP, actor=who)
    name = line_clean(name, label="专班名称", max_length=200)
    purpose = text_clean(purpose, label="工作任务", max_length=5000)
    if lead_unit_id is None:
        raise ValidationFailed("请选择牵头单位")
    lead, *_ = _units([lead_unit_id])
    members = [u for u in _units(member_ids) if u != lead]
    if (
        leader_id is not None
        and not User.objects.filter(pk=leader_id, role=Role.LEADER, is_active=True).exists()
    ):
        raise ValidationFailed("牵头领导须为区领导账号")
    items, appeals, projects = _scope_rows(actor, scope)
    now = at or timezone.now()
    task_force = TaskForce.objects.create(
        name=name,
        purpose=purpose,
        lead_unit_id=lead,
        leader_id=leader_id,
        set_up_by=actor,
        set_up_at=now,
    )
    task_force.members.set(members)
    task_force.items.set(items)
    task_force.appeals.set(list(appeals))
    task_force.projects.set(projects)
    TASK_FORCES.created(
        task_force,
        action=TaskForceAction.SET_UP,
        actor=who,
        at=now,
        payload={"members": members, "items": items, "appeals": sorted(appeals.values())},
    )
    _tell([lead, *members], task_force, "已成立，本单位为成员")
    return task_force


def _lock(actor: User, task_force_id: int, action: TaskForceAction) -> TaskForce:
    try:
        return TASK_FORCES.lock(
            pk=task_force_id, action=action, actor=Actor.of(actor), expected_version=None
        )
    except PermissionDenied:
        if actor.role == Role.HANDLER and not _is_member(actor, task_force_id):
            raise NotFound(MISSING) from None  # another task force is as good as missing
        raise


def _is_member(actor: User, task_force_id: int) -> bool:
    task_force = TaskForce.objects.filter(pk=task_force_id).first()
    if task_force is None or actor.unit_id is None:
        return False
    return (
        task_force.lead_unit_id == actor.unit_id
        or task_force.members.filter(pk=actor.unit_id).exists()
    )


@transaction.atomic(durable=True)
def task_force_add_members(
    *, actor: User, task_force_id: int, unit_ids: Sequence[int], at: datetime | None = None
) -> TaskForce:
    task_force = _lock(actor, task_force_id, TaskForceAction.ADD_MEMBER)
    present = {task_force.lead_unit_id, *task_force.members.values_list("pk", flat=True)}
    new = [u for u in _units(unit_ids) if u not in present]
    if not new:
        raise ValidationFailed("所选单位已是专班成员")
    task_force.members.add(*new)
    names = "、".join(Unit.objects.filter(pk__in=new).values_list("name", flat=True))
    TASK_FORCES.apply(
        task_force,
        action=TaskForceAction.ADD_MEMBER,
        actor=Actor.of(actor),
        reason=f"增加成员单位：{names}",
        change=Change(payload={"members": new}),
        at=at,
    )
    _tell(new, task_force, "已将本单位纳入专班")
    return task_force


@transaction.atomic(durable=True)
def task_force_add_scope(
    *, actor: User, task_force_id: int, scope: Scope, at: datetime | None = None
) -> TaskForce:
    """Items, appeals and projects into the task force's scope (those already in it kept)."""
    if not scope:
        raise ValidationFailed("请选择要纳入的事项、诉求或项目")
    task_force = _lock(actor, task_force_id, TaskForceAction.ADD_SCOPE)
    items, appeals, projects = _scope_rows(actor, scope)
    items = [i for i in items if not task_force.items.filter(pk=i).exists()]
    fresh = {pk: n for pk, n in appeals.items() if not task_force.appeals.filter(pk=pk).exists()}
    projects = [p for p in projects if not task_force.projects.filter(pk=p).exists()]
    if not (items or fresh or projects):
        raise ValidationFailed("所选内容已在专班范围内")
    task_force.items.add(*items)
    task_force.appeals.add(*fresh)
    task_force.projects.add(*projects)
    parts = [
        f"清单事项{len(items)}项" if items else "",
        "诉求 " + "、".join(sorted(fresh.values())[:10]) if fresh else "",
        f"民心工程项目{len(projects)}个" if projects else "",
    ]
    TASK_FORCES.apply(
        task_force,
        action=TaskForceAction.ADD_SCOPE,
        actor=Actor.of(actor),
        reason="纳入：" + "；".join(p for p in parts if p),
        change=Change(
            payload={"items": items, "appeals": sorted(fresh.values()), "projects": projects}
        ),
        at=at,
    )
    return task_force


@transaction.atomic(durable=True)
def task_force_meeting(
    *, actor: User, task_force_id: int, draft: MeetingDraft, at: datetime | None = None
) -> Meeting:
    """A meeting and its decisions: each decision a supervision order to a member (the lead
    unit or a member unit) with its deadline, issued in this same transaction."""
    task_force = _lock(actor, task_force_id, TaskForceAction.MEETING)
    now = at or timezone.now()
    if draft.held_at is None:
        raise ValidationFailed("请填写会议时间")
    if draft.held_at > now + timedelta(days=1):
        raise ValidationFailed("会议时间不能晚于今天：请在会后记录")
    attendees = line_clean(draft.attendees, label="参会单位和人员", max_length=500)
    minutes = text_clean(draft.minutes, label="会议纪要", max_length=10000)
    place = line_clean(draft.place, label="地点", max_length=100, required=False)
    if len(draft.decisions) > DECISIONS_AT_ONCE:
        raise ValidationFailed(f"一次会议最多{DECISIONS_AT_ONCE}项议定事项")
    members = {task_force.lead_unit_id, *task_force.members.values_list("pk", flat=True)}
    meeting = Meeting.objects.create(
        task_force=task_force,
        held_at=draft.held_at,
        place=place,
        attendees=attendees,
        minutes=minutes,
        recorded_by=actor,
        recorded_at=now,
    )
    orders = []
    for decision in draft.decisions:
        content = text_clean(decision.content, label="议定事项", max_length=2000)
        if decision.unit_id not in members:
            raise ValidationFailed("议定事项的落实单位须为专班成员单位")
        if decision.due_at is None:
            raise ValidationFailed("请填写议定事项的完成时限")
        order = supervision_order_issue(
            actor=actor,
            content=f"专班议定：{content}",
            due_at=decision.due_at,
            unit_id=decision.unit_id,
            about=f"工作专班：{task_force.name}"[:200],
            about_link=_link(task_force),
        )
        Decision.objects.create(
            meeting=meeting, content=content, unit_id=decision.unit_id, order=order
        )
        orders.append(order.pk)
    TASK_FORCES.apply(
        task_force,
        action=TaskForceAction.MEETING,
        actor=Actor.of(actor),
        reason=f"{timezone.localtime(draft.held_at):%Y-%m-%d} 专班会议，议定事项{len(orders)}项",
        change=Change(payload={"meeting": meeting.pk, "orders": orders}),
        at=now,
    )
    return meeting


@transaction.atomic(durable=True)
def task_force_close(
    *, actor: User, task_force_id: int, summary: str, at: datetime | None = None
) -> TaskForce:
    task_force = _lock(actor, task_force_id, TaskForceAction.CLOSE)
    now = at or timezone.now()
    summary = TASK_FORCES.reason_clean(TaskForceAction.CLOSE, summary)
    task_force = TASK_FORCES.apply(
        task_force,
        action=TaskForceAction.CLOSE,
        actor=Actor.of(actor),
        reason=summary,
        change=Change({"summary": summary, "closed_at": now}),
        at=now,
    ).subject
    members = [task_force.lead_unit_id, *task_force.members.values_list("pk", flat=True)]
    _tell(members, task_force, "已结束")
    return task_force
