"""考核申诉 in a browser: the lead unit's handler asks from the appeal page (a dissatisfied
rating, the citizen unreachable, with a photo), the supervisor approves it from the list, and
the appeal page shows the decision; at 1366 px and on a phone (390 px)."""

import pytest
from playwright.sync_api import Page, expect

from minxin.cases.workflow import AppealStatus
from minxin.exemptions.models import Exemption
from minxin.exemptions.workflow import ExemptionStatus
from tests.builders import District, appeal_in

from .conftest import action_open, login, snap

pytestmark = pytest.mark.django_db(transaction=True)


def _walk(new_page, district: District, photo_png, *, phone: bool) -> None:
    size = "390" if phone else "1366"
    appeal = appeal_in(district, AppealStatus.FOLLOW_UP)
    handler: Page = new_page(phone=phone)
    login(handler, "handler", "pw-handler")
    handler.goto(f"/console/appeals/{appeal.pk}/")
    panel = handler.locator("#exemptions")
    expect(panel).to_contain_text("考核申诉")
    form = action_open(handler, "request_exemption")
    form.get_by_label("理由类别").select_option(label="无法联系诉求人")
    form.get_by_label("申诉理由及证据说明").fill(
        "按诉求人留下的号码拨打5次均为空号，两次上门无人应答，已在小区公告栏张贴告知。"
    )
    form.locator("input[name=photos]").set_input_files(str(photo_png))
    snap(handler, f"exemption-request-{size}")
    form.get_by_role("button", name="提交申请").click()
    expect(handler.get_by_role("status")).to_contain_text("已提交免考核申请")
    expect(handler.locator("#exemptions [data-status=submitted]")).to_contain_text("待审核")

    supervisor: Page = new_page(phone=phone)
    login(supervisor, "supervisor", "pw-supervisor")
    supervisor.goto("/console/")
    if phone:  # the staff bar is behind 菜单 on a phone
        supervisor.get_by_role("button", name="菜单").click()
    supervisor.get_by_role("link", name="考核申诉").first.click()
    card = supervisor.locator("[data-exemption]", has_text=appeal.tracking_number)
    expect(card).to_contain_text("无法联系诉求人")
    expect(card.locator(".ex-photos img")).to_have_count(1)
    snap(supervisor, f"exemption-list-{size}")
    approve = card.locator("details[data-action=approve]")
    approve.locator("summary").click()
    approve.get_by_label("审核意见").fill(
        "经核查通话记录和上门记录，承办单位已尽到联系义务，同意。"
    )
    approve.get_by_role("button", name="批准").click()
    expect(supervisor.get_by_role("status")).to_contain_text("批准")
    expect(supervisor.locator("[data-exemption]", has_text=appeal.tracking_number)).to_have_count(0)
    assert Exemption.objects.get(appeal=appeal).status == ExemptionStatus.APPROVED

    handler.goto(f"/console/appeals/{appeal.pk}/")
    decided = handler.locator("#exemptions [data-status=approved]")
    expect(decided).to_contain_text("已批准")
    expect(decided).to_contain_text("尽到联系义务")
    handler.locator("#exemptions").scroll_into_view_if_needed()
    snap(handler, f"exemption-decided-{size}")


def test_request_and_approve_at_1366(new_page, live_district: District, photo_png):
    _walk(new_page, live_district, photo_png, phone=False)


def test_request_and_approve_on_a_phone(new_page, live_district: District, photo_png):
    _walk(new_page, live_district, photo_png, phone=True)
