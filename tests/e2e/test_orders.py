"""Supervision orders in a browser: a supervisor issues one from the appeal page, the unit's
handler answers it from the order list, and the supervisor reads the answer on the appeal's
timeline, merged with its deadline warnings."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.supervision.models import SupervisionOrder
from minxin.supervision.services import supervision_order_issue, supervision_orders_escalate
from minxin.supervision.warnings import deadline_warnings_raise
from tests.builders import District, appeal_in

from .conftest import login, snap

pytestmark = pytest.mark.django_db(transaction=True)


def other_orders(d: District) -> None:
    """Two more orders for the handler's unit, so the list shows more than one state."""
    User.objects.create_user(
        username="head", role=Role.HANDLER, unit=d.street_units[0], is_unit_head=True
    )
    now = timezone.now()
    # Issued four days ago (its history is append-only: written then, not rewritten).
    with time_machine.travel(now - timedelta(days=4), tick=False):
        supervision_order_issue(
            actor=d.user("leader"),
            unit_id=d.street_units[0].pk,
            content="本月超期件集中整改，形成整改清单报区督查室",
            due_at=now - timedelta(days=3),
        )
    supervision_orders_escalate(now=now - timedelta(days=2))
    supervision_orders_escalate(now=now)


def test_an_order_from_issue_to_answer_on_the_timeline(new_page, live_district: District):
    d = live_district
    with time_machine.travel(timezone.now() - timedelta(days=12), tick=False):
        appeal = appeal_in(d, AppealStatus.IN_PROGRESS)
    # Due within the hour: near its deadline whatever the day (twelve calendar days back are
    # fewer than ten working days on some weekdays).
    Appeal.objects.filter(pk=appeal.pk).update(resolve_due=timezone.now() + timedelta(hours=1))
    assert deadline_warnings_raise() >= 1
    other_orders(d)
    appeal_url = reverse("cases:appeal_detail", args=[appeal.pk])
    due = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    # The supervisor, on the appeal page: the merged timeline loads, with its warnings.
    supervisor = new_page()
    login(supervisor, "supervisor", "pw-supervisor")
    supervisor.goto(appeal_url)
    panel = supervisor.locator("#sv-timeline")
    expect(panel.locator("li[data-kind=warning]").first).to_be_visible()
    form = panel.locator("details[data-action=supervision_order]")
    form.locator("summary").click()
    # A past deadline is refused in Chinese, and what was typed is kept.
    form.locator("textarea[name=content]").fill("请三日内完成清运，并将现场照片随答复报送")
    past = timezone.localtime(timezone.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    form.locator("input[name=due_at]").fill(past)
    form.get_by_role("button", name="下发督办单").click()
    expect(supervisor.get_by_role("alert")).to_contain_text("答复期限应晚于当前时间")
    expect(supervisor.locator("textarea[name=content]")).to_have_value(
        "请三日内完成清运，并将现场照片随答复报送"
    )
    supervisor.locator("input[name=due_at]").fill(due)
    supervisor.get_by_role("button", name="下发督办单").click()
    expect(supervisor.get_by_role("status")).to_contain_text("已向桂花坪街道办事处下发督办单")
    expect(supervisor).to_have_url(appeal_url)
    issued = supervisor.locator("#sv-timeline li[data-kind=order][data-action=issue]")
    expect(issued).to_contain_text("请三日内完成清运")
    expect(issued).to_contain_text("待答复")

    # The handler of the lead unit: the list, its answer form, the order's page.
    handler = new_page()
    login(handler, "handler", "pw-handler")
    handler.get_by_role("link", name="督办单").click()
    expect(handler.get_by_role("heading", name="督办单")).to_be_visible()
    order = SupervisionOrder.objects.get(appeal=appeal)
    row = handler.locator(f"tr[data-order='{order.pk}']")
    expect(row).to_contain_text("待答复")
    expect(handler.locator("tr[data-state=escalated]")).to_contain_text("已报领导")
    row.locator("details[data-action=answer] summary").click()
    row.locator("textarea[name=answer]").fill("已于今日完成清运，现场照片已随卷上传。")
    snap(handler, "order_list")
    row.get_by_role("button", name="提交答复").click()
    expect(handler.get_by_role("status")).to_contain_text(f"已答复督办单 {order.pk}")
    expect(handler.locator(f"tr[data-order='{order.pk}']")).to_contain_text("已答复")
    handler.locator(f"tr[data-order='{order.pk}'] td a").first.click()
    expect(handler.locator("[data-answer]")).to_have_text("已于今日完成清运，现场照片已随卷上传。")
    expect(handler.locator("li[data-action=answer]")).to_be_visible()
    snap(handler, "order_detail")

    # Back to the supervisor: the answer is on the appeal's timeline.
    supervisor.goto(appeal_url)
    answered = supervisor.locator("#sv-timeline li[data-kind=order][data-action=answer]")
    expect(answered).to_contain_text("已于今日完成清运")
    expect(issued).to_contain_text("已答复")
    snap(supervisor, "appeal_timeline_orders")
