"""The exemption requests' machine. The unit that asked is the one its handlers act for; an
approval queues the appeal for the figures (the appeals' ChangedAppeal outbox), since an
approved request changes what the appeal counts for."""

from minxin.cases.models import ChangedAppeal
from minxin.machine.engine import Machine

from .models import Exemption, ExemptionEvent
from .workflow import TRANSITIONS, ExemptionAction, ExemptionStatus

MISSING = "未找到该考核申诉或无权查看"


def _recorded(exemption: Exemption, event: ExemptionEvent) -> None:
    if event.action == ExemptionAction.APPROVE:
        ChangedAppeal.objects.create(appeal_id=exemption.appeal_id)


EXEMPTIONS: Machine[Exemption, ExemptionEvent] = Machine(
    name="exemption",
    noun="考核申诉",
    statuses=ExemptionStatus,
    table=TRANSITIONS,
    subject=Exemption,
    event=ExemptionEvent,
    event_subject="exemption",
    reason_max=2000,
    missing=MISSING,
    lead_label="申请单位",
    units=lambda exemption: (exemption.unit_id, frozenset()),
    recorded=_recorded,
)
