"""The review and revisit screens on a phone (390 px): the review queue with its scores, a held
reply's review panel, the revisit queue and its call panel, an on-site check's record."""

import pytest
from playwright.sync_api import expect

from minxin.cases.workflow import AppealStatus
from minxin.review.models import ReviewRule
from tests.builders import District, appeal_in

from .conftest import login, snap

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_review_queue_and_panel_on_a_phone(new_page, live_district: District):
    held = appeal_in(live_district, AppealStatus.REVIEWING)
    ReviewRule.objects.create(name="全区抽样审核", sample_percent=30, pass_score=85)
    page = new_page(phone=True)
    login(page, "dispatcher", "pw-dispatcher")
    page.goto("/console/review/")
    expect(page.get_by_role("heading", name="办结审核")).to_be_visible()
    expect(page.locator("table.list")).to_contain_text(held.tracking_number)
    expect(page.locator("table.list .score")).to_have_count(1)
    snap(page, "review-queue-390")
    page.get_by_role("link", name=held.title).click()
    expect(page.locator("#review-panel")).to_contain_text("答复质量评分")
    expect(page.locator("details[data-action=send_back]")).to_be_visible()
    snap(page, "review-panel-390")


def test_the_revisit_queue_and_panel_on_a_phone(new_page, live_district: District):
    dissatisfied = appeal_in(live_district, AppealStatus.FOLLOW_UP)
    page = new_page(phone=True)
    login(page, "call_taker", "pw-call_taker")
    page.goto("/console/follow-up/")
    expect(page.get_by_role("heading", name="回访重办")).to_be_visible()
    row = page.locator("table.list tbody tr", has_text=dissatisfied.tracking_number)
    expect(row).to_contain_text("不满意必回访")
    snap(page, "revisit-queue-390")
    row.get_by_role("link", name=dissatisfied.title).click()
    # The appeal page loaded whole (its scripts run) before the radio is clicked: a click
    # during the load was once undone, and the check failed.
    page.wait_for_load_state("load")
    panel = page.locator("#revisit-panel")
    panel.get_by_role("radio", name="未接通").check()
    panel.get_by_role("button", name="记录回访").click()
    expect(page.get_by_role("status")).to_contain_text("已记录回访")
    expect(page.locator("#revisit-panel")).to_contain_text("已拨打 1 次")
    snap(page, "revisit-panel-390")
