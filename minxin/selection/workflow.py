"""A selection round's lifecycle as data: one small transition table, no queries.

民生实事项目人大代表票决制: the office prepares a round of candidate projects (from units, adopted
suggestions and hotspots), publishes them for public comment (and, if the round says so, a
residents' vote), then opens the deputies' vote; once the vote's window has ended (or every
deputy on the roll has voted) it counts the votes and publishes the result, and each candidate
that passed becomes a project of the next year's programme. Every row is applied by
`selection.machine.ROUNDS`, which writes one RoundEvent."""

from enum import StrEnum
from typing import Final

from django.db import models

from minxin.accounts.roles import Role
from minxin.machine.table import Transition


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "筹备中"
    CONSULTING = "consulting", "公示征求意见"
    VOTING = "voting", "代表表决中"
    DECIDED = "decided", "已公布结果"
    CANCELLED = "cancelled", "已撤销"


class RoundAction(StrEnum):
    CREATE = "create"
    ADD_CANDIDATE = "add_candidate"
    WITHDRAW_CANDIDATE = "withdraw_candidate"
    PUBLISH = "publish"
    OPEN_VOTE = "open_vote"
    DECIDE = "decide"
    CANCEL = "cancel"


S = RoundStatus
R = Role
# The people's congress office's work is done on minxin by the supervision office and leaders.
OFFICE: Final = frozenset({R.SUPERVISOR, R.LEADER, R.ADMIN})

TRANSITIONS: Final[dict[RoundAction, Transition[RoundStatus]]] = {
    RoundAction.CREATE: Transition("新建票决", frozenset(), S.DRAFT, OFFICE),
    # Candidates are entered while the round is prepared (a unit's proposal, an adopted
    # suggestion, a hotspot), and withdrawn with a reason before it is published.
    RoundAction.ADD_CANDIDATE: Transition(
        "录入候选项目", frozenset({S.DRAFT}), None, OFFICE, panel=True
    ),
    RoundAction.WITHDRAW_CANDIDATE: Transition(
        "撤回候选项目",
        frozenset({S.DRAFT}),
        None,
        OFFICE,
        needs_reason=True,
        reason_label="撤回理由",
        panel=True,
    ),
    RoundAction.PUBLISH: Transition(
        "公示候选项目", frozenset({S.DRAFT}), S.CONSULTING, OFFICE, style="primary"
    ),
    # The roll of deputies is fixed when the vote opens: those whose constituency lies in the
    # round's region.
    RoundAction.OPEN_VOTE: Transition(
        "开始代表表决", frozenset({S.CONSULTING}), S.VOTING, OFFICE, style="primary"
    ),
    RoundAction.DECIDE: Transition(
        "计票并公布结果", frozenset({S.VOTING}), S.DECIDED, OFFICE, style="primary"
    ),
    RoundAction.CANCEL: Transition(
        "撤销票决",
        frozenset({S.DRAFT, S.CONSULTING}),
        S.CANCELLED,
        OFFICE,
        needs_reason=True,
        reason_label="撤销理由",
    ),
}
