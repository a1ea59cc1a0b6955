"""A task force's lifecycle as data: one small transition table, no queries.

工作专班: a matter no single unit can close gets a task force — a lead unit, member units, a
district leader — set up by the supervision office or the leader. Its scope is the issue-list
items, appeals and livelihood projects it coordinates; its timeline holds the members joining,
the scope growing, and its meetings, whose decisions are assigned to members with a deadline
and tracked as supervision orders. It is closed with a summary when its work is done. Every row
is applied by `taskforces.machine.TASK_FORCES`, which writes one TaskForceEvent."""

from enum import StrEnum
from typing import Final

from django.db import models

from minxin.accounts.roles import Role
from minxin.machine.table import Transition
from minxin.supervision.workflow import ISSUERS


class TaskForceStatus(models.TextChoices):
    ACTIVE = "active", "运行中"
    CLOSED = "closed", "已结束"


class TaskForceAction(StrEnum):
    SET_UP = "set_up"
    ADD_MEMBER = "add_member"
    ADD_SCOPE = "add_scope"
    MEETING = "meeting"
    CLOSE = "close"


S = TaskForceStatus
R = Role
OFFICE: Final = frozenset({R.SUPERVISOR, R.LEADER, R.ADMIN})
LIVE: Final = frozenset({S.ACTIVE})

# A staff matter: nothing of it is on a citizen's timeline.
TRANSITIONS: Final[dict[TaskForceAction, Transition[TaskForceStatus]]] = {
    TaskForceAction.SET_UP: Transition("成立专班", frozenset(), S.ACTIVE, OFFICE, public=False),
    TaskForceAction.ADD_MEMBER: Transition(
        "增加成员单位", LIVE, None, OFFICE, public=False, panel=True
    ),
    # The lead unit's handlers grow the scope beside the office.
    TaskForceAction.ADD_SCOPE: Transition(
        "纳入专班范围", LIVE, None, OFFICE | {R.HANDLER}, public=False, panel=True
    ),
    # Those who issue supervision orders record meetings: each decision is an order they issue
    # (an administrator, who issues none, would be refused at the first decision).
    TaskForceAction.MEETING: Transition(
        "记录专班会议", LIVE, None, ISSUERS, public=False, panel=True
    ),
    TaskForceAction.CLOSE: Transition(
        "结束专班",
        LIVE,
        S.CLOSED,
        OFFICE,
        needs_reason=True,
        reason_label="工作总结",
        long_reason=True,
        public=False,
    ),
}
