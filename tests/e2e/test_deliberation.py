"""议事厅 in a browser: a resident on a phone confirms the phone, proposes a topic and supports
it; the street's handler schedules the meeting, records it (participants by group, minutes)
and a decision that becomes an appeal; the public page follows the decision.

Screenshots: deliberation-new-390, deliberation-topic-390, deliberation-host-1366,
deliberation-followed-390."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from minxin.deliberation.models import Decision, Topic
from minxin.notify.sms import MemorySmsBackend
from tests.builders import District

from .conftest import action_open, login, snap

pytestmark = pytest.mark.django_db(transaction=True)


def _code() -> str:
    _, text = MemorySmsBackend.outbox[-1]
    return "".join(ch for ch in text.split("，")[0] if ch.isdigit())


def test_a_topic_from_a_resident_to_a_decision_in_the_loop(
    new_page, live_district: District, settings
) -> None:
    settings.MINXIN_SMS_BACKEND = "minxin.notify.sms.MemorySmsBackend"
    MemorySmsBackend.outbox = []
    d = live_district
    resident = new_page(phone=True)
    resident.goto("/participation/")
    resident.get_by_role("link", name="提出议题").click()
    resident.fill("input[name=phone]", "13912345678")
    resident.get_by_role("button", name="获取验证码").click()
    resident.fill("input[name=code]", _code())
    resident.get_by_role("button", name="验证").click()
    resident.fill("input[name=title]", "景蓉华苑电动自行车集中充电棚")
    resident.select_option("select[name=region]", str(d.communities[0].pk))
    resident.fill(
        "textarea[name=description]", "楼道里飞线充电有火灾隐患，建议在小区内建集中充电棚。"
    )
    resident.fill("input[name=proposer]", "景蓉居民")
    snap(resident, "deliberation-new-390")
    resident.get_by_role("button", name="提出议题").click()
    expect(resident.get_by_role("status")).to_contain_text("议题已提出")
    resident.get_by_role("button", name="我要附议").click()
    expect(resident.get_by_role("status")).to_contain_text("已有1位居民附议")
    snap(resident, "deliberation-topic-390")
    topic = Topic.objects.get()
    assert "13912345678" not in resident.url

    host = new_page()
    login(host, "handler", "pw-handler")
    host.goto("/console/deliberations/")
    host.get_by_role("link", name=topic.title).click()
    when = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    form = action_open(host, "schedule")
    form.locator("input[name=meeting_at]").fill(when)
    form.locator("input[name=place]").fill("景蓉社区党群服务中心")
    form.get_by_role("button", name="安排议事").click()
    expect(host.get_by_role("status")).to_contain_text("已安排议事")
    form = action_open(host, "hold")
    form.locator("textarea[name=group_residents]").fill("王秀兰\n李建华\n陈国平")
    form.locator("textarea[name=group_committee]").fill("景蓉社区居委会")
    form.locator("textarea[name=group_property]").fill("金桂物业")
    form.locator("textarea[name=reason]").fill(
        "与会人员一致同意在小区北门建设集中充电棚，费用由公共收益列支。"
    )
    form.get_by_role("button", name="记录议事会议").click()
    expect(host.get_by_role("status")).to_contain_text("已记录议事会议")
    form = action_open(host, "decide")
    form.locator("textarea[name=reason]").fill("请街道协调供电公司为充电棚接入电源")
    form.locator("select[name=kind]").select_option("appeal")
    form.get_by_role("button", name="记录议定事项").click()
    expect(host.locator("[data-decisions]")).to_contain_text("转为诉求办理")
    snap(host, "deliberation-host-1366")
    decision = Decision.objects.get()
    assert decision.appeal is not None

    resident.reload()
    expect(resident.locator("[data-minutes]")).to_contain_text("集中充电棚")
    expect(resident.locator("[data-decision='1'] [data-state]")).to_contain_text("待甄别")
    snap(resident, "deliberation-followed-390")
