"""未诉先办 in a browser: the supervisor turns a hotspot of the dashboard into a task for the
street (the form filled in from the hotspot's appeal), the street's handler takes it on from a
phone, records progress and completes it, and the task's page shows its effect beside the rest
of the district and the places most like its own.

Screenshots: proactive-new-1366, proactive-detail-1366, proactive-list-1366,
proactive-list-390, proactive-detail-390."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from minxin.accounts.actor import Actor
from minxin.cases.services import appeal_merge
from minxin.cases.workflow import AppealStatus
from minxin.proactive.models import ProactiveTask
from minxin.proactive.workflow import TaskStatus
from tests.builders import District, appeal_in, appeal_new

from .conftest import action_open, login, snap

pytestmark = pytest.mark.django_db(transaction=True)


def hotspot(d: District) -> int:
    first = appeal_in(d, AppealStatus.IN_PROGRESS)
    for phone in ("13912345678", "13712345678"):
        again = appeal_new(d, title="景蓉华苑垃圾桶满溢没人管", appellant_phone=phone)
        appeal_merge(
            appeal_id=again.pk,
            actor=Actor.of(d.user("dispatcher")),
            expected_version=None,
            into_tracking_number=first.tracking_number,
        )
    return first.pk


def test_a_hotspot_becomes_a_task_the_street_completes(new_page, live_district: District):
    d = live_district
    hotspot(d)
    # The same matter once in the other street's community: the place most like this one.
    appeal_new(
        d, title="银杉社区垃圾清运不及时", region_id=d.communities[1].pk, category_id=d.category.pk
    )
    supervisor = new_page()
    login(supervisor, "supervisor", "pw-supervisor")
    supervisor.goto(reverse("metrics:dashboard"))
    supervisor.locator(".sv-to-task").first.click()
    expect(supervisor.locator("input[name=title]")).not_to_have_value("")
    expect(supervisor.locator("textarea[name=content]")).to_contain_text("合并的2件诉求")
    expect(supervisor.locator("select[name=unit]")).to_have_value(str(d.street_units[0].pk))
    # An empty name is refused in Chinese and the rest of the form is kept.
    supervisor.fill("input[name=title]", "")
    supervisor.evaluate("document.querySelector('input[name=title]').removeAttribute('required')")
    supervisor.get_by_role("button", name="提出任务").click()
    expect(supervisor.get_by_role("alert")).to_contain_text("请填写任务名称")
    supervisor.fill("input[name=title]", "景蓉华苑垃圾清运点位主动排查")
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    supervisor.fill("input[name=due]", due)
    snap(supervisor, "proactive-new-1366")
    supervisor.get_by_role("button", name="提出任务").click()
    expect(supervisor.get_by_role("status")).to_contain_text("已向桂花坪街道办事处提出未诉先办任务")
    expect(supervisor.locator("[data-effect]")).to_contain_text("提出前 30 天")
    expect(supervisor.locator("[data-similar]")).to_have_text("银杉社区")
    snap(supervisor, "proactive-detail-1366")

    # The street's handler, on a phone: the list, the task, take it on, progress, complete.
    handler = new_page(phone=True)
    login(handler, "handler", "pw-handler")
    handler.goto("/console/proactive/")
    card = handler.locator("li[data-task]").first
    expect(card).to_contain_text("景蓉华苑垃圾清运点位主动排查")
    snap(handler, "proactive-list-390")
    card.locator("a.pa-title").click()
    action_open(handler, "accept").get_by_role("button", name="认领任务").click()
    expect(handler.get_by_role("status")).to_contain_text("已认领任务")
    note = action_open(handler, "note")
    note.locator("textarea[name=reason]").fill("已会同物业逐栋排查，3处需增设垃圾桶")
    note.get_by_role("button", name="记录进展").click()
    done = action_open(handler, "complete")
    done.locator("textarea[name=reason]").fill("增设垃圾桶6个，清运改为每日两次，已在公告栏公示")
    done.get_by_role("button", name="办结任务").click()
    expect(handler.locator("[data-result]")).to_contain_text("增设垃圾桶6个")
    expect(handler.locator("[data-effect]")).to_contain_text("观察中")
    snap(handler, "proactive-detail-390")
    assert ProactiveTask.objects.get().status == TaskStatus.DONE

    supervisor.goto("/console/proactive/")
    expect(supervisor.locator("li[data-task]").first).to_contain_text("已完成")
    snap(supervisor, "proactive-list-1366")
