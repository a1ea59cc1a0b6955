"""A proactive task's lifecycle as data: one small transition table, no queries.

未诉先办: acting before people have to ask. The supervision office (or a dispatcher who saw
the pattern, or a leader) proposes a task to the responsible unit from a hotspot or a repeat
matter on the dashboard, or by hand; the unit takes it on (or declines it, saying why),
records what it does, and completes it with its result. Whether it worked is measured on the
task's page (appeals in its place and category before and after). Every row is applied by
`proactive.machine.TASKS`, which writes one ProactiveTaskEvent."""

from enum import StrEnum
from typing import Final

from django.db import models

from minxin.accounts.roles import Role
from minxin.machine.table import Transition


class TaskStatus(models.TextChoices):
    PROPOSED = "proposed", "待认领"
    IN_PROGRESS = "in_progress", "办理中"
    DONE = "done", "已完成"
    DECLINED = "declined", "不予采纳"


class TaskAction(StrEnum):
    PROPOSE = "propose"
    ACCEPT = "accept"
    DECLINE = "decline"
    NOTE = "note"
    COMPLETE = "complete"


S = TaskStatus
R = Role
PROPOSERS: Final = frozenset({R.SUPERVISOR, R.LEADER, R.DISPATCHER, R.ADMIN})
UNIT: Final = frozenset({R.HANDLER})

# A staff matter: nothing of it is on a citizen's timeline.
TRANSITIONS: Final[dict[TaskAction, Transition[TaskStatus]]] = {
    TaskAction.PROPOSE: Transition(
        "提出未诉先办任务", frozenset(), S.PROPOSED, PROPOSERS, public=False
    ),
    # The unit the task is given to takes it on, or declines it with its reason (the office
    # reads the reason and may propose it to another unit).
    TaskAction.ACCEPT: Transition(
        "认领任务", frozenset({S.PROPOSED}), S.IN_PROGRESS, UNIT, style="primary", public=False
    ),
    TaskAction.DECLINE: Transition(
        "不予采纳",
        frozenset({S.PROPOSED}),
        S.DECLINED,
        UNIT | PROPOSERS,
        needs_reason=True,
        reason_label="理由",
        public=False,
    ),
    TaskAction.NOTE: Transition(
        "记录进展",
        frozenset({S.IN_PROGRESS}),
        None,
        UNIT | PROPOSERS,
        needs_reason=True,
        reason_label="进展",
        public=False,
        long_reason=True,
    ),
    TaskAction.COMPLETE: Transition(
        "办结任务",
        frozenset({S.IN_PROGRESS}),
        S.DONE,
        UNIT,
        needs_reason=True,
        reason_label="办理结果",
        public=False,
        long_reason=True,
        style="primary",
    ),
}
