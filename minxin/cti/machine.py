"""The calls' machine: the table of `workflow.py` bound to Call and CallEvent."""

from minxin.machine.engine import Machine

from .models import Call, CallEvent
from .workflow import TRANSITIONS, CallStatus

MISSING = "未找到该通话"

CALLS: Machine[Call, CallEvent] = Machine(
    name="call",
    noun="通话",
    statuses=CallStatus,
    table=TRANSITIONS,
    subject=Call,
    event=CallEvent,
    event_subject="call",
    reason_max=500,
    missing=MISSING,
)
