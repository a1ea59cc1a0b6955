"""The demo district's directory, built idempotently (what exists is kept): the region tree,
units, the category catalogue, staff, routing rules, review rules and time limits, and the
world (`lifecycle.World`) the appeals are made in, with the limits and rules it reads."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.contrib.auth.hashers import make_password

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.deadlines.models import DeadlinePolicy
from minxin.deadlines.services import policy_for
from minxin.directory.models import (
    Category,
    Jurisdiction,
    Region,
    RegionLevel,
    Unit,
    UnitKind,
    jurisdiction_default,
)
from minxin.dispatch.models import RoutingRule
from minxin.dispatch.services import routing_rule_save
from minxin.review.models import ReviewRule

from . import district as d
from .lifecycle import World
from .texts import messages_load, taxonomy_load

if TYPE_CHECKING:
    from .seed import SeedReport

DEFAULT_PASSWORD = "minxin-demo-2026"  # noqa: S105 - the demo's published password  # nosec B105
RULE_NOTE = "演示数据初始化"


def demo_password() -> str:
    return os.environ.get("MINXIN_DEMO_PASSWORD") or DEFAULT_PASSWORD


def world_build(report: SeedReport) -> World:
    regions = _regions_build(report)
    jurisdiction = _jurisdiction_build(regions[d.DISTRICT_CODE])
    units = _units_build(regions, jurisdiction, report)
    categories = _categories_build(report)
    users = _users_build(units, report)
    _rules_build(categories, regions, units, users["admin"], report)
    _policies_build(categories, report)
    review_rules = _review_rules_build(categories)

    subdistricts = [
        regions[f"{d.DISTRICT_CODE}-{i:02d}"] for i in range(1, len(d.SUBDISTRICTS) + 1)
    ]
    communities: list[list[Region]] = []
    for i, (_, _, _, names) in enumerate(d.SUBDISTRICTS, start=1):
        communities.append(
            [regions[f"{d.DISTRICT_CODE}-{i:02d}-{j:02d}"] for j in range(1, len(names) + 1)]
        )
    handlers = {u.unit_id: u for u in users.values() if u.role == Role.HANDLER}
    return World(
        district=regions[d.DISTRICT_CODE],
        jurisdiction_id=jurisdiction.pk,
        subdistricts=subdistricts,
        subdistrict_weights=[w for _, _, w, _ in d.SUBDISTRICTS],
        communities=communities,
        hotline=units["hotline"],
        supervision=units["supervision"],
        offices=[units[f"office:{slug}"] for slug, _, _, _ in d.SUBDISTRICTS],
        departments=[units[slug] for slug, _, _ in d.DEPARTMENTS],
        categories=categories,
        handlers=cast("dict[int, User]", handlers),
        call_takers=[u for u in users.values() if u.role == Role.CALL_TAKER],
        dispatchers=[u for u in users.values() if u.role == Role.DISPATCHER],
        supervisors=[u for u in users.values() if u.role == Role.SUPERVISOR],
        messages=messages_load(),
        review_rules=review_rules,
    )


def _regions_build(report: SeedReport) -> dict[str, Region]:
    """The region tree keyed by code: A3 → A3-01 → A3-01-01 → A3-01-01-01."""
    existing = {r.code: r for r in Region.objects.filter(code__startswith=d.DISTRICT_CODE)}

    def ensure(code: str, name: str, level: str, parent: Region | None) -> Region:
        region = existing.get(code)
        if region is None:
            region = Region.objects.create(code=code, name=name, level=level, parent=parent)
            existing[code] = region
            report.regions += 1
        elif parent is not None:
            region.parent = parent  # link in memory: later walks up the tree need no query
        return region

    district = ensure(d.DISTRICT_CODE, d.DISTRICT_NAME, RegionLevel.DISTRICT, None)
    for i, (_, name, _, communities) in enumerate(d.SUBDISTRICTS, start=1):
        code = f"{d.DISTRICT_CODE}-{i:02d}"
        subdistrict = ensure(code, name, RegionLevel.SUBDISTRICT, district)
        for j, community_name in enumerate(communities, start=1):
            community = ensure(
                f"{code}-{j:02d}", community_name, RegionLevel.COMMUNITY, subdistrict
            )
            # Alternate one and two grid cells so the tree is not uniform.
            for k, grid_name in enumerate(d.GRID_NAMES[: 1 + (i + j) % 2], start=1):
                ensure(
                    f"{code}-{j:02d}-{k:02d}",
                    f"{community_name}{grid_name}",
                    RegionLevel.GRID,
                    community,
                )
    return existing


def _jurisdiction_build(district: Region) -> Jurisdiction:
    """The demo district as the install's jurisdiction (the one made on first use, if an
    appeal came before the demo, is given its place)."""
    found = Jurisdiction.objects.filter(region=district).first()
    if found is None:
        found = Jurisdiction.objects.get(pk=jurisdiction_default())
        if found.region_id is None:
            found.region = district
            found.save(update_fields=["region", "updated_at"])
    return found


def _units_build(
    regions: dict[str, Region], jurisdiction: Jurisdiction, report: SeedReport
) -> dict[str, Unit]:
    """Units keyed by slug ("hotline", "supervision", "office:<slug>", department slugs)."""
    existing = {u.name: u for u in Unit.objects.all()}
    units: dict[str, Unit] = {}

    def ensure(key: str, name: str, short: str, kind: str, region: Region | None = None) -> None:
        unit = existing.get(name)
        if unit is None:
            unit = Unit.objects.create(
                name=name, short_name=short, kind=kind, region=region, jurisdiction=jurisdiction
            )
            report.units += 1
        units[key] = unit

    ensure("hotline", d.HOTLINE_NAME, "12345热线", UnitKind.HOTLINE)
    ensure("supervision", d.SUPERVISION_NAME, "督查室", UnitKind.SUPERVISION)
    for i, (slug, name, _, _) in enumerate(d.SUBDISTRICTS, start=1):
        region = regions[f"{d.DISTRICT_CODE}-{i:02d}"]
        ensure(f"office:{slug}", d.office_name(name), name, UnitKind.SUBDISTRICT, region)
    for slug, name, short in d.DEPARTMENTS:
        ensure(slug, name, short, UnitKind.DEPARTMENT)
    for slug, name, short in d.ENTERPRISES:
        ensure(slug, name, short, UnitKind.ENTERPRISE)
    # 二级派单: the main street's communities under its office.
    main_slug, _, _, communities = d.SUBDISTRICTS[0]
    office = units[f"office:{main_slug}"]
    for j, community in enumerate(communities, start=1):
        name = d.community_unit_name(community)
        unit = existing.get(name)
        if unit is None:
            unit = Unit.objects.create(
                name=name,
                short_name=community,
                kind=UnitKind.COMMUNITY,
                region=regions[f"{d.DISTRICT_CODE}-01-{j:02d}"],
                parent=office,
                jurisdiction=jurisdiction,
            )
            report.units += 1
        units[f"community:{j}"] = unit
    return units


def _categories_build(report: SeedReport) -> dict[str, Category]:
    """The three-level catalogue keyed by path_name, parents linked in memory."""
    by_path = {c.path_name: c for c in Category.objects.all()}

    def ensure(path: str, name: str, parent: Category | None) -> Category:
        category = by_path.get(path)
        if category is None:
            kind = ""
            if parent is None:
                kind = (
                    UnitKind.SUBDISTRICT if name in d.SUBDISTRICT_LED_TOPS else UnitKind.DEPARTMENT
                )
            category = Category.objects.create(name=name, parent=parent, responsible_unit_kind=kind)
            by_path[path] = category
            report.categories += 1
        elif parent is not None:
            category.parent = parent
        return category

    for level1, level2, level3 in taxonomy_load():
        top = ensure(level1, level1, None)
        middle = ensure(f"{level1}/{level2}", level2, top)
        ensure(f"{level1}/{level2}/{level3}", level3, middle)
    return by_path


def _users_build(units: dict[str, Unit], report: SeedReport) -> dict[str, User]:
    wanted: list[User] = []
    for username, display_name, role, unit_key, is_head in d.STAFF:
        wanted.append(
            User(
                username=username,
                display_name=display_name,
                role=role,
                unit=units[unit_key],
                is_unit_head=is_head,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
        )
    handler_units = [(slug, units[f"office:{slug}"]) for slug, _, _, _ in d.SUBDISTRICTS]
    handler_units += [(slug, units[slug]) for slug, _, _ in (*d.DEPARTMENTS, *d.ENTERPRISES)]
    for i, (slug, unit) in enumerate(handler_units):
        wanted.append(
            User(
                username=d.handler_username(slug),
                display_name=d.HANDLER_NAMES[i % len(d.HANDLER_NAMES)],
                role=Role.HANDLER,
                unit=unit,
            )
        )
    wanted.append(
        User(
            username=d.COMMUNITY_HANDLER,
            display_name=d.COMMUNITY_HANDLER_NAME,
            role=Role.HANDLER,
            unit=units["community:1"],
        )
    )
    users, created = users_ensure(wanted)
    report.users += created
    return users


def users_ensure(wanted: list[User]) -> tuple[dict[str, User], int]:
    """The wanted accounts by username, those missing created with the demo password; and how
    many were created. An account that exists is kept as it is."""
    existing = {
        u.username: u for u in User.objects.filter(username__in=[u.username for u in wanted])
    }
    missing = [u for u in wanted if u.username not in existing]
    if missing:
        # One hash for the one demo password: PBKDF2 per user would take a second each.
        password = make_password(demo_password())
        for user in missing:
            user.password = password
        User.objects.bulk_create(missing)
    by_name = {**existing, **{u.username: u for u in missing}}
    return {u.username: by_name[u.username] for u in wanted}, len(missing)


def _rules_build(
    categories: dict[str, Category],
    regions: dict[str, Region],
    units: dict[str, Unit],
    actor: User,
    report: SeedReport,
) -> None:
    existing: set[tuple[int, int | None]] = set(
        RoutingRule.objects.values_list("category_id", "region_id")
    )

    def ensure(path: str, region: Region | None, unit: Unit) -> None:
        category = categories[path]
        key = (category.pk, region.pk if region else None)
        if key in existing:
            return
        rule = RoutingRule(category=category, region=region, unit=unit)
        routing_rule_save(rule=rule, actor=actor, note=RULE_NOTE)
        existing.add(key)
        report.rules += 1

    for path, slug in d.DISTRICT_RULES:
        ensure(path, None, units[slug])
    for i, (slug, _, _, _) in enumerate(d.SUBDISTRICTS, start=1):
        for path in d.SUBDISTRICT_RULES:
            ensure(path, regions[f"{d.DISTRICT_CODE}-{i:02d}"], units[f"office:{slug}"])


def _review_rules_build(categories: dict[str, Category]) -> list[ReviewRule]:
    """The centre's review policy (办结审核): half of all replies drawn for review unless the
    quality check scores them 90 or more, and every reply on urban construction (the most
    complained-about class) reviewed."""
    if not ReviewRule.objects.exists():
        ReviewRule.objects.bulk_create(
            [
                ReviewRule(
                    name="全区抽样审核",
                    sample_percent=50,
                    pass_score=90,
                    priority=100,
                    note="质量评分90分以上免审，其余抽审一半",
                ),
                ReviewRule(
                    name="城乡建设类全部审核",
                    category=categories["城乡建设"],
                    sample_percent=100,
                    priority=10,
                    note="投诉集中的类别，答复一律经中心审核",
                ),
            ]
        )
    rules = list(ReviewRule.objects.filter(is_active=True).order_by("priority", "id"))
    for rule in rules:  # the world's categories, parents linked, for the walks up the tree
        if rule.category_id is not None:
            rule.category = next(c for c in categories.values() if c.pk == rule.category_id)
    return rules


def _policies_build(categories: dict[str, Category], report: SeedReport) -> None:
    existing = set(DeadlinePolicy.objects.values_list("category_id", "urgency"))
    for path, urgency, hours, days in d.POLICIES:
        category = categories[path] if path else None
        if (category.pk if category else None, urgency) in existing:
            continue
        DeadlinePolicy.objects.create(
            category=category,
            urgency=urgency,
            first_contact_hours=Decimal(hours),
            resolve_days=days,
            note=RULE_NOTE,
        )
        report.policies += 1


def limits_load(world: World) -> dict[tuple[int, str], tuple[Decimal, int]]:
    """(first_contact_hours, resolve_days) of every category × urgency, from the same
    policy_for the services use (the categories' parents are linked, so no queries)."""
    return {
        (category.pk, urgency): policy_for(category=category, urgency=urgency)
        for category in world.categories.values()
        for urgency in ("normal", "urgent", "critical")
    }


def rules_load() -> dict[int, list[tuple[int | None, Unit]]]:
    rules: dict[int, list[tuple[int | None, Unit]]] = {}
    active = RoutingRule.objects.filter(is_active=True, unit__is_active=True).select_related("unit")
    for rule in active.order_by("pk"):
        rules.setdefault(rule.category_id, []).append((rule.region_id, rule.unit))
    return rules
