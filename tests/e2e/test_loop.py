"""The five-step loop in browsers, each person in their own context: a citizen reports on a
phone, the dispatcher screens and dispatches, the street's handler checks and submits a reply,
the centre's review sends it back (the citizen sees nothing yet), the handler adds the contact
and the review approves it, the citizen is not satisfied, the supervisor calls back (回访),
checks on the spot (四不两直) and reopens it, the handler answers again, the review approves and
the citizen is satisfied."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from minxin.cases.models import Appeal, AppealEvent
from minxin.feedback.models import Rating
from minxin.review.models import ReviewRule
from minxin.supervision.models import OnSiteCheck
from tests.builders import District

from .conftest import action_open, login, snap

TITLE = "景蓉华苑垃圾三天没人清运"
CONTENT = "景蓉华苑小区东门垃圾桶满了三天没有人清运，垃圾堆到路边，天热气味很大，请尽快处理。"
FIRST_REPLY = "已协调环卫所当天清运景蓉华苑东门垃圾，并增加每日清运一次。"
CONTACT = "如有疑问请联系桂花坪街道城管科王同志，联系电话：0731-84512345。"
SECOND_REPLY = "已在景蓉华苑东门增设两个垃圾桶，环卫所改为每日早晚两次清运，社区每天巡查。"


def select_option_containing(page: Page, name: str, text: str) -> str:
    """Choose the option of <select name=...> whose text contains `text`; returns its value."""
    option = page.locator(f"select[name={name}] option", has_text=text)
    expect(option).to_have_count(1)
    value = option.get_attribute("value")
    assert value
    page.locator(f"select[name={name}]").select_option(value)
    return value


def citizen_track(page: Page, tracking_number: str, query_code: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="查询进度").click()
    expect(page.get_by_role("heading", name="查询进度")).to_be_visible()
    page.get_by_label("受理编号").fill(tracking_number)
    page.get_by_label("查询码").fill(query_code)
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".board-status .tn")).to_have_text(f"受理编号 {tracking_number}")


def citizen_rate(page: Page, satisfaction: str, comment: str) -> None:
    form = page.locator("form", has=page.get_by_role("heading", name="评价办理结果"))
    form.get_by_label(satisfaction, exact=True).check()
    form.get_by_label("评价意见").fill(comment)
    form.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("status")).to_contain_text("感谢您的评价")


@pytest.mark.django_db(transaction=True)
def test_an_appeal_goes_round_the_loop_twice(new_page, live_district: District, photo_png: Path):
    d = live_district
    street, department = d.street_units[0], d.departments[0]

    # 1. The citizen reports uncollected garbage from a phone, with a photo.
    citizen = new_page(phone=True)
    citizen.goto("/")
    expect(citizen.get_by_role("heading", name="有事找 12345")).to_be_visible()
    snap(citizen, "citizen_home")
    citizen.get_by_role("link", name="我要反映").click()
    expect(citizen.get_by_role("heading", name="我要反映")).to_be_visible()
    citizen.get_by_label("投诉", exact=True).check()
    citizen.get_by_label("标题").fill(TITLE)
    citizen.get_by_label("诉求内容").fill(CONTENT)
    citizen.get_by_label("发生地点").fill("桂花坪街道景蓉华苑东门")
    citizen.locator("input[name=photos]").set_input_files(photo_png)
    citizen.get_by_label("姓名或昵称").fill("李女士")
    citizen.get_by_label("联系电话").fill("13912345678")
    snap(citizen, "citizen_submit")
    citizen.get_by_role("button", name="提交", exact=True).click()
    expect(citizen.get_by_role("heading", name="提交成功")).to_be_visible()
    tracking_number = citizen.locator(".receipt p.big").nth(0).inner_text().strip()
    query_code = citizen.locator(".receipt p.big").nth(1).inner_text().strip()
    assert re.fullmatch(r"\d{8,20}", tracking_number), tracking_number
    assert re.fullmatch(r"[0-9A-Z]{4,12}", query_code), query_code
    snap(citizen, "citizen_receipt")
    appeal = Appeal.objects.get(tracking_number=tracking_number)
    assert appeal.status == "received"
    assert appeal.attachments.count() == 1
    appeal_url = f"/console/appeals/{appeal.pk}/"

    # 2. The dispatcher screens it and sends it to the street, with the city management bureau.
    dispatcher = new_page()
    login(dispatcher, "dispatcher", "pw-dispatcher")
    expect(dispatcher.get_by_role("heading", name="甄别派单")).to_be_visible()
    row = dispatcher.locator("table.list tbody tr", has_text=tracking_number)
    expect(row).to_contain_text("待甄别")
    snap(dispatcher, "dispatcher_queue")
    row.get_by_role("link", name=TITLE).click()
    expect(dispatcher.get_by_role("heading", name=TITLE)).to_be_visible()
    screen = dispatcher.locator("#screen-panel")
    expect(screen.get_by_role("heading", name="快速甄别")).to_be_visible()
    # Triage ran at intake: its suggestions are shown, the form is prefilled with them.
    expect(screen.locator(".triage-suggestions")).to_contain_text("置信度")
    expect(screen.get_by_role("button", name="采纳建议并甄别")).to_be_visible()
    select_option_containing(dispatcher, "category", "环境卫生")
    select_option_containing(dispatcher, "region", "景蓉社区")
    screen.locator("select[name=urgency]").select_option(label="紧急")
    expect(dispatcher.locator(".content")).to_contain_text("景蓉华苑")
    snap(dispatcher, "dispatcher_screening")
    screen.get_by_role("button", name="确认甄别").click()
    expect(dispatcher.get_by_role("status")).to_contain_text("已甄别")
    panel = dispatcher.locator("#dispatch-panel")
    expect(panel.get_by_role("heading", name="快速交办")).to_be_visible()
    lead = panel.locator("select[name=lead_unit]")
    if lead.input_value() != str(street.pk):
        lead.select_option(str(street.pk))
    # Assisting units are found by typing part of a name, then ticked.
    panel.get_by_label("筛选协办单位").fill("城市管理")
    assist = panel.locator(f"input[name=assist_units][value='{department.pk}']")
    expect(panel.locator(".assist-list label:visible")).to_have_count(1)
    assist.check()
    snap(dispatcher, "dispatcher_dispatch")
    panel.get_by_role("button", name="派单", exact=True).click()
    expect(dispatcher.get_by_role("status")).to_contain_text(f"已派单至{street.name}")
    expect(dispatcher.get_by_role("heading", name="甄别派单")).to_be_visible()
    appeal.refresh_from_db()
    assert appeal.status == "dispatched"
    assert appeal.urgency == "urgent"
    assert appeal.category_id == d.category.pk
    assert appeal.region_id == d.communities[0].pk
    assignments = {(a.unit_id, a.role) for a in appeal.assignments.filter(is_active=True)}
    assert assignments == {(street.pk, "lead"), (department.pk, "assist")}

    # The centre reviews every reply of this street before the citizen sees it (the admin's
    # rule, 办结审核).
    ReviewRule.objects.create(name="桂花坪街道答复全部审核", unit=street, sample_percent=100)

    # 3. The street's handler accepts it, calls the citizen, checks the reply and submits it.
    handler = new_page()
    login(handler, "handler", "pw-handler")
    expect(handler.get_by_role("heading", name=f"{street.name} · 工单")).to_be_visible()
    expect(handler.get_by_role("columnheader", name="时限")).to_be_visible()
    row = handler.locator("table.list tbody tr", has_text=tracking_number)
    expect(row.locator(".flag")).to_be_visible()
    expect(row).to_contain_text("待接单")
    snap(handler, "handler_queue")
    row.get_by_role("link", name=TITLE).click()
    expect(handler.get_by_role("heading", name=TITLE)).to_be_visible()
    action_open(handler, "accept").get_by_role("button", name="接单").click()
    expect(handler.get_by_role("status")).to_contain_text("已接单")
    contact = action_open(handler, "first_contact")
    contact.locator("textarea[name=reason]").fill("已电话联系李女士，约定今天下午到现场查看。")
    contact.get_by_role("button", name="先行联系").click()
    expect(handler.get_by_role("status")).to_contain_text("已先行联系")
    expect(handler.locator(".page-head .badge")).to_have_text("办理中")
    resolve = action_open(handler, "resolve")
    resolve.locator("textarea[name=reason]").fill(FIRST_REPLY)
    snap(handler, "handler_appeal")
    resolve.get_by_role("button", name="检查答复质量").click()
    quality = handler.locator("#quality-draft #reply-quality")
    expect(quality).to_contain_text("答复质量评分")
    expect(quality).to_contain_text("答复没有留联系电话")
    snap(handler, "handler_reply_quality")
    resolve.get_by_role("button", name="办结答复").click()
    expect(handler.get_by_role("status")).to_contain_text("已办结答复")
    expect(handler.locator(".page-head .badge")).to_have_text("办结待审核")
    snap(handler, "handler_resolved")

    # The citizen looks: the reply waits for the centre's review and is not shown yet.
    citizen2 = new_page(phone=True)
    citizen_track(citizen2, tracking_number, query_code)
    expect(citizen2.locator(".board-reply")).to_have_count(0)
    expect(citizen2.get_by_text(FIRST_REPLY)).to_have_count(0)

    # 3b. The centre's reviewer sends it back: no contact for the citizen (review-send-back).
    dispatcher.get_by_role("link", name="办结审核").click()
    expect(dispatcher.get_by_role("heading", name="办结审核")).to_be_visible()
    row = dispatcher.locator("table.list tbody tr", has_text=tracking_number)
    expect(row).to_contain_text("全部审核")
    snap(dispatcher, "review_queue")
    row.get_by_role("link", name=TITLE).click()
    panel = dispatcher.locator("#review-panel")
    expect(panel).to_contain_text("答复质量评分")
    expect(panel).to_contain_text("答复没有留联系电话")
    snap(dispatcher, "review_panel")
    send_back = action_open(dispatcher, "send_back")
    send_back.locator("textarea[name=reason]").fill(
        "答复未留联系电话，请补充承办人及联系方式后重新提交。"
    )
    send_back.get_by_role("button", name="审核退回").click()
    expect(dispatcher.get_by_role("status")).to_contain_text("已审核退回")
    expect(dispatcher.locator(".page-head .badge")).to_have_text("办理中")

    # The handler sees why, adds the contact and submits again; the reviewer approves it.
    handler.goto(appeal_url)
    expect(handler.locator(".timeline")).to_contain_text("请补充承办人及联系方式")
    resolve = action_open(handler, "resolve")
    resolve.locator("textarea[name=reason]").fill(FIRST_REPLY + CONTACT)
    resolve.get_by_role("button", name="办结答复").click()
    expect(handler.locator(".page-head .badge")).to_have_text("办结待审核")
    dispatcher.goto(appeal_url)
    expect(dispatcher.locator("#review-panel")).to_contain_text("答复留有联系方式")
    action_open(dispatcher, "approve_reply").get_by_role("button", name="审核通过").click()
    expect(dispatcher.get_by_role("status")).to_contain_text("已审核通过")
    expect(dispatcher.locator(".page-head .badge")).to_have_text("已办结待评价")

    # 4. The citizen, on another phone, finds the released reply, and is not satisfied.
    citizen_track(citizen2, tracking_number, query_code)
    expect(citizen2.locator(".board-reply")).to_have_count(1)
    expect(citizen2.locator(".board-reply")).to_contain_text(CONTACT)
    snap(citizen2, "citizen_track_reply")
    citizen_rate(citizen2, "不满意", "只清运了一次，第二天又堆满了，希望增加垃圾桶。")
    expect(citizen2.locator(".board-status .badge")).to_have_text("不满意待回访")
    snap(citizen2, "citizen_rated_dissatisfied")

    # 5. The supervisor calls back (回访), checks on the spot (四不两直) and sends it back.
    supervisor = new_page()
    login(supervisor, "supervisor", "pw-supervisor")
    supervisor.get_by_role("link", name="回访重办").click()
    expect(supervisor.get_by_role("heading", name="回访重办")).to_be_visible()
    row = supervisor.locator("table.list tbody tr", has_text=tracking_number)
    expect(row).to_contain_text("不满意必回访")
    expect(row).to_contain_text("0 次")
    snap(supervisor, "supervisor_follow_up")
    row.get_by_role("link", name=TITLE).click()
    expect(supervisor.get_by_role("heading", name=TITLE)).to_be_visible()
    revisit = supervisor.locator("#revisit-panel")
    revisit.get_by_label("已接通").check()
    revisit.get_by_label("未解决").check()
    revisit.get_by_label("不满意", exact=True).check()
    revisit.locator("textarea[name=reason]").fill("回访李女士：垃圾桶太少，清运后第二天又满。")
    snap(supervisor, "supervisor_revisit")
    revisit.get_by_role("button", name="记录回访").click()
    expect(supervisor.get_by_role("status")).to_contain_text("已记录回访")
    onsite = supervisor.locator("#onsite-panel")
    expect(onsite).to_be_visible()
    onsite.locator("textarea[name=findings]").fill(
        "未打招呼直达景蓉华苑东门：两个垃圾桶已满，路边堆放约半车生活垃圾，无人清理。"
    )
    onsite.locator("input[name=correction_due]").fill(
        (timezone.localdate() + timedelta(days=5)).isoformat()
    )
    onsite.locator("input[name=photos]").set_input_files(photo_png)
    snap(supervisor, "supervisor_onsite_check")
    onsite.get_by_role("button", name="记录督查并下达整改").click()
    expect(supervisor.get_by_role("status")).to_contain_text("已记录四不两直督查")
    expect(supervisor.locator("#onsite-panel")).to_contain_text("整改督办单")
    expect(supervisor.locator("#onsite-panel img")).to_have_count(1)
    snap(supervisor, "supervisor_onsite_recorded")
    reopen = action_open(supervisor, "reopen")
    reopen.locator("input[name=days]").fill("3")
    reopen.locator("textarea[name=reason]").fill("请增设垃圾桶、加密清运，并再次答复诉求人。")
    reopen.get_by_role("button", name="重办").click()
    expect(supervisor.get_by_role("status")).to_contain_text("已重办")
    expect(supervisor.locator(".page-head .badge")).to_have_text("办理中")
    snap(supervisor, "supervisor_reopen")

    # 6. The handler answers again; the citizen is satisfied this time.
    handler.goto(appeal_url)
    expect(handler.locator(".page-head .badge")).to_have_text("办理中")
    resolve = action_open(handler, "resolve")
    resolve.locator("textarea[name=reason]").fill(SECOND_REPLY + CONTACT)
    resolve.get_by_role("button", name="办结答复").click()
    expect(handler.locator(".page-head .badge")).to_have_text("办结待审核")
    dispatcher.goto(appeal_url)
    action_open(dispatcher, "approve_reply").get_by_role(
        "button", name="审核通过"
    ).click()  # review-approve
    expect(dispatcher.locator(".page-head .badge")).to_have_text("已办结待评价")
    citizen_track(citizen2, tracking_number, query_code)
    expect(citizen2.locator(".board-reply")).to_have_count(2)
    expect(citizen2.locator(".board-reply").nth(1)).to_contain_text(SECOND_REPLY)
    citizen_rate(citizen2, "满意", "垃圾桶加了，现在干净多了，谢谢。")
    expect(citizen2.locator(".board-status .badge")).to_have_text("已评价")
    your_rating = citizen2.locator("section", has=citizen2.get_by_role("heading", name="您的评价"))
    expect(your_rating).to_contain_text("满意")
    snap(citizen2, "citizen_rated_satisfied")

    # 7. The record: one unbroken chain of events, three replies (one sent back), two ratings.
    appeal.refresh_from_db()
    assert appeal.status == "rated"
    events = list(AppealEvent.objects.filter(appeal=appeal).order_by("created_at", "id"))
    assert [e.action for e in events] == [
        "receive",
        "screen",
        "dispatch",
        "accept",
        "first_contact",
        "resolve",
        "send_back",
        "resolve",
        "approve_reply",
        "rate_dissatisfied",
        "follow_up",
        "onsite_check",
        "reopen",
        "resolve",
        "approve_reply",
        "rate",
    ]
    previous = ""
    for event in events:
        assert event.from_status == previous, (event.action, event.from_status, previous)
        previous = event.to_status
    assert [e.to_status for e in events] == [
        "received",
        "screened",
        "dispatched",
        "accepted",
        "in_progress",
        "reviewing",
        "in_progress",
        "reviewing",
        "resolved",
        "follow_up",
        "follow_up",
        "follow_up",
        "in_progress",
        "reviewing",
        "resolved",
        "rated",
    ]
    assert [r.content for r in appeal.replies.order_by("created_at", "id")] == [
        FIRST_REPLY,
        FIRST_REPLY + CONTACT,
        SECOND_REPLY + CONTACT,
    ]
    revisit = appeal.revisits.get()
    assert (revisit.status, revisit.solved, revisit.satisfaction) == ("done", False, "dissatisfied")
    check = OnSiteCheck.objects.get(appeal=appeal)
    assert check.order is not None and check.photos.count() == 1
    ratings = Rating.objects.filter(appeal=appeal).order_by("created_at", "id")
    assert [r.satisfaction for r in ratings] == ["dissatisfied", "satisfied"]
    assert not any(r.by_staff for r in ratings)
