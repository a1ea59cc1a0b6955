"""The appeals' state machine: the table of `workflow.py` bound to Appeal and AppealEvent.

A handler acts for its unit: the lead unit, or for a note an active assisting unit too, or the
community or grid unit the lead passed the appeal down to (its pending sub-task: a note, the
report back). Every
event also queues its appeal for the figures derived from it (the ChangedAppeal outbox), and
the events of `notices.CITIZEN_SMS` record the SMS that tells the citizen; the events a peer
platform hears of record its outbox message (`notices.peer_message_record`)."""

from minxin.accounts.actor import Actor
from minxin.machine.engine import Machine

from .models import (
    Appeal,
    AppealEvent,
    Assignment,
    AssignmentRole,
    ChangedAppeal,
    SubAssignment,
    SubAssignmentStatus,
)
from .notices import citizen_sms_record, peer_message_record
from .staff_notices import staff_notices_send
from .workflow import TRANSITIONS, AppealStatus

REASON_MAX = 5000


def _units(appeal: Appeal) -> tuple[int | None, frozenset[int]]:
    assisting = Assignment.objects.filter(
        appeal_id=appeal.pk, is_active=True, role=AssignmentRole.ASSIST
    ).values_list("unit_id", flat=True)
    return appeal.lead_unit_id, frozenset(assisting)


def _delegates(appeal: Appeal) -> frozenset[int]:
    """The unit holding the appeal's pending sub-task (二级派单), if any."""
    pending = SubAssignment.objects.filter(
        appeal_id=appeal.pk, status=SubAssignmentStatus.PENDING
    ).values_list("unit_id", flat=True)
    return frozenset(pending)


def _actor_unit(actor: Actor) -> dict[str, int | None]:
    return {"actor_unit_id": actor.unit_id}


def _recorded(appeal: Appeal, event: AppealEvent) -> None:
    """In the event's transaction: the appeal queued for the figures, the SMS the event sends
    the citizen recorded (`notices.CITIZEN_SMS`) and the message to a peer platform
    (`notices.peer_message_record`), both sent once it commits; and the staff it concerns told
    (`staff_notices.STAFF_NOTICES`)."""
    ChangedAppeal.objects.create(appeal_id=appeal.pk)
    citizen_sms_record(appeal, event)
    peer_message_record(appeal, event)
    staff_notices_send(appeal, event)


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
    delegates=_delegates,
    event_fields=_actor_unit,
    recorded=_recorded,
)
