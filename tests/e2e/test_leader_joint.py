"""领导包案 and 联合处置 in a browser: the leader takes an appeal in charge from its page and
finds it on 我的包案; the lead street's handler, on a phone, sees the flag and records a joint
visit with the city management bureau; a visit with one unit is refused with what was typed;
the visit is on the appeal's timeline and drafted into the one reply. The leader's page on a
phone, the visit on a desk.

Screenshots: leader-cases-1366, leader-cases-390, appeal-led-1366, joint-visit-390,
joint-reply-390, joint-visit-1366."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from minxin.cases.workflow import AppealStatus
from minxin.jointhandling.models import JointVisit
from tests.builders import District, appeal_in

from .conftest import login, snap

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_leader_takes_charge_and_the_street_handles_it_jointly(new_page, live_district: District):
    d = live_district
    appeal = appeal_in(d, AppealStatus.IN_PROGRESS)
    appeal_url = reverse("cases:appeal_detail", args=[appeal.pk])

    leader = new_page()
    login(leader, "leader", "pw-leader")
    leader.goto(appeal_url)
    take = leader.locator("details[data-action=take_charge]")
    take.locator("summary").click()
    take.locator("input[name=note]").fill("涉及多个部门，亲自协调")
    take.get_by_role("button", name="由我包案").click()
    expect(leader.get_by_role("status")).to_contain_text(f"已包案诉求 {appeal.tracking_number}")
    expect(leader.locator("[data-leader-case]")).to_contain_text("亲自协调")
    snap(leader, "appeal-led-1366")
    leader.goto(reverse("taskforces:leader_cases"))
    expect(leader.locator("[data-led-appeals]")).to_contain_text(appeal.tracking_number)
    snap(leader, "leader-cases-1366")

    street = new_page(phone=True)
    login(street, "handler", "pw-handler")
    street.goto(appeal_url)
    expect(street.locator("[data-leader-case]")).to_be_visible()
    panel = street.locator("details[data-action=joint_visit]")
    panel.locator("summary").click()
    held = timezone.localtime(timezone.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    panel.locator("input[name=held_at]").fill(held)
    panel.locator("input[name=people_0]").fill("王主任等2人")
    panel.locator("textarea[name=did_0]").fill("入户调解，约定整改时限")
    panel.locator("textarea[name=outcome]").fill("雨棚已拆除，双方签订调解协议")
    panel.get_by_role("button", name="记录联合处置").click()
    # One unit is not a joint visit: refused, with what was typed kept.
    expect(street.get_by_role("alert")).to_contain_text("至少需要两个单位")
    form = street.locator("details[data-action=joint_visit]")
    expect(form.locator("textarea[name=outcome]")).to_have_value("雨棚已拆除，双方签订调解协议")
    form.locator("select[name=unit_1]").select_option(str(d.departments[0].pk))
    form.locator("input[name=people_1]").fill("执法队李队长")
    form.locator("textarea[name=did_1]").fill("现场拆除违规搭建的雨棚")
    form.get_by_role("button", name="记录联合处置").click()
    expect(street.get_by_role("status")).to_contain_text("已记录联合处置")
    expect(street.locator("[data-visit]")).to_contain_text("执法队李队长")
    # On the timeline (办理记录) too, where it was held among the appeal's events.
    row = street.locator("li[data-kind=joint_visit]")
    expect(row).to_contain_text("执法队李队长")
    expect(row).to_contain_text("共同处置结果：雨棚已拆除，双方签订调解协议")
    street.locator("#joint-visits").scroll_into_view_if_needed()
    snap(street, "joint-visit-390")
    assert JointVisit.objects.get().parts.count() == 2

    # One reply: the visit drafted into the reply form, each unit's part named.
    street.locator("[data-draft-reply]").click()
    reply = street.locator("details[data-action=resolve] textarea[name=reason]")
    expect(reply).to_be_visible()
    expect(reply).to_have_value(re.compile("联合到现场处置.*现场拆除违规搭建的雨棚.*调解协议"))
    snap(street, "joint-reply-390")

    office = new_page()
    login(office, "supervisor", "pw-supervisor")
    office.goto(appeal_url)
    expect(office.locator("[data-visit]")).to_contain_text("入户调解")
    expect(office.locator("[data-draft-reply]")).to_have_count(0)  # the office does not reply
    expect(office.locator("li[data-kind=joint_visit]")).to_contain_text("2个单位到场")
    office.locator("#joint-visits").scroll_into_view_if_needed()
    snap(office, "joint-visit-1366")

    phone = new_page(phone=True)
    login(phone, "leader", "pw-leader")
    phone.goto(reverse("taskforces:leader_cases"))
    expect(phone.locator("[data-led-appeals]")).to_contain_text(appeal.tracking_number)
    snap(phone, "leader-cases-390")
