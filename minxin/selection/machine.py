"""The selection rounds' machine: the table of `workflow.py` bound to SelectionRound and
RoundEvent. Only the office acts on a round; deputies and residents cast votes, which are
their own rows, not steps of the round."""

from minxin.machine.engine import Machine

from .models import RoundEvent, SelectionRound
from .workflow import TRANSITIONS, RoundStatus

MISSING = "未找到该票决或无权查看"

ROUNDS: Machine[SelectionRound, RoundEvent] = Machine(
    name="selection_round",
    noun="票决",
    statuses=RoundStatus,
    table=TRANSITIONS,
    subject=SelectionRound,
    event=RoundEvent,
    event_subject="round",
    reason_max=2000,
    missing=MISSING,
)
