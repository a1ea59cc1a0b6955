from minxin.directory.models import Category, Region, Unit

from .models import RoutingRule


def units_suggested_for(
    *, category: Category | None, region: Region | None, limit: int = 3
) -> list[Unit]:
    """Responsible units for a category and place, most specific rule first: the category or
    its nearest ancestor, the region or its nearest ancestor; then the category's unit type."""
    if category is None:
        return []
    categories = category.ancestors_and_self()
    regions: list[Region | None] = []
    node = region
    while node is not None:
        regions.append(node)
        node = node.parent
    regions.append(None)
    rules = list(
        RoutingRule.objects.filter(
            is_active=True, unit__is_active=True, category__in=categories
        ).select_related("unit")
    )
    rank = {c.pk: i for i, c in enumerate(categories)}
    rrank = {(r.pk if r else None): i for i, r in enumerate(regions)}
    ranked = sorted(
        (r for r in rules if r.region_id in rrank),
        key=lambda r: (rank[r.category_id], rrank[r.region_id]),
    )
    units: list[Unit] = []
    for rule in ranked:
        if rule.unit not in units:
            units.append(rule.unit)
    if len(units) < limit:
        kind = next((c.responsible_unit_kind for c in categories if c.responsible_unit_kind), "")
        if kind:
            fallback = Unit.objects.filter(kind=kind, is_active=True)
            if region is not None and kind == "subdistrict":
                subdistrict = next((r for r in regions if r and r.level == "subdistrict"), None)
                fallback = fallback.filter(region=subdistrict) if subdistrict else fallback
            units.extend(u for u in fallback[: limit * 2] if u not in units)
    return units[:limit]
