import itertools

import pytest
from shapely.geometry import shape
from shapely.ops import unary_union

from minxin.demo import district as d
from minxin.demo.boundaries import boundaries_seed, demo_boundaries
from minxin.demo.seed import seed_demo
from minxin.directory.models import Region, RegionBoundary, RegionLevel


def _by_code() -> dict[str, object]:
    return {f["properties"]["code"]: shape(f["geometry"]) for f in demo_boundaries()["features"]}


def test_every_street_gets_a_valid_polygon_and_they_do_not_overlap():
    shapes = _by_code()
    codes = [f"{d.DISTRICT_CODE}-{i:02d}" for i in range(1, len(d.SUBDISTRICTS) + 1)]
    streets = [shapes[c] for c in codes]
    assert all(s.is_valid and s.geom_type in ("Polygon", "MultiPolygon") for s in streets)
    assert all(s.area > 0 for s in streets)
    for a, b in itertools.combinations(streets, 2):
        assert a.intersection(b).area < 1e-12
    # Together they cover the district, no gap.
    district = shapes[d.DISTRICT_CODE]
    assert unary_union(streets).symmetric_difference(district).area < 1e-9


def test_every_community_lies_in_its_street_without_overlap():
    shapes = _by_code()
    for i, (_, _, _, communities) in enumerate(d.SUBDISTRICTS, start=1):
        street = shapes[f"{d.DISTRICT_CODE}-{i:02d}"]
        parts = [
            shapes[f"{d.DISTRICT_CODE}-{i:02d}-{j:02d}"] for j in range(1, len(communities) + 1)
        ]
        assert all(p.is_valid and p.area > 0 for p in parts)
        for a, b in itertools.combinations(parts, 2):
            assert a.intersection(b).area < 1e-12
        assert unary_union(parts).symmetric_difference(street).area < 1e-9


def test_the_drawing_is_repeatable():
    assert demo_boundaries() == demo_boundaries()


@pytest.mark.django_db
def test_the_seed_loads_the_map_through_the_import_once():
    seed_demo(appeals=0)
    streets = Region.objects.filter(level=RegionLevel.SUBDISTRICT)
    assert RegionBoundary.objects.filter(region__in=streets).count() == len(d.SUBDISTRICTS)
    assert RegionBoundary.objects.filter(region__level=RegionLevel.COMMUNITY).count() == sum(
        len(c) for *_, c in d.SUBDISTRICTS
    )
    # The district's boundaries now exist: seeding again keeps them.
    assert boundaries_seed() is None


@pytest.mark.django_db
def test_the_command_adds_the_map_to_a_district_seeded_without_it():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo_boundaries", stdout=out)
    assert "no demo district" in out.getvalue()
    seed_demo(appeals=0)
    RegionBoundary.objects.all().delete()
    call_command("seed_demo_boundaries", stdout=out)
    assert RegionBoundary.objects.filter(region__level=RegionLevel.SUBDISTRICT).count() == 15
    call_command("seed_demo_boundaries", stdout=out)
    assert "already has boundaries" in out.getvalue()


@pytest.mark.django_db
def test_located_appeals_lie_in_their_community_and_come_through_doors_with_a_location():
    from shapely.geometry import Point, shape

    from minxin.cases.models import Appeal, Channel

    seed_demo(appeals=300, channels=False)
    located = list(
        Appeal.objects.filter(latitude__isnull=False).values_list(
            "channel", "latitude", "longitude", "region__boundary__geometry"
        )
    )
    # About 60 % of the phone page's, half the API's, most visits'; none by phone or import.
    assert 30 <= len(located) <= 120
    assert {channel for channel, *_ in located} <= {Channel.WEB, Channel.API, Channel.VISIT}
    for _, lat, lng, outline in located:
        assert shape(outline).contains(Point(float(lng), float(lat)))
