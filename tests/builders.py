"""Builders for tests: a small district, staff of every role, and appeals driven through the
real services into any status (so every test's history is one the loop could produce)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases import services
from minxin.cases.models import Appeal, AppealKind, Channel
from minxin.cases.workflow import Action, AppealStatus, Satisfaction
from minxin.deadlines.models import Urgency
from minxin.directory.models import Category, Jurisdiction, Region, RegionLevel, Unit, UnitKind
from minxin.feedback.services import rating_submit
from minxin.review.models import ReviewRule


@dataclass
class District:
    district: Region
    streets: list[Region]
    communities: list[Region]
    hotline: Unit
    supervision: Unit
    street_units: list[Unit]
    departments: list[Unit]
    category: Category  # a leaf: 城乡建设/城市建设和市政管理/环境卫生
    category_top: Category
    users: dict[str, User] = field(default_factory=dict)

    def user(self, key: str) -> User:
        return self.users[key]


def district_build() -> District:
    """The A3 district: the install's jurisdiction, its units all its own (so every test runs
    with district staff scoped to it, as on a city's install)."""
    district = Region.objects.create(name="A3区", level=RegionLevel.DISTRICT, code="A3")
    jurisdiction = Jurisdiction.objects.create(
        code=str(settings.MINXIN["DISTRICT_NAME"]), name="A3区", region=district
    )
    streets = [
        Region.objects.create(name=n, level=RegionLevel.SUBDISTRICT, code=c, parent=district)
        for n, c in (("桂花坪街道", "A3-01"), ("望月湖街道", "A3-02"))
    ]
    communities = [
        Region.objects.create(name=n, level=RegionLevel.COMMUNITY, code=c, parent=p)
        for n, c, p in (("景蓉社区", "A3-01-01", streets[0]), ("银杉社区", "A3-02-01", streets[1]))
    ]
    j = jurisdiction
    hotline = Unit.objects.create(name="A3区12345热线中心", kind=UnitKind.HOTLINE, jurisdiction=j)
    supervision = Unit.objects.create(name="A3区督查室", kind=UnitKind.SUPERVISION, jurisdiction=j)
    street_units = [
        Unit.objects.create(
            name=f"{s.name}办事处", kind=UnitKind.SUBDISTRICT, region=s, jurisdiction=j
        )
        for s in streets
    ]
    departments = [
        Unit.objects.create(name=n, kind=UnitKind.DEPARTMENT, jurisdiction=j)
        for n in ("A3区城市管理局", "A3区住房和城乡建设局")
    ]
    top = Category.objects.create(name="城乡建设", responsible_unit_kind=UnitKind.SUBDISTRICT)
    mid = Category.objects.create(name="城市建设和市政管理", parent=top)
    leaf = Category.objects.create(name="环境卫生", parent=mid)
    d = District(
        district=district,
        streets=streets,
        communities=communities,
        hotline=hotline,
        supervision=supervision,
        street_units=street_units,
        departments=departments,
        category=leaf,
        category_top=top,
    )
    for key, role, unit in (
        ("call_taker", Role.CALL_TAKER, hotline),
        ("dispatcher", Role.DISPATCHER, hotline),
        ("handler", Role.HANDLER, street_units[0]),
        ("handler_other", Role.HANDLER, street_units[1]),
        ("handler_dept", Role.HANDLER, departments[0]),
        ("supervisor", Role.SUPERVISOR, supervision),
        ("leader", Role.LEADER, supervision),
        ("admin", Role.ADMIN, hotline),
    ):
        d.users[key] = User.objects.create_user(
            username=key,
            password="pw-" + key,
            role=role,
            unit=unit,
            display_name=key,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
    return d


def other_district_build(d: District) -> Jurisdiction:
    """A second district on the same install (B1区, host b1.example.gov.cn, one street) with
    staff of every district-wide role and a handler (`b_<role>`), and the city's hotline above
    both districts (no jurisdiction) with a dispatcher and a leader (`city_<role>`)."""
    region = Region.objects.create(name="B1区", level=RegionLevel.DISTRICT, code="B1")
    street = Region.objects.create(
        name="东风街道", level=RegionLevel.SUBDISTRICT, code="B1-01", parent=region
    )
    b = Jurisdiction.objects.create(code="B1", name="B1区", region=region, host="b1.example.gov.cn")
    hotline = Unit.objects.create(name="B1区12345热线中心", kind=UnitKind.HOTLINE, jurisdiction=b)
    office = Unit.objects.create(
        name="东风街道办事处", kind=UnitKind.SUBDISTRICT, region=street, jurisdiction=b
    )
    city = Unit.objects.create(name="市12345热线中心", kind=UnitKind.HOTLINE)
    for key, role, unit in (
        ("b_call_taker", Role.CALL_TAKER, hotline),
        ("b_dispatcher", Role.DISPATCHER, hotline),
        ("b_supervisor", Role.SUPERVISOR, hotline),
        ("b_leader", Role.LEADER, hotline),
        ("b_admin", Role.ADMIN, hotline),
        ("b_handler", Role.HANDLER, office),
        ("city_dispatcher", Role.DISPATCHER, city),
        ("city_leader", Role.LEADER, city),
    ):
        d.users[key] = User.objects.create_user(
            username=key, password="pw-" + key, role=role, unit=unit, display_name=key
        )
    return b


def communities_build(d: District) -> list[Unit]:
    """Community units (二级派单) under the two street offices, each with a handler:
    `handler_community` (景蓉社区, under street 0) and `handler_community_other` (银杉社区, under
    street 1); a grid unit under 景蓉社区 without a handler."""
    units = [
        Unit.objects.create(
            name=f"{c.name}居委会",
            kind=UnitKind.COMMUNITY,
            region=c,
            parent=street,
            jurisdiction_id=street.jurisdiction_id,
        )
        for c, street in zip(d.communities, d.street_units, strict=True)
    ]
    Unit.objects.create(
        name="景蓉社区第一网格",
        kind=UnitKind.GRID,
        parent=units[0],
        jurisdiction_id=units[0].jurisdiction_id,
    )
    for key, unit in (("handler_community", units[0]), ("handler_community_other", units[1])):
        d.users[key] = User.objects.create_user(
            username=key, password="pw-" + key, role=Role.HANDLER, unit=unit, display_name=key
        )
    return units


def appeal_new(d: District, **overrides: object) -> Appeal:
    values: dict[str, object] = {
        "channel": Channel.WEB,
        "kind": AppealKind.COMPLAINT,
        "title": "小区垃圾无人清运",
        "content": "景蓉华苑小区门口垃圾堆放三天无人清运，气味很大。",
        "place_text": "景蓉华苑",
        "appellant_name": "张三",
        "appellant_phone": "13812345678",
    }
    values.update(overrides)
    return services.appeal_create(
        actor=Actor.citizen(),
        draft=services.AppealDraft(**values),  # type: ignore[arg-type]
    ).appeal


# The path each status is reached by, as (action, actor key) steps after intake.
_PATH: dict[AppealStatus, list[str]] = {
    AppealStatus.RECEIVED: [],
    AppealStatus.SCREENED: ["screen"],
    AppealStatus.INVALID: ["invalid"],
    AppealStatus.MERGED: ["merge"],
    AppealStatus.DISPATCHED: ["screen", "dispatch"],
    AppealStatus.RETURNED: ["screen", "dispatch", "return"],
    AppealStatus.ACCEPTED: ["screen", "dispatch", "accept"],
    AppealStatus.IN_PROGRESS: ["screen", "dispatch", "accept", "contact"],
    AppealStatus.SUSPENDED: ["screen", "dispatch", "accept", "contact", "suspend"],
    AppealStatus.REVIEWING: ["screen", "dispatch", "accept", "contact", "review_all"],
    AppealStatus.RESOLVED: ["screen", "dispatch", "accept", "contact", "resolve"],
    AppealStatus.RATED: ["screen", "dispatch", "accept", "contact", "resolve", "rate"],
    AppealStatus.FOLLOW_UP: ["screen", "dispatch", "accept", "contact", "resolve", "rate_bad"],
    AppealStatus.ARCHIVED: [
        "screen",
        "dispatch",
        "accept",
        "contact",
        "resolve",
        "rate",
        "archive",
    ],
}


def _halfway(due: datetime) -> datetime:
    """A sub-task's deadline halfway to the appeal's, to the minute (as the form sends it)."""
    now = timezone.now()
    return (now + (due - now) / 2).replace(second=0, microsecond=0)


def appeal_in(
    d: District, status: AppealStatus, *, assist: bool = True, sub: Unit | None = None
) -> Appeal:
    """A fresh appeal brought to `status` through the services; street 0 leads, dept 0 assists.
    With `sub` (a community unit under street 0, `communities_build`), street 0 passes it down
    to that unit once accepted, and the unit still holds it: for the statuses before a reply."""
    appeal = appeal_new(d)
    path = list(_PATH[status])
    if sub is not None:
        assert "resolve" not in path and "review_all" not in path and "accept" in path, status
        path.insert(path.index("accept") + 1, "sub")
    dispatcher = Actor.of(d.user("dispatcher"))
    handler = Actor.of(d.user("handler"))
    for step in path:
        v = Appeal.objects.get(pk=appeal.pk).version
        if step == "screen":
            services.appeal_screen(
                appeal_id=appeal.pk,
                actor=dispatcher,
                expected_version=v,
                category_id=d.category.pk,
                region_id=d.communities[0].pk,
                urgency=Urgency.NORMAL,
            )
        elif step == "invalid":
            services.appeal_act(
                appeal_id=appeal.pk,
                action=Action.MARK_INVALID,
                actor=dispatcher,
                expected_version=v,
                reason="广告信息",
            )
        elif step == "merge":
            original = appeal_new(d, title="同一件事")
            services.appeal_merge(
                appeal_id=appeal.pk,
                actor=dispatcher,
                expected_version=v,
                into_tracking_number=original.tracking_number,
            )
        elif step == "dispatch":
            services.appeal_dispatch(
                appeal_id=appeal.pk,
                actor=dispatcher,
                expected_version=v,
                lead_unit_id=d.street_units[0].pk,
                assist_unit_ids=[d.departments[0].pk] if assist else [],
            )
        elif step == "return":
            services.assignment_return(
                appeal_id=appeal.pk, actor=handler, expected_version=v, reason="不属于本街道"
            )
        elif step == "accept":
            services.appeal_act(
                appeal_id=appeal.pk, action=Action.ACCEPT, actor=handler, expected_version=v
            )
        elif step == "sub":
            assert sub is not None
            due = Appeal.objects.get(pk=appeal.pk).resolve_due
            assert due is not None
            services.appeal_sub_dispatch(
                appeal_id=appeal.pk,
                actor=handler,
                expected_version=v,
                sub_unit=sub.pk,
                sub_due=_halfway(due),
                reason="请社区入户核实并处理",
            )
        elif step == "contact":
            services.appeal_act(
                action=Action.FIRST_CONTACT,
                appeal_id=appeal.pk,
                actor=handler,
                expected_version=v,
                reason="已电话联系诉求人",
            )
        elif step == "suspend":
            services.appeal_act(
                action=Action.SUSPEND,
                appeal_id=appeal.pk,
                actor=handler,
                expected_version=v,
                reason="请诉求人补充具体楼栋",
            )
        elif step == "review_all":
            # The centre reviews this one reply: a rule for the appeal's unit alone, switched
            # off once the reply waits (other appeals keep the default: no rule, released).
            rule = ReviewRule.objects.create(
                name="测试：全部审核", unit_id=d.street_units[0].pk, sample_percent=100
            )
            services.reply_submit(
                appeal_id=appeal.pk,
                actor=handler,
                expected_version=v,
                reason="已安排环卫清运，并加密清运频次。",
            )
            ReviewRule.objects.filter(pk=rule.pk).update(is_active=False)
        elif step == "resolve":
            services.reply_submit(
                appeal_id=appeal.pk,
                actor=handler,
                expected_version=v,
                reason="已安排环卫清运，并加密清运频次。",
            )
        elif step in ("rate", "rate_bad"):
            rating_submit(
                appeal_id=appeal.pk,
                actor=Actor.citizen(),
                expected_version=v,
                satisfaction=Satisfaction.SATISFIED
                if step == "rate"
                else Satisfaction.DISSATISFIED,
            )
        elif step == "archive":
            services.appeal_act(
                appeal_id=appeal.pk,
                action=Action.ARCHIVE,
                actor=Actor.of(d.user("supervisor")),
                expected_version=v,
            )
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.status == status, (appeal.status, status)
    return appeal
