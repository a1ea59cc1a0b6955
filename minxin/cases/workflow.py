"""The appeal lifecycle as data: one transition table, no queries.

Every status change of an appeal is one row of TRANSITIONS, applied by the appeals' machine
(`cases.machine.APPEALS`, the shared applier of `minxin.machine`), which checks the row, the
role and the unit, and writes one AppealEvent. A row whose target is None records an action
without changing the status (a progress note, an extension request, a follow-up call). A row
also says what its form needs (inputs, style, a long text, or another app's panel).
"""

from enum import StrEnum
from typing import Final

from django.db import models

from minxin.accounts.roles import Role
from minxin.machine.table import Transition, UnitScope


class AppealStatus(models.TextChoices):
    RECEIVED = "received", "待甄别"
    SCREENED = "screened", "待派单"
    INVALID = "invalid", "无效件"
    MERGED = "merged", "已合并"
    DISPATCHED = "dispatched", "待接单"
    RETURNED = "returned", "已退单"
    ACCEPTED = "accepted", "已接单"
    IN_PROGRESS = "in_progress", "办理中"
    SUSPENDED = "suspended", "待诉求人补充"
    RESOLVED = "resolved", "已办结待评价"
    RATED = "rated", "已评价"
    FOLLOW_UP = "follow_up", "不满意待回访"
    ARCHIVED = "archived", "已归档"


# Statuses in which the responsible unit's clocks run (for queues, warnings and overdue flags).
OPEN_STATUSES: Final = frozenset(
    {AppealStatus.DISPATCHED, AppealStatus.ACCEPTED, AppealStatus.IN_PROGRESS}
)
# Statuses that end the loop or leave it; nothing can be done to them but what the table allows.
FINAL_STATUSES: Final = frozenset(
    {AppealStatus.ARCHIVED, AppealStatus.MERGED, AppealStatus.INVALID}
)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class Action(StrEnum):
    RECEIVE = "receive"
    SCREEN = "screen"
    MARK_INVALID = "mark_invalid"
    MERGE = "merge"
    RESTORE = "restore"
    DISPATCH = "dispatch"
    RETURN = "return"
    ACCEPT = "accept"
    FIRST_CONTACT = "first_contact"
    NOTE = "note"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    SUSPEND = "suspend"
    RESUME = "resume"
    RESOLVE = "resolve"
    RATE = "rate"
    RATE_DISSATISFIED = "rate_dissatisfied"
    FOLLOW_UP = "follow_up"
    REOPEN = "reopen"
    CLOSE = "close"
    ARCHIVE = "archive"


S = AppealStatus
R = Role
_SCREENING_SOURCES = frozenset({S.RECEIVED, S.SCREENED, S.RETURNED})

