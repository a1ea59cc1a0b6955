"""Reads of the directory for the pickers staff choose from: places, units, categories."""

from typing import Any

from django.core.cache import cache
from django.db.models import Case, Q, QuerySet, When

from .models import (
    CHILD_KINDS,
    Category,
    Jurisdiction,
    Region,
    RegionBoundary,
    RegionLevel,
    Unit,
    UnitKind,
    jurisdiction_default,
)

# The units that handle appeals (and answer orders, take forwarded suggestions).
HANDLING_KINDS = (UnitKind.SUBDISTRICT, UnitKind.DEPARTMENT, UnitKind.ENTERPRISE)


def places_to_choose(*, district: int | None = None) -> QuerySet[Region]:
    """Where an appeal happened: a subdistrict or a community (of `district` when given)."""
    return Region.objects.filter(
        within(district), level__in=[RegionLevel.SUBDISTRICT, RegionLevel.COMMUNITY]
    ).order_by("code")


def areas_to_filter(*, district: int | None = None) -> QuerySet[Region]:
    """The areas a list is filtered by: the district and its subdistricts (`district`'s when
    given, else every district's)."""
    return Region.objects.filter(
        within(district), level__in=[RegionLevel.DISTRICT, RegionLevel.SUBDISTRICT]
    )


def within(district: int | None) -> Q:
    """The places of a district: its root region's subtree (one prefix of the path). None, or
    a district with no region yet: every place."""
    if district is None:
        return Q()
    root = Jurisdiction.objects.filter(pk=district).values_list("region__path", flat=True).first()
    return Q(path__startswith=root) if root else Q()


def of_district(district: int | None, path: str = "") -> Q:
    """The rows (appeals; or cells, posts, suggestions, visits through `path`) of one district;
    None: of every district, the city's view (no condition at all: a district's own install
    reads as it did before there were districts)."""
    return Q() if district is None else Q(**{f"{path}jurisdiction_id": district})


def serving(jurisdiction_id: int | None) -> Q:
    """The units that work for a district: its own and the city's above the districts (which
    have none). None: every unit (the city's view)."""
    if jurisdiction_id is None:
        return Q()
    return Q(jurisdiction_id=jurisdiction_id) | Q(jurisdiction__isnull=True)


def units_active(*, district: int | None = None) -> QuerySet[Unit]:
    """The active units, those serving `district` when given (`serving`)."""
    return Unit.objects.filter(serving(district), is_active=True).order_by("kind", "name")


def units_handling(*, district: int | None = None) -> QuerySet[Unit]:
    """The active units that handle appeals (serving `district` when given)."""
    return units_active(district=district).filter(kind__in=HANDLING_KINDS)


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


def jurisdiction_for_host(host: str) -> int:
    """The district whose public pages are asked for under this host name; the install's
    first district when no district claims the host (a district's own install). One query."""
    found = (
        Jurisdiction.objects.order_by(Case(When(host=host.lower(), then=0), default=1), "pk")
        .values_list("pk", flat=True)
        .first()
    )
    return found if found is not None else jurisdiction_default()


def the_only_district() -> int | None:
    """The install's district when it has just one (a district's own install): nothing there
    is the city's, so a rule given no district is that district's and its admins keep
    changing every rule, as before there were districts."""
    found = list(Jurisdiction.objects.order_by("pk").values_list("pk", flat=True)[:2])
    return found[0] if len(found) == 1 else None


def jurisdiction_by_code(code: str) -> int | None:
    """Open311's jurisdiction_id: the district of that code."""
    return Jurisdiction.objects.filter(code=code).values_list("pk", flat=True).first()


def jurisdiction_of_region(region_id: int) -> int | None:
    """The district a place lies in: the jurisdiction of the root of its path."""
    path = Region.objects.filter(pk=region_id).values_list("path", flat=True).first()
    if not path:
        return None
    root = path.strip("/").split("/")[0]
    return Jurisdiction.objects.filter(region__code=root).values_list("pk", flat=True).first()
