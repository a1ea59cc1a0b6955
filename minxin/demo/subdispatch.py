"""Demo: 二级派单. Two appeals of the main street, through the real services: the street's
handler passes both down to 景蓉社区 with a deadline inside the appeal's own; the community's
handler (`h_jingrong`) has reported back on one (the street now answers the citizen), the
other waits in the community's queue."""

from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases import services as cases
from minxin.cases.models import Appeal, Channel, SubAssignment
from minxin.cases.workflow import Action
from minxin.directory.models import Category, Region

from . import district as d
from . import walk

# (title, content, name, phone, the street's instructions, the community's report or "")
APPEALS = [
    (
        "小区楼道堆放杂物存在消防隐患",
        "景蓉华苑5栋楼道里堆满了纸箱和旧家具，已经堵住一半通道，担心发生火灾时无法疏散。",
        "黄先生",
        "13907310031",
        "请社区入户核实5栋楼道杂物情况，督促物业和住户清理，拍照反馈。",
        "已会同物业入户核实：5栋1至6层楼道纸箱和旧家具均已清理，共清出杂物约2车；"
        "已在各层张贴消防通道禁止堆放的提示，物业承诺每周巡查一次。现场照片已存档。",
    ),
    (
        "广场舞音响声音过大影响休息",
        "每天晚上八点到十点，景蓉社区中心广场的广场舞音响声音很大，家里有高考学生无法复习。",
        "吴女士",
        "13907310032",
        "请社区与广场舞队负责人沟通，协商音量和结束时间，三日内反馈。",
        "",
    ),
]


def subdispatch_seed() -> int:
    """The appeals made (0 when a sub-task exists or the units are missing)."""
    handler = User.objects.filter(username=d.MAIN_HANDLER, role=Role.HANDLER).first()
    community = User.objects.filter(username=d.COMMUNITY_HANDLER, role=Role.HANDLER).first()
    dispatcher = User.objects.filter(role=Role.DISPATCHER).order_by("pk").first()
    place = Region.objects.filter(name=d.SUBDISTRICTS[0][3][0]).first()
    category = (
        Category.objects.filter(path_name__endswith="/小区管理", is_active=True).first()
        or Category.objects.filter(level=3, is_active=True).order_by("pk").first()
    )
    if None in (handler, community, dispatcher, place, category):
        return 0
    assert handler is not None and community is not None and dispatcher is not None
    assert category is not None
    if SubAssignment.objects.exists() or handler.unit_id is None or community.unit_id is None:
        return 0
    staff, street, village = Actor.of(dispatcher), Actor.of(handler), Actor.of(community)
    for text in APPEALS:
        asked, report = text[4:]
        appeal = walk.appeal_new(text, channel=Channel.HOTLINE, place_text="景蓉华苑")
        walk.dispatched(
            appeal.pk,
            staff=staff,
            category_id=category.pk,
            region_id=place.pk if place else None,
            unit_id=handler.unit_id,
        )
        walk.acted(
            appeal.pk,
            street,
            [
                (Action.ACCEPT, ""),
                (Action.FIRST_CONTACT, "已电话联系诉求人，说明将请社区上门核实"),
            ],
        )
        due = Appeal.objects.get(pk=appeal.pk).resolve_due
        assert due is not None
        halfway = timezone.now() + (due - timezone.now()) / 2
        cases.appeal_sub_dispatch(
            appeal_id=appeal.pk,
            actor=street,
            expected_version=walk.version(appeal.pk),
            sub_unit=community.unit_id,
            sub_due=halfway.replace(second=0, microsecond=0),
            reason=asked,
        )
        if report:
            cases.appeal_sub_report(
                appeal_id=appeal.pk,
                actor=village,
                expected_version=walk.version(appeal.pk),
                reason=report,
            )
    return len(APPEALS)
