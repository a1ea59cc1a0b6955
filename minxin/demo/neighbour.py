"""A neighbouring district on the same install, for the city's view (issue 17, many districts
on one install): A2区, with two streets, its hotline and one department, the staff who work a
district, and a few dozen appeals taken through the real services; and the city's 12345 centre
above both districts (a unit of no district) with a dispatcher and a leader, who see every
district and may pick one (辖区). A2's public site answers under a2.localhost (a browser sends
every *.localhost name to this machine). Idempotent: what exists is kept, and the appeals are
added only while A2 has none."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases import services
from minxin.cases.models import Appeal, AppealKind, Channel
from minxin.cases.workflow import Action, AppealStatus, Satisfaction
from minxin.deadlines.models import Urgency
from minxin.directory.models import Category, Jurisdiction, Region, RegionLevel, Unit, UnitKind
from minxin.feedback.services import rating_submit

from .world import users_ensure

CODE = "A2"
NAME = "A2区"
HOST = "a2.localhost"
STREETS = (("东风路街道", ("东风社区", "八一桥社区")), ("新河街道", ("新河社区", "荷花园社区")))
HOTLINE = "A2区12345政务服务便民热线中心"
DEPARTMENT = ("A2区城市管理和综合执法局", "城管执法局")
CITY_HOTLINE = "A市12345政务服务便民热线中心"
# (username, name, role, unit: "hotline", "street:<n>", "department" or "city")
STAFF = (
    ("a2_dispatcher", "罗敏", Role.DISPATCHER, "hotline"),
    ("a2_supervisor", "何志刚", Role.SUPERVISOR, "hotline"),
    ("a2_leader", "谭建华", Role.LEADER, "hotline"),
    ("a2_handler", "易小红", Role.HANDLER, "street:0"),
    ("a2_handler_xinhe", "龙海波", Role.HANDLER, "street:1"),
    ("a2_handler_cgzf", "朱文", Role.HANDLER, "department"),
    ("city_dispatcher", "唐丽", Role.DISPATCHER, "city"),
    ("city_leader", "邓国强", Role.LEADER, "city"),
)
# (title, words, the category's path, street, the department leads)
TEXTS = (
    ("东风路路灯不亮", "东风路八一桥段路灯坏了半个月，晚上行人看不清路。", "基础设施", 0, False),
    (
        "小区垃圾清运不及时",
        "荷花园社区垃圾站三天没有清运，气味很大，请尽快处理。",
        "环境卫生",
        1,
        False,
    ),
    ("夜间施工噪音扰民", "新河路工地每晚十一点后还在施工，噪音影响休息。", "噪音污染", 1, True),
    ("人行道被占用", "东风社区门口的人行道被摊点占用，行人只能走机动车道。", "城管执法", 0, True),
    ("楼道堆放杂物", "八一桥社区3栋楼道堆满杂物，存在消防隐患。", "小区管理", 0, False),
    ("物业乱收停车费", "新河社区物业擅自上调停车费，业主多次反映无果。", "物业服务", 1, False),
)
APPEALS = 24
# How far each appeal goes, in turn: most are answered, some still in hand, a few just in.
STEPS = ("rated", "rated", "resolved", "in_progress", "dispatched", "received")
RATINGS = (Satisfaction.SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)


def neighbour_seed(*, seed: int = 1) -> int:
    """Build A2区 and the city's centre (idempotent) and, while A2 has no appeals, take
    `APPEALS` of them through the services. The number of appeals added."""
    with transaction.atomic():
        district, streets, units = _directory_build()
        users = _users_build(units)
    if Appeal.objects.filter(jurisdiction=district).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data  # nosec B311
    for n in range(APPEALS):
        _appeal_walk(n, rng, district, streets, units, users)
    return APPEALS


def _directory_build() -> tuple[Jurisdiction, list[Region], dict[str, Unit]]:
    region, _ = Region.objects.get_or_create(
        code=CODE, defaults={"name": NAME, "level": RegionLevel.DISTRICT}
    )
    district, _ = Jurisdiction.objects.get_or_create(
        code=CODE, defaults={"name": f"A市{NAME}", "region": region, "host": HOST}
    )
    streets: list[Region] = []
    units: dict[str, Unit] = {}
    for i, (street_name, communities) in enumerate(STREETS, start=1):
        street, _ = Region.objects.get_or_create(
            code=f"{CODE}-{i:02d}",
            defaults={"name": street_name, "level": RegionLevel.SUBDISTRICT, "parent": region},
        )
        streets.append(street)
        for j, community in enumerate(communities, start=1):
            Region.objects.get_or_create(
                code=f"{CODE}-{i:02d}-{j:02d}",
                defaults={"name": community, "level": RegionLevel.COMMUNITY, "parent": street},
            )
        units[f"street:{i - 1}"] = _unit(
            f"{street_name}办事处", street_name, UnitKind.SUBDISTRICT, district, street
        )
    units["hotline"] = _unit(HOTLINE, "12345热线", UnitKind.HOTLINE, district)
    units["department"] = _unit(*DEPARTMENT, UnitKind.DEPARTMENT, district)
    units["city"] = _unit(CITY_HOTLINE, "市12345热线", UnitKind.HOTLINE, None)
    return district, streets, units


def _unit(
    name: str, short: str, kind: str, district: Jurisdiction | None, region: Region | None = None
) -> Unit:
    unit, _ = Unit.objects.get_or_create(
        name=name,
        defaults={"short_name": short, "kind": kind, "jurisdiction": district, "region": region},
    )
    return unit


def _users_build(units: dict[str, Unit]) -> dict[str, User]:
    wanted = [
        User(username=username, display_name=name, role=role, unit=units[unit])
        for username, name, role, unit in STAFF
    ]
    return users_ensure(wanted)[0]


def _appeal_walk(
    n: int,
    rng: random.Random,
    district: Jurisdiction,
    streets: list[Region],
    units: dict[str, Unit],
    users: dict[str, User],
) -> Appeal:
    """One appeal of A2, received from a citizen and taken as far as `STEPS` says, each step by
    the staff member whose step it is."""
    title, words, category, street, by_department = TEXTS[n % len(TEXTS)]
    appeal = services.appeal_create(
        actor=Actor.citizen(),
        draft=services.AppealDraft(
            jurisdiction_id=district.pk,
            channel=rng.choice((Channel.WEB, Channel.HOTLINE, Channel.BOARD)),
            kind=AppealKind.COMPLAINT,
            title=title,
            content=words,
            place_text=streets[street].name,
            appellant_name=rng.choice(("王先生", "李女士", "陈先生", "刘女士")),
            appellant_phone=f"139{rng.randrange(10**8):08d}",
        ),
    ).appeal
    lead = units["department"] if by_department else units[f"street:{street}"]
    walk = Walk(
        appeal_id=appeal.pk,
        dispatcher=Actor.of(users["a2_dispatcher"]),
        handler=Actor.of(next(u for u in users.values() if u.unit_id == lead.pk)),
        reviewer=Actor.of(users["a2_supervisor"]),
    )
    goal = STEPS[n % len(STEPS)]
    steps = walk.steps(goal, category=_category(category), region=streets[street], lead=lead)
    for step in steps:
        step(Appeal.objects.values_list("version", flat=True).get(pk=appeal.pk))
    if goal == "rated":
        rating_submit(
            appeal_id=appeal.pk,
            actor=Actor.citizen(),
            expected_version=Appeal.objects.values_list("version", flat=True).get(pk=appeal.pk),
            satisfaction=rng.choice(RATINGS),
        )
    return Appeal.objects.get(pk=appeal.pk)


@dataclass(frozen=True)
class Walk:
    """The staff steps of one appeal's way, each a call given the appeal's current version."""

    appeal_id: int
    dispatcher: Actor
    handler: Actor
    reviewer: Actor

    def steps(
        self, goal: str, *, category: Category, region: Region, lead: Unit
    ) -> list[Callable[[int], object]]:
        if goal == "received":
            return []
        pk = self.appeal_id
        steps: list[Callable[[int], object]] = [
            lambda v: services.appeal_screen(
                appeal_id=pk,
                actor=self.dispatcher,
                expected_version=v,
                category_id=category.pk,
                region_id=region.pk,
                urgency=Urgency.NORMAL,
            ),
            lambda v: services.appeal_dispatch(
                appeal_id=pk, actor=self.dispatcher, expected_version=v, lead_unit_id=lead.pk
            ),
        ]
        if goal == "dispatched":
            return steps
        steps += [
            lambda v: services.appeal_act(
                appeal_id=pk, action=Action.ACCEPT, actor=self.handler, expected_version=v
            ),
            lambda v: services.appeal_act(
                appeal_id=pk,
                action=Action.FIRST_CONTACT,
                actor=self.handler,
                expected_version=v,
                reason="已电话联系诉求人，约定现场查看",
            ),
        ]
        if goal == "in_progress":
            return steps
        return [
            *steps,
            lambda v: services.reply_submit(
                appeal_id=pk,
                actor=self.handler,
                expected_version=v,
                reason="经现场核查，已安排处理完毕，并将持续跟进。",
            ),
            # The centre's review (办结审核), when the policy drew this reply for it.
            lambda v: _reviewed(pk, v, self.reviewer),
        ]


def _reviewed(appeal_id: int, version: int, reviewer: Actor) -> None:
    if Appeal.objects.filter(pk=appeal_id, status=AppealStatus.REVIEWING).exists():
        services.reply_approve(
            appeal_id=appeal_id, actor=reviewer, expected_version=version, reason="答复属实"
        )


def _category(name: str) -> Category:
    """The leaf category of that name (the catalogue is the whole city's)."""
    leaves = Category.objects.filter(children__isnull=True).order_by("pk")
    found = leaves.filter(name=name).first()
    return found if found is not None else leaves[0]
