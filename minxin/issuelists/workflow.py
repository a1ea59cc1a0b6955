"""An issue-list item's lifecycle as data: one small transition table, no queries.

事项清单: each department keeps a list of the matters the public cares about, graded 急 and 难,
each with a goal, a deadline and a responsible person. The department works an item and
records its progress; appeals that fall under it are linked; it asks to close it (销号) with
its evidence, and the supervision office closes it — having seen whether its appeals stopped
coming — or sends it back. A district leader may take an item personally (领导包案) and give
instructions (批示), each naming who must act by when. Every row is applied by
`issuelists.machine.ITEMS`, which writes one IssueItemEvent."""

from enum import StrEnum
from typing import Final

from django.db import models

from minxin.accounts.roles import Role
from minxin.machine.table import Transition


class ItemStatus(models.TextChoices):
    OPEN = "open", "推进中"
    CLOSING = "closing", "申请销号"
    CLOSED = "closed", "已销号"


class ItemAction(StrEnum):
    CREATE = "create"
    NOTE = "note"
    LINK_APPEAL = "link_appeal"
    REQUEST_CLOSE = "request_close"
    CLOSE = "close"
    SEND_BACK = "send_back"
    TAKE_CHARGE = "take_charge"
    INSTRUCT = "instruct"
    WARN = "warn"


S = ItemStatus
R = Role
OFFICE: Final = frozenset({R.SUPERVISOR, R.LEADER, R.ADMIN})
UNIT: Final = frozenset({R.HANDLER})
LIVE: Final = frozenset({S.OPEN, S.CLOSING})

# A staff matter: nothing of it is on a citizen's timeline.
TRANSITIONS: Final[dict[ItemAction, Transition[ItemStatus]]] = {
    ItemAction.CREATE: Transition("列入清单", frozenset(), S.OPEN, OFFICE | UNIT, public=False),
    ItemAction.NOTE: Transition(
        "记录进展",
        frozenset({S.OPEN}),
        None,
        OFFICE | UNIT,
        needs_reason=True,
        reason_label="进展",
        long_reason=True,
        public=False,
    ),
    # Linking is recorded on the item's timeline; the link rows themselves are ItemAppeal.
    ItemAction.LINK_APPEAL: Transition(
        "关联诉求", LIVE, None, OFFICE | UNIT | frozenset({R.DISPATCHER}), public=False, panel=True
    ),
    ItemAction.REQUEST_CLOSE: Transition(
        "申请销号",
        frozenset({S.OPEN}),
        S.CLOSING,
        UNIT | OFFICE,
        needs_reason=True,
        reason_label="办结情况与佐证",
        long_reason=True,
        style="primary",
        public=False,
    ),
    ItemAction.CLOSE: Transition(
        "同意销号",
        frozenset({S.CLOSING}),
        S.CLOSED,
        OFFICE,
        needs_reason=True,
        reason_label="审核意见",
        style="primary",
        public=False,
    ),
    ItemAction.SEND_BACK: Transition(
        "退回继续推进",
        frozenset({S.CLOSING}),
        S.OPEN,
        OFFICE,
        needs_reason=True,
        reason_label="退回理由",
        public=False,
    ),
    # 领导包案: a leader takes the item personally; its warnings go to the leader too.
    ItemAction.TAKE_CHARGE: Transition(
        "领导包案", LIVE, None, frozenset({R.LEADER}), public=False, panel=True
    ),
    ItemAction.INSTRUCT: Transition(
        "领导批示",
        LIVE,
        None,
        frozenset({R.LEADER}),
        needs_reason=True,
        reason_label="批示内容",
        public=False,
        panel=True,
    ),
    # The nightly check: an item near or past its deadline warns its unit (and its leader).
    ItemAction.WARN: Transition("时限预警", LIVE, None, frozenset({R.SYSTEM}), public=False),
}
