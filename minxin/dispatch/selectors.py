from collections.abc import Iterable, Sequence

from minxin.directory.models import Category, Region, Unit

from .models import RoutingRule


def region_chain(region: Region | None) -> list[Region | None]:
    """The region, its ancestors up to the district, then None (a rule for any place)."""
    chain: list[Region | None] = []
    node = region
    while node is not None:
        chain.append(node)
        node = node.parent
    return [*chain, None]


def units_ranked(
    *,
    category_ids: Sequence[int],
    region_ids: Sequence[int | None],
    rules: Iterable[tuple[int, int | None, Unit]],
) -> list[Unit]:
    """The units of the rules (category, region, unit) that fit, most specific first: the
    category or its nearest ancestor first, then the region or its nearest ancestor; each unit
    once. Pure, so the demo seeder ranks its in-memory rules by the same rule."""
    category_rank = {c: i for i, c in enumerate(category_ids)}
    region_rank = {r: i for i, r in enumerate(region_ids)}
    ranked = sorted(
        (
            (category_rank[c], region_rank[r], unit)
            for c, r, unit in rules
            if c in category_rank and r in region_rank
        ),
        key=lambda item: (item[0], item[1]),
    )
    units: list[Unit] = []
    for _, _, unit in ranked:
        if unit not in units:
            units.append(unit)
    return units


def units_suggested_for(
    *, category: Category | None, region: Region | None, limit: int = 3
) -> list[Unit]:
    """Responsible units for a category and place, most specific rule first (`units_ranked`);
    then units of the category's unit type."""
    if category is None:
        return []
    categories = category.ancestors_and_self()
    regions = region_chain(region)
    rules = RoutingRule.objects.filter(
        is_active=True, unit__is_active=True, category__in=categories
    ).select_related("unit")
    units = units_ranked(
        category_ids=[c.pk for c in categories],
        region_ids=[r.pk if r else None for r in regions],
        rules=((r.category_id, r.region_id, r.unit) for r in rules),
    )
    if len(units) < limit:
        units += [u for u in _units_of_kind(categories, regions, limit) if u not in units]
    return units[:limit]


def _units_of_kind(
    categories: list[Category], regions: list[Region | None], limit: int
) -> list[Unit]:
    """Units of the kind the category (or an ancestor) names; a street's own office first."""
    kind = next((c.responsible_unit_kind for c in categories if c.responsible_unit_kind), "")
    if not kind:
        return []
    fallback = Unit.objects.filter(kind=kind, is_active=True)
    if regions[0] is not None and kind == "subdistrict":
        subdistrict = next((r for r in regions if r and r.level == "subdistrict"), None)
        fallback = fallback.filter(region=subdistrict) if subdistrict else fallback
    return list(fallback[: limit * 2])
