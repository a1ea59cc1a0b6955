"""The appeals' state machine: the table of `workflow.py` bound to Appeal and AppealEvent.

A handler acts for its unit: the lead unit, or for a note an active assisting unit too. Every
event also queues its appeal for the figures derived from it (the ChangedAppeal outbox)."""

from minxin.accounts.actor import Actor
from minxin.machine.engine import Machine

from .models import Appeal, AppealEvent, Assignment, AssignmentRole, ChangedAppeal
from .workflow import TRANSITIONS, AppealStatus

REASON_MAX = 5000


def _units(appeal: Appeal) -> tuple[int | None, frozenset[int]]:
    assisting = Assignment.objects.filter(
        appeal_id=appeal.pk, is_active=True, role=AssignmentRole.ASSIST
    ).values_list("unit_id", flat=True)
    return appeal.lead_unit_id, frozenset(assisting)


def _actor_unit(actor: Actor) -> dict[str, int | None]:
    return {"actor_unit_id": actor.unit_id}


def _queue_for_figures(appeal: Appeal, event: AppealEvent) -> None:
    ChangedAppeal.objects.create(appeal_id=appeal.pk)


APPEALS: Machine[Appeal, AppealEvent] = Machine(
    name="appeal",
    noun="诉求",
    statuses=AppealStatus,
    table=TRANSITIONS,
    subject=Appeal,
    event=AppealEvent,
    event_subject="appeal",
    reason_max=REASON_MAX,
    units=_units,
    event_fields=_actor_unit,
    recorded=_queue_for_figures,
)
