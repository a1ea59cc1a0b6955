"""The task forces' machine: the table of `workflow.py` bound to TaskForce and TaskForceEvent.
The lead unit's handlers widen its scope; members are the assisting units."""

from minxin.machine.engine import Machine

from .models import TaskForce, TaskForceEvent
from .workflow import TRANSITIONS, TaskForceStatus

MISSING = "未找到该专班或无权查看"


def _units(task_force: TaskForce) -> tuple[int | None, frozenset[int]]:
    members = frozenset(task_force.members.values_list("pk", flat=True))
    return task_force.lead_unit_id, members


TASK_FORCES: Machine[TaskForce, TaskForceEvent] = Machine(
    name="task_force",
    noun="专班",
    statuses=TaskForceStatus,
    table=TRANSITIONS,
    subject=TaskForce,
    event=TaskForceEvent,
    event_subject="task_force",
    reason_max=5000,
    lead_label="牵头单位",
    missing=MISSING,
    units=_units,
)
