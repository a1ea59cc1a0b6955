"""补充 in a browser: the street's handler suspends an appeal, asking for the building; the
citizen, on a phone, proves the appeal with the tracking number and query code, sees what was
asked, adds text and a photo (the form posted twice adds once), and the handler, on a phone
too, finds the appeal back in progress with the supplement and its photo, and a notification.

Screenshots: citizen-supplement-390 (the tracking page with the form), citizen-supplemented-390
(after), appeal-supplement-390 (the handler's view)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from minxin.cases.models import Appeal, Supplement
from minxin.cases.workflow import AppealStatus
from tests.builders import District, appeal_in

from .conftest import action_open, login, snap

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_citizen_adds_what_the_handler_asked_for(new_page, live_district: District, photo_png):
    d = live_district
    appeal = appeal_in(d, AppealStatus.IN_PROGRESS)
    appeal_url = reverse("cases:appeal_detail", args=[appeal.pk])

    handler = new_page(phone=True)
    login(handler, "handler", "pw-handler")
    handler.goto(appeal_url)
    suspend = action_open(handler, "suspend")
    suspend.locator("textarea[name=reason]").fill("请补充具体楼栋单元号，并拍一张堆放点的照片")
    suspend.get_by_role("button", name="挂起（待诉求人补充）").click()
    expect(handler.locator(".badge")).to_contain_text("待诉求人补充")

    citizen = new_page(phone=True)
    citizen.goto(reverse("citizen:track"))
    citizen.fill("input[name=tracking_number]", appeal.tracking_number)
    citizen.fill("input[name=query_code]", appeal.query_code)
    citizen.locator("form button[type=submit]").click()
    form = citizen.locator("form#supplement")
    expect(form).to_contain_text("请补充具体楼栋单元号")
    expect(citizen.locator("#sms-notices")).to_contain_text("不再接收短信通知")
    form.locator("textarea[name=content]").fill("是景蓉华苑3栋2单元门口，照片已附上。")
    form.locator("input[name=photos]").set_input_files(str(photo_png))
    snap(citizen, "citizen-supplement-390")
    # A double tap: two posts of the same form, with the same one-time key.
    form.evaluate("f => { f.requestSubmit(); f.requestSubmit(); }")
    citizen.wait_for_url(f"**/track/{appeal.tracking_number}/")
    citizen.wait_for_load_state("networkidle")
    expect(citizen.get_by_role("status").first).to_contain_text(
        re.compile("已收到您补充的情况|这次补充已经提交过了")
    )
    expect(citizen.locator(".badge").first).to_contain_text("办理中")
    expect(citizen.locator("img[alt^=补充照片]")).to_have_count(1)
    snap(citizen, "citizen-supplemented-390")
    assert Supplement.objects.filter(appeal=appeal).count() == 1
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.IN_PROGRESS

    handler.goto(appeal_url)
    expect(handler.locator(".badge").first).to_contain_text("办理中")
    card = handler.locator("#supplements")
    expect(card).to_contain_text("3栋2单元门口")
    expect(card.locator("img")).to_have_count(1)
    expect(handler.locator("li[data-action=supplement]")).to_contain_text("诉求人")
    snap(handler, "appeal-supplement-390")
    handler.goto(reverse("notify:inbox"))
    expect(handler.get_by_text(f"诉求人补充了情况：{appeal.tracking_number}")).to_be_visible()
