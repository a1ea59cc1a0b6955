"""Many districts on one install, and intake's triage in the background, in the browser (issue
17): the city's leader sees every district's figures on the dashboard and picks one (辖区); a
district's dispatcher sees only their district's appeals; an appeal still waiting for its
triage shows the panel's waiting state, which fills in by itself once the worker has stored the
suggestion. Screenshots at 1366 and 390 px."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from minxin.metrics.facts import metrics_rebuild
from tests.builders import appeal_new, other_district_build

from .conftest import login, snap

pytestmark = pytest.mark.django_db(transaction=True)

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_city_leader_picks_a_district_and_a_district_sees_its_own(district, new_page):
    b1 = other_district_build(district)
    appeal_new(district, title="桂花路路灯不亮")
    appeal_new(district, title="望月湖小区垃圾清运")
    appeal_new(district, title="东风路井盖破损", jurisdiction_id=b1.pk)
    metrics_rebuild()

    for phone, width in ((False, 1366), (True, 390)):
        page = new_page(phone=phone)
        login(page, "city_leader", "pw-city_leader")
        page.goto(reverse("metrics:dashboard"))
        picker = page.locator("select[name=district]")
        expect(picker.locator("option")).to_have_count(3)  # 全部辖区, A3's and B1's
        snap(page, f"city_leader_dashboard-{width}")
        picker.select_option(str(b1.pk))
        page.get_by_role("button", name="查询").click()
        page.wait_for_url(f"**district={b1.pk}**")
        expect(page.locator("select[name=district]")).to_have_value(str(b1.pk))
        snap(page, f"city_leader_dashboard_b1-{width}")

        page = new_page(phone=phone)
        login(page, "b_dispatcher", "pw-b_dispatcher")
        page.goto(reverse("cases:appeal_list"))
        expect(page.get_by_text("东风路井盖破损")).to_be_visible()
        expect(page.get_by_text("桂花路路灯不亮")).to_have_count(0)
        snap(page, f"district_dispatcher_appeals-{width}")


def test_the_panel_waits_for_the_triage_and_fills_in(district, new_page, settings):
    settings.TASKS = DB_TASKS  # queued, run only when a worker runs
    appeal = appeal_new(
        district, title="景蓉华苑路灯不亮", content="景蓉华苑东门路灯坏了一周，晚上很黑。"
    )
    page = new_page()
    login(page, "dispatcher", "pw-dispatcher")
    page.goto(reverse("cases:appeal_detail", args=[appeal.pk]))
    expect(page.get_by_text("智能建议生成中…")).to_be_visible()
    snap(page, "dispatcher_triage_waiting-1366")

    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False)

    expect(page.get_by_text("智能建议生成中…")).to_have_count(0, timeout=15_000)
    expect(page.locator("#screen-panel")).not_to_have_attribute("aria-busy", "true")
