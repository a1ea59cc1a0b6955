"""单位测评 in a browser: the office invites a deputy (the link shown once), opens the
evaluation and records a face-to-face hearing with a commitment; the deputy scores a unit on a
phone from the link; after the window the office publishes the results, which the public reads.

Screenshots: panels-evaluation-1366, panels-sheet-390, panels-results-390."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from minxin.panels.models import Evaluation, Sheet
from tests.builders import District
from tests.panels.builders import deputy_account, evaluation_new

from .conftest import action_open, login, snap

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_panel_scores_and_the_results_are_published(new_page, live_district: District) -> None:
    d = live_district
    e = evaluation_new(d, at=timezone.now() - timedelta(hours=1))
    office = new_page()
    login(office, "supervisor", "pw-supervisor")
    office.goto(f"/console/panels/{e.pk}/")
    form = office.locator("form[data-invite]")
    form.locator("input[name=name]").fill("王秀兰")
    form.get_by_role("button", name="生成邀请链接").click()
    invited = office.locator("[data-invited]").inner_text()
    link = invited[invited.index("http") :].strip()
    action_open(office, "open").get_by_role("button", name="开始测评").click()
    expect(office.get_by_role("status")).to_contain_text("已开始测评")
    hearing = action_open(office, "hearing")
    hearing.locator("input[name=held_at]").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    hearing.locator("input[name=asked_by]").fill("王秀兰代表")
    hearing.locator("textarea[name=question]").fill("背街小巷垃圾清运不及时，何时整改？")
    hearing.locator("textarea[name=answer]").fill("增加清运频次，建立巡查台账。")
    hearing.locator("textarea[name=commitments]").fill("一个月内实现背街小巷垃圾日产日清")
    due = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    hearing.locator("input[name=due_at]").fill(due)
    hearing.get_by_role("button", name="记录面对面询问").click()
    expect(office.locator("[data-commitment]")).to_contain_text("督办单")

    deputy = new_page(phone=True)
    deputy.goto(link)
    unit = deputy.locator(f"[data-unit='{d.departments[0].pk}']")
    for field, value in zip(
        unit.locator("input[type=number]").all(), ("8", "7", "15"), strict=True
    ):
        field.fill(value)
    snap(deputy, "panels-sheet-390")
    unit.get_by_role("button", name="提交测评").click()
    expect(deputy.get_by_role("status")).to_contain_text("测评表已提交")
    expect(unit).to_contain_text("已测评")
    assert "code=" not in deputy.url and Sheet.objects.count() == 1

    Evaluation.objects.filter(pk=e.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    office.goto(f"/console/panels/{e.pk}/")
    action_open(office, "close").get_by_role("button", name="结束测评并公布结果").click()
    expect(
        office.locator(f"[data-results] [data-unit='{d.departments[0].pk}'] [data-mean]")
    ).to_have_text("30.0")
    snap(office, "panels-evaluation-1366")
    deputy.goto(f"/participation/panels/{e.pk}/")
    expect(deputy.locator("[data-results]")).to_contain_text("30.0")
    expect(deputy.locator("body")).not_to_contain_text("王秀兰的邀请")
    snap(deputy, "panels-results-390")


def test_a_deputy_seated_by_account_scores_from_the_console(
    new_page, live_district: District
) -> None:
    """The office seats a deputy by account; the deputy signs in, finds it under 我的测评 and
    scores on a phone; a deputy not on the panel is refused.

    Screenshots: panels-seat-1366, panels-seat-390, panels-mine-390, panels-my-sheet-390,
    panels-my-sheet-1366."""
    d = live_district
    e = evaluation_new(d, at=timezone.now() - timedelta(hours=1))
    deputy_account(1)
    deputy_account(2)
    office = new_page()
    login(office, "supervisor", "pw-supervisor")
    office.goto(f"/console/panels/{e.pk}/")
    seat = office.locator("form[data-seat]")
    seat.locator("select[name=user]").select_option(label="代表1")
    seat.get_by_role("button", name="列为评议人员").click()
    expect(office.get_by_role("status")).to_contain_text("已将代表1列为评议人员")
    expect(office.locator("[data-panel]")).to_contain_text("账号登录")
    action_open(office, "open").get_by_role("button", name="开始测评").click()
    expect(office.get_by_role("status")).to_contain_text("已开始测评")
    snap(office, "panels-seat-1366")
    office_phone = new_page(phone=True)
    login(office_phone, "supervisor", "pw-supervisor")
    office_phone.goto(f"/console/panels/{e.pk}/")
    snap(office_phone, "panels-seat-390")

    deputy = new_page(phone=True)
    login(deputy, "dep1", "pw-dep1")
    deputy.goto("/console/panels/mine/")
    expect(deputy.locator(f"[data-evaluation='{e.pk}'] [data-progress]")).to_have_text(
        "已测评 0/2 个单位"
    )
    snap(deputy, "panels-mine-390")
    deputy.get_by_role("link", name=e.title).click()
    unit = deputy.locator(f"[data-unit='{d.departments[0].pk}']")
    for field, value in zip(
        unit.locator("input[type=number]").all(), ("9", "8", "16"), strict=True
    ):
        field.fill(value)
    snap(deputy, "panels-my-sheet-390")
    unit.get_by_role("button", name="提交测评").click()
    expect(deputy.get_by_role("status")).to_contain_text("测评表已提交")
    expect(unit).to_contain_text("已测评")
    assert Sheet.objects.filter(panellist__user__username="dep1").count() == 1

    desk = new_page()
    login(desk, "dep1", "pw-dep1")
    desk.goto(f"/console/panels/{e.pk}/sheet/")
    expect(desk.locator(f"[data-unit='{d.departments[0].pk}']")).to_contain_text("已测评")
    snap(desk, "panels-my-sheet-1366")

    outsider = new_page(phone=True)
    login(outsider, "dep2", "pw-dep2")
    response = outsider.goto(f"/console/panels/{e.pk}/sheet/")
    assert response is not None and response.status == 403
    expect(outsider.locator("body")).to_contain_text("您不在本次测评的评议人员名单中")
    assert Sheet.objects.count() == 1
