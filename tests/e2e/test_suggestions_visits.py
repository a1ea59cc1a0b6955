"""人民建议征集 and 走访 in the browser: a citizen submits a suggestion on a phone, a
supervisor reviews and adopts it (forwarded to a department), the public list shows it; a
handler records a visit with two matters, which become appeals."""

import re

import pytest
from playwright.sync_api import expect

from minxin.accounts.actor import Actor
from minxin.cases.models import Appeal, Channel
from minxin.suggestions import services
from minxin.suggestions.models import Suggestion
from minxin.suggestions.workflow import SuggestionAction
from minxin.visits.models import Visit
from tests.builders import District

from .conftest import login, snap

pytestmark = pytest.mark.django_db(transaction=True)


def _adopted_example(district: District) -> None:
    """A second adopted suggestion, so the public list shows more than one level."""
    s = services.suggestion_submit(
        actor=Actor.citizen(),
        draft=services.SuggestionDraft(
            field="social",
            title="社区食堂增加老年人助餐时段",
            content="银杉社区老年人较多，建议社区食堂中午提前半小时开放老年人助餐，联系电话13512345678。",
            proposer_name="陈建国",
        ),
    ).suggestion
    supervisor = Actor.of(district.user("supervisor"))
    s = services.suggestion_review_start(
        suggestion_id=s.pk, actor=supervisor, expected_version=s.version
    )
    services.suggestion_adopt(
        suggestion_id=s.pk,
        action=SuggestionAction.ENDORSE,
        actor=Actor.of(district.user("leader")),
        expected_version=s.version,
        reason="很好的建议，请民政部门会同街道推广。",
    )


def test_suggestion_flow(new_page, live_district: District):
    _adopted_example(live_district)

    # A citizen on a phone.
    phone = new_page(phone=True)
    phone.goto("/suggestions/new/")
    expect(phone.get_by_role("heading", name="人民建议征集")).to_be_visible()
    phone.get_by_label("所属领域").select_option("transport")
    phone.get_by_label("建议标题").fill("在桂花坪小学门口增设护学岗")
    phone.get_by_label("建议内容").fill(
        "上下学高峰时段校门口车辆拥堵，学生过马路危险。建议增设护学岗，并在附近划定临时停车区。"
    )
    phone.get_by_label("姓名或昵称").fill("王小明")
    phone.get_by_label("手机号码").fill("13912345678")
    snap(phone, "suggestion_submit")
    phone.get_by_role("button", name="提交建议").click()
    expect(phone.get_by_role("heading", name="建议已提交")).to_be_visible()
    s = Suggestion.objects.get(title="在桂花坪小学门口增设护学岗")
    expect(phone.locator(".receipt")).to_contain_text(s.tracking_number)
    expect(phone.locator(".receipt")).to_contain_text(s.query_code)
    assert s.query_code not in phone.url

    # The supervisor reviews and forwards it to a department.
    desk = new_page()
    login(desk, "supervisor", "pw-supervisor")
    desk.goto("/suggestions/review/")
    expect(desk.get_by_role("heading", name="人民建议征集")).to_be_visible()
    desk.get_by_role("link", name="在桂花坪小学门口增设护学岗").click()
    desk.locator("details[data-action=review] button[type=submit]").click()
    expect(desk.get_by_role("status")).to_contain_text("已开始审核")
    forward = desk.locator("details[data-action=forward]")
    forward.locator("summary").click()
    unit = live_district.departments[0]
    forward.locator("select[name=unit_id]").select_option(str(unit.pk))
    forward.locator("textarea[name=reason]").fill("请会同交警大队在开学前落实。")
    snap(desk, "suggestion_review")
    forward.locator("button[type=submit]").click()
    expect(desk.get_by_role("status")).to_contain_text("已采纳并转部门办理")
    s.refresh_from_db()
    assert s.status == "adopted" and s.appeal is not None
    assert s.appeal.channel == Channel.SUGGESTION
    expect(desk.locator("dl.facts")).to_contain_text(s.appeal.tracking_number)

    # The public list, on the phone.
    phone.goto("/suggestions/adopted/")
    items = phone.locator("article.sg-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("在桂花坪小学门口增设护学岗")
    expect(items.first).to_contain_text("转部门办理")
    expect(phone.locator("body")).not_to_contain_text("13512345678")
    expect(phone.locator("body")).not_to_contain_text("陈建国")
    snap(phone, "suggestions_adopted")

    # The proposer's page tells the outcome.
    phone.goto(f"/suggestions/track/{s.tracking_number}/")
    expect(phone.locator("body")).to_contain_text(f"已转交 {unit.name} 办理")


def test_visit_record(new_page, live_district: District):
    page = new_page()
    login(page, "handler", "pw-handler")
    page.goto("/console/visits/new/")
    expect(page.get_by_role("heading", name="记录走访")).to_be_visible()
    page.get_by_label("所属区域").select_option(str(live_district.communities[0].pk))
    page.get_by_label("走访地点").fill("景蓉华苑小区")
    page.get_by_label("其他走访人员").fill("李明 景蓉社区书记")
    page.get_by_label("走访对象").fill("小区居民代表王女士、物业项目经理")
    page.get_by_label("走访情况").fill("了解小区环境整治和老旧设施维修情况，现场查看了3栋楼道。")
    first = page.locator("fieldset[data-matter='1']")
    first.get_by_label("反映人").fill("王阿姨")
    first.get_by_label("联系电话").fill("13612345678")
    first.get_by_label("事项标题").fill("3栋楼道灯坏了两个月")
    first.get_by_label("具体情况").fill("3栋2单元楼道灯坏了两个月无人维修，老人晚上上下楼不安全。")
    page.get_by_role("button", name="＋ 再加一项事项").click()
    second = page.locator("fieldset[data-matter='2']")
    expect(second).to_be_visible()
    second.get_by_label("类型").select_option("complaint")
    second.get_by_label("事项标题").fill("小区门口早市占用消防通道")
    second.get_by_label("具体情况").fill("每天早上6点到9点摊贩占用小区东门消防通道。")
    expect(page.locator("#add-matter")).to_have_attribute("hx-get", re.compile(r"n=3$"))
    snap(page, "visit_new")
    page.get_by_role("button", name="保存走访记录").click()
    expect(page.get_by_role("status")).to_contain_text("2项事项已转为诉求")
    visit = Visit.objects.get()
    appeals = list(Appeal.objects.filter(channel=Channel.VISIT).order_by("id"))
    assert [a.title for a in appeals] == ["3栋楼道灯坏了两个月", "小区门口早市占用消防通道"]
    assert visit.matters.count() == 2
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(appeals[0].tracking_number)
    expect(rows.first).to_contain_text("待甄别")
    snap(page, "visit_detail")
