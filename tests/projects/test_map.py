"""挂图作战: the projects' map page and its data, scoped like every project page."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from config.settings.base import tile_origin
from minxin.directory.services import boundaries_import
from minxin.projects.maps import project_map_for
from minxin.projects.services import PointDraft, project_act
from tests.directory.geo import collection, feature, square
from tests.projects.builders import programme_new, project_new

pytestmark = pytest.mark.django_db

DATA = "project_map:data"


@pytest.fixture
def outlines(district):
    """Both streets and the first one's community have a boundary."""
    boundaries_import(
        actor=None,
        data=collection(
            feature(square(112.90, 28.20, 0.02), code="A3-01"),
            feature(square(112.92, 28.20, 0.02), code="A3-02"),
            feature(square(112.90, 28.20, 0.01), code="A3-01-01"),
        ),
    )


@pytest.fixture
def project(district, outlines):
    p = project_new(district)
    project_act(
        project_id=p.pk, action="start", actor=district.user("supervisor"), expected_version=None
    )
    return p  # in progress at half its time with 0 % done: behind plan


def _data(client, district, key, **params):
    client.force_login(district.user(key))
    response = client.get(reverse(DATA), params)
    assert response.status_code == 200
    return response.json()


def _points(payload):
    return [p for s in payload["series"] for p in s["points"]]


def test_a_project_without_a_point_sits_in_its_community_and_shades_its_street(
    client, district, project
):
    payload = _data(client, district, "supervisor")
    (point,) = _points(payload)
    assert (point["lng"], point["lat"]) == pytest.approx((112.905, 28.205))
    assert point["url"] == reverse("projects:project_detail", args=[project.pk])
    assert "位置为所在区域中心" in point["tooltip"]
    (series,) = payload["series"]
    assert series["name"] == "实施中（落后于计划）"
    shades = {r["key"]: r["value"] for r in payload["regions"]}
    assert shades == {str(district.streets[0].pk): 1, str(district.streets[1].pk): 0}
    labels = {r["key"]: r["label"] for r in payload["regions"]}
    assert labels == {str(district.streets[0].pk): "落后 1", str(district.streets[1].pk): ""}


def test_a_project_with_its_own_point_is_drawn_there(district, outlines):
    project_new(
        district,
        points=(PointDraft(Decimal("28.215"), Decimal("112.935")),),
        region_ids=(district.communities[1].pk,),
    )
    m = project_map_for(district.user("supervisor"))
    (point,) = m.points
    assert (point.lat, point.lng, point.approximate) == (28.215, 112.935, False)
    assert point.group == "planned"


def test_a_project_with_several_points_is_drawn_at_each_and_counted_once(district, outlines):
    project = project_new(
        district,
        points=(
            PointDraft(Decimal("28.215"), Decimal("112.935"), "景蓉小区"),
            PointDraft(Decimal("28.205"), Decimal("112.915"), "银杉小区"),
        ),
        region_ids=(district.communities[1].pk,),
    )
    m = project_map_for(district.user("supervisor"))
    assert [(p.pk, p.lat, p.lng, p.place) for p in m.points] == [
        (project.pk, 28.215, 112.935, "景蓉小区"),
        (project.pk, 28.205, 112.915, "银杉小区"),
    ]
    assert m.total == 1 and not m.unplaced
    # Its street counts the project once, not once a point.
    assert sum(r.projects for r in m.regions) == 1


def test_a_project_with_no_place_on_the_map_is_counted_not_drawn(client, district):
    project_new(district)  # no boundary imported at all
    payload = _data(client, district, "supervisor")
    assert _points(payload) == []
    assert "其中 1 个既无坐标、所在区域也无边界" in payload["note"]


def test_a_handler_sees_only_its_units_projects(client, district, project, outlines):
    other = project_new(
        district,
        project.programme,
        name="望月湖早餐网点",
        lead_unit_id=district.street_units[1].pk,
        assisting_unit_ids=(),
        region_ids=(district.communities[1].pk,),
    )
    mine = {p["url"] for p in _points(_data(client, district, "handler"))}
    assert mine == {reverse("projects:project_detail", args=[project.pk])}
    theirs = {p["url"] for p in _points(_data(client, district, "handler_other"))}
    assert theirs == {reverse("projects:project_detail", args=[other.pk])}
    # The assisting department sees the project it helps with.
    assert len(_points(_data(client, district, "handler_dept"))) == 1
    assert len(_points(_data(client, district, "leader"))) == 2


