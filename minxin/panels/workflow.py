"""A panel evaluation's lifecycle as data (背对背测评 / 面对面询问): the supervision office sets
up a questionnaire of scored items, the units evaluated and the panel (deputies, CPPCC members,
residents' representatives, each by an invitation link or, for a deputy, by account), opens the
window, and closes it to publish the scores per unit. Face-to-face hearings are recorded while
it is open; each commitment a unit makes there becomes a supervision order. One
EvaluationEvent per step."""

from enum import StrEnum
from typing import Final

from django.db import models

from minxin.accounts.roles import Role
from minxin.machine.table import Transition


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", "筹备中"
    OPEN = "open", "测评中"
    CLOSED = "closed", "已公布结果"


class EvaluationAction(StrEnum):
    CREATE = "create"
    INVITE = "invite"
    OPEN = "open"
    HEARING = "hearing"
    CLOSE = "close"


S = EvaluationStatus
OFFICE: Final = frozenset({Role.SUPERVISOR, Role.LEADER, Role.ADMIN})

TRANSITIONS: Final[dict[EvaluationAction, Transition[EvaluationStatus]]] = {
    EvaluationAction.CREATE: Transition("新建测评", frozenset(), S.DRAFT, OFFICE),
    # A panellist invited by a link, or seated by a deputy's account; until the results are out.
    EvaluationAction.INVITE: Transition(
        "邀请评议人员", frozenset({S.DRAFT, S.OPEN}), None, OFFICE, panel=True
    ),
    EvaluationAction.OPEN: Transition(
        "开始测评", frozenset({S.DRAFT}), S.OPEN, OFFICE, style="primary"
    ),
    # A face-to-face hearing recorded: the questions, the unit's answers, its commitments.
    EvaluationAction.HEARING: Transition(
        "记录面对面询问",
        frozenset({S.OPEN}),
        None,
        OFFICE,
        needs_reason=True,
        reason_label="询问情况",
        panel=True,
    ),
    EvaluationAction.CLOSE: Transition(
        "结束测评并公布结果", frozenset({S.OPEN}), S.CLOSED, OFFICE, style="primary"
    ),
}
