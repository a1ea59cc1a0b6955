"""The supervision orders' machine: the table of `workflow.py` bound to SupervisionOrder and
SupervisionOrderEvent. The unit an order is addressed to is the one that answers it."""

from minxin.machine.engine import Machine

from .models import SupervisionOrder, SupervisionOrderEvent
from .workflow import TRANSITIONS, OrderStatus

MISSING = "未找到该督办单或无权查看"


def _unit(order: SupervisionOrder) -> tuple[int | None, frozenset[int]]:
    return order.unit_id, frozenset()


ORDERS: Machine[SupervisionOrder, SupervisionOrderEvent] = Machine(
    name="supervision_order",
    noun="督办单",
    statuses=OrderStatus,
    table=TRANSITIONS,
    subject=SupervisionOrder,
    event=SupervisionOrderEvent,
    event_subject="order",
    reason_max=2000,
    lead_label="被督办单位",
    missing=MISSING,
    units=_unit,
)
