"""A task force's leader hears when the order of one of its meeting's decisions escalates:
found by `supervision.selectors.order_leaders`. The leader is the task force's now, even if
another leader took it over since the meeting."""

from minxin.accounts.models import User
from minxin.supervision.models import SupervisionOrder


def leaders(*, order: SupervisionOrder) -> list[User]:
    if order.appeal_id is not None:
        return []  # a decision's order is about its task force, never about an appeal
    led = User.objects.filter(task_forces_led__meetings__decisions__order=order.pk)
    return list(led.distinct())
