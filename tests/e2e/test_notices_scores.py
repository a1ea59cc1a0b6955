"""Issue 14 in a browser: a street handler on a phone finds a new dispatch in 消息 and chooses
SMS only; the supervisor reads the score's formula and who is too small to rank (1366 and 390
px, screenshots notices-* and scorecards-formula-*)."""

import pytest
from playwright.sync_api import expect

from minxin.cases.workflow import AppealStatus
from minxin.notify.models import NoticePreference
from tests.builders import District, appeal_in

from .conftest import DESKTOP, PHONE, login, snap
from .test_workbench import fits

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_handler_finds_a_new_dispatch_in_the_inbox_and_chooses_sms(
    new_page, live_district: District
):
    appeal = appeal_in(live_district, AppealStatus.DISPATCHED)
    page = new_page(phone=True)
    login(page, "handler", "pw-handler")
    expect(page.get_by_role("button", name="菜单")).to_contain_text("1")
    page.get_by_role("button", name="菜单").click()
    page.locator("nav.mainnav").get_by_role("link", name="消息（1）").click()
    item = page.locator("li.notification").first
    expect(item).to_contain_text(f"新派单：{appeal.tracking_number}")
    expect(item).to_contain_text("办结时限")
    form = page.locator("form[data-notice-preference]")
    form.get_by_label("邮件通知").uncheck()
    fits(page, "消息 390")
    snap(page, "notices-inbox-390")
    form.get_by_role("button", name="保存通知方式").click()
    expect(page.get_by_role("status")).to_contain_text("已保存：消息同时以短信通知")
    chosen = NoticePreference.objects.get(user=live_district.user("handler"))
    assert (chosen.by_email, chosen.by_sms) == (False, True)
    page.set_viewport_size(DESKTOP)
    fits(page, "消息 1366")
    snap(page, "notices-inbox-1366")
    item.get_by_role("link").click()
    expect(page.get_by_role("heading", name=appeal.title)).to_be_visible()


def test_the_supervisor_reads_the_formula_and_who_is_not_ranked(
    new_page, live_district: District, settings
):
    for _ in range(2):
        appeal_in(live_district, AppealStatus.RATED, assist=False)
    settings.MINXIN = {**settings.MINXIN, "SCORE_MIN_APPEALS": 3}
    page = new_page()
    login(page, "supervisor", "pw-supervisor")
    page.goto("/console/supervision/scorecards/")
    expect(page.locator("[data-formula]")).to_contain_text("综合得分 = 100 ×")
    expect(page.locator("[data-formula]")).to_contain_text("本期派单不少于 3 件的单位才排名")
    expect(page.locator("[data-unranked]").first).to_have_text("不足3件")
    expect(page.locator("table.sv-scores tbody tr").first).to_contain_text("不足3件")
    fits(page, "考核排名 1366")
    snap(page, "scorecards-formula-1366")
    page.set_viewport_size(PHONE)
    fits(page, "考核排名 390")
    snap(page, "scorecards-formula-390")
