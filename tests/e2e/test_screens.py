"""The other main screens, each with a little data from the builders: what every role sees,
checked for its content and saved to docs/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal, AppealEvent
from minxin.cases.workflow import AppealStatus
from minxin.dispatch.models import RoutingRule
from minxin.dispatch.services import routing_rule_save
from tests.builders import District, appeal_in, appeal_new

from .conftest import login, snap

pytestmark = pytest.mark.django_db(transaction=True)

BUILDER_PHONE = "13812345678"


def _version(appeal: Appeal) -> int:
    return Appeal.objects.values_list("version", flat=True).get(pk=appeal.pk)


def test_staff_login_page(new_page, live_district: District):
    page = new_page()
    page.goto("/console/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", name="民心 · 工作人员登录")).to_be_visible()
    expect(page.get_by_label("用户名")).to_be_focused()
    page.get_by_label("用户名").fill("handler")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确")
    snap(page, "staff_login")


def test_hotline_console_shows_the_callers_earlier_appeals(new_page, live_district: District):
    earlier = [
        appeal_in(live_district, AppealStatus.RATED),
        appeal_in(live_district, AppealStatus.IN_PROGRESS),
        appeal_new(live_district, title="楼道灯坏了"),
    ]
    page = new_page()
    login(page, "call_taker", "pw-call_taker")
    expect(page.get_by_role("heading", name="12345 热线受理")).to_be_visible()
    history = page.locator("#caller-history")
    expect(history).to_contain_text("输入来电号码后自动显示")
    page.get_by_label("来电号码").press_sequentially(BUILDER_PHONE)
    expect(history.locator("ul.history li")).to_have_count(len(earlier))
    for appeal in earlier:
        expect(history).to_contain_text(appeal.tracking_number)
    expect(history).to_contain_text("已评价")
    expect(history).to_contain_text("楼道灯坏了")
    page.get_by_label("来电人称呼").fill("张先生")
    page.get_by_label("标题").fill("小区垃圾又没人清运")
    page.get_by_label("诉求内容").fill("来电人反映景蓉华苑门口垃圾又堆了两天，上次办结后不久复发。")
    snap(page, "calltaker_hotline")


def test_supervisor_filters_the_appeal_list(new_page, live_district: District):
    in_progress = [appeal_in(live_district, AppealStatus.IN_PROGRESS) for _ in range(2)]
    others = [
        appeal_in(live_district, AppealStatus.RECEIVED),
        appeal_in(live_district, AppealStatus.RESOLVED),
        appeal_in(live_district, AppealStatus.FOLLOW_UP),
    ]
    page = new_page()
    login(page, "supervisor", "pw-supervisor")
    expect(page.get_by_role("heading", name="全部诉求")).to_be_visible()
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(len(in_progress) + len(others))
    page.locator("select[name=status]").select_option(AppealStatus.IN_PROGRESS.value)
    page.locator("select[name=unit]").select_option(str(live_district.street_units[0].pk))
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"status=in_progress"))
    expect(rows).to_have_count(len(in_progress))
    for appeal in in_progress:
        expect(page.locator("table.list")).to_contain_text(appeal.tracking_number)
    expect(rows.locator(".badge")).to_have_text(["办理中"] * len(in_progress))
    expect(page.locator("select[name=status]")).to_have_value("in_progress")
    snap(page, "supervisor_appeal_list")


def test_leader_reads_the_full_timeline(new_page, live_district: District):
    d = live_district
    appeal = appeal_in(d, AppealStatus.FOLLOW_UP)
    supervisor, handler = Actor.of(d.user("supervisor")), Actor.of(d.user("handler"))
    services.revisit_record(
        appeal_id=appeal.pk,
        actor=supervisor,
        expected_version=_version(appeal),
        reached=True,
        solved=False,
        satisfaction="dissatisfied",
        reason="回访诉求人：清运后第二天又堆满",
    )
    services.appeal_reopen(
        appeal_id=appeal.pk,
        actor=supervisor,
        expected_version=_version(appeal),
        reason="请增设垃圾桶并再次答复",
        days=3,
    )
    services.reply_submit(
        appeal_id=appeal.pk,
        actor=handler,
        expected_version=_version(appeal),
        reason="已增设两个垃圾桶，改为每日两次清运。",
    )
    events = AppealEvent.objects.filter(appeal=appeal).count()

    page = new_page()
    login(page, "leader", "pw-leader")
    page.goto(f"/console/appeals/{appeal.pk}/")
    expect(page.get_by_role("heading", name=appeal.title)).to_be_visible()
    timeline = page.locator("ol.timeline > li")
    expect(timeline).to_have_count(events)
    expect(timeline.first).to_contain_text("受理")
    # the reply, then its release (no review rule in this district: passed by the system)
    expect(timeline.nth(events - 2)).to_contain_text("办结答复")
    expect(timeline.last).to_contain_text("审核通过")
    expect(page.locator("ol.timeline")).to_contain_text("主办：桂花坪街道办事处")
    expect(page.locator("ol.timeline")).to_contain_text("评价：不满意")
    expect(page.locator("ol.timeline")).to_contain_text("请增设垃圾桶并再次答复")
    expect(page.locator("dl.facts")).to_contain_text("重办次数")
    # A leader reads the record but acts on nothing, and is not shown the phone number.
    expect(page.locator("aside.action-forms")).to_contain_text("当前没有您可以执行的办理操作")
    expect(page.locator("dl.facts")).not_to_contain_text("5678")
    snap(page, "leader_appeal_timeline")


def test_dispatcher_returned_and_extensions_tabs(new_page, live_district: District):
    d = live_district
    returned = appeal_in(d, AppealStatus.RETURNED)
    waiting = appeal_in(d, AppealStatus.IN_PROGRESS)
    services.extension_request(
        appeal_id=waiting.pk,
        actor=Actor.of(d.user("handler")),
        expected_version=_version(waiting),
        days=5,
        reason="需协调物业和环卫所共同增设垃圾桶",
    )
    appeal_in(d, AppealStatus.RECEIVED)

    page = new_page()
    login(page, "dispatcher", "pw-dispatcher")
    tabs = page.locator("nav.tabs")
    expect(tabs.get_by_role("link", name="退单待处理")).to_contain_text("1")
    tabs.get_by_role("link", name="退单待处理").click()
    expect(tabs.locator("a.active")).to_contain_text("退单待处理")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(returned.tracking_number)
    expect(rows.locator(".badge")).to_have_text("已退单")
    snap(page, "dispatcher_returned")

    tabs.get_by_role("link", name="延期审批").click()
    expect(tabs.locator("a.active")).to_contain_text("延期审批")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(waiting.tracking_number)
    expect(rows).to_contain_text("5 个工作日")
    expect(rows).to_contain_text("需协调物业和环卫所共同增设垃圾桶")
    expect(rows).to_contain_text("桂花坪街道办事处")
    snap(page, "dispatcher_extensions")

    # The returned appeal's page tells the dispatcher why it came back.
    tabs.get_by_role("link", name="退单待处理").click()
    rows.get_by_role("link", name=returned.title).click()
    expect(page.locator("#dispatch-panel")).to_contain_text("退单理由")
    expect(page.locator("#dispatch-panel")).to_contain_text("不属于本街道")


def test_citizen_tracking_with_a_wrong_code(new_page, live_district: District):
    appeal = appeal_in(live_district, AppealStatus.IN_PROGRESS)
    wrong = "ZZZZZZ" if appeal.query_code != "ZZZZZZ" else "YYYYYY"
    page = new_page(phone=True)
    page.goto("/track/")
    page.get_by_label("受理编号").fill(appeal.tracking_number)
    page.get_by_label("查询码").fill(wrong)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("alert")).to_contain_text("受理编号或查询码不正确")
    # The number is kept so the citizen only retypes the code.
    expect(page.get_by_label("受理编号")).to_have_value(appeal.tracking_number)
    expect(page.get_by_label("查询码")).to_have_value("")
    snap(page, "citizen_track_error")


def test_admin_routing_rules(new_page, live_district: District):
    d = live_district
    admin = d.user("admin")
    for region, unit in zip(d.communities, d.street_units, strict=True):
        routing_rule_save(
            rule=RoutingRule(category=d.category, region=region, unit=unit),
            actor=admin,
            note="环境卫生按社区交所属街道",
        )
    routing_rule_save(
        rule=RoutingRule(category=d.category_top, region=None, unit=d.departments[1]),
        actor=admin,
        note="城乡建设全区兜底交住建局",
    )
    page = new_page()
    login(page, "admin", "pw-admin")
    page.goto("/admin/dispatch/routingrule/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#result_list")).to_contain_text("桂花坪街道办事处")
    expect(page.locator("#result_list")).to_contain_text("望月湖街道办事处")
    expect(page.locator("#result_list")).to_contain_text("A3区住房和城乡建设局")
    expect(page.locator("#site-name")).to_contain_text("民心 minxin 管理后台")
    snap(page, "admin_routing")


def test_dispatcher_sees_triage_suggestions(new_page, live_district: District):
    """Triage runs at intake; the screening panel shows its suggestions and takes them in one
    click (the appeal is then screened with the suggested values)."""
    from minxin.cases.services import AppealDraft
    from minxin.intake.services import appeal_receive
    from minxin.triage.models import TriageSuggestion

    d = live_district
    RoutingRule.objects.create(category=d.category_top, unit=d.street_units[0], note="演示")
    text = {
        "title": "景蓉华苑小区停水两天",
        "content": "桂花坪街道景蓉华苑小区从前天起停水，家里有八十岁老人，"
        "物业说不清原因，请尽快恢复供水。联系电话13912345678。",
    }
    actor = Actor.of(d.user("call_taker"))
    earlier = appeal_receive(
        actor=actor,
        draft=AppealDraft(
            channel="hotline", kind="complaint", appellant_phone=BUILDER_PHONE, **text
        ),
    ).appeal
    appeal = appeal_receive(
        actor=actor,
        draft=AppealDraft(
            channel="hotline", kind="complaint", appellant_phone=BUILDER_PHONE, **text
        ),
    ).appeal
    suggestion = TriageSuggestion.objects.get(appeal=appeal)  # the task ran on commit
    page = new_page()
    login(page, "dispatcher", "pw-dispatcher")
    page.goto(f"/console/appeals/{appeal.pk}/")
    panel = page.locator("#screen-panel")
    facts = panel.locator(".triage-suggestions")
    expect(facts).to_contain_text(suggestion.category_path.split("/")[0])
    expect(facts).to_contain_text("紧急")
    expect(facts).to_contain_text("停水")
    expect(facts).to_contain_text("电话号码×1")
    expect(facts).to_contain_text(d.street_units[0].name)
    expect(facts.get_by_role("link", name=earlier.tracking_number)).to_be_visible()
    snap(page, "dispatcher_triage_suggestions")
    panel.get_by_role("button", name="采纳建议并甄别").click()
    expect(page.get_by_role("status")).to_contain_text("已甄别")
    screened = Appeal.objects.get(pk=appeal.pk)
    assert screened.status == AppealStatus.SCREENED
    assert (screened.category, screened.urgency) == (suggestion.category, suggestion.urgency)
