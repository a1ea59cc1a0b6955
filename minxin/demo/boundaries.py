"""A plausible boundary map for the demo district, generated: an irregular district outline
cut into its subdistricts by a Voronoi partition of seeded points (placed roughly where each
street lies, the towns in the west), each subdistrict cut again into its communities. Not
surveyed boundaries: enough for the maps to have a shape. Loaded through the admin's own
import service (`directory.services.boundaries_load`, `boundaries_import`'s checks and writes
inside the seed's transaction), so it is checked like any file."""

from __future__ import annotations

import json
import math
import random
from typing import Any, Final

from shapely.geometry import MultiPoint, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union, voronoi_diagram

from minxin.directory.models import RegionBoundary
from minxin.directory.services import BoundaryImport, boundaries_load

from . import district as d

# Near the district the demo's messages come from (west bank of the river, A市).
CENTRE: Final = (112.86, 28.20)  # lng, lat
RADIUS: Final = 0.17  # degrees of latitude, about 19 km
# Where each subdistrict's seed lies, as (east, north) offsets from the centre in units of
# RADIUS: the dense old streets by the river in the east, the towns in the west.
PLACES: Final[dict[str, tuple[float, float]]] = {
    "guihuaping": (0.45, 0.05),
    "tianding": (0.25, 0.35),
    "wangyuehu": (0.62, 0.22),
    "yanghu": (0.5, -0.4),
    "xihu": (0.78, 0.12),
    "guanshaling": (0.6, 0.6),
    "meixihu": (0.05, 0.12),
    "xueshi": (0.2, -0.6),
    "yinpenling": (0.78, 0.42),
    "xianjiahu": (0.72, -0.08),
    "wangyue": (0.35, 0.62),
    "hanpu": (-0.05, -0.4),
    "pingtang": (0.35, -0.85),
    "lianhua": (-0.7, 0.1),
    "yuchangping": (-0.55, 0.6),
}
SEED: Final = 2026


def boundaries_seed() -> BoundaryImport | None:
    """Load the generated map unless the district already has boundaries (imported ones are
    kept, as everything else the seed finds)."""
    if RegionBoundary.objects.filter(region__code__startswith=d.DISTRICT_CODE).exists():
        return None
    return boundaries_load(actor=None, data=json.dumps(demo_boundaries()).encode())


def community_shapes(region_ids: list[int]) -> dict[int, BaseGeometry]:
    """The outlines of these regions that have one, as shapes to draw points in."""
    rows = RegionBoundary.objects.filter(region_id__in=region_ids).values_list(
        "region_id", "geometry"
    )
    return {region_id: shape(geometry) for region_id, geometry in rows}


def point_in(area: BaseGeometry, rng: random.Random) -> tuple[float, float]:
    """A point (lat, lng) drawn evenly inside `area`, to six decimals like the appeal's."""
    min_x, min_y, max_x, max_y = area.bounds
    for _ in range(100):
        p = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if area.contains(p):
            return round(p.y, 6), round(p.x, 6)
    p = area.representative_point()  # a thin sliver: its one sure inside point
    return round(p.y, 6), round(p.x, 6)


def demo_boundaries(seed: int = SEED) -> dict[str, Any]:
    """The district, its subdistricts and their communities as a GeoJSON FeatureCollection,
    each feature named by its region code (the codes `world._regions_build` gives)."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable drawing, not a secret  # nosec B311
    outline = _outline(rng)
    features = [_feature(d.DISTRICT_CODE, d.DISTRICT_NAME, outline)]
    seeds = [_place(outline, PLACES[slug], rng) for slug, *_ in d.SUBDISTRICTS]
    for i, ((_, name, _, communities), street) in enumerate(
        zip(d.SUBDISTRICTS, _partition(outline, seeds), strict=True), start=1
    ):
        code = f"{d.DISTRICT_CODE}-{i:02d}"
        features.append(_feature(code, name, street))
        inner = _points_inside(street, len(communities), rng)
        for j, (community, part) in enumerate(
            zip(communities, _partition(street, inner), strict=True), start=1
        ):
            features.append(_feature(f"{code}-{j:02d}", community, part))
    return {"type": "FeatureCollection", "features": features}


def _outline(rng: random.Random) -> Polygon:
    """A star-shaped wobbly outline (so always a simple polygon), wider east-west."""
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    points = []
    steps = 72
    for k in range(steps):
        angle = 2 * math.pi * k / steps
        r = RADIUS * (
            1
            + 0.12 * math.sin(3 * angle + phases[0])
            + 0.07 * math.sin(5 * angle + phases[1])
            + 0.03 * math.sin(11 * angle + phases[2])
            + rng.uniform(-0.015, 0.015)
        )
        # A degree of longitude is shorter than one of latitude at 28°N.
        points.append(
            (
                CENTRE[0] + 1.25 * r * math.cos(angle) / math.cos(math.radians(CENTRE[1])),
                CENTRE[1] + r * math.sin(angle),
            )
        )
    return Polygon(points)


def _place(outline: Polygon, offset: tuple[float, float], rng: random.Random) -> Point:
    lng = CENTRE[0] + offset[0] * RADIUS * 1.25 / math.cos(math.radians(CENTRE[1]))
    lat = CENTRE[1] + offset[1] * RADIUS
    point = Point(lng + rng.uniform(-0.004, 0.004), lat + rng.uniform(-0.004, 0.004))
    while not outline.contains(point):  # a wobble of the outline cut it off: pull it inward
        point = Point(point.x + (CENTRE[0] - point.x) * 0.2, point.y + (CENTRE[1] - point.y) * 0.2)
    return point


def _points_inside(area: BaseGeometry, count: int, rng: random.Random) -> list[Point]:
    min_x, min_y, max_x, max_y = area.bounds
    points: list[Point] = []
    while len(points) < count:
        p = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if area.contains(p) and all(p.distance(q) > 1e-3 for q in points):
            points.append(p)
    return points


def _partition(area: BaseGeometry, seeds: list[Point]) -> list[BaseGeometry]:
    """`area` cut into one cell per seed (the points nearer that seed than any other), in the
    seeds' order; cells tile the area without overlapping."""
    if len(seeds) == 1:
        return [area]
    cells = voronoi_diagram(MultiPoint(seeds), envelope=area.envelope.buffer(0.05))
    parts: list[BaseGeometry] = []
    for seed in seeds:
        cell = next(c for c in cells.geoms if c.contains(seed))
        part = cell.intersection(area)
        if part.geom_type == "GeometryCollection":  # slivers of lines or points on the edge
            part = unary_union(
                [g for g in part.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
            )
        parts.append(part)
    return parts


def _feature(code: str, name: str, geometry: BaseGeometry) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name},
        "geometry": mapping(geometry),
    }
