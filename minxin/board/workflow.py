"""Moderation of a board post as data: one small transition table, no queries.

A post waits (pending), is published as written or with a moderator's edits, or kept private
(with a reason); a published post can be corrected or withdrawn. Every change is one row,
applied by the board's machine (`board.machine.MODERATION`, the shared applier), which writes
one ModerationEntry with the public text before and after."""

from enum import StrEnum
from typing import Final

from django.db import models

from minxin.accounts.roles import Role
from minxin.machine.table import Transition


class ModerationStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    PUBLISHED = "published", "已公开"
    PRIVATE = "private", "不公开"


class ModerationAction(StrEnum):
    PUBLISH = "publish"
    PUBLISH_EDITED = "publish_edited"
    KEEP_PRIVATE = "keep_private"


S = ModerationStatus
# The dispatcher (who screens the same appeal), the supervisor and the admin.
MODERATORS: Final = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})

TRANSITIONS: Final[dict[ModerationAction, Transition[ModerationStatus]]] = {
    ModerationAction.PUBLISH: Transition(
        "直接公开", frozenset({S.PENDING, S.PRIVATE}), S.PUBLISHED, MODERATORS, style="primary"
    ),
    ModerationAction.PUBLISH_EDITED: Transition(
        "修改后公开",
        frozenset({S.PENDING, S.PRIVATE, S.PUBLISHED}),
        S.PUBLISHED,
        MODERATORS,
        inputs=("title", "content"),
    ),
    ModerationAction.KEEP_PRIVATE: Transition(
        "不公开",
        frozenset({S.PENDING, S.PUBLISHED}),
        S.PRIVATE,
        MODERATORS,
        needs_reason=True,
        reason_label="不公开的原因",
        style="danger",
    ),
}
