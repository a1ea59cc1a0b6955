"""The proactive tasks' machine: the table of `workflow.py` bound to ProactiveTask and
ProactiveTaskEvent. The unit the task is given to is the one that acts on it."""

from minxin.machine.engine import Machine

from .models import ProactiveTask, ProactiveTaskEvent
from .workflow import TRANSITIONS, TaskStatus

MISSING = "未找到该任务或无权查看"


def _unit(task: ProactiveTask) -> tuple[int | None, frozenset[int]]:
    return task.unit_id, frozenset()


TASKS: Machine[ProactiveTask, ProactiveTaskEvent] = Machine(
    name="proactive_task",
    noun="未诉先办任务",
    statuses=TaskStatus,
    table=TRANSITIONS,
    subject=ProactiveTask,
    event=ProactiveTaskEvent,
    event_subject="task",
    reason_max=2000,
    lead_label="责任单位",
    missing=MISSING,
    units=_unit,
)
