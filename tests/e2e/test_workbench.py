"""The workbench on a desk and on a street handler's phone (issue 14): every staff screen at 1366
and 390 px without a page wider than the screen or a short label broken over lines; a handler on
a phone calls the citizen (the number revealed and logged) and returns an appeal; a supervisor
sees who looked, and the dashboard's 临期 tile opens the appeals it counts."""

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from minxin.cases.models import Appeal, PhoneReveal
from minxin.cases.workflow import AppealStatus
from minxin.supervision.models import Clock, DeadlineWarning, WarningLevel
from tests.builders import District, appeal_in, appeal_new

from .conftest import DESKTOP, PHONE, login, snap

pytestmark = pytest.mark.django_db(transaction=True)

BUILDER_PHONE = "13812345678"
ROLES = ("call_taker", "dispatcher", "handler", "supervisor", "leader", "admin")

# The page's width, every short label (a button, a tab, a menu entry, a column head, a badge)
# whose words break over more than one line (the "one character per line" of issue 14), and
# any page of the staff bar cut off by its edge.
MEASURE = """() => {
  const broken = [];
  const selector = 'button, a.button, .mainnav a, .tabs a, th, .badge, .flag, summary, label.check';
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    const text = (el.innerText || '').trim();
    if (box.width === 0 || box.height === 0 || !text || text.length > 12) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top);
    tops.sort((a, b) => a - b);
    let lines = tops.length ? 1 : 0;
    for (let i = 1; i < tops.length; i++) if (tops[i] - tops[i - 1] > 8) lines++;
    if (lines > 1) broken.push(text.replace(/\\s+/g, ''));
  }
  // The bar's pages are all there to click: none cut off by the bar's edge.
  const nav = document.querySelector('.mainnav');
  const edge = nav ? nav.getBoundingClientRect() : null;
  for (const link of document.querySelectorAll('.mainnav a')) {
    const box = link.getBoundingClientRect();
    if (box.width === 0 || !edge) continue;
    const cut = box.right > edge.right + 1 || box.bottom > edge.bottom + 1;
    if (cut) broken.push('cut:' + link.innerText);
  }
  return {width: document.documentElement.scrollWidth, broken};
}"""


def fits(page: Page, where: str) -> None:
    viewport = page.viewport_size
    assert viewport is not None
    page.evaluate("document.fonts.ready")
    measured = page.evaluate(MEASURE)
    assert measured["width"] <= viewport["width"], f"{where}: {measured['width']} px wide"
    assert measured["broken"] == [], f"{where} at {viewport['width']} px: {measured['broken']}"


def test_every_staff_screen_fits_a_phone_and_a_desk(new_page, live_district: District):
    d = live_district
    for status in (AppealStatus.RECEIVED, AppealStatus.RETURNED, AppealStatus.IN_PROGRESS):
        appeal_in(d, status)
    follow_up = appeal_in(d, AppealStatus.FOLLOW_UP)
    seen = 0
    for role in ROLES:
        page = new_page()
        login(page, role, f"pw-{role}")
        screens = page.eval_on_selector_all(".mainnav a", "els => els.map(e => e.pathname)")
        screens.append(f"/console/appeals/{follow_up.pk}/")
        for path in screens:
            for viewport in (DESKTOP, PHONE):
                page.set_viewport_size(viewport)
                page.goto(path)
                page.wait_for_load_state("networkidle")
                fits(page, f"{role} {path}")
                seen += 1
        page.set_viewport_size(DESKTOP)
    assert seen > 60


def test_the_appeal_list_filters_on_a_desk_and_a_phone(new_page, live_district: District):
    for status in (AppealStatus.IN_PROGRESS, AppealStatus.RECEIVED, AppealStatus.RESOLVED):
        appeal_in(live_district, status)
    page = new_page()
    login(page, "dispatcher", "pw-dispatcher")
    page.goto("/console/appeals/")
    buttons = page.locator("form.filters .actions > *")
    expect(buttons).to_have_text(["筛选", "重置", "导出台账"])
    heights = [buttons.nth(i).bounding_box()["height"] for i in range(3)]  # type: ignore[index]
    assert max(heights) < 50  # one line each, side by side
    fits(page, "全部诉求")
    snap(page, "workbench_appeal_list_1366")
    page.set_viewport_size({"width": 1920, "height": 900})
    fits(page, "全部诉求 1920")
    page.set_viewport_size(DESKTOP)
    # Sorted by deadline, and the filter saved under a name for the next time.
    page.locator("select[name=sort]").select_option("due")
    page.locator("select[name=status]").select_option("open")
    page.get_by_role("button", name="筛选").click()
    page.once("dialog", lambda dialog: dialog.accept("在办按时限"))
    page.get_by_role("button", name="保存此查询").click()
    saved = page.get_by_role("link", name="在办按时限")
    expect(saved).to_be_visible()
    page.get_by_role("link", name="重置").click()
    saved.click()
    expect(page).to_have_url(re.compile(r"sort=due"))
    expect(page.locator("select[name=status]")).to_have_value("open")
    page.set_viewport_size(PHONE)
    expect(page.locator("table.cards tbody tr").first).to_be_visible()
    expect(page.locator("table.cards thead")).to_be_hidden()
    fits(page, "全部诉求 390")
    snap(page, "workbench_appeal_list_390")


