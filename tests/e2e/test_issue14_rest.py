"""The rest of issue 14 in a browser, at 1366 and 390 px: the dispatcher filters the screening
queue, saves the filter and opens it again; a handler resolves with a photo of the work, and
answers a supervision order with one; a supervisor prints the bulletin.

Screenshots: dispatcher-queue-filters-1366/390, reply-photos-1366/390,
order-answer-photos-1366/390, bulletin-print-1366/390."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from minxin.cases.models import Channel, Reply
from minxin.cases.workflow import AppealStatus
from minxin.deadlines.models import Urgency
from minxin.dispatch.models import SavedFilter
from minxin.supervision.models import SupervisionOrderPhoto
from minxin.supervision.services import supervision_order_issue
from tests.builders import District, appeal_in, appeal_new

from .conftest import action_open, login, snap
from .test_workbench import fits

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dispatcher_filters_and_saves_the_queue(new_page, live_district: District):
    d = live_district
    appeal_new(d, title="路灯不亮", urgency=Urgency.NORMAL)
    appeal_new(d, channel=Channel.HOTLINE, title="燃气泄漏气味明显", urgency=Urgency.CRITICAL)
    appeal_new(d, channel=Channel.HOTLINE, title="夜间施工噪音扰民", urgency=Urgency.URGENT)

    page = new_page()
    login(page, "dispatcher", "pw-dispatcher")
    page.goto(reverse("dispatch:screening"))
    filters = page.locator("form[data-queue-filters]")
    filters.locator("select[name=channel]").select_option("hotline")
    filters.locator("select[name=sort]").select_option("urgency")
    filters.get_by_role("button", name="筛选").click()
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("燃气泄漏")
    page.fill("form.save-filter input[name=name]", "热线·急件在前")
    page.locator("form.save-filter").get_by_role("button", name="保存").click()
    expect(page.locator(".msg").first).to_contain_text("已保存常用筛选「热线·急件在前」")
    assert SavedFilter.objects.get(user=d.user("dispatcher")).name == "热线·急件在前"
    fits(page, "甄别派单 1366")
    snap(page, "dispatcher-queue-filters-1366")

    phone = new_page(phone=True)
    login(phone, "dispatcher", "pw-dispatcher")
    phone.goto(reverse("dispatch:screening"))
    expect(page.locator("table.list tbody tr")).to_have_count(2)
    phone.get_by_role("link", name="热线·急件在前").click()
    expect(phone.locator("table.list tbody tr")).to_have_count(2)
    expect(phone.locator("select[name=channel]")).to_have_value("hotline")
    fits(phone, "甄别派单 390")
    snap(phone, "dispatcher-queue-filters-390")


def test_a_handler_resolves_with_a_photo_and_answers_an_order_with_one(
    new_page, live_district: District, photo_png
):
    d = live_district
    appeal = appeal_in(d, AppealStatus.IN_PROGRESS)
    appeal_url = reverse("cases:appeal_detail", args=[appeal.pk])

    phone = new_page(phone=True)
    login(phone, "handler", "pw-handler")
    phone.goto(appeal_url)
    form = action_open(phone, "resolve")
    form.locator("textarea[name=reason]").fill(
        "经现场核查，已于今日完成垃圾清运，并安排保洁每日巡查，感谢您的反映。"
    )
    form.locator("input[name=photos]").set_input_files(str(photo_png))
    form.get_by_role("button", name="办结答复").click()
    phone.wait_for_url(f"**{appeal_url}")
    expect(phone.locator("[data-reply-photos] img")).to_have_count(1)
    assert Reply.objects.get(appeal=appeal).photos.count() == 1
    fits(phone, "答复照片 390")
    snap(phone, "reply-photos-390")

    desk = new_page()
    login(desk, "dispatcher", "pw-dispatcher")
    desk.goto(appeal_url)
    expect(desk.locator("[data-reply-photos] img")).to_have_count(1)
    fits(desk, "答复照片 1366")
    snap(desk, "reply-photos-1366")

    other = appeal_in(d, AppealStatus.IN_PROGRESS)
    order = supervision_order_issue(
        actor=d.user("supervisor"),
        appeal_id=other.pk,
        content="请三日内完成清运并反馈整改照片",
        due_at=timezone.now() + timedelta(days=3),
    )
    order_url = reverse("supervision:order_detail", args=[order.pk])
    phone.goto(order_url)
    answer = phone.locator("details[data-action=answer] form")
    answer.locator("textarea[name=answer]").fill("已完成清运，现场已整洁，照片附后。")
    answer.locator("input[name=photos]").set_input_files(str(photo_png))
    answer.get_by_role("button", name="提交答复").click()
    phone.wait_for_url(f"**{order_url}")
    expect(phone.locator("[data-answer-photos] img")).to_have_count(1)
    assert SupervisionOrderPhoto.objects.filter(order=order).count() == 1
    fits(phone, "督办答复照片 390")
    snap(phone, "order-answer-photos-390")

    supervisor = new_page()
    login(supervisor, "supervisor", "pw-supervisor")
    supervisor.goto(order_url)
    expect(supervisor.locator("[data-answer-photos] img")).to_have_count(1)
    fits(supervisor, "督办答复照片 1366")
    snap(supervisor, "order-answer-photos-1366")


def test_a_supervisor_prints_the_bulletin(new_page, live_district: District):
    d = live_district
    for status in (AppealStatus.RATED, AppealStatus.FOLLOW_UP, AppealStatus.RESOLVED):
        appeal_in(d, status)

    page = new_page()
    login(page, "supervisor", "pw-supervisor")
    page.goto(reverse("metrics:bulletin"))
    with page.expect_popup() as opened:
        page.get_by_role("link", name="打印").click()
    sheet = opened.value
    sheet.wait_for_load_state("networkidle")
    expect(sheet.locator("h1")).to_have_text("诉求办理通报")
    expect(sheet.locator("[data-ranking] tbody tr").first).to_contain_text(d.street_units[0].name)
    expect(sheet.get_by_role("button", name="打印")).to_be_visible()
    # The 打印 button opens the print dialog (stubbed here: headless Chromium has none).
    sheet.evaluate("window.print = () => { document.body.dataset.printed = '1'; }")
    sheet.get_by_role("button", name="打印").click()
    expect(sheet.locator("body")).to_have_attribute("data-printed", "1")
    snap(sheet, "bulletin-print-1366")
    sheet.emulate_media(media="print")
    expect(sheet.get_by_role("button", name="打印")).to_be_hidden()
    sheet.emulate_media(media="screen")

    phone = new_page(phone=True)
    login(phone, "supervisor", "pw-supervisor")
    phone.goto(reverse("metrics:bulletin_print"))
    expect(phone.locator("[data-district-rates]")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    snap(phone, "bulletin-print-390")