TRANSITIONS: Final[dict[Action, Transition[AppealStatus]]] = {
    # Every channel brings appeals in: the citizen's pages, the hotline, imports, the API,
    # a forwarded suggestion, and any member of staff's visit (走访), a leader's included.
    Action.RECEIVE: Transition("受理", frozenset(), S.RECEIVED, frozenset(Role)),
    Action.SCREEN: Transition(
        "甄别",
        frozenset({S.RECEIVED}),
        S.SCREENED,
        frozenset({R.DISPATCHER, R.SYSTEM}),
        public=False,
        panel=True,
    ),
    Action.MARK_INVALID: Transition(
        "标记无效",
        _SCREENING_SOURCES,
        S.INVALID,
        frozenset({R.DISPATCHER}),
        needs_reason=True,
        reason_label="无效原因",
        style="danger",
    ),
    Action.MERGE: Transition(
        "合并重复件",
        _SCREENING_SOURCES,
        S.MERGED,
        frozenset({R.DISPATCHER, R.SYSTEM}),
        inputs=("into_tracking_number",),
    ),
    Action.RESTORE: Transition(
        "恢复为有效",
        frozenset({S.INVALID}),
        S.RECEIVED,
        frozenset({R.DISPATCHER, R.SUPERVISOR}),
        needs_reason=True,
        reason_label="恢复原因",
    ),
    Action.DISPATCH: Transition(
        "派单",
        frozenset({S.SCREENED, S.RETURNED}),
        S.DISPATCHED,
        frozenset({R.DISPATCHER, R.SYSTEM}),
        panel=True,
    ),
    Action.RETURN: Transition(
        "退单",
        frozenset({S.DISPATCHED}),
        S.RETURNED,
        frozenset({R.HANDLER}),
        needs_reason=True,
        reason_label="退单理由",
        public=False,
        style="danger",
    ),
    Action.ACCEPT: Transition(
        "接单",
        frozenset({S.DISPATCHED}),
        S.ACCEPTED,
        frozenset({R.HANDLER}),
        style="primary",
    ),
    Action.FIRST_CONTACT: Transition(
        "先行联系",
        frozenset({S.ACCEPTED}),
        S.IN_PROGRESS,
        frozenset({R.HANDLER}),
        needs_reason=True,
        reason_label="联系情况",
        style="primary",
        long_reason=True,
    ),
    Action.NOTE: Transition(
        "记录进展",
        frozenset({S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED}),
        None,
        frozenset({R.HANDLER}),
        needs_reason=True,
        reason_label="办理进展",
        handler_scope=UnitScope.ASSIGNED,
        public=False,
        long_reason=True,
    ),
    Action.REQUEST_EXTENSION: Transition(
        "申请延期",
        frozenset({S.IN_PROGRESS}),
        None,
        frozenset({R.HANDLER}),
        needs_reason=True,
        reason_label="延期理由",
        public=False,
        inputs=("days",),
    ),
    Action.APPROVE_EXTENSION: Transition(
        "同意延期",
        frozenset({S.IN_PROGRESS, S.SUSPENDED}),
        None,
        frozenset({R.DISPATCHER, R.SUPERVISOR}),
        style="primary",
    ),
    Action.REFUSE_EXTENSION: Transition(
        "驳回延期",
        frozenset({S.IN_PROGRESS, S.SUSPENDED}),
        None,
        frozenset({R.DISPATCHER, R.SUPERVISOR}),
        needs_reason=True,
        reason_label="驳回理由",
        public=False,
        style="danger",
    ),
    Action.SUSPEND: Transition(
        "挂起（待诉求人补充）",
        frozenset({S.IN_PROGRESS}),
        S.SUSPENDED,
        frozenset({R.HANDLER}),
        needs_reason=True,
        reason_label="需诉求人补充的内容",
    ),
    Action.RESUME: Transition(
        "恢复办理",
        frozenset({S.SUSPENDED}),
        S.IN_PROGRESS,
        frozenset({R.HANDLER}),
    ),
    Action.RESOLVE: Transition(
        "办结答复",
        frozenset({S.IN_PROGRESS}),
        S.RESOLVED,
        frozenset({R.HANDLER}),
        needs_reason=True,
        reason_label="答复内容",
        style="primary",
        long_reason=True,
    ),
    Action.RATE: Transition(
        "评价",
        frozenset({S.RESOLVED}),
        S.RATED,
        frozenset({R.CITIZEN, R.CALL_TAKER, R.SUPERVISOR}),
        panel=True,
    ),
    Action.RATE_DISSATISFIED: Transition(
        "评价不满意",
        frozenset({S.RESOLVED}),
        S.FOLLOW_UP,
        frozenset({R.CITIZEN, R.CALL_TAKER, R.SUPERVISOR}),
        panel=True,
    ),
    Action.FOLLOW_UP: Transition(
        "回访",
        frozenset({S.FOLLOW_UP}),
        None,
        frozenset({R.SUPERVISOR, R.CALL_TAKER}),
        needs_reason=True,
        reason_label="回访记录",
    ),
    Action.REOPEN: Transition(
        "重办",
        frozenset({S.FOLLOW_UP}),
        S.IN_PROGRESS,
        frozenset({R.SUPERVISOR}),
        needs_reason=True,
        reason_label="重办要求",
        inputs=("days",),
        style="primary",
    ),
    Action.CLOSE: Transition(
        "审核办结",
        frozenset({S.FOLLOW_UP}),
        S.ARCHIVED,
        frozenset({R.SUPERVISOR}),
        needs_reason=True,
        reason_label="办结理由",
    ),
    Action.ARCHIVE: Transition(
        "归档",
        frozenset({S.RATED, S.RESOLVED}),
        S.ARCHIVED,
        frozenset({R.SYSTEM, R.SUPERVISOR}),
    ),
}
