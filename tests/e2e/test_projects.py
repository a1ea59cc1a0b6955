"""民心工程 in a browser, the whole life of a project: the office enters it into the year's
programme, a unit's responsibility letter is signed, the unit reports progress on its phone,
with a place and a photo, the project falls behind (it started 100 days ago), the warning
check raises a warning and the office issues a supervision order, the unit completes it, the
office accepts it (the report's place and photo on its page), a resident rates it on the
public page with an SMS code, and again at the 回头看.

Screenshots of every screen go to docs/screenshots/projects-*.png: staff screens at 1366 px
and 390 px (`-phone`), the public pages at 390 px."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import Page, expect

from minxin.directory.services import boundaries_import
from minxin.notify.models import PhoneCode
from minxin.notify.sms import MemorySmsBackend
from minxin.projects.models import (
    Programme,
    Project,
    ProjectRating,
    ProjectWarning,
    RatingRound,
    WarningKind,
)
from minxin.projects.services import project_warnings_raise
from minxin.projects.workflow import ProjectStatus
from minxin.supervision.models import SupervisionOrder
from tests.builders import District, appeal_new
from tests.directory.geo import collection, feature, square

from .conftest import DESKTOP, PHONE, login, snap

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "景蓉社区既有住宅加装电梯"
# Every chart of a page has drawn (ECharts puts a canvas in it), and no chart is left empty.
CHARTS_DRAWN = (
    "() => { const c = [...document.querySelectorAll('[data-chart]')];"
    " return c.length > 0 && c.every(e => e.querySelector('canvas, svg')); }"
)
# Nothing wider than the screen: a page at 390 px must not scroll sideways.
NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"
# What sticks out, to say so when it does.
WIDEST = (
    "() => [...document.querySelectorAll('body *')]"
    ".filter(e => !e.closest('.mainnav'))"
    ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
    ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' +"
    " Math.round(e.getBoundingClientRect().right))"
)


def fits(page: Page, name: str) -> None:
    """Nothing wider than the screen: a page at 390 px must not scroll sideways."""
    assert page.evaluate(NO_OVERFLOW), f"{name} scrolls sideways: {page.evaluate(WIDEST)}"


def both(page: Page, name: str, *, charts: bool = False) -> None:
    """A staff screen at 1366 px, then the same at 390 px (no sideways scrolling)."""
    page.set_viewport_size(DESKTOP)
    if charts:
        page.wait_for_function(CHARTS_DRAWN)
    snap(page, name)
    page.set_viewport_size(PHONE)
    if charts:
        page.wait_for_function(CHARTS_DRAWN)
    snap(page, f"{name}-phone")
    fits(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def open_form(page: Page, action: str) -> None:
    details = page.locator(f"details[data-action={action}]")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def step(page: Page, action: str, reason: str = "") -> None:
    """A plain step of the project page (start, complete, accept, revisit)."""
    open_form(page, action)
    form = page.locator(f"details[data-action={action}] form")
    if reason:
        form.locator("[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def rate(
    page: Page, project: Project, phone: str, verdict: str, comment: str, round_: str = "完工评价"
) -> None:
    """A resident on the public page: phone, the SMS code, the verdict, the receipt."""
    page.goto(f"/projects/{project.pk}/")
    rating = page.locator("#rate")
    rating.locator("input[name=phone]").fill(phone)
    rating.get_by_role("button", name="获取验证码").click()
    expect(page.locator("input[name=code]")).to_be_visible()
    assert not page.locator("[role=alert]").all_inner_texts()
    _, text = MemorySmsBackend.outbox[-1]
    code = "".join(ch for ch in text.split("，")[0] if ch.isdigit())
    assert len(code) == 6, text
    page.fill("input[name=code]", code)
    page.get_by_label(verdict, exact=True).check()
    page.fill("textarea[name=comment]", comment)
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state("networkidle")
    errors = page.locator("[role=alert]").all_inner_texts()
    assert not errors, errors
    expect(page.locator("h1")).to_have_text("感谢您的评价")
    expect(page.locator(".receipt")).to_contain_text(round_)
    assert phone not in page.url and code not in page.url


def test_a_project_from_the_plan_to_the_peoples_verdict(
    new_page, live_district: District, settings, photo_png
) -> None:
    settings.MINXIN_SMS_BACKEND = "minxin.notify.sms.MemorySmsBackend"
    MemorySmsBackend.outbox = []
    d = live_district
    today = timezone.localdate()
    # The year's programme is made in the admin (民心工程计划).
    programme = Programme.objects.create(name="民心工程", year=today.year)
    # An appeal about the estate, to be linked to the project.
    appeal = appeal_new(d, title="景蓉小区加装电梯进度慢", content="景蓉小区3栋电梯迟迟未动工。")

    office = new_page()
    login(office, "supervisor", "pw-supervisor")
    office.goto("/console/projects/")
    office.locator(f"a[data-programme='{programme.pk}']").click()
    office.get_by_role("link", name="新建项目").click()
    form = office.locator("form.pj-new")
    form.locator("[name=name]").fill(NAME)
    form.locator("[name=kind]").select_option("elevator")
    form.locator("[name=lead_unit]").select_option(str(d.street_units[0].pk))
    form.locator("[name=assisting_units]").select_option([str(d.departments[1].pk)])
    form.locator("[name=regions]").select_option([str(d.communities[0].pk)])
    # Started 100 days ago: by now half its time has gone.
    form.locator("[name=start_date]").fill(str(today - timedelta(days=100)))
    form.locator("[name=end_date]").fill(str(today + timedelta(days=100)))
    form.locator("[name=budget]").fill("960")
    form.locator("[name=summary]").fill("为景蓉小区12个单元加装电梯，方便老年人上下楼。")
    # Two places of the estate on the map.
    form.locator("[name=points]").fill(
        "28.2051, 112.9012 景蓉小区3栋\n28.2063, 112.9030 景蓉小区7栋"
    )
    targets = (("加装电梯", "12", "台"), ("受益住户", "300", "户"))
    for i, (name, value, measure) in enumerate(targets):
        form.locator(f"[name=target_name_{i}]").fill(name)
        form.locator(f"[name=target_value_{i}]").fill(value)
        form.locator(f"[name=target_measure_{i}]").fill(measure)
    # Across the new year: 8 lifts due this year, 4 the next.
    form.locator("[name=target_years_0]").fill(f"{today.year}:8；{today.year + 1}:4")
    for i, (name, days) in enumerate((("意见征询", "30"), ("设计审批", "40"), ("施工安装", "100"))):
        form.locator(f"[name=milestone_name_{i}]").fill(name)
        form.locator(f"[name=milestone_days_{i}]").fill(days)
    both(office, "projects-new")
    form.get_by_role("button", name="保存项目").click()
    expect(office.locator("h1")).to_contain_text(NAME)
    expect(office.locator("[data-status]")).to_have_attribute("data-status", "planned")
    expect(office.locator("[data-points]")).to_contain_text("景蓉小区7栋")
    project = Project.objects.get(name=NAME)

    # The lead unit's responsibility letter, and the appeal linked by its number.
    open_form(office, "sign_letter")
    letter = office.locator("details[data-action=sign_letter] form")
    letter.locator("[name=signatories]").fill("区长 杨志刚；街道主任 李建国")
    letter.locator("[name=signed_on]").fill(str(today - timedelta(days=95)))
    letter.get_by_role("button", name="录入").click()
    expect(office.locator(".pj-letters")).to_contain_text("李建国")
    office.locator("form.pj-link [name=tracking_number]").fill(appeal.tracking_number)
    office.locator("form.pj-link").get_by_role("button", name="关联诉求").click()
    expect(office.locator("#appeals")).to_contain_text(appeal.tracking_number)

    # The unit starts it and reports on its phone.
    unit = new_page(phone=True)
    login(unit, "handler", "pw-handler")
    unit.goto(f"/console/projects/{project.pk}/")
    step(unit, "start")
    expect(unit.locator("[data-status]")).to_have_attribute("data-status", "in_progress")
    unit.goto("/console/projects/mine/")
    lift = project.targets.get(name="加装电梯")
    report = unit.locator(f"form.pj-report[data-target='{lift.pk}']")
    report.locator("[name=value]").fill("3")
    report.locator("[name=note]").fill("3栋、5栋、7栋电梯已安装")
    # Where: the estate's community, the phone's position, and a photo as evidence.
    unit.context.grant_permissions(["geolocation"])
    unit.context.set_geolocation({"latitude": 28.2051, "longitude": 112.9012})
    report.locator("summary").click()
    report.locator("[name=region]").select_option(str(d.communities[0].pk))
    report.get_by_role("button", name="使用当前位置").click()
    expect(report.locator("[data-located]")).to_contain_text("纬度 28.205100")
    report.locator("[name=photos]").set_input_files(str(photo_png))
    report.get_by_role("button", name="提交").click()
    expect(unit.locator(".msg-success")).to_contain_text("「加装电梯」累计完成 3台")
    expect(unit.locator(f"form.pj-report[data-target='{lift.pk}']")).to_contain_text("已完成 3")
    # 3 of 12 lifts and no homes after half the time: the unit sees it is behind.
    expect(unit.locator(f"section[data-project='{project.pk}']")).to_contain_text("落后于计划")
    snap(unit, "projects-unit-phone")
    fits(unit, "projects-unit-phone")
    office.goto("/console/projects/mine/")
    snap(office, "projects-unit")

    # Behind plan, and the first milestone is past its date: the worker's check raises both
    # warnings.
    assert project_warnings_raise() == 2
    kinds = set(ProjectWarning.objects.filter(project=project).values_list("kind", flat=True))
    assert kinds == {WarningKind.BEHIND, WarningKind.MILESTONE}
    office.goto(f"/console/projects/programmes/{programme.pk}/")
    row = office.locator(f"tr[data-project='{project.pk}']")
    expect(row).to_contain_text("落后")
    expect(office.locator(".pj-warnings")).to_contain_text("进度落后于计划")
    # This year's part of the lifts: 3 of 8 reached.
    expect(office.locator(".pj-achievements")).to_contain_text("3 台（37.5%）")
    both(office, "projects-programme", charts=True)

    # The office orders the unit to catch up.
    office.goto(f"/console/projects/{project.pk}/")
    expect(office.locator("[data-behind]")).to_be_visible()
    open_form(office, "order")
    order = office.locator("details[data-action=order] form")
    order.locator("[name=content]").fill("进度落后于计划，请于3日内报送加快推进措施。")
    due = timezone.localtime() + timedelta(days=3)
    order.locator("[name=due_at]").fill(due.strftime("%Y-%m-%dT%H:%M"))
    order.locator("button[type=submit]").click()
    expect(office.locator("main")).to_contain_text("督办单")
    assert SupervisionOrder.objects.filter(about_link=f"/console/projects/{project.pk}/").exists()

    # The unit catches up, finishes its milestones and completes; the office accepts.
    unit.goto("/console/projects/mine/")
    for target, value in (("加装电梯", "12"), ("受益住户", "312")):
        pk = project.targets.get(name=target).pk
        unit.locator(f"form.pj-report[data-target='{pk}'] [name=value]").fill(value)
        unit.locator(f"form.pj-report[data-target='{pk}']").get_by_role(
            "button", name="提交"
        ).click()
        expect(unit.locator(f"form.pj-report[data-target='{pk}']")).to_contain_text(
            f"已完成 {value}"
        )
    unit.goto(f"/console/projects/{project.pk}/")
    for _ in range(3):
        open_form(unit, "milestone_done")
        unit.locator("details[data-action=milestone_done] form button").click()
        unit.wait_for_load_state("networkidle")
    step(unit, "complete", "12台电梯全部安装完成并通过特种设备检验，申请验收。")
    expect(unit.locator("[data-status]")).to_have_attribute("data-status", "completed")
    office.goto(f"/console/projects/{project.pk}/")
    step(office, "accept", "现场查验合格，验收通过。")
    expect(office.locator("[data-status]")).to_have_attribute("data-status", "accepted")

    # Residents judge it on the public pages: the list, the project, the rating with a code.
    resident = new_page(phone=True)
    resident.goto("/projects/")
    expect(resident.locator("main")).to_contain_text(NAME)
    snap(resident, "projects-public-list")
    fits(resident, "projects-public-list")
    resident.get_by_role("link", name=NAME).first.click()
    expect(resident.locator("h1")).to_contain_text(NAME)
    # Its two points by their place names (a building's number is not someone's home).
    expect(resident.locator("[data-points]")).to_have_text("景蓉小区3栋、景蓉小区7栋")
    rate(resident, project, "13912345678", "满意", "电梯装好了，老人上下楼方便多了")
    rate(new_page(phone=True), project, "13987654321", "基本满意", "施工期间噪音有点大")
    assert ProjectRating.objects.filter(project=project, round=RatingRound.COMPLETION).count() == 2

    # 回头看: the office opens it, the first resident gives a second verdict. It comes months
    # later: the codes that phone was sent are moved back a day (one code a minute per phone).
    office.goto(f"/console/projects/{project.pk}/")
    step(office, "revisit", "完工三个月，开展回头看。")
    PhoneCode.objects.update(created_at=F("created_at") - timedelta(days=1))
    rate(new_page(phone=True), project, "13912345678", "满意", "用了三个月，运行稳定", "回头看")
    assert ProjectRating.objects.filter(project=project, round=RatingRound.REVISIT).count() == 1
    resident.goto(f"/projects/{project.pk}/")
    expect(resident.locator("main")).to_contain_text("回头看")
    snap(resident, "projects-public-project")
    fits(resident, "projects-public-project")

    # The project page as it stands: timeline, targets chart, Gantt, the reports with their
    # evidence, appeals, ratings.
    office.goto(f"/console/projects/{project.pk}/")
    placed = office.locator("#reports tr", has_text="3栋、5栋、7栋电梯已安装")
    expect(placed).to_contain_text("地点：景蓉社区（28.20510, 112.90120）")
    expect(placed.locator("img.pj-thumb")).to_have_count(1)
    assert placed.locator("img.pj-thumb").evaluate("i => i.complete && i.naturalWidth > 0")
    expect(office.locator("#ratings")).to_contain_text("3 人次")
    expect(office.locator("#timeline")).to_contain_text("开展回头看")
    expect(office.locator("#appeals")).to_contain_text("1 件")
    both(office, "projects-project", charts=True)
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.ACCEPTED

    # The map (挂图作战), once the admin has imported the streets' outlines: the project is on
    # it (the map's own walk, tests/e2e/test_map.py, takes its screenshots).
    boundaries_import(
        actor=None,
        data=collection(
            feature(square(112.90, 28.20, 0.02), code="A3-01"),
            feature(square(112.92, 28.20, 0.02), code="A3-02"),
            feature(square(112.90, 28.20, 0.01), code="A3-01-01"),
        ),
    )
    response = office.goto("/console/projects/map/")
    assert response is not None and response.status == 200
    office.wait_for_selector("[data-map] canvas")
    expect(office.locator("[data-map-note]")).to_contain_text("1 个项目")
