"""The projects' machine: the table of `workflow.py` bound to Project and ProjectEvent. The
lead unit and the assisting units are the project's units; an event records the actor's unit."""

from typing import Any

from minxin.accounts.actor import Actor
from minxin.machine.engine import Machine

from .models import Project, ProjectEvent
from .workflow import TRANSITIONS, ProjectStatus

MISSING = "未找到该项目或无权查看"


def _units(project: Project) -> tuple[int | None, frozenset[int]]:
    assisting = frozenset(project.assisting_units.values_list("pk", flat=True))
    return project.lead_unit_id, assisting


def _actor_unit(actor: Actor) -> dict[str, Any]:
    return {"actor_unit_id": actor.unit_id}


PROJECTS: Machine[Project, ProjectEvent] = Machine(
    name="project",
    noun="项目",
    statuses=ProjectStatus,
    table=TRANSITIONS,
    subject=Project,
    event=ProjectEvent,
    event_subject="project",
    reason_max=2000,
    lead_label="牵头单位",
    missing=MISSING,
    units=_units,
    event_fields=_actor_unit,
)
