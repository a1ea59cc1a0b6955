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
    REVIEWING = "reviewing", "办结待审核"
    RESOLVED = "resolved", "已办结待评价"
    RATED = "rated", "已评价"
    FOLLOW_UP = "follow_up", "不满意待回访"
    ARCHIVED = "archived", "已归档"


# Statuses in which the responsible unit's clocks run (for queues, warnings and overdue flags).
OPEN_STATUSES: Final = frozenset(
    {AppealStatus.DISPATCHED, AppealStatus.ACCEPTED, AppealStatus.IN_PROGRESS}
)
# A unit's queue (待办): given to it and not answered yet, the ones paused for the citizen
# included; cases.Appeal keeps a partial index of exactly these.
UNIT_QUEUE_STATUSES: Final = OPEN_STATUSES | {AppealStatus.SUSPENDED}
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
    REFUSE_RETURN = "refuse_return"
    ACCEPT = "accept"
    FIRST_CONTACT = "first_contact"
    NOTE = "note"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    REQUEST_TRANSFER = "request_transfer"
    APPROVE_TRANSFER = "approve_transfer"
    REFUSE_TRANSFER = "refuse_transfer"
    SUSPEND = "suspend"
    RESUME = "resume"
    SUPPLEMENT = "supplement"
    RESOLVE = "resolve"
    APPROVE_REPLY = "approve_reply"
    SEND_BACK = "send_back"
    RATE = "rate"
    RATE_DISSATISFIED = "rate_dissatisfied"
    FOLLOW_UP = "follow_up"
    ONSITE_CHECK = "onsite_check"
    REOPEN = "reopen"
    CLOSE = "close"
    ARCHIVE = "archive"
    ANSWER_DIRECTLY = "answer_directly"
    SUB_DISPATCH = "sub_dispatch"
    SUB_REPORT = "sub_report"
    SUB_RECALL = "sub_recall"
    SEND_DOWN = "send_down"
    DOWNSTREAM_UPDATE = "downstream_update"
    DOWNSTREAM_REPLY = "downstream_reply"


# The actions that end a pause: their event records the paused working time
# (`paused_working_seconds`), which the figures take off the handling time.
RESUMING_ACTIONS: Final = frozenset({Action.RESUME, Action.SUPPLEMENT})

