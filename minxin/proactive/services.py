"""未诉先办 tasks: propose, then the unit's accept / decline / note / complete, each through
the tasks' machine (`machine.TASKS`): one ProactiveTaskEvent per step, and a notification to
whom must act next."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.accounts.selectors import unit_handlers
from minxin.cases.models import Appeal
from minxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from minxin.core.text import line_clean, text_clean
from minxin.directory.models import Category, Region, Unit
from minxin.machine.engine import Change
from minxin.notify.services import notifications_send

from .machine import MISSING, TASKS
from .models import ProactiveTask, TaskSource
from .workflow import TaskAction

TITLE_MAX = 200
CONTENT_MAX = 2000
# A typo in the year would make a task that is never late.
DUE_AHEAD_MAX = timedelta(days=366)


@dataclass(frozen=True)
class TaskDraft:
    title: str
    content: str
    unit_id: int | None
    due_at: datetime | None
    category_id: int | None = None
    region_id: int | None = None
    source: str = TaskSource.MANUAL
    source_appeal_id: int | None = None


def _link(task: ProactiveTask) -> str:
    return reverse("proactive:task_detail", args=[task.pk])


def _clean(draft: TaskDraft, now: datetime) -> TaskDraft:
    title = line_clean(draft.title, label="任务名称", max_length=TITLE_MAX)
    content = text_clean(
        draft.content, label="任务内容：要做什么、为什么", short="任务内容", max_length=CONTENT_MAX
    )
    if draft.unit_id is None or not Unit.objects.filter(pk=draft.unit_id).exists():
        raise ValidationFailed("请选择责任单位")
    if draft.due_at is None:
        raise ValidationFailed("请填写完成期限")
    if draft.due_at <= now:
        raise ValidationFailed("完成期限应晚于当前时间")
    if draft.due_at > now + DUE_AHEAD_MAX:
        raise ValidationFailed("完成期限不能晚于一年以后，请核对年份")
    if draft.category_id is not None and not Category.objects.filter(pk=draft.category_id).exists():
        raise ValidationFailed("所选诉求分类不存在")
    if draft.region_id is not None and not Region.objects.filter(pk=draft.region_id).exists():
        raise ValidationFailed("所选区域不存在")
    if draft.source not in TaskSource.values:
        raise ValidationFailed("任务来源有误")
    if draft.source in (TaskSource.HOTSPOT, TaskSource.REPEAT) and draft.source_appeal_id is None:
        raise ValidationFailed("来自集中投诉或反复诉求的任务须关联其诉求")
    if (
        draft.source_appeal_id is not None
        and not Appeal.objects.filter(pk=draft.source_appeal_id).exists()
    ):
        raise NotFound("未找到该诉求或无权查看")
    return TaskDraft(
        title=title,
        content=content,
        unit_id=draft.unit_id,
        due_at=draft.due_at,
        category_id=draft.category_id,
        region_id=draft.region_id,
        source=draft.source,
        source_appeal_id=draft.source_appeal_id,
    )


@transaction.atomic(durable=True)
def proactive_task_propose(
    *, actor: User, draft: TaskDraft, at: datetime | None = None
) -> ProactiveTask:
    """A task for the unit, from a hotspot or a repeat matter (its appeal kept) or by hand;
    the unit's handlers are told."""
    who = Actor.of(actor)
    TASKS.may_create(action=TaskAction.PROPOSE, actor=who)
    now = at or timezone.now()
    draft = _clean(draft, now)
    assert draft.unit_id is not None and draft.due_at is not None  # _clean refused them
    task = ProactiveTask.objects.create(
        title=draft.title,
        content=draft.content,
        unit_id=draft.unit_id,
        category_id=draft.category_id,
        region_id=draft.region_id,
        source=draft.source,
        source_appeal_id=draft.source_appeal_id,
        due_at=draft.due_at,
        proposed_by=actor,
        proposed_at=now,
    )
    TASKS.created(
        task, action=TaskAction.PROPOSE, actor=who, at=now, payload={"source": draft.source}
    )
    notifications_send(
        recipients=unit_handlers([draft.unit_id]),
        title=f"【未诉先办】{task.title}",
        body=f"请认领并在 {timezone.localtime(task.due_at):%Y-%m-%d} 前办结",
        link=_link(task),
        kind="proactive_task",
    )
    return task


@transaction.atomic(durable=True)
def proactive_task_act(
    *,
    actor: User,
    task_id: int,
    action: TaskAction,
    reason: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> ProactiveTask:
    """The unit takes the task on, declines it, records progress or completes it (with its
    result); the office may decline it or record progress. Another unit's task is missing."""
    if action == TaskAction.PROPOSE:
        raise ValidationFailed("提出任务请使用新建表单")
    who = Actor.of(actor)
    try:
        task = TASKS.lock(pk=task_id, action=action, actor=who, expected_version=expected_version)
    except PermissionDenied:
        if actor.role == Role.HANDLER:
            raise NotFound(MISSING) from None
        raise
    now = at or timezone.now()
    change = Change()
    if action == TaskAction.COMPLETE:
        change = Change({"result": TASKS.reason_clean(action, reason), "completed_at": now})
    task = TASKS.apply(task, action=action, actor=who, reason=reason, change=change, at=now).subject
    if action in (TaskAction.DECLINE, TaskAction.COMPLETE):
        notifications_send(
            recipients=[task.proposed_by],
            title=f"【未诉先办】{task.title} {TASKS.label(action)}",
            body=reason.strip()[:200],
            link=_link(task),
            kind="proactive_task",
        )
    return task
