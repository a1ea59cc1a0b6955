"""Demo data for the other doors in: message-board posts (moderated, some answered, with 附议),
citizens' suggestions at every outcome, and officials' visits. Unlike the bulk appeal history,
everything here goes through the real services, so it is small (tens of records) and its
appeals are counted like any other (their change rows are applied by the metrics)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.board.models import BoardPost
from minxin.board.services import appeal_support, post_create, post_moderate, supporter_hash
from minxin.cases import services as cases
from minxin.cases.models import AppealKind
from minxin.cases.workflow import Action
from minxin.directory.models import Category, Region, RegionLevel, Unit, UnitKind
from minxin.suggestions.models import Suggestion, SuggestionField
from minxin.suggestions.services import (
    SuggestionDraft,
    suggestion_adopt,
    suggestion_decline,
    suggestion_forward,
    suggestion_review_start,
    suggestion_submit,
)
from minxin.suggestions.workflow import SuggestionAction
from minxin.visits.models import Visit
from minxin.visits.services import MatterDraft, VisitDraft, visit_record

from . import walk
from .texts import Message

NICKNAMES = [
    "怡居居民",
    "东塘老街坊",
    "晨跑的小李",
    "桂花坪业主",
    "夜班司机",
    "退休教师王",
    "热心市民",
]

SUGGESTIONS: list[tuple[str, str, str]] = [
    (
        SuggestionField.TRANSPORT,
        "建议在地铁口增设非机动车停放区",
        "早晚高峰地铁口共享单车乱停放，建议划定停放区并安排专人引导。",
    ),
    (
        SuggestionField.URBAN,
        "建议老旧小区加装电梯统一规划",
        "很多老旧小区有加装电梯的需求，建议街道统一规划、简化审批流程。",
    ),
    (
        SuggestionField.ENVIRONMENT,
        "建议在河道沿线增设垃圾分类投放点",
        "沿河步道游客多，垃圾桶少且未分类，建议增设分类投放点。",
    ),
    (
        SuggestionField.EDUCATION,
        "建议学校周边设置护学岗",
        "上下学时段校门口车辆拥堵，建议设置护学岗和临时停车点。",
    ),
    (
        SuggestionField.HOUSING,
        "建议公开物业维修资金使用情况",
        "业主对维修资金使用不了解，建议定期在小区公告栏公开明细。",
    ),
    (
        SuggestionField.URBAN,
        "建议夜市规范经营时间和区域",
        "夜市噪音和油烟影响居民休息，建议划定经营区域和时间。",
    ),
    (
        SuggestionField.TRANSPORT,
        "建议优化社区公交接驳线路",
        "社区到地铁站距离较远，建议开通接驳微循环公交。",
    ),
    (
        SuggestionField.ENVIRONMENT,
        "建议公园增加宠物友好区域",
        "宠物在公园随意活动引发矛盾，建议划定宠物活动区。",
    ),
]

VISIT_MATTERS: list[list[tuple[str, str]]] = [
    [
        ("小区路灯损坏多日", "走访时居民反映3栋前路灯损坏一周，夜间出行不便。"),
        ("楼道堆放杂物存在消防隐患", "5栋楼道堆放纸箱和电动车，堵塞消防通道。"),
    ],
    [("农贸市场周边占道经营", "市场门口摊贩占道，早高峰车辆通行困难。")],
    [
        ("老旧管网漏水", "居民反映地下管网老化，雨后路面常有积水渗漏。"),
        ("独居老人需要上门服务", "走访发现独居老人行动不便，希望社区提供助餐服务。"),
    ],
]


@dataclass
class ChannelReport:
    posts: int = 0
    suggestions: int = 0
    visits: int = 0


def channels_seed(*, messages: list[Message], rng: random.Random) -> ChannelReport:
    """Add the demo's posts, suggestions and visits (skipped when they exist already)."""
    report = ChannelReport()
    if BoardPost.objects.exists() or Suggestion.objects.exists() or Visit.objects.exists():
        return report
    report.posts = _posts_seed(messages, rng)
    report.suggestions = _suggestions_seed(rng)
    report.visits = _visits_seed()
    return report


def _staff(username: str) -> User:
    return User.objects.get(username=username)


