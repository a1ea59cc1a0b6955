"""The board's moderation machine: the table of `workflow.py` bound to BoardPost and
ModerationEntry."""

from minxin.machine.engine import Machine

from .models import BoardPost, ModerationEntry
from .workflow import TRANSITIONS, ModerationStatus

REASON_MAX = 1000

MODERATION: Machine[BoardPost, ModerationEntry] = Machine(
    name="moderation",
    noun="留言",
    statuses=ModerationStatus,
    table=TRANSITIONS,
    subject=BoardPost,
    event=ModerationEntry,
    event_subject="post",
    reason_max=REASON_MAX,
    missing="未找到该留言",
    stale_message="该留言已被他人审核，请刷新后重试",
)
