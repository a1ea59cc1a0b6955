"""The maps in a browser: the outlines drawn offline, a click on a project's point opens the
project, a click on a street of the dashboard's map opens that street's appeals.

Screenshots: docs/screenshots/projects-map-1366.png, projects-map-390.png (the map card),
dashboard-map-1366.png (the dashboard's map panel) and projects-map-tiles-1366.png,
projects-map-tiles-390.png, dashboard-map-tiles-1366.png, dashboard-map-tiles-390.png (the
maps over a tile server's layer: the test's own, on 127.0.0.1)."""

import copy
import io
import math
import random
import re
import threading
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from config.settings.base import tile_origin
from minxin.cases.models import Appeal
from minxin.cases.workflow import AppealStatus
from minxin.demo import district as demo
from minxin.demo.boundaries import demo_boundaries
from minxin.directory.models import Region, RegionBoundary, RegionLevel
from minxin.directory.services import boundaries_import
from minxin.projects.services import PointDraft, project_act
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
    # A project at two places: one in this street, one in another; each point opens it.
    lng2, lat2 = _centre("A3-05")
    lat2 += 0.01
    project = project_new(
        d,
        points=(
            PointDraft(f"{lat:.6f}", f"{lng:.6f}", "天顶路口"),
            PointDraft(f"{lat2:.6f}", f"{lng2:.6f}", "西湖路口"),
        ),
        name="天顶早餐网点",
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
    expect(page.locator("[data-points]")).to_contain_text("天顶路口")
    expect(page.locator("[data-points]")).to_contain_text("西湖路口")
    page.go_back()
    _ready(page, "[data-map]")
    _click_at(page, "[data-map]", lng2, lat2)
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


class _Tiles(ThreadingHTTPServer):
    """A tile server of the test's own on 127.0.0.1: each tile a 256-pixel PNG (a pale grid
    with its z/x/y), every path asked for recorded."""

    asked: list[str]

    def __init__(self) -> None:
        self.asked = []
        super().__init__(("127.0.0.1", 0), _TileHandler)

    @property
    def template(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/tiles/{{z}}/{{x}}/{{y}}.png"


class _TileHandler(BaseHTTPRequestHandler):
    server: _Tiles

    def do_GET(self) -> None:
        self.server.asked.append(self.path)
        found = re.fullmatch(r"/tiles/(\d+)/(\d+)/(\d+)\.png", self.path)
        if not found:
            self.send_error(404)
            return
        image = Image.new("RGB", (256, 256), (236, 232, 222))
        draw = ImageDraw.Draw(image)
        for i in range(0, 256, 32):
            draw.line((i, 0, i, 255), fill=(214, 208, 196))
            draw.line((0, i, 255, i), fill=(214, 208, 196))
        draw.rectangle((0, 0, 255, 255), outline=(170, 160, 140))
        draw.text((8, 8), "/".join(found.groups()), fill=(120, 110, 90))
        out = io.BytesIO()
        image.save(out, format="PNG")
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(out.getvalue())))
        self.end_headers()
        self.wfile.write(out.getvalue())

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def tile_server(settings):  # type: ignore[no-untyped-def]
    """The local tile server, configured as the deployment's (its URL and the policy's
    img-src, as config/settings/base.py derives it from MINXIN_MAP_TILE_URL)."""
    server = _Tiles()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MINXIN_MAP_TILE_URL = server.template
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["img-src"] = [
        *policy["DIRECTIVES"]["img-src"],
        tile_origin(server.template),
    ]
    settings.CONTENT_SECURITY_POLICY = policy
    yield server
    server.shutdown()
    server.server_close()