S = AppealStatus
R = Role
_SCREENING_SOURCES = frozenset({S.RECEIVED, S.SCREENED, S.RETURNED})
_PEER_SOURCES = frozenset(S) - FINAL_STATUSES

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
    # 退单审核: the dispatcher refuses an unjustified return; the appeal goes back to the unit
    # that returned it (its assignments as they were, the deadline as the deadline policy says),
    # and the refused return counts against that unit (退单驳回率).
    Action.REFUSE_RETURN: Transition(
        "驳回退单",
        frozenset({S.RETURNED}),
        S.DISPATCHED,
        frozenset({R.DISPATCHER, R.SUPERVISOR}),
        needs_reason=True,
        reason_label="驳回理由（退单理由不成立，退回原承办单位）",
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
    # 转办 after acceptance: the lead unit asks for the appeal to go to another unit (a reason,
    # maybe a suggested unit); it stays with the unit, status unchanged, until the dispatcher or
    # a supervisor approves it — choosing the new lead unit, dispatched afresh (the clock as the
    # deadline policy says) — or refuses it with a reason. One request pending at a time.
    Action.REQUEST_TRANSFER: Transition(
        "申请转办",
        frozenset({S.ACCEPTED, S.IN_PROGRESS}),
        None,
        frozenset({R.HANDLER}),
        needs_reason=True,
        reason_label="转办理由",
        public=False,
        inputs=("suggested_unit_id",),
    ),
    Action.APPROVE_TRANSFER: Transition(
        "同意转办",
        frozenset({S.ACCEPTED, S.IN_PROGRESS}),
        S.DISPATCHED,
        frozenset({R.DISPATCHER, R.SUPERVISOR}),
        reason_label="转办意见",
        inputs=("lead_unit_id",),
        style="primary",
    ),
    Action.REFUSE_TRANSFER: Transition(
        "驳回转办",
        frozenset({S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED}),
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
    # The citizen adds to the appeal (补充) from the tracking page, with text and photos, while
    # it waits on them or is in progress; what the handler asked for arriving ends the pause
    # (the clock resumes as at RESUME). A form of the citizen's page, not a staff button.
    Action.SUPPLEMENT: Transition(
        "诉求人补充",
        frozenset({S.SUSPENDED, S.IN_PROGRESS}),
        S.IN_PROGRESS,
        frozenset({R.CITIZEN}),
        needs_reason=True,
        reason_label="补充内容",
        long_reason=True,
        panel=True,
    ),
    # The unit's reply waits for the centre's review (办结审核) before the citizen sees it;
    # the review policy (the review app's rules) passes some at once, as the system.
    Action.RESOLVE: Transition(
        "办结答复",
        frozenset({S.IN_PROGRESS}),
        S.REVIEWING,
        frozenset({R.HANDLER}),
        needs_reason=True,
        reason_label="答复内容",
        public=False,
        style="primary",
        long_reason=True,
        inputs=("photos",),  # of what was done, checked like the citizen's
    ),
    Action.APPROVE_REPLY: Transition(
        "审核通过",
        frozenset({S.REVIEWING}),
        S.RESOLVED,
        frozenset({R.DISPATCHER, R.SUPERVISOR, R.SYSTEM}),
        reason_label="审核意见",
        style="primary",
    ),
    Action.SEND_BACK: Transition(
        "审核退回",
        frozenset({S.REVIEWING}),
        S.IN_PROGRESS,
        frozenset({R.DISPATCHER, R.SUPERVISOR}),
        needs_reason=True,
        reason_label="退回理由（承办单位据此修改答复）",
        public=False,
        style="danger",
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
    # A revisit call (回访) on a released reply: every dissatisfied appeal and a sample of the
    # rest (`cases.models.Revisit`); each call is one event, reached or not.
    Action.FOLLOW_UP: Transition(
        "回访",
        frozenset({S.RESOLVED, S.RATED, S.FOLLOW_UP}),
        None,
        frozenset({R.SUPERVISOR, R.CALL_TAKER}),
        reason_label="回访记录",
        panel=True,
    ),
    # 四不两直: a supervisor's unannounced visit to a dissatisfied appeal's place, with findings,
    # photos and a correction deadline (supervision's OnSiteCheck and its 督办单).
    Action.ONSITE_CHECK: Transition(
        "四不两直督查",
        frozenset({S.IN_PROGRESS, S.RESOLVED, S.RATED, S.FOLLOW_UP}),
        None,
        frozenset({R.SUPERVISOR}),
        reason_label="督查发现",
        public=False,
        panel=True,
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
    # 直接答复: an inquiry the hotline answers on the spot from a published knowledge-base
    # article, closed without dispatch (the knowledge app's panel and service: the article is
    # linked and its revision recorded in the event).
    Action.ANSWER_DIRECTLY: Transition(
        "直接答复",
        frozenset({S.RECEIVED}),
        S.ARCHIVED,
        frozenset({R.CALL_TAKER, R.DISPATCHER}),
        panel=True,
    ),
    # 二级派单: the lead unit (a street office) passes the appeal down to a community or grid
    # unit under it with a deadline inside the appeal's own (`cases.SubAssignment`); the
    # community reports back what it did; the street may recall it. The appeal's status does
    # not change: the street stays the lead unit, answers the citizen and is scored.
    Action.SUB_DISPATCH: Transition(
        "下派社区/网格",
        frozenset({S.ACCEPTED, S.IN_PROGRESS}),
        None,
        frozenset({R.HANDLER}),
        reason_label="交办要求",
        public=False,
        inputs=("sub_unit", "sub_due"),
        long_reason=True,
    ),
    Action.SUB_REPORT: Transition(
        "反馈办理情况",
        frozenset({S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED}),
        None,
        frozenset({R.HANDLER}),
        needs_reason=True,
        reason_label="办理情况（向街道反馈）",
        handler_scope=UnitScope.DELEGATED,
        public=False,
        style="primary",
        long_reason=True,
    ),
    Action.SUB_RECALL: Transition(
        "收回下派",
        frozenset({S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED}),
        None,
        frozenset({R.HANDLER}),
        needs_reason=True,
        reason_label="收回理由",
        public=False,
        style="danger",
    ),
    # The city link (docs/citylink.md): a work order sent down to a peer platform (a district
    # below this one), through the outbox, with the peer's service code and a deadline; what
    # the peer sends back about it (its steps, its released reply) recorded as it arrives, each
    # once, while the appeal is in the loop (a finished one takes nothing more). None changes
    # the status: the appeal's own loop goes on here as staff decide.
    Action.SEND_DOWN: Transition(
        "下派下级平台",
        frozenset({S.SCREENED}),
        None,
        frozenset({R.DISPATCHER, R.SYSTEM}),
        public=False,
        panel=True,
    ),
    Action.DOWNSTREAM_UPDATE: Transition(
        "下级平台进展",
        _PEER_SOURCES,
        None,
        frozenset({R.SYSTEM}),
        needs_reason=True,
        reason_label="进展说明",
        panel=True,
    ),
    Action.DOWNSTREAM_REPLY: Transition(
        "下级平台答复",
        _PEER_SOURCES,
        None,
        frozenset({R.SYSTEM}),
        needs_reason=True,
        reason_label="答复内容",
        public=False,
        long_reason=True,
        panel=True,
    ),
}
