"""Demo: between units (issue 15), on the main handler's street, through the real services. One
appeal the street accepted and asked to transfer to the housing bureau (the request waits in
the dispatcher's 转办审批 tab; the street still handles it), and one the street returned that the
dispatcher refused (退单审核): back with the street to accept, a refused return on its record."""

from functools import partial

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases import services as cases
from minxin.cases.models import Appeal, AppealEvent, AppealKind, Channel, Transfer
from minxin.cases.workflow import Action
from minxin.directory.models import Category, Region, RegionLevel, Unit

from . import district as d
from . import walk

TRANSFERRED = (
    "小区燃气管道锈蚀漏气隐患",
    "景蓉华苑3栋外墙的燃气立管锈蚀严重，靠近时能闻到燃气味，担心发生危险，希望尽快检修更换。",
    "周先生",
    "13907310031",
    "经现场查看，锈蚀的是燃气公司产权的立管，维修更换需住建局督促燃气企业实施，街道无执法和维修权限，申请转住建局办理。",
)
REFUSED = (
    "背街小巷路灯不亮",
    "桂花路与银杉路之间的背街小巷路灯已经坏了一个多星期，晚上一片漆黑，居民出行很不安全。",
    "黄女士",
    "13907310032",
    "该路段路灯不归本街道管理，请改派城管执法局。",
    "经核实，该小巷路灯属街道负责维护的背街小巷照明设施，退单理由不成立，请街道按时办理。",
)


def _new(
    text: tuple[str, ...], *, staff: Actor, unit_id: int, category_id: int, region_id: int | None
) -> Appeal:
    """A hotline appeal, screened and dispatched to the street."""
    appeal = walk.appeal_new(text, channel=Channel.HOTLINE, kind=AppealKind.HELP)
    walk.dispatched(
        appeal.pk, staff=staff, category_id=category_id, region_id=region_id, unit_id=unit_id
    )
    return appeal


def transfers_seed() -> int:
    """The appeals made (0 when a transfer request or a refused return exists, or the street,
    its handler or the housing bureau is missing)."""
    handler = User.objects.filter(username=d.MAIN_HANDLER, role=Role.HANDLER).first()
    dispatcher = User.objects.filter(role=Role.DISPATCHER).order_by("pk").first()
    street = Region.objects.filter(name=d.SUBDISTRICTS[0][1]).first()
    housing = Unit.objects.filter(name=d.DEPARTMENTS[1][1], is_active=True).first()
    category = Category.objects.filter(level=3, is_active=True).order_by("pk").first()
    if handler is None or dispatcher is None or street is None or housing is None:
        return 0
    if category is None or handler.unit_id is None:
        return 0
    refused = AppealEvent.objects.filter(action=Action.REFUSE_RETURN)
    if Transfer.objects.exists() or refused.exists():
        return 0
    community = (
        Region.objects.filter(parent=street, level=RegionLevel.COMMUNITY).order_by("code").first()
    )
    staff, handling = Actor.of(dispatcher), Actor.of(handler)
    new = partial(
        _new,
        staff=staff,
        unit_id=handler.unit_id,
        category_id=category.pk,
        region_id=community.pk if community else None,
    )

    appeal = new(TRANSFERRED)
    walk.acted(
        appeal.pk,
        handling,
        [(Action.ACCEPT, ""), (Action.FIRST_CONTACT, "已电话联系诉求人，约定次日上午现场查看")],
    )
    cases.transfer_request(
        appeal_id=appeal.pk,
        actor=handling,
        expected_version=walk.version(appeal.pk),
        reason=TRANSFERRED[4],
        suggested_unit_id=housing.pk,
    )

    appeal = new(REFUSED)
    cases.assignment_return(
        appeal_id=appeal.pk,
        actor=handling,
        expected_version=walk.version(appeal.pk),
        reason=REFUSED[4],
    )
    cases.return_refuse(
        appeal_id=appeal.pk,
        actor=staff,
        expected_version=walk.version(appeal.pk),
        reason=REFUSED[5],
    )
    return 2
