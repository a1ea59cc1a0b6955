"""A telephone call's lifecycle as data: one small transition table, no queries.

The exchange (PBX) tells of each call through the hook (docs/cti.md): it rings (newCall), is
answered (answer), and is hung up (hangup) — after an answer the call is 已接听, before one it
is 未接. The call-taker who took it may receive an appeal from it (once; the call then
points at its appeal). The exchange acts as the system; every row is applied by
`cti.machine.CALLS`, which writes one CallEvent."""

from enum import StrEnum
from typing import Final

from django.db import models

from minxin.accounts.roles import Role
from minxin.machine.table import Transition


class CallStatus(models.TextChoices):
    RINGING = "ringing", "振铃中"
    ANSWERED = "answered", "通话中"
    ENDED = "ended", "已接听"
    MISSED = "missed", "未接"


class CallAction(StrEnum):
    RING = "ring"
    ANSWER = "answer"
    HANG_UP = "hang_up"
    MISS = "miss"
    RECEIVE_APPEAL = "receive_appeal"


S = CallStatus
EXCHANGE: Final = frozenset({Role.SYSTEM})
# Who takes calls (intake.permissions.may_take_calls): the appeal is theirs to enter.
TAKERS: Final = frozenset({Role.CALL_TAKER, Role.DISPATCHER, Role.ADMIN})

# A staff matter: nothing of it is on a citizen's timeline.
TRANSITIONS: Final[dict[CallAction, Transition[CallStatus]]] = {
    CallAction.RING: Transition("来电振铃", frozenset(), S.RINGING, EXCHANGE, public=False),
    CallAction.ANSWER: Transition(
        "接听", frozenset({S.RINGING}), S.ANSWERED, EXCHANGE, public=False
    ),
    CallAction.HANG_UP: Transition(
        "通话结束", frozenset({S.ANSWERED}), S.ENDED, EXCHANGE, public=False
    ),
    CallAction.MISS: Transition(
        "未接挂断", frozenset({S.RINGING}), S.MISSED, EXCHANGE, public=False
    ),
    # During the call or after it (the call-taker writes it up once the caller has hung up).
    CallAction.RECEIVE_APPEAL: Transition(
        "受理为诉求", frozenset({S.ANSWERED, S.ENDED}), None, TAKERS, public=False
    ),
}
