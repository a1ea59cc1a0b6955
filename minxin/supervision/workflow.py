"""A supervision order's lifecycle as data: one small transition table, no queries.

A supervisor or a leader issues an order to a unit (督办单); the unit answers it once; an
order left unanswered past its due time is escalated by the system, first to the unit head,
then to the leaders (the step reached is the order's `escalation`). Every change is one row,
applied by the orders' machine (`supervision.machine.ORDERS`), which writes one
SupervisionOrderEvent."""

from enum import StrEnum
from typing import Final

from django.db import models

from minxin.accounts.roles import Role
from minxin.machine.table import Transition


class OrderStatus(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"


class OrderAction(StrEnum):
    ISSUE = "issue"
    ANSWER = "answer"
    ESCALATE_UNIT_HEAD = "escalate_unit_head"
    ESCALATE_LEADER = "escalate_leader"


S = OrderStatus
R = Role
ISSUERS: Final = frozenset({R.SUPERVISOR, R.LEADER})

TRANSITIONS: Final[dict[OrderAction, Transition[OrderStatus]]] = {
    OrderAction.ISSUE: Transition("下发督办", frozenset(), S.OPEN, ISSUERS),
    # The unit the order is addressed to answers it (its handlers), once.
    OrderAction.ANSWER: Transition(
        "答复督办",
        frozenset({S.OPEN}),
        S.ANSWERED,
        frozenset({R.HANDLER}),
        needs_reason=True,
        reason_label="答复内容",
    ),
    OrderAction.ESCALATE_UNIT_HEAD: Transition(
        "逾期提醒单位负责人", frozenset({S.OPEN}), None, frozenset({R.SYSTEM})
    ),
    OrderAction.ESCALATE_LEADER: Transition(
        "逾期报领导", frozenset({S.OPEN}), None, frozenset({R.SYSTEM})
    ),
}
