"""The issue-list items' machine: the table of `workflow.py` bound to IssueItem and
IssueItemEvent. The unit whose list holds the item is the one that works it."""

from minxin.machine.engine import Machine

from .models import IssueItem, IssueItemEvent
from .workflow import TRANSITIONS, ItemStatus

MISSING = "未找到该事项或无权查看"


def _unit(item: IssueItem) -> tuple[int | None, frozenset[int]]:
    return item.issue_list.unit_id, frozenset()


ITEMS: Machine[IssueItem, IssueItemEvent] = Machine(
    name="issue_item",
    noun="清单事项",
    statuses=ItemStatus,
    table=TRANSITIONS,
    subject=IssueItem,
    event=IssueItemEvent,
    event_subject="item",
    reason_max=3000,
    lead_label="清单责任单位",
    missing=MISSING,
    units=_unit,
)
