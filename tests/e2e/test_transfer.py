"""Between units in a browser (issue 15): the street's handler asks for an accepted appeal to be
transferred, suggesting the housing bureau; the dispatcher finds it in 转办审批 and approves it to
the suggested unit, which the street no longer sees. And a return the dispatcher refuses: the
street returns a dispatched appeal, the dispatcher refuses the return from the appeal page, and
the appeal is back in the street's queue to accept.

Screenshots, each at 1366 and 390 px: transfer-request, transfer-queue, transfer-approve,
transfer-approved; return-refused-queue, return-refused-form, return-refused-done,
return-refused-handler."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from minxin.cases.models import Appeal, Transfer, TransferStatus
from minxin.cases.workflow import AppealStatus
from tests.builders import District, appeal_in

from .conftest import action_open, login, snap

pytestmark = pytest.mark.django_db(transaction=True)


def _pair(new_page, who: str) -> tuple[Page, Page]:
    """The same person on a desktop (1366 px) and on a phone (390 px)."""
    desktop, phone = new_page(), new_page(phone=True)
    for page in (desktop, phone):
        login(page, who, f"pw-{who}")
    return desktop, phone


def _both(pages: tuple[Page, Page], url: str, name: str) -> None:
    """The screen at both widths; the desktop page is the one the test goes on with."""
    desktop, phone = pages
    phone.goto(url)
    phone.wait_for_load_state("networkidle")
    snap(phone, f"{name}-390")
    desktop.goto(url)
    desktop.wait_for_load_state("networkidle")
    snap(desktop, f"{name}-1366")


def test_a_transfer_asked_for_and_approved(new_page, live_district: District):
    d = live_district
    housing = d.departments[1]
    appeal = appeal_in(d, AppealStatus.IN_PROGRESS)
    url = reverse("cases:appeal_detail", args=[appeal.pk])

    handler = _pair(new_page, "handler")
    for page in handler:
        page.goto(url)
        form = action_open(page, "request_transfer")
        form.locator("textarea[name=reason]").fill(
            "经现场查看，漏水的是住建部门管理的老旧供水管网，街道无维修权限，申请转办。"
        )
        form.locator("select[name=suggested_unit_id]").select_option(label=housing.name)
    snap(handler[1], "transfer-request-390")
    snap(handler[0], "transfer-request-1366")
    handler[0].locator("details[data-action=request_transfer]").get_by_role(
        "button", name="申请转办"
    ).click()
    expect(handler[0].get_by_role("status")).to_contain_text("已申请转办")
    expect(handler[0].locator("[data-pending-transfer]")).to_contain_text(housing.name)
    expect(handler[0].locator(".badge").first).to_contain_text("办理中")  # still the street's
    expect(handler[0].locator("details[data-action=request_transfer]")).to_have_count(0)

    dispatcher = _pair(new_page, "dispatcher")
    _both(dispatcher, reverse("dispatch:screening") + "?tab=transfers", "transfer-queue")
    row = dispatcher[0].locator("table[data-transfers] tbody tr", has_text=appeal.tracking_number)
    expect(row).to_contain_text(housing.name)
    row.get_by_role("link", name=appeal.title).click()
    expect(dispatcher[0].locator("[data-pending-transfer]")).to_contain_text("老旧供水管网")
    for page in dispatcher:
        if page is not dispatcher[0]:
            page.goto(url)
        form = action_open(page, "approve_transfer")
        expect(form.locator("select[name=lead_unit_id] option:checked")).to_contain_text(
            housing.name
        )
        form.locator("textarea[name=reason]").fill("同意，请住建局督促供水企业维修。")
    snap(dispatcher[1], "transfer-approve-390")
    snap(dispatcher[0], "transfer-approve-1366")
    dispatcher[0].locator("details[data-action=approve_transfer]").get_by_role(
        "button", name="同意转办"
    ).click()
    expect(dispatcher[0].get_by_role("status")).to_contain_text("已同意转办")
    expect(dispatcher[0].locator(".badge").first).to_contain_text("待接单")
    _both(dispatcher, url, "transfer-approved")
    expect(dispatcher[0].locator(".facts")).to_contain_text(housing.name)
    moved = Appeal.objects.get(pk=appeal.pk)
    assert (moved.status, moved.lead_unit_id) == (AppealStatus.DISPATCHED, housing.pk)
    assert Transfer.objects.get(appeal=appeal).status == TransferStatus.APPROVED
    # The street no longer has it.
    response = handler[0].goto(url)
    assert response is not None and response.status == 404


def test_a_return_refused(new_page, live_district: District):
    d = live_district
    appeal = appeal_in(d, AppealStatus.DISPATCHED)
    url = reverse("cases:appeal_detail", args=[appeal.pk])

    handler = _pair(new_page, "handler")
    handler[0].goto(url)
    form = action_open(handler[0], "return")
    form.locator("textarea[name=reason]").fill("该路段不属于本街道管辖，请改派城管部门。")
    form.get_by_role("button", name="退单").click()
    expect(handler[0].get_by_role("status")).to_contain_text("已退单")

    dispatcher = _pair(new_page, "dispatcher")
    _both(dispatcher, reverse("dispatch:screening") + "?tab=returned", "return-refused-queue")
    dispatcher[0].get_by_role("link", name=appeal.title).click()
    expect(dispatcher[0].locator("#dispatch-panel")).to_contain_text("不属于本街道管辖")
    for page in dispatcher:
        if page is not dispatcher[0]:
            page.goto(url)
            expect(page.locator("#dispatch-panel")).to_be_visible()
        form = action_open(page, "refuse_return")
        form.locator("textarea[name=reason]").fill(
            "经核实，该路段在本街道辖区内，属街道负责的背街小巷，退单理由不成立。"
        )
    snap(dispatcher[1], "return-refused-form-390")
    snap(dispatcher[0], "return-refused-form-1366")
    dispatcher[0].locator("details[data-action=refuse_return]").get_by_role(
        "button", name="驳回退单"
    ).click()
    expect(dispatcher[0].get_by_role("status")).to_contain_text("已驳回退单")
    expect(dispatcher[0].locator(".badge").first).to_contain_text("待接单")
    _both(dispatcher, url, "return-refused-done")
    expect(dispatcher[0].locator(".timeline")).to_contain_text("驳回退单")
    assert Appeal.objects.get(pk=appeal.pk).lead_unit_id == d.street_units[0].pk

    # Back in the street's queue, to accept.
    _both(handler, reverse("cases:unit_queue"), "return-refused-handler")
    expect(handler[0].locator("table.list")).to_contain_text(appeal.tracking_number)