def _tile_of(lng: float, lat: float, z: int) -> tuple[int, int]:
    """The slippy-map tile (x, y) holding a point at zoom z."""
    n = 2**z
    s = math.sin(math.radians(lat))
    return int((lng + 180) / 360 * n), int((0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n)


TILES_LOADED = (
    "sel => { const imgs = [...document.querySelectorAll(sel + ' .mx-map-tiles img')];"
    " return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth === 256); }"
)
TILE_AT = (
    "([sel, x, y]) => { const hit = [...document.querySelectorAll(sel + ' .mx-map-tiles img')]"
    ".find(i => { const r = i.getBoundingClientRect();"
    " return r.left <= x && x < r.right && r.top <= y && y < r.bottom; });"
    " return hit ? hit.getAttribute('data-tile') : null; }"
)


def test_a_configured_tile_layer_is_drawn_under_the_outlines(
    new_page, live_district: District, tile_server: _Tiles
):
    d = live_district
    _outlines(d)
    lng, lat = _centre("A3-02")
    project_new(d, points=(PointDraft(f"{lat:.6f}", f"{lng:.6f}"),))
    page = new_page()
    login(page, "supervisor", "pw-supervisor")
    page.goto("/console/projects/map/")
    expect(page.locator("[data-tiles-note]")).to_contain_text(tile_server.template)
    _ready(page, "[data-map]")
    page.wait_for_function(TILES_LOADED, arg="[data-map]")
    asked = [p for p in tile_server.asked if p.startswith("/tiles/")]
    zooms = {int(p.split("/")[2]) for p in asked}
    assert len(zooms) == 1 and 9 <= min(zooms) <= 16, asked  # a district fills the box
    # The tile under the street's inner point on the screen is the tile that holds it: the
    # layer and the outlines are in the same projection.
    z = zooms.pop()
    x, y = page.evaluate(PIXEL, ["[data-map]", lng, lat])
    tx, ty = _tile_of(lng, lat, z)
    assert page.evaluate(TILE_AT, ["[data-map]", x, y]) == f"{z}/{tx}/{ty}"
    _card(page, ".mx-map-card", "projects-map-tiles-1366")
    # Zoomed in with the wheel: the next zoom level's tiles, still under the same point.
    page.mouse.move(x, y)
    for _ in range(8):  # ECharts zooms by 1.1 a step: twice as large
        page.mouse.wheel(0, -240)
        page.wait_for_timeout(150)
    page.wait_for_function(
        f"sel => [...document.querySelectorAll(sel + ' .mx-map-tiles img')]"
        f".every(i => Number(i.getAttribute('data-tile').split('/')[0]) > {z})",
        arg="[data-map]",
    )
    page.wait_for_function(TILES_LOADED, arg="[data-map]")
    x, y = page.evaluate(PIXEL, ["[data-map]", lng, lat])
    zoomed = page.evaluate(TILE_AT, ["[data-map]", x, y])
    tx, ty = _tile_of(lng, lat, int(zoomed.split("/")[0]))
    assert zoomed.endswith(f"/{tx}/{ty}")

    phone = new_page(phone=True)
    login(phone, "supervisor", "pw-supervisor")
    phone.goto("/console/projects/map/")
    _ready(phone, "[data-map]")
    phone.wait_for_function(TILES_LOADED, arg="[data-map]")
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    _card(phone, ".mx-map-card", "projects-map-tiles-390")


def test_the_dashboards_map_draws_the_configured_tile_layer_too(
    new_page, live_district: District, tile_server: _Tiles
):
    """The supervision dashboard's map is the same map: over the deployment's tiles, in the
    same projection, a street still clickable through to its appeals."""
    d = live_district
    _outlines(d)
    lng, lat = _centre("A3-01")
    appeal = appeal_new(d, title="路灯不亮")
    Appeal.objects.filter(pk=appeal.pk).update(
        region=d.streets[0], latitude=Decimal(f"{lat:.6f}"), longitude=Decimal(f"{lng:.6f}")
    )
    page = new_page()
    login(page, "supervisor", "pw-supervisor")
    page.goto("/console/supervision/")
    sel = ".sv-map [data-map]"
    _ready(page, sel)
    page.wait_for_function(TILES_LOADED, arg=sel)
    asked = [p for p in tile_server.asked if p.startswith("/tiles/")]
    zooms = {int(p.split("/")[2]) for p in asked}
    assert len(zooms) == 1 and 9 <= min(zooms) <= 16, asked
    z = zooms.pop()
    lng, lat = _centre("A3-03")
    x, y = page.evaluate(PIXEL, [sel, lng, lat])
    tx, ty = _tile_of(lng, lat, z)
    assert page.evaluate(TILE_AT, [sel, x, y]) == f"{z}/{tx}/{ty}"
    _card(page, ".sv-map", "dashboard-map-tiles-1366")  # scrolled into view: click it there
    _click_at(page, sel, lng, lat)
    street = Region.objects.get(code="A3-03")
    page.wait_for_url(f"**/console/appeals/**region={street.pk}**")

    phone = new_page(phone=True)
    login(phone, "supervisor", "pw-supervisor")
    phone.goto("/console/supervision/")
    _ready(phone, sel)
    phone.wait_for_function(TILES_LOADED, arg=sel)
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    _card(phone, ".sv-map", "dashboard-map-tiles-390")


def test_without_a_tile_server_the_map_asks_no_other_host(new_page, live_server, live_district):
    _outlines(live_district)
    page = new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    login(page, "supervisor", "pw-supervisor")
    page.goto("/console/projects/map/")
    _ready(page, "[data-map]")
    assert page.locator(".mx-map-tiles").count() == 0
    assert asked and all(u.startswith(live_server.url) for u in asked), asked
