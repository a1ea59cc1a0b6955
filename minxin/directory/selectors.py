"""Reads of the directory for the pickers staff choose from: places, units, categories."""

from django.db.models import QuerySet

from .models import Category, Region, RegionLevel, Unit, UnitKind

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


def categories_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def category_leaf_groups() -> list[tuple[str, list[Category]]]:
    """Leaf categories grouped under their top level, for one <select> with optgroups."""
    groups: dict[str, list[Category]] = {}
    for c in categories_active().filter(level=3).order_by("path_name"):
        groups.setdefault(c.path_name.split("/")[0], []).append(c)
    return list(groups.items())
