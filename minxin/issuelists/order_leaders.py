"""The leader of an item hears when the order of an instruction on it (领导批示) escalates:
found by `supervision.selectors.order_leaders`. The item's instruction event names its order
(payload `order`), so the leader is the item's now, even if another leader took it since."""

from minxin.accounts.models import User
from minxin.supervision.models import SupervisionOrder

from .workflow import ItemAction


def leaders(*, order: SupervisionOrder) -> list[User]:
    if order.appeal_id is not None:
        return []  # an instruction's order is about its item, never about an appeal
    return list(
        User.objects.filter(
            led_items__events__action=ItemAction.INSTRUCT,
            led_items__events__payload__order=order.pk,
        ).distinct()
    )
