"""The demo's 议事厅: four topics of the busiest street's communities through
`deliberation.services` — one deliberated whose decisions are followed through (a note done,
an appeal in the loop, a candidate project), one closed with every decision done, one
scheduled after its residents' support passed the threshold, one collecting support. Once:
skipped when a topic exists."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.deliberation.models import Topic
from minxin.deliberation.services import (
    DecisionDraft,
    TopicDraft,
    decision_record,
    topic_close,
    topic_hold,
    topic_propose,
    topic_schedule,
    topic_support,
)
from minxin.directory.models import Region, RegionLevel
from minxin.notify.phone import phone_hash
from minxin.projects.models import Programme

from . import district as d

TOPICS = (
    ("景蓉华苑东侧空地堆放杂物，能否改建口袋公园",
     "小区东侧空地长期堆放建筑垃圾和杂物，夏天蚊虫多。建议清理后改建为口袋公园，增设座椅和健身器材。"),
    ("桂花坪小区夜间停车难，能否错时共享周边单位车位",
     "小区车位不足，夜间车辆停满消防通道。建议与周边机关单位协商夜间错时共享车位。"),
    ("金桂社区老年人助餐点选址",
     "社区拟设老年人助餐点，请大家商量放在哪里更方便：社区服务中心一楼还是菜市场旁的闲置门面。"),
    ("景蓉社区电动自行车集中充电棚建设",
     "楼道里飞线充电存在安全隐患，建议在小区内建设集中充电棚，费用如何分担请大家商量。"),
)  # fmt: skip


def _resident(n: int) -> str:
    return phone_hash(f"1370000{n:04d}")


def deliberation_seed(*, now: datetime | None = None) -> int:
    """The topics made (0 when one exists or the street has no handler)."""
    now = now or timezone.now()
    handler = User.objects.filter(username=d.MAIN_HANDLER, role=Role.HANDLER).first()
    office = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    street = Region.objects.filter(name=d.SUBDISTRICTS[0][1]).first()
    if handler is None or office is None or street is None or Topic.objects.exists():
        return 0
    communities = list(
        Region.objects.filter(parent=street, level=RegionLevel.COMMUNITY).order_by("code")
    )
    if not communities:
        return 0
    made = _proposed(communities, now=now)
    meeting = "景蓉社区党群服务中心二楼议事厅"
    for topic in made[:3]:
        topic_schedule(
            actor=handler,
            topic_id=topic.pk,
            meeting_at=now + timedelta(days=5),
            place=meeting,
            at=topic.created_at + timedelta(days=3),
        )
    for topic, minutes in zip(made[:2], MINUTES, strict=True):
        topic_hold(actor=handler, topic_id=topic.pk, minutes=minutes, participants=PARTICIPANTS)
    _decided(made[0], made[1], handler=handler, office=office, now=now)
    return len(made)


# Who came to the two meetings held, and what each agreed.
PARTICIPANTS = {
    "residents": ["王秀兰", "李建华", "陈国平", "赵丽"],
    "committee": ["景蓉社区居委会"],
    "property": ["金桂物业服务有限公司"],
    "deputies": ["王秀兰（区人大代表）"],
    "units": ["桂花坪街道城管办"],
}
MINUTES = (
    "与会居民一致同意清理空地并改建口袋公园；物业三日内清运杂物；"
    "空地内违章搭建请城管部门依法拆除；口袋公园建设列为候选民生项目。",
    "经协商，街道出面与周边两家单位签订夜间错时共享协议，居民按月登记车牌；"
    "消防通道划线并安装监控。",
)


def _proposed(communities: list[Region], *, now: datetime) -> list[Topic]:
    """The four topics, proposed by residents; the first three passed the support threshold
    (10), the last is collecting."""
    made = []
    for n, (title, description) in enumerate(TOPICS):
        made.append(
            topic_propose(
                draft=TopicDraft(
                    title=title,
                    description=description,
                    region_id=communities[n % len(communities)].pk,
                    proposer=("景蓉老住户", "桂花坪居民", "", "")[n],
                ),
                phone_hash=_resident(1000 + n),
                at=now - timedelta(days=(40, 30, 12, 3)[n]),
            )
        )
    for n, topic in enumerate(made):
        for k in range((14, 11, 10, 4)[n]):
            topic_support(
                topic_id=topic.pk,
                phone_hash=_resident(k),
                at=now - timedelta(days=(38, 28, 10, 2)[n], hours=-k),
            )
    return made


def _decided(park: Topic, parking: Topic, *, handler: User, office: User, now: datetime) -> None:
    """The park's decisions (a note, an appeal, a candidate project) and the parking topic's
    notes, which close it."""
    decision_record(
        actor=handler, topic_id=park.pk, draft=DecisionDraft("物业三日内清运空地杂物", "note",
        note="物业已于议事会后第二天清运完毕。"),
    )  # fmt: skip
    decision_record(
        actor=handler,
        topic_id=park.pk,
        draft=DecisionDraft("请城管部门拆除空地内违章搭建", "appeal"),
    )
    programme = Programme.objects.filter(year=timezone.localdate(now).year + 1).first()
    if programme is not None:
        decision_record(
            actor=office,
            topic_id=park.pk,
            draft=DecisionDraft("口袋公园建设（座椅、健身器材、绿化）", "project",
                                programme_id=programme.pk),
        )  # fmt: skip
    for text, note in (
        ("街道与周边单位签订夜间错时共享停车协议", "已与两家单位签约，提供夜间车位86个。"),
        ("消防通道划线禁停，物业每晚巡查", "已划线，物业每晚22时巡查并登记。"),
    ):
        decision_record(
            actor=handler, topic_id=parking.pk, draft=DecisionDraft(text, "note", note=note)
        )
    topic_close(actor=handler, topic_id=parking.pk)
