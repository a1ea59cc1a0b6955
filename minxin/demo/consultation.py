"""The demo's 征求意见 (基层立法联系点): three contact points, a draft whose feedback report is
published (comments from residents, a deputy and the contact points, each answered), and a
draft open for comment now. Through `consultation.services`, back-dated with their `at`.
Once: skipped when a consultation exists."""

# ruff: noqa: E501 - the demo drafts keep their articles on one line each
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.consultation.models import Comment, Consultation, ContactPoint
from minxin.consultation.services import (
    CommentDraft,
    ConsultationDraft,
    comment_answer,
    comment_moderate,
    comment_submit,
    consultation_act,
    consultation_create,
)
from minxin.consultation.workflow import CommentAction, ConsultationAction
from minxin.directory.models import Region, Unit

from . import district as d

POINTS = ("景蓉社区基层立法联系点", "望月湖街道基层立法联系点", "A3区律师协会基层立法联系点")

PROPERTY = """为了规范住宅小区物业管理活动，维护业主、物业使用人和物业服务企业的合法权益，营造和谐的居住环境，结合本区实际，制定本办法。

第一章 总则
第一条 本办法适用于本区行政区域内住宅小区的物业管理及其监督管理活动。
第二条 区住房和城乡建设局是本区物业管理的主管部门；街道办事处负责指导、协助辖区内业主大会成立和业主委员会选举，调解物业管理纠纷。
第二章 业主和业主委员会
第三条 业主委员会应当每季度公开一次业主共有部分的经营收益和使用情况，接受业主监督。
第四条 业主大会会议可以采用书面征求意见或者经街道办事处确认的电子投票方式召开。
第三章 物业服务
第五条 物业服务企业应当在小区显著位置公示物业服务内容、服务标准、收费项目和收费标准、投诉电话。
第六条 物业服务企业不得以停水、停电、限制业主车辆进出等方式催交物业费。
第七条 物业服务企业退出时，应当在三十日内移交物业服务用房、相关设施设备和资料。
"""

ELDERLY = """第一条 为了推进社区嵌入式养老服务，满足老年人就近养老需求，制定本实施意见。
第二条 各街道应当在每个社区至少设置一处老年人助餐点，八十周岁以上老年人助餐给予补贴。
第三条 鼓励利用闲置用房改建嵌入式养老服务中心，提供日间照料、康复护理和上门服务。
第四条 区民政局应当每年公布养老服务设施的名单、服务内容和收费标准。
"""

# (article number or 0 for the whole draft, source, author, text, decision, reason)
DONE = (
    (5, "citizen", "金桂居民", "建议公示内容增加公共收益（电梯广告、停车费）的收支明细，每季度更新。",
     "adopted", "已在第三条增加公共收益按季度公开的规定。"),
    (6, "citizen", "", "我们小区物业曾经停水催费，建议明确违规的处罚和投诉渠道。",
     "partly", "停水催费已明确禁止；处罚依据上位法执行，投诉渠道已在第五条公示内容中增加。"),
    (4, "deputy", "", "电子投票要保证一户一票，建议由街道统一提供投票平台。",
     "adopted", "已增加“使用区统一业主决策平台”的规定。"),
    (7, "contact_point", "", "老旧小区物业退出后出现真空期，建议明确街道临时托管的责任。",
     "adopted", "已增加第八条：物业服务企业退出后由街道组织应急物业服务。"),
    (2, "contact_point", "", "建议主管部门建立物业服务企业信用评价并向社会公布。",
     "partly", "信用评价已有市级规定，本办法增加引用条款。"),
    (0, "citizen", "网友“桂花坪老住户”", "希望物业费标准能够和服务质量挂钩，一年评一次。",
     "not_adopted", "物业费标准由业主大会与物业服务企业协商确定，不宜由本办法统一规定。"),
)  # fmt: skip

OPEN_COMMENTS = (
    (2, "建议助餐点的补贴年龄降到七十五周岁，很多七十多岁的老人也做不了饭。"),
    (3, "养老服务中心最好设在一楼，方便轮椅进出。"),
    (0, "希望能有上门送餐，行动不便的老人去不了助餐点。"),
)


def _points() -> list[ContactPoint]:
    made = []
    for name in POINTS:
        region = Region.objects.filter(name=name.split("基层")[0]).first()
        point, _ = ContactPoint.objects.get_or_create(name=name, defaults={"region": region})
        made.append(point)
    return made


