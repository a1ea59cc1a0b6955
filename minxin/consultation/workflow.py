"""Two small tables, no queries: a consultation's lifecycle and a comment's.

基层立法联系点 / 征求意见: the office publishes a draft (its text in articles) for comment in a
window; citizens comment on the phone page, deputies and contact points through their
accounts; moderators publish each comment (masked) or keep it private, as the board does; once
the window has closed, the office answers every comment adopted / partly / not adopted with
its reason, and publishes the feedback report (意见采纳情况). Every row is applied by
`consultation.machine`, which writes one event."""

from enum import StrEnum
from typing import Final

from django.db import models

from minxin.accounts.roles import Role
from minxin.machine.table import Transition


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", "筹备中"
    OPEN = "open", "征求意见中"
    CLOSED = "closed", "意见办理中"
    REPORTED = "reported", "已公布采纳情况"
    WITHDRAWN = "withdrawn", "已撤回"


class ConsultationAction(StrEnum):
    CREATE = "create"
    PUBLISH = "publish"
    CLOSE = "close"
    REPORT = "report"
    WITHDRAW = "withdraw"


class CommentStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    PUBLISHED = "published", "已公开"
    PRIVATE = "private", "不公开"


class CommentAction(StrEnum):
    SUBMIT = "submit"
    PUBLISH = "publish"
    KEEP_PRIVATE = "keep_private"
    ANSWER = "answer"


R = Role
OFFICE: Final = frozenset({R.SUPERVISOR, R.LEADER, R.ADMIN})
MODERATORS: Final = frozenset({R.DISPATCHER, R.SUPERVISOR, R.ADMIN})
# Who may comment: citizens on the public page, deputies and the office (a contact point's
# comments entered on its behalf) through their accounts.
COMMENTERS: Final = frozenset({R.CITIZEN, R.DEPUTY}) | OFFICE

C = ConsultationStatus
CONSULTATION_TRANSITIONS: Final[dict[ConsultationAction, Transition[ConsultationStatus]]] = {
    ConsultationAction.CREATE: Transition("新建征求意见", frozenset(), C.DRAFT, OFFICE),
    ConsultationAction.PUBLISH: Transition(
        "发布征求意见", frozenset({C.DRAFT}), C.OPEN, OFFICE, style="primary"
    ),
    # After the window: comments are no longer taken; each is answered.
    ConsultationAction.CLOSE: Transition(
        "结束征求意见", frozenset({C.OPEN}), C.CLOSED, OFFICE, style="primary"
    ),
    ConsultationAction.REPORT: Transition(
        "公布采纳情况",
        frozenset({C.CLOSED}),
        C.REPORTED,
        OFFICE,
        reason_label="采纳情况说明",
        style="primary",
        long_reason=True,
    ),
    ConsultationAction.WITHDRAW: Transition(
        "撤回征求意见",
        frozenset({C.DRAFT, C.OPEN}),
        C.WITHDRAWN,
        OFFICE,
        needs_reason=True,
        reason_label="撤回理由",
    ),
}

M = CommentStatus
COMMENT_TRANSITIONS: Final[dict[CommentAction, Transition[CommentStatus]]] = {
    CommentAction.SUBMIT: Transition("提交意见", frozenset(), M.PENDING, COMMENTERS),
    CommentAction.PUBLISH: Transition(
        "公开意见",
        frozenset({M.PENDING, M.PRIVATE}),
        M.PUBLISHED,
        MODERATORS,
        style="primary",
        panel=True,
    ),
    CommentAction.KEEP_PRIVATE: Transition(
        "不予公开",
        frozenset({M.PENDING, M.PUBLISHED}),
        M.PRIVATE,
        MODERATORS,
        needs_reason=True,
        reason_label="不公开的原因",
        panel=True,
    ),
    # The answer (adopted / partly / not adopted) with its reason; again to correct it.
    CommentAction.ANSWER: Transition(
        "答复采纳情况",
        frozenset({M.PUBLISHED, M.PRIVATE}),
        None,
        OFFICE,
        needs_reason=True,
        reason_label="理由",
        long_reason=True,
        panel=True,
    ),
}
