"""Supervision orders: issued by supervisors, answered once by the unit, escalated to the unit
head and then the leaders when unanswered; every step in the order's own history."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.workflow import AppealStatus
from minxin.core.errors import NotFound, PermissionDenied, ValidationFailed
from minxin.notify.models import Notification
from minxin.supervision.models import Escalation
from minxin.supervision.services import (
    supervision_order_answer,
    supervision_order_issue,
    supervision_orders_escalate,
)
from minxin.supervision.tasks import escalate_supervision_orders_task
from minxin.supervision.workflow import OrderStatus
from tests.builders import appeal_in

TZ = ZoneInfo(settings.TIME_ZONE)
THURSDAY = datetime(2025, 3, 6, 10, 0, tzinfo=TZ)


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def issue_on_appeal(district):
    with time_machine.travel(THURSDAY, tick=False):
        appeal = appeal_in(district, AppealStatus.IN_PROGRESS)
        order = supervision_order_issue(
            actor=district.user("supervisor"),
            appeal_id=appeal.pk,
            content="请三日内完成清运并反馈",
            due_at=THURSDAY + timedelta(days=1),
        )
    return appeal, order


def test_an_order_on_an_appeal_goes_to_its_lead_unit_and_is_answered_once(district):
    _, order = issue_on_appeal(district)
    assert (order.unit_id, order.status) == (district.street_units[0].pk, OrderStatus.OPEN)
    assert told("supervision_order") == {"handler"}
    with pytest.raises(NotFound):
        supervision_order_answer(
            actor=district.user("handler_other"), order_id=order.pk, answer="x"
        )
    answered = supervision_order_answer(
        actor=district.user("handler"), order_id=order.pk, answer="已清运完毕"
    )
    assert (answered.status, answered.answer) == (OrderStatus.ANSWERED, "已清运完毕")
    assert told("supervision_answer") == {"supervisor"}
    with pytest.raises(ValidationFailed, match="已答复"):
        supervision_order_answer(actor=district.user("handler"), order_id=order.pk, answer="再答")
    assert list(order.events.values_list("action", flat=True)) == ["issue", "answer"]


def test_an_order_on_a_unit_and_who_may_issue(district):
    unit = district.departments[0]
    with time_machine.travel(THURSDAY, tick=False):
        for key in ("handler", "dispatcher", "call_taker"):
            with pytest.raises(PermissionDenied):
                supervision_order_issue(
                    actor=district.user(key),
                    unit_id=unit.pk,
                    content="整改",
                    due_at=THURSDAY + timedelta(days=1),
                )
        with pytest.raises(ValidationFailed):
            supervision_order_issue(
                actor=district.user("leader"), unit_id=unit.pk, content="整改", due_at=THURSDAY
            )
        order = supervision_order_issue(
            actor=district.user("leader"),
            unit_id=unit.pk,
            content="本月超期件集中整改",
            due_at=THURSDAY + timedelta(days=1),
        )
    assert order.appeal_id is None and order.unit_id == unit.pk
    assert told("supervision_order") == {"handler_dept"}


def test_unanswered_orders_escalate_to_the_unit_head_then_the_leaders_once_each(district):
    User.objects.create_user(
        username="head", role=Role.HANDLER, unit=district.street_units[0], is_unit_head=True
    )
    _, order = issue_on_appeal(district)
    assert supervision_orders_escalate(now=order.due_at - timedelta(minutes=1)) == 0
    assert supervision_orders_escalate(now=order.due_at + timedelta(minutes=1)) == 1
    assert supervision_orders_escalate(now=order.due_at + timedelta(hours=2)) == 0
    assert told("supervision_escalation") == {"head"}
    assert supervision_orders_escalate(now=order.due_at + timedelta(hours=25)) == 1
    assert told("supervision_escalation") == {"head", "leader"}
    assert supervision_orders_escalate(now=order.due_at + timedelta(days=9)) == 0
    order.refresh_from_db()
    assert order.escalation == Escalation.LEADER
    assert list(order.events.values_list("action", flat=True)) == [
        "issue",
        "escalate_unit_head",
        "escalate_leader",
    ]


def test_answered_orders_do_not_escalate_and_the_task_runs(district):
    _, order = issue_on_appeal(district)
    supervision_order_answer(actor=district.user("handler"), order_id=order.pk, answer="已办")
    with time_machine.travel(order.due_at + timedelta(days=3), tick=False):
        assert escalate_supervision_orders_task.enqueue().return_value == 0
