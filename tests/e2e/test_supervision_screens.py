"""The supervisor's dashboard and scorecards in a browser, with ECharts drawn from static files."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from minxin.accounts.actor import Actor
from minxin.cases import services
from minxin.cases.models import Appeal, Channel
from minxin.cases.workflow import AppealStatus
from minxin.supervision.warnings import deadline_warnings_raise
from tests.builders import District, appeal_in, appeal_new

from .conftest import login, snap

pytestmark = pytest.mark.django_db(transaction=True)

STATUSES = (
    AppealStatus.RECEIVED,
    AppealStatus.SCREENED,
    AppealStatus.INVALID,
    AppealStatus.DISPATCHED,
    AppealStatus.ACCEPTED,
    AppealStatus.IN_PROGRESS,
    AppealStatus.IN_PROGRESS,
    AppealStatus.SUSPENDED,
    AppealStatus.RESOLVED,
    AppealStatus.RESOLVED,
    AppealStatus.RATED,
    AppealStatus.RATED,
    AppealStatus.FOLLOW_UP,
    AppealStatus.ARCHIVED,
)
CHARTS_DRAWN = (
    "() => { const c = [...document.querySelectorAll('[data-chart]')];"
    " return c.length === 5 && c.every(e => e.querySelector('canvas, svg')); }"
)


def test_supervisor_dashboard_and_scorecards(new_page, live_district: District):
    now = timezone.now()
    # Spread over the last four weeks: the older open ones are overdue, some near the limit.
    for i, status in enumerate(STATUSES):
        with time_machine.travel(now - timedelta(days=(i * 2) % 27, hours=i), tick=False):
            appeal_in(live_district, status)
            appeal_new(live_district, channel=Channel.HOTLINE if i % 2 else Channel.BOARD)
    # Two more people about one matter, merged into it: a hotspot (集中投诉).
    matter = appeal_new(live_district, title="夜间施工噪音扰民", appellant_phone="13800000001")
    for phone in ("13800000002", "13800000003"):
        duplicate = appeal_new(live_district, title="夜间施工噪音", appellant_phone=phone)
        services.appeal_merge(
            appeal_id=duplicate.pk,
            actor=Actor.of(live_district.user("dispatcher")),
            expected_version=Appeal.objects.get(pk=duplicate.pk).version,
            into_tracking_number=matter.tracking_number,
        )
    deadline_warnings_raise()
    page = new_page()
    login(page, "supervisor", "pw-supervisor")
    page.get_by_role("link", name="总览").click()
    expect(page.get_by_role("heading", name="总览")).to_be_visible()
    page.wait_for_function(CHARTS_DRAWN)
    tiles = page.locator("section.sv-tiles")
    expect(tiles).to_contain_text("受理量")
    hotspots = page.locator("section", has=page.get_by_role("heading", name="集中投诉"))
    expect(hotspots).to_contain_text("夜间施工噪音扰民")
    expect(hotspots).to_contain_text("3 人")
    expect(page.locator("main")).to_contain_text("收到建议")  # the suggestions panel (HTMX)
    expect(tiles).to_contain_text("满意率")
    expect(page.locator("a.sv-tile", has_text="超期")).to_have_attribute(
        "href", "/console/appeals/?overdue=on"
    )
    snap(page, "supervisor_dashboard")

    page.get_by_role("link", name="考核排名").click()
    expect(page.get_by_role("heading", name="考核排名")).to_be_visible()
    rows = page.locator("table.sv-scores tbody tr")
    expect(rows.first).to_contain_text(live_district.street_units[0].name)
    expect(rows.first.locator("td").first).to_have_text("1")
    snap(page, "supervisor_scorecards")

    # The bulletin: best and worst units for the period, and its PDF built in the background.
    page.get_by_role("link", name="通报").click()
    expect(page.get_by_role("heading", name="诉求办理通报")).to_be_visible()
    expect(page.locator("main")).to_contain_text(live_district.street_units[0].name)
    snap(page, "supervisor_bulletin")
    page.get_by_role("button", name="导出 PDF").click()
    expect(page.locator("main")).to_contain_text("PDF")
    snap(page, "supervisor_exports")
