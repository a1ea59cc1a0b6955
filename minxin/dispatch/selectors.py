from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from django.db.models import Count, F, Min, Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal
from minxin.core.errors import NotFound
from minxin.directory.models import Category, Jurisdiction, Region, Unit, UnitKind

from .models import SAVED_FILTER_MISSING, RoutingRule, SavedFilter

# How far back the units that handled similar appeals are counted.
HISTORY_DAYS: Final = 365


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
    once. Rules that tie keep their order in `rules`: a district's rule before the city's
    (`_rules_of`). Pure, so the demo seeder ranks its in-memory rules by the same rule."""
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
    *,
    category: Category | None,
    region: Region | None,
    district: int | None = None,
    limit: int = 3,
    before: datetime | None = None,
) -> list[Unit]:
    """Responsible units for a category and place in a district (the appeal's; None: the
    place's district, or for no place every district's rules): the routing rules' units of
    the district and the city's, most specific rule first (`units_ranked`; a district's rule
    before a city rule of the same category and place); then the units serving the district
    that resolved the most appeals of the same category (or, failing that, of its parent) in
    the last year (`before`: counted up to then); then, for a street-led category, the place's
    own street office. Never a unit picked only for its kind: a noise complaint is not
    offered to 人社局 to fill a list."""
    return units_suggested_for_each(
        [(category, region)], district=district, limit=limit, before=before
    )[(category.pk if category else None, region.pk if region else None)]


def units_suggested_for_each(
    pairs: Iterable[tuple[Category | None, Region | None]],
    *,
    district: int | None = None,
    limit: int = 3,
    before: datetime | None = None,
) -> dict[tuple[int | None, int | None], list[Unit]]:
    """`units_suggested_for` of each (category, region), by their ids (a triage batch's pairs):
    the routing rules of all their categories read in one query; each pair in `district`, or
    when None in its place's district."""
    pairs = list(pairs)
    chains = {
        (category.pk, region.pk if region else None): (
            category.ancestors_and_self(),
            region_chain(region),
            region,
        )
        for category, region in pairs
        if category is not None
    }
    rules = _rules_of({c.pk for categories, _, _ in chains.values() for c in categories})
    districts = _districts_of([regions for _, regions, _ in chains.values()], district)
    out: dict[tuple[int | None, int | None], list[Unit]] = {
        (None, region.pk if region else None): [] for category, region in pairs if category is None
    }
    for key, (categories, regions, region) in chains.items():
        here = districts.get(regions[-2].pk) if len(regions) > 1 else district  # type: ignore[union-attr]
        out[key] = _units_for(
            categories,
            regions,
            region,
            rules=[(c, r, unit) for c, r, unit, j in rules if here is None or j in (None, here)],
            district=here,
            limit=limit,
            before=before,
        )
    return out


def _districts_of(chains: list[list[Region | None]], district: int | None) -> dict[int, int]:
    """The district of each chain's root place (by the root's id): `district` for all of them
    when given, else the jurisdiction whose root it is (one query)."""
    roots = {chain[-2].pk for chain in chains if len(chain) > 1}  # type: ignore[union-attr]
    if district is not None:
        return dict.fromkeys(roots, district)
    if not roots:
        return {}
    return dict(Jurisdiction.objects.filter(region_id__in=roots).values_list("region_id", "pk"))


def _rules_of(category_ids: set[int]) -> list[tuple[int, int | None, Unit, int | None]]:
    """The active routing rules of these categories, as (category, region, unit, district):
    the districts' before the city's, so a district's rule wins a tie (`units_ranked`)."""
    if not category_ids:
        return []
    return [
        (r.category_id, r.region_id, r.unit, r.jurisdiction_id)
        for r in RoutingRule.objects.filter(
            is_active=True, unit__is_active=True, category__in=category_ids
        )
        .select_related("unit")
        .order_by(F("jurisdiction").asc(nulls_last=True), "pk")
    ]


def _units_for(
    categories: list[Category],
    regions: list[Region | None],
    region: Region | None,
    *,
    rules: list[tuple[int, int | None, Unit]],
    district: int | None,
    limit: int,
    before: datetime | None,
) -> list[Unit]:
    """One pair's units: the rules' first, then history (the category, then its parent), then
    the place's own street office."""
    units = units_ranked(
        category_ids=[c.pk for c in categories],
        region_ids=[r.pk if r else None for r in regions],
        rules=rules,
    )
    for near in categories[:2]:  # the category, then its parent
        if len(units) >= limit:
            break
        known = units_by_history(category=near, region=region, district=district, before=before)
        units += [u for u in known if u not in units]
    if len(units) < limit:
        units += [u for u in _own_street_office(categories, regions) if u not in units]
    return units[:limit]


def units_by_history(
    *,
    category: Category,
    region: Region | None,
    district: int | None = None,
    before: datetime | None = None,
) -> list[Unit]:
    """The active units (serving `district` when given) that resolved appeals of this category
    (received in the year) before `before` (now), most appeals first; a street office only
    for its own street's appeals."""
    end = before or timezone.now()
    serves = Q(lead_unit__jurisdiction__isnull=True) | Q(lead_unit__jurisdiction_id=district)
    counted = (
        Appeal.objects.filter(
            category=category,
            received_at__gte=end - timedelta(days=HISTORY_DAYS),
            resolved_at__lt=end,
            lead_unit__is_active=True,
        )
        .filter(serves if district is not None else Q())
        .values("lead_unit")
        .annotate(n=Count("id"))
        .order_by("-n", "lead_unit")[:20]
    )
    ids = [row["lead_unit"] for row in counted]
    found = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    subdistrict = next((r for r in region_chain(region) if r and r.level == "subdistrict"), None)
    return [
        found[i]
        for i in ids
        if i in found
        and (
            found[i].kind != UnitKind.SUBDISTRICT
            or found[i].region_id == getattr(subdistrict, "pk", None)
        )
    ]


def _own_street_office(categories: list[Category], regions: list[Region | None]) -> list[Unit]:
    """For a category the street leads (its kind, or an ancestor's, is subdistrict): the office
    of the appeal's street."""
    kind = next((c.responsible_unit_kind for c in categories if c.responsible_unit_kind), "")
    subdistrict = next((r for r in regions if r and r.level == "subdistrict"), None)
    if kind != UnitKind.SUBDISTRICT or subdistrict is None:
        return []
    return list(Unit.objects.filter(kind=kind, is_active=True, region=subdistrict)[:1])


@dataclass(frozen=True)
class Accuracy:
    """How often the unit that resolved an appeal was the first suggestion, or among the first
    three, as suggested when the appeal was first dispatched (history counted up to then)."""

    appeals: int
    top1: int
    top3: int

    def share(self, hits: int) -> float:
        return hits / self.appeals if self.appeals else 0.0


def suggestion_accuracy(*, limit: int | None = None) -> Accuracy:
    """`units_suggested_for` scored on the dispatch history: every appeal resolved by its lead
    unit, against the suggestion at its first dispatch (the rules as they are now)."""
    appeals = (
        Appeal.objects.filter(resolved_at__isnull=False, lead_unit__isnull=False)
        .exclude(category=None)
        .annotate(first_dispatch=Min("events__created_at", filter=Q(events__action="dispatch")))
        .exclude(first_dispatch=None)
        .select_related("category", "region")
        .order_by("pk")
    )
    seen = top1 = top3 = 0
    for appeal in appeals[:limit] if limit else appeals:
        offered = [
            u.pk
            for u in units_suggested_for(
                category=appeal.category,
                region=appeal.region,
                district=appeal.jurisdiction_id,
                before=appeal.first_dispatch,
            )
        ]
        seen += 1
        top1 += offered[:1] == [appeal.lead_unit_id]
        top3 += appeal.lead_unit_id in offered[:3]
    return Accuracy(appeals=seen, top1=top1, top3=top3)


def saved_filters_for(*, user: User) -> list[SavedFilter]:
    """The viewer's own saved filters of the screening queue, by name."""
    return list(SavedFilter.objects.filter(user=user).order_by("name", "id"))


def saved_filter_get_for(*, user: User, filter_id: int) -> SavedFilter:
    """One of the viewer's saved filters; another user's is as good as missing (404)."""
    saved = SavedFilter.objects.filter(pk=filter_id, user=user).first()
    if saved is None:
        raise NotFound(SAVED_FILTER_MISSING)
    return saved