def test_a_handler_on_a_phone_calls_the_citizen_then_returns_the_appeal(
    new_page, live_district: District
):
    d = live_district
    appeal = appeal_in(d, AppealStatus.DISPATCHED)
    other = appeal_in(d, AppealStatus.IN_PROGRESS)
    page = new_page(phone=True)
    login(page, "handler", "pw-handler")

    # The queue as cards; the pages behind 菜单.
    expect(page.get_by_role("heading", name=re.compile("工单"))).to_be_visible()
    cards = page.locator("table.cards tbody tr")
    expect(cards).to_have_count(2)
    expect(page.locator("nav.mainnav")).to_be_hidden()
    fits(page, "本单位工单")
    snap(page, "workbench_handler_queue_390")
    page.get_by_role("button", name="菜单").click()
    expect(page.locator("nav.mainnav").get_by_role("link", name="本单位工单")).to_be_visible()
    snap(page, "workbench_handler_menu_390")
    page.get_by_role("button", name="菜单").click()
    expect(page.locator("nav.mainnav")).to_be_hidden()

    # First contact: the masked number, then the full one, one tap, logged.
    cards.filter(has_text=other.tracking_number).get_by_role("link").click()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("138****5678")
    expect(facts).not_to_contain_text(BUILDER_PHONE)
    page.get_by_role("button", name="查看完整号码").click()
    expect(facts.get_by_role("link", name=BUILDER_PHONE)).to_have_attribute(
        "href", f"tel:{BUILDER_PHONE}"
    )
    expect(facts).to_contain_text("本次查看已记录")
    reveal = PhoneReveal.objects.get()
    assert (reveal.appeal_id, reveal.actor_id) == (other.pk, d.user("handler").pk)
    fits(page, "诉求页")
    snap(page, "workbench_handler_phone_revealed_390")
    # The dispatch slip, to print.
    page.goto(f"/console/appeals/{other.pk}/print/")
    expect(page.get_by_role("heading", name="12345 诉求交办单")).to_be_visible()
    expect(page.locator(".slip-table")).to_contain_text("主办：桂花坪街道办事处")
    page.set_viewport_size(DESKTOP)
    snap(page, "workbench_dispatch_slip")
    page.set_viewport_size(PHONE)

    # 退单: back on the queue with the message, never on 未找到该诉求.
    page.goto(f"/console/appeals/{appeal.pk}/")
    details = page.locator("details[data-action=return]")
    details.locator("summary").click()
    details.locator("textarea[name=reason]").fill("该路段属望月湖街道管辖")
    details.get_by_role("button", name="退单").click()
    expect(page).to_have_url(re.compile(r"/console/unit/"))
    expect(page.get_by_role("status")).to_contain_text(f"已退单：{appeal.tracking_number}")
    expect(page.locator("body")).not_to_contain_text("未找到该诉求或无权查看")
    expect(cards).to_have_count(1)
    snap(page, "workbench_handler_returned_390")
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.RETURNED


def test_a_supervisor_sees_who_looked_and_opens_the_near_deadline_appeals(
    new_page, live_district: District
):
    d = live_district
    near = [appeal_in(d, AppealStatus.IN_PROGRESS) for _ in range(2)]
    for appeal in near:
        DeadlineWarning.objects.create(
            appeal=appeal,
            clock=Clock.RESOLVE,
            level=WarningLevel.YELLOW,
            due=appeal.resolve_due,
            share_used=0.8,
            run=uuid.uuid4(),
        )
    appeal_in(d, AppealStatus.IN_PROGRESS)  # open, not near
    appeal_new(d)
    handler = new_page()
    login(handler, "handler", "pw-handler")
    handler.goto(f"/console/appeals/{near[0].pk}/")
    handler.get_by_role("button", name="查看完整号码").click()
    expect(handler.locator(".phone-revealed")).to_be_visible()

    page = new_page()
    login(page, "supervisor", "pw-supervisor")
    page.goto("/console/supervision/")
    tile = page.locator("a.sv-tile", has_text="临期")
    expect(tile.locator(".sv-tile-value")).to_have_text("2")
    tile.click()
    expect(page.locator("select[name=status]")).to_have_value("near")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(2)
    for appeal in near:
        expect(page.locator("table.list")).to_contain_text(appeal.tracking_number)

    page.goto(f"/console/appeals/{near[0].pk}/")
    card = page.locator("#phone-reveals")
    expect(card).to_contain_text("handler")
    expect(card).to_contain_text("桂花坪街道")
    expect(page.locator("dl.facts")).not_to_contain_text(BUILDER_PHONE)
    page.get_by_role("link", name="号码查看记录").click()
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("table.list")).to_contain_text(near[0].tracking_number)
    fits(page, "号码查看记录")
    snap(page, "workbench_phone_reveals_1366")
    page.set_viewport_size(PHONE)
    fits(page, "号码查看记录 390")