def test_filters_by_programme_and_status(client, district, project):
    later = programme_new(name="明年民心工程", year=project.programme.year + 1)
    project_new(district, later, name="明年项目")
    assert len(_points(_data(client, district, "supervisor", programme=later.pk))) == 1
    assert len(_points(_data(client, district, "supervisor", status="in_progress"))) == 1
    assert len(_points(_data(client, district, "supervisor", status="nonsense"))) == 2


def test_anonymous_is_sent_to_login(client, district):
    for url in (
        reverse("project_map:page"),
        reverse(DATA),
        reverse("directory:boundaries"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/" in response["Location"]


def test_who_opens_the_map(client, district):
    for key, status in (("supervisor", 200), ("handler", 200), ("call_taker", 200)):
        client.force_login(district.user(key))
        assert client.get(reverse("project_map:page")).status_code == status


def test_the_page_points_to_its_data_and_the_outlines(client, district, project, settings):
    settings.MINXIN_MAP_TILE_URL = "https://tiles.intranet/{z}/{x}/{y}.png"
    client.force_login(district.user("supervisor"))
    html = client.get(reverse("project_map:page"), {"programme": project.programme_id}).content
    html = html.decode()
    assert f'data-source="{reverse(DATA)}?programme={project.programme_id}"' in html
    assert reverse("directory:boundaries") in html
    assert 'data-tiles="https://tiles.intranet/{z}/{x}/{y}.png"' in html


def test_without_a_tile_server_no_page_names_one(client, district, project, settings):
    settings.MINXIN_MAP_TILE_URL = ""
    client.force_login(district.user("supervisor"))
    for url in (reverse("project_map:page"), reverse("metrics:dashboard")):
        html = client.get(url).content.decode()
        assert "data-map" in html and "data-tiles" not in html


def test_the_dashboards_map_gets_the_tile_server_too(client, district, settings):
    settings.MINXIN_MAP_TILE_URL = "http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png"
    client.force_login(district.user("supervisor"))
    html = client.get(reverse("metrics:dashboard")).content.decode()
    assert 'data-tiles="http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png"' in html


@pytest.mark.parametrize(
    ("template", "origin"),
    [
        ("", ""),
        ("https://tiles.intranet/{z}/{x}/{y}.png", "https://tiles.intranet"),
        ("http://10.1.2.3:8080/wmts/{z}/{y}/{x}", "http://10.1.2.3:8080"),
        ("https://{s}.tiles.gov.example/{z}/{x}/{y}.png", "https://*.tiles.gov.example"),
        ("/tiles/{z}/{x}/{y}.png", ""),  # this site's own: 'self' already
        ("javascript:alert(1)", ""),
    ],
)
def test_the_policy_lets_images_come_from_the_tile_server_only(template, origin):
    assert tile_origin(template) == origin


def test_the_map_script_draws_the_configured_tiles():
    """The tiles are drawn (tests/e2e/test_map.py loads them from a local server): the
    script reads data-tiles, lays the map out in Web Mercator and fills in z/x/y."""
    source = Path(str(finders.find("js/map.js"))).read_text(encoding="utf-8")
    assert 'getAttribute("data-tiles")' in source and "projection: tiled ? MERCATOR" in source
    assert '.replace("{z}", z)' in source and "mx-map-tiles" in source


def test_the_programme_page_links_to_its_map(client, district, project):
    client.force_login(district.user("supervisor"))
    html = client.get(reverse("projects:programme_detail", args=[project.programme_id]))
    assert (
        f"{reverse('project_map:page')}?programme={project.programme_id}" in html.content.decode()
    )


def test_the_outlines_endpoint_serves_the_simplified_boundaries(client, district, outlines):
    client.force_login(district.user("handler"))
    geo = client.get(reverse("directory:boundaries")).json()
    keys = {f["properties"]["key"] for f in geo["features"]}
    assert keys == {str(s.pk) for s in district.streets}
    communities = client.get(reverse("directory:boundaries"), {"level": "community"}).json()
    assert [f["properties"]["code"] for f in communities["features"]] == ["A3-01-01"]


def test_the_number_of_queries_does_not_grow_with_the_projects(
    client, district, project, django_assert_max_num_queries
):
    client.force_login(district.user("supervisor"))
    with django_assert_max_num_queries(8) as few:
        client.get(reverse(DATA))
    for i in range(5):
        project_new(district, project.programme, name=f"项目{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        payload = client.get(reverse(DATA)).json()
    assert len(_points(payload)) == 6


@pytest.mark.parametrize("programme", ["99999999999999", "²"])
def test_a_programme_no_database_could_hold_is_no_filter_not_a_500(
    client, district, project, programme
):
    assert len(_points(_data(client, district, "supervisor", programme=programme))) == 1
