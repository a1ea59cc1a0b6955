"""工作专班 in a browser: the supervisor sets one up with an appeal in its scope, records a
meeting whose decision goes to a member street as a supervision order, and the street's
handler sees the task force, its appeal and the decision on a phone.

The member then answers the decision's order and finds the task force beside its queue.

Screenshots: taskforces-new-1366, taskforces-detail-1366, taskforces-detail-390,
taskforces-queue-390, taskforces-list-1366."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from minxin.cases.workflow import AppealStatus
from minxin.supervision.models import SupervisionOrder
from minxin.taskforces.models import TaskForce
from tests.builders import District, appeal_in

from .conftest import action_open, login, snap

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_task_force_from_set_up_to_a_members_phone(new_page, live_district: District):
    d = live_district
    appeal = appeal_in(d, AppealStatus.IN_PROGRESS)
    office = new_page()
    login(office, "supervisor", "pw-supervisor")
    office.goto(reverse("taskforces:task_force_new"))
    office.fill("input[name=name]", "老旧小区物业纠纷工作专班")
    office.fill("textarea[name=purpose]", "住建局牵头，街道和城管参加，两个月内化解物业纠纷")
    office.select_option("select[name=lead_unit]", str(d.departments[1].pk))
    office.select_option("select[name=leader]", str(d.user("leader").pk))
    office.select_option(
        "select[name=members]", [str(d.street_units[0].pk), str(d.departments[0].pk)]
    )
    office.fill("input[name=appeals]", appeal.tracking_number)
    snap(office, "taskforces-new-1366")
    office.get_by_role("button", name="成立专班").click()
    expect(office.get_by_role("status")).to_contain_text("已成立老旧小区物业纠纷工作专班")
    force = TaskForce.objects.get()

    form = action_open(office, "meeting")
    held = timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    form.locator("input[name=held_at]").fill(held)
    form.locator("input[name=place]").fill("区政府第三会议室")
    form.locator("input[name=attendees]").fill("住建局、城管局、桂花坪街道")
    form.locator("textarea[name=minutes]").fill("通报纠纷情况，明确分工")
    form.locator("textarea[name=decision_0]").fill("桂花坪街道逐户走访，摸清纠纷底数")
    form.locator("select[name=decision_0_unit]").select_option(str(d.street_units[0].pk))
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    form.locator("input[name=decision_0_due]").fill(due)
    form.get_by_role("button", name="记录会议").click()
    expect(office.get_by_role("status")).to_contain_text("议定事项 1 项已下发督办单")
    order = SupervisionOrder.objects.get()
    expect(office.locator("[data-decision]")).to_contain_text(f"督办单 {order.pk} 待答复")
    snap(office, "taskforces-detail-1366")

    member = new_page(phone=True)
    login(member, "handler", "pw-handler")
    member.goto(reverse("taskforces:task_force_list"))
    member.locator(f"li[data-task-force='{force.pk}'] a").click()
    expect(member.locator("[data-appeals]")).to_contain_text(appeal.tracking_number)
    expect(member.locator("[data-decision]")).to_contain_text("逐户走访")
    snap(member, "taskforces-detail-390")

    # The decision is the member's order: answered from its page, 已答复 on the task force's.
    member.locator("[data-decision] a").click()
    member.locator("details[data-action=answer] textarea[name=answer]").fill(
        "已完成走访，摸清纠纷28户，台账已报专班"
    )
    member.locator("details[data-action=answer] button[type=submit]").click()
    expect(member.get_by_role("status")).to_contain_text(f"已答复督办单 {order.pk}")
    member.goto(reverse("taskforces:task_force_detail", args=[force.pk]))
    expect(member.locator("[data-decision]")).to_contain_text(f"督办单 {order.pk} 已答复")
    expect(member.locator(f"[data-order-event='{order.pk}']")).to_contain_text("摸清纠纷28户")

    # Beside its own queue, the member's unit finds the task force and its open appeals.
    member.goto(reverse("cases:unit_queue"))
    panel = member.locator("[data-queue-task-forces]")
    expect(panel).to_contain_text("老旧小区物业纠纷工作专班")
    expect(panel).to_contain_text("在办诉求 1 件")
    panel.scroll_into_view_if_needed()
    snap(member, "taskforces-queue-390")

    office.goto(reverse("taskforces:task_force_list"))
    expect(office.locator(f"li[data-task-force='{force.pk}']")).to_be_visible()
    snap(office, "taskforces-list-1366")
