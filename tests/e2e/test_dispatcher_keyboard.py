"""A dispatcher's 500 a day (issue 14): with triage's suggestion right, screening and
dispatching an appeal is one key (A), and the next appeal opens by itself. Measured on 20
appeals: key presses and clicks per appeal, written to docs/screenshots/dispatcher_keys.txt."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.triage.models import TriageSuggestion
from tests.builders import District, appeal_new

from .conftest import SCREENSHOTS, login, snap

pytestmark = pytest.mark.django_db(transaction=True)

APPEALS = 20


def test_a_dispatcher_screens_and_dispatches_20_appeals_by_keyboard(
    new_page, live_district: District
):
    d = live_district
    appeals = [appeal_new(d, title=f"小区垃圾无人清运（第{n + 1}件）") for n in range(APPEALS)]
    for appeal in appeals:
        # The suggestion intake's task would store (the model itself is tested in tests/triage).
        TriageSuggestion.objects.create(
            appeal=appeal,
            category=d.category,
            category_path=d.category.path_name,
            top_category_name=d.category_top.name,
            confidence=Decimal("0.91"),
            urgency="normal",
            is_valid=True,
            region=d.communities[0],
            suggested_unit=d.street_units[0],
        )
    page = new_page()
    login(page, "dispatcher", "pw-dispatcher")
    expect(page.locator(".shortcuts")).to_contain_text("打开第一件")
    keys = clicks = 0

    page.keyboard.press("o")  # the queue's first appeal
    keys += 1
    for n in range(APPEALS):
        accept = page.locator("[data-key=a]")
        expect(accept).to_contain_text("采纳建议并派单")
        if n == 0:
            snap(page, "dispatcher_accept_and_dispatch")
        with page.expect_navigation():
            page.keyboard.press("a")
        keys += 1

    expect(page).to_have_url(re.compile(r"/console/dispatch/screening/"))
    statuses = set(Appeal.objects.filter(pk__in=[a.pk for a in appeals]).values_list("status"))
    assert statuses == {(AppealStatus.DISPATCHED,)}
    per_appeal = (keys + clicks) / APPEALS
    assert per_appeal < 5
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "dispatcher_keys.txt").write_text(
        f"{APPEALS} appeals screened and dispatched with the suggestion: {keys} key presses, "
        f"{clicks} clicks, {per_appeal:.2f} per appeal\n",
        encoding="utf-8",
    )


def test_the_category_is_found_by_typing(new_page, live_district: District):
    d = live_district
    appeal = appeal_new(d)
    page = new_page()
    login(page, "dispatcher", "pw-dispatcher")
    page.goto(f"/console/appeals/{appeal.pk}/")
    panel = page.locator("#screen-panel")
    search = panel.get_by_placeholder(re.compile("筛选分类"))
    search.fill("卫生")
    category = panel.locator("select[name=category]")
    visible = category.locator("option:not([hidden])").filter(has_text="卫生")
    expect(visible).to_have_count(1)
    expect(category).to_have_value(str(d.category.pk))
    search.fill("没有这个分类")
    expect(category.locator("option[value]:not([value='']):not([hidden])")).to_have_count(0)


def test_bulk_mark_invalid_from_the_queue_with_a_confirmation(new_page, live_district: District):
    d = live_district
    spam = [appeal_new(d, title=f"低价代办证件广告（{n}）") for n in range(2)]
    kept = appeal_new(d)
    page = new_page()
    login(page, "dispatcher", "pw-dispatcher")
    for appeal in spam:
        page.get_by_label(f"勾选 {appeal.tracking_number}").check()
    bar = page.locator("#bulk-form")
    bar.locator("select[name=action]").select_option("invalid")
    bar.locator("input[name=reason]").fill("广告信息，非诉求")
    snap(page, "dispatcher_bulk_queue")
    bar.get_by_role("button", name="下一步：确认").click()

    expect(page.get_by_role("heading", name="确认批量标记无效（2 件）")).to_be_visible()
    expect(page.locator("table.list tbody tr")).to_have_count(2)
    snap(page, "dispatcher_bulk_confirm")
    page.get_by_role("button", name="确认标记无效").click()

    expect(page.get_by_role("status").first).to_contain_text("已标记无效 2 件")
    statuses = dict(Appeal.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in spam] == [AppealStatus.INVALID] * 2
    assert statuses[kept.pk] == AppealStatus.RECEIVED
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_label(f"勾选 {kept.tracking_number}")).to_be_visible()
    snap(page, "dispatcher_bulk_queue_390")