def consultation_seed(*, now: datetime | None = None) -> int:
    """The consultations made (0 when one exists or the demo has no supervisor)."""
    now = now or timezone.now()
    office = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    moderator = User.objects.filter(role=Role.DISPATCHER).order_by("pk").first()
    deputy = User.objects.filter(role=Role.DEPUTY).order_by("pk").first()
    if office is None or moderator is None or Consultation.objects.exists():
        return 0
    points = _points()
    housing = Unit.objects.filter(name=next(n for s, n, _ in d.DEPARTMENTS if s == "zjj")).first()
    civil = Unit.objects.filter(name=next(n for s, n, _ in d.DEPARTMENTS if s == "mzj")).first()
    if housing is None or civil is None:
        return 0
    people = _People(office=office, moderator=moderator, deputy=deputy, points=points)
    _reported_seed(people, housing, start=now - timedelta(days=60))
    _open_seed(people, civil, now=now)
    return 2


@dataclass(frozen=True)
class _People:
    office: User  # the supervision office runs the consultations
    moderator: User
    deputy: User | None
    points: list[ContactPoint]


def _reported_seed(people: _People, housing: Unit, *, start: datetime) -> None:
    """The property-management draft: consulted for 30 days, closed, every comment answered,
    the report published."""
    office = people.office
    done = consultation_create(
        actor=office,
        draft=ConsultationDraft(
            title="《A3区住宅小区物业管理办法（征求意见稿）》",
            issuing_unit_id=housing.pk,
            body=PROPERTY,
            summary="物业服务是12345热线投诉最集中的事项之一。本办法针对收费不透明、停水催费、物业退出交接等问题起草，现公开征求意见。",
            opens_at=start,
            closes_at=start + timedelta(days=30),
        ),
        at=start,
    )
    consultation_act(
        actor=office, consultation_id=done.pk, action=ConsultationAction.PUBLISH, at=start
    )
    comments = _comments_gathered(people, done, start=start)
    closed = start + timedelta(days=31)
    consultation_act(
        actor=office, consultation_id=done.pk, action=ConsultationAction.CLOSE, at=closed
    )
    for comment, (_, _, _, _, decision, reason) in zip(comments, DONE, strict=True):
        comment_answer(
            actor=office,
            comment_id=comment.pk,
            decision=decision,
            reason=reason,
            at=closed + timedelta(days=5),
        )
    consultation_act(
        actor=office,
        consultation_id=done.pk,
        action=ConsultationAction.REPORT,
        reason="感谢各位居民、人大代表和基层立法联系点提出的宝贵意见，采纳情况如下。",
        at=closed + timedelta(days=10),
    )


def _comments_gathered(people: _People, done: Consultation, *, start: datetime) -> list[Comment]:
    """The comments of DONE, from citizens, a deputy and the contact points, all published."""
    articles = {n: a.pk for n, a in enumerate(done.articles.order_by("position"), start=1)}
    comments = []
    for k, (number, source, author, text, _, _) in enumerate(DONE):
        actor = people.deputy if source == "deputy" and people.deputy else None
        if source == "contact_point":
            actor = people.office
        comments.append(
            comment_submit(
                consultation_id=done.pk,
                actor=actor,
                draft=CommentDraft(
                    text=text,
                    article_id=articles.get(number),
                    author=author,
                    contact_point_id=people.points[k % len(people.points)].pk
                    if source == "contact_point"
                    else None,
                ),
                at=start + timedelta(days=2 + k * 3),
            )
        )
    for k, comment in enumerate(comments):
        comment_moderate(
            actor=people.moderator,
            comment_id=comment.pk,
            action=CommentAction.PUBLISH,
            at=start + timedelta(days=3 + k * 3),
        )
    return comments


def _open_seed(people: _People, civil: Unit, *, now: datetime) -> None:
    """The elderly-care draft, open for comments: two published, one waiting for moderation."""
    opened = now - timedelta(days=4)
    live = consultation_create(
        actor=people.office,
        draft=ConsultationDraft(
            title="《关于推进社区嵌入式养老服务的实施意见（征求意见稿）》",
            issuing_unit_id=civil.pk,
            body=ELDERLY,
            summary="为回应群众对就近养老、助餐服务的需求，区民政局起草了本实施意见。",
            opens_at=opened,
            closes_at=now + timedelta(days=20),
        ),
        at=opened,
    )
    consultation_act(
        actor=people.office, consultation_id=live.pk, action=ConsultationAction.PUBLISH, at=opened
    )
    live_articles = {n: a.pk for n, a in enumerate(live.articles.order_by("position"), start=1)}
    for k, (number, text) in enumerate(OPEN_COMMENTS):
        comment = comment_submit(
            consultation_id=live.pk,
            draft=CommentDraft(text=text, article_id=live_articles.get(number)),
            at=opened + timedelta(days=1, hours=k),
        )
        if k < 2:  # the last one waits for the moderator
            comment_moderate(
                actor=people.moderator,
                comment_id=comment.pk,
                action=CommentAction.PUBLISH,
                at=opened + timedelta(days=2, hours=k),
            )