def _posts_seed(messages: list[Message], rng: random.Random) -> int:
    moderator = _staff("dispatcher")
    dispatcher = Actor.of(moderator)
    leaves = list(Category.objects.filter(level=3, is_active=True).order_by("pk")[:200])
    streets = list(Unit.objects.filter(kind=UnitKind.SUBDISTRICT, is_active=True).order_by("pk"))
    communities = list(Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("pk")[:50])
    picked = rng.sample([m for m in messages if m.reply], 18)
    for i, message in enumerate(picked):
        post = post_create(
            nickname=NICKNAMES[i % len(NICKNAMES)],
            kind=AppealKind.COMPLAINT,
            title=message.title,
            content=message.content,
            phone=f"139{rng.randrange(10**8):08d}" if i % 3 else "",
        ).post
        if i >= 15:  # left for the moderation queue
            continue
        post = post_moderate(
            actor=moderator,
            post_id=post.pk,
            action="keep_private" if i == 14 else "publish",
            expected_version=post.version,
            reason="涉及个人纠纷，不宜公开" if i == 14 else "",
        )
        for reader in range(rng.randrange(0, 12) if i < 14 else 0):
            appeal_support(
                appeal_id=post.appeal_id, supporter=supporter_hash(reader_id=f"demo-{i}-{reader}")
            )
        if i < 8:  # answered: screened, dispatched, handled and replied
            _answer(
                post.appeal_id,
                dispatcher,
                rng.choice(leaves),
                rng.choice(streets),
                rng.choice(communities),
                message.reply,
            )
    return len(picked)


def _answer(
    appeal_id: int,
    dispatcher: Actor,
    category: Category,
    street: Unit,
    community: Region,
    reply: str,
) -> None:
    handler = User.objects.filter(unit=street, role=Role.HANDLER).order_by("pk").first()
    if handler is None:
        return
    handling = Actor.of(handler)

    walk.dispatched(
        appeal_id,
        staff=dispatcher,
        category_id=category.pk,
        region_id=community.pk,
        unit_id=street.pk,
    )
    walk.acted(
        appeal_id,
        handling,
        [(Action.ACCEPT, ""), (Action.FIRST_CONTACT, "已联系网友了解情况")],
    )
    cases.reply_submit(
        appeal_id=appeal_id,
        actor=handling,
        expected_version=walk.version(appeal_id),
        reason=reply[:4000],
    )


def _suggestions_seed(rng: random.Random) -> int:
    supervisor = Actor.of(_staff("supervisor"))
    leader = Actor.of(_staff("leader"))
    departments = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("pk"))
    outcomes = ["forward", "report", "endorse", "decline", "forward", "review", "", ""]
    for (field, title, content), outcome in zip(SUGGESTIONS, outcomes, strict=True):
        suggestion = suggestion_submit(
            actor=Actor.citizen(),
            draft=SuggestionDraft(
                field=field,
                title=title,
                content=content,
                proposer_name=rng.choice(["李先生", "王女士", ""]),
                proposer_phone=f"137{rng.randrange(10**8):08d}",
            ),
        ).suggestion
        if not outcome:
            continue
        suggestion = suggestion_review_start(
            suggestion_id=suggestion.pk, actor=supervisor, expected_version=suggestion.version
        )
        if outcome == "forward":
            suggestion_forward(
                suggestion_id=suggestion.pk,
                actor=supervisor,
                expected_version=suggestion.version,
                unit_id=rng.choice(departments).pk if departments else None,
                reason="建议可行，转相关部门研究落实",
            )
        elif outcome == "report":
            suggestion_adopt(
                suggestion_id=suggestion.pk,
                action=SuggestionAction.REPORT,
                actor=supervisor,
                expected_version=suggestion.version,
                reason="涉及全市统筹，报送市级部门",
            )
        elif outcome == "endorse":
            suggestion_adopt(
                suggestion_id=suggestion.pk,
                action=SuggestionAction.ENDORSE,
                actor=leader,
                expected_version=suggestion.version,
                reason="很好的建议，请相关部门抓紧落实",
            )
        elif outcome == "decline":
            suggestion_decline(
                suggestion_id=suggestion.pk,
                actor=supervisor,
                expected_version=suggestion.version,
                reason="已有相关规划正在实施，感谢您的建议",
            )
    return len(SUGGESTIONS)


def _visits_seed() -> int:
    streets = list(Unit.objects.filter(kind=UnitKind.SUBDISTRICT, is_active=True).order_by("pk"))
    communities = list(Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("pk")[:10])
    done = 0
    for i, matters in enumerate(VISIT_MATTERS):
        street = streets[i % len(streets)]
        official = User.objects.filter(unit=street, role=Role.HANDLER).order_by("pk").first()
        if official is None or not communities:
            continue
        visit_record(
            actor=Actor.of(official),
            draft=VisitDraft(
                place_text=f"{communities[i].name}居民议事会",
                visited_at=timezone.now() - timedelta(days=3 * (i + 1)),
                met_text="社区居民代表8人、楼栋长2人",
                region_id=communities[i].pk,
                participant_ids=(official.pk,),
                participants_text="社区党委书记",
                notes="一线工作法：逐户走访，现场收集问题。",
            ),
            matters=[MatterDraft(title=t, content=c) for t, c in matters],
        )
        done += 1
    return done
