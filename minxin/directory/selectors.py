"""Reads of the directory for the pickers staff choose from: places, units, categories."""

from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet

from .models import CHILD_KINDS, Category, Region, RegionBoundary, RegionLevel, Unit, UnitKind

# The units that handle appeals (and answer orders, take forwarded suggestions).
HANDLING_KINDS = (UnitKind.SUBDISTRICT, UnitKind.DEPARTMENT, UnitKind.ENTERPRISE)


def places_to_choose() -> QuerySet[Region]:
    """Where an appeal happened: a subdistrict or a community."""
    return Region.objects.filter(
        level__in=[RegionLevel.SUBDISTRICT, RegionLevel.COMMUNITY]
    ).order_by("code")


def areas_to_filter() -> QuerySet[Region]:
    """The areas a list is filtered by: the district and its subdistricts."""
    return Region.objects.filter(level__in=[RegionLevel.DISTRICT, RegionLevel.SUBDISTRICT])


def units_active() -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).order_by("kind", "name")


def units_handling() -> QuerySet[Unit]:
    """The active units that handle appeals."""
    return units_active().filter(kind__in=HANDLING_KINDS)


PASSING_DOWN_KEY = "directory:units-passing-down"
PASSING_DOWN_CACHED = 300  # seconds; a unit's save or delete clears it at once (apps.py)


def units_passing_down() -> frozenset[int]:
    """The units with community or grid units under them (二级派单), cached: every staff page's
    bar asks, and the tree changes a few times a year. (A community above grid units does not
    pass appeals down: it never leads one.)"""
    found: frozenset[int] | None = cache.get(PASSING_DOWN_KEY)
    if found is None:
        found = frozenset(
            Unit.objects.filter(parent__isnull=False)
            .exclude(parent__kind__in=CHILD_KINDS)
            .values_list("parent_id", flat=True)
        )
        cache.set(PASSING_DOWN_KEY, found, PASSING_DOWN_CACHED)
    return found


def _and_below(model: type[Category] | type[Region], pk: int) -> list[int]:
    below = Q(pk=pk) | Q(parent_id=pk) | Q(parent__parent_id=pk)  # three levels at most
    return list(model.objects.filter(below).values_list("pk", flat=True))


def categories_and_below(category_id: int) -> list[int]:
    """The category and every category under it, as ids: a list filtered by them reads its
    index with the database's statistics of each (a join through the tree could not)."""
    return _and_below(Category, category_id)


def regions_and_below(region_id: int) -> list[int]:
    """The region and every region under it, as ids (`categories_and_below`)."""
    return _and_below(Region, region_id)


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def categories_to_filter() -> QuerySet[Category]:
    """The top two levels of the catalogue, in path order (a filter or a coarse choice)."""
    return categories_active().filter(level__lte=2).order_by("path_name")


def category_leaf_groups() -> list[tuple[str, list[Category]]]:
    """Leaf categories grouped under their top level, for one <select> with optgroups."""
    groups: dict[str, list[Category]] = {}
    for c in categories_active().filter(level=3).order_by("path_name"):
        groups.setdefault(c.path_name.split("/")[0], []).append(c)
    return list(groups.items())


def boundaries_geojson(*, level: str = RegionLevel.SUBDISTRICT) -> dict[str, Any]:
    """The simplified outlines of a level's regions as one FeatureCollection for the maps:
    each feature keyed by the region's id (`properties.key`, a string, as ECharts names are),
    with its name, code and inner point. One query; empty when no boundary was imported."""
    rows = RegionBoundary.objects.filter(region__level=level).values_list(
        "region_id", "region__name", "region__code", "display", "centroid_lng", "centroid_lat"
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                # The point inside the region, where the maps write its name.
                "properties": {"key": str(pk), "name": name, "code": code, "centre": [x, y]},
                "geometry": display,
            }
            for pk, name, code, display, x, y in rows.order_by("region__code")
        ],
    }


def places_located() -> dict[str, tuple[float, float]]:
    """The point a map puts something at when it only knows its region: by region code, the
    point inside the region's boundary (lat, lng). One query."""
    return {
        code: (lat, lng)
        for code, lat, lng in RegionBoundary.objects.values_list(
            "region__code", "centroid_lat", "centroid_lng"
        )
    }


def unit_get(unit_id: int) -> Unit | None:
    return Unit.objects.filter(pk=unit_id).first()
