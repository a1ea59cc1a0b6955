"""A deliberation topic's lifecycle as data: one small table, no queries.

议事厅 / 协商议事 ("大家的事大家商量着办"): a resident (on the public page, with a confirmed phone)
or the street proposes a topic of a community; residents support it (one per phone); the
street schedules a meeting (a topic with enough support must be scheduled: it cannot be
declined), records the meeting (participants by group, minutes), records its decisions — each
becomes an appeal in the loop, a candidate project, or a closed note — and closes the topic
once every decision has been followed through to its end. Every row is applied by
`deliberation.machine.TOPICS`, which writes one TopicEvent."""

from enum import StrEnum
from typing import Final

from django.db import models

from minxin.accounts.roles import Role
from minxin.machine.table import Transition


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", "征集附议"
    SCHEDULED = "scheduled", "已排期"
    DELIBERATED = "deliberated", "已议定"
    CLOSED = "closed", "已办结"
    DECLINED = "declined", "不予议事"


class TopicAction(StrEnum):
    PROPOSE = "propose"
    SCHEDULE = "schedule"
    DECLINE = "decline"
    HOLD = "hold"
    DECIDE = "decide"
    CLOSE = "close"


S = TopicStatus
R = Role
OFFICE: Final = frozenset({R.SUPERVISOR, R.LEADER, R.ADMIN})
# The street (its handlers) runs its communities' deliberations; the office may too.
HOSTS: Final = frozenset({R.HANDLER}) | OFFICE

TRANSITIONS: Final[dict[TopicAction, Transition[TopicStatus]]] = {
    TopicAction.PROPOSE: Transition(
        "提出议题", frozenset(), S.PROPOSED, HOSTS | frozenset({R.CITIZEN})
    ),
    TopicAction.SCHEDULE: Transition(
        "安排议事", frozenset({S.PROPOSED}), S.SCHEDULED, HOSTS, style="primary", panel=True
    ),
    TopicAction.DECLINE: Transition(
        "不予议事",
        frozenset({S.PROPOSED}),
        S.DECLINED,
        HOSTS,
        needs_reason=True,
        reason_label="理由",
    ),
    # The meeting held: who took part (by group) and the minutes.
    TopicAction.HOLD: Transition(
        "记录议事会议",
        frozenset({S.SCHEDULED}),
        S.DELIBERATED,
        HOSTS,
        needs_reason=True,
        reason_label="会议纪要",
        long_reason=True,
        panel=True,
    ),
    TopicAction.DECIDE: Transition(
        "记录议定事项",
        frozenset({S.DELIBERATED}),
        None,
        HOSTS,
        needs_reason=True,
        reason_label="议定事项",
        panel=True,
    ),
    TopicAction.CLOSE: Transition(
        "议题办结", frozenset({S.DELIBERATED}), S.CLOSED, HOSTS, style="primary"
    ),
}
