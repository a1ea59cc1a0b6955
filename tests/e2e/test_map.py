"""The maps in a browser: the outlines drawn offline, a click on a project's point opens the
project, a click on a street of the dashboard's map opens that street's appeals.

Screenshots: docs/screenshots/projects-map-1366.png, projects-map-390.png (the map card) and
dashboard-map-1366.png (the dashboard's map panel)."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.demo import district as demo
from minxin.demo.boundaries import demo_boundaries
from minxin.directory.models import Region, RegionBoundary, RegionLevel
from minxin.directory.services import boundaries_import
from minxin.projects.services import project_act
from tests.builders import District, appeal_in, appeal_new
from tests.directory.geo import collection
from tests.projects.builders import project_new

from .conftest import SCREENSHOTS, login

pytestmark = pytest.mark.django_db(transaction=True)

# Where a map item is on the page: the chart's own projection of a longitude/latitude.
PIXEL = (
    "([sel, lng, lat]) => { const el = document.querySelector(sel);"
    " const p = window.echarts.getInstanceByDom(el).convertToPixel({geoIndex: 0}, [lng, lat]);"
    " const r = el.getBoundingClientRect(); return [r.left + p[0], r.top + p[1]]; }"
)


def _outlines(d: District) -> None:
    """The demo's drawing of the district: its 15 streets (the builders' two and the others,
    added here) and the builders' communities."""
    Region.objects.filter(code="A3-02").update(name=demo.SUBDISTRICTS[1][1])  # the drawing's
    for i, (_, name, _, _) in enumerate(demo.SUBDISTRICTS[2:], start=3):
        Region.objects.create(
            name=name, level=RegionLevel.SUBDISTRICT, code=f"A3-{i:02d}", parent=d.district
        )
    codes = set(Region.objects.values_list("code", flat=True))
    drawing = demo_boundaries()
    features = [f for f in drawing["features"] if f["properties"]["code"] in codes]
    boundaries_import(actor=None, data=collection(*features))


def _centre(code: str) -> tuple[float, float]:
    b = RegionBoundary.objects.get(region__code=code)
    return b.centroid_lng, b.centroid_lat


def _ready(page: Page, sel: str) -> None:
    page.wait_for_selector(f"{sel}[data-map-ready]")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def _card(page: Page, sel: str, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(sel).screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _click_at(page: Page, sel: str, lng: float, lat: float) -> None:
    x, y = page.evaluate(PIXEL, [sel, lng, lat])
    page.mouse.click(x, y)


def test_a_point_on_the_projects_map_opens_its_project(new_page, live_district: District):
    d = live_district
    _outlines(d)
    lng, lat = _centre("A3-02")
    lat += 0.01  # off the street's label
    project = project_new(
        d, latitude=Decimal(f"{lat:.6f}"), longitude=Decimal(f"{lng:.6f}"), name="天顶早餐网点"
    )
    # Two more in the first street's community, one started and so behind plan.
    started = project_new(d, project.programme, name="景蓉小区加装电梯")
    project_act(
        project_id=started.pk, action="start", actor=d.user("supervisor"), expected_version=None
    )
    project_new(d, project.programme, name="景蓉社区长者食堂", planned=False)
    page = new_page()
    login(page, "supervisor", "pw-supervisor")
    page.goto("/console/projects/map/")
    _ready(page, "[data-map]")
    expect(page.locator("[data-map-note]")).to_contain_text("共 3 个项目")
    _card(page, ".mx-map-card", "projects-map-1366")
    _click_at(page, "[data-map]", lng, lat)
    page.wait_for_url(f"**/console/projects/{project.pk}/")

    phone = new_page(phone=True)
    login(phone, "supervisor", "pw-supervisor")
    phone.goto("/console/projects/map/")
    _ready(phone, "[data-map]")
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    _card(phone, ".mx-map-card", "projects-map-390")


def test_a_street_on_the_dashboards_map_opens_its_appeals(new_page, live_district: District):
    d = live_district
    _outlines(d)
    rng = random.Random(3)
    for i, code in enumerate(["A3-01"] * 6 + ["A3-02"] * 3 + ["A3-05", "A3-07", "A3-12"]):
        lng, lat = _centre(code)
        appeal = appeal_new(d, title=f"路灯不亮（{i}）")
        Appeal.objects.filter(pk=appeal.pk).update(
            region=Region.objects.get(code=code),
            latitude=Decimal(f"{lat + rng.uniform(-0.01, 0.01):.6f}"),
            longitude=Decimal(f"{lng + rng.uniform(-0.01, 0.01):.6f}"),
        )
    # Two accepted in the first street and past their deadline: overdue, drawn red.
    for _ in range(2):
        late = appeal_in(d, AppealStatus.ACCEPTED)
        lng, lat = _centre("A3-01")
        Appeal.objects.filter(pk=late.pk).update(
            region=d.streets[0],
            resolve_due=timezone.now() - timedelta(days=2),
            latitude=Decimal(f"{lat + rng.uniform(-0.01, 0.01):.6f}"),
            longitude=Decimal(f"{lng + rng.uniform(-0.01, 0.01):.6f}"),
        )
    page = new_page()
    login(page, "supervisor", "pw-supervisor")
    page.goto("/console/supervision/")
    _ready(page, ".sv-map [data-map]")
    expect(page.locator(".sv-map [data-map-note]")).to_contain_text("本期有坐标的诉求 14 件")
    _card(page, ".sv-map", "dashboard-map-1366")
    # A street without a point on it, clicked at its inner point: its appeal list opens.
    lng, lat = _centre("A3-03")
    _click_at(page, ".sv-map [data-map]", lng, lat)
    street = Region.objects.get(code="A3-03")
    page.wait_for_url(f"**/console/appeals/**region={street.pk}**")
