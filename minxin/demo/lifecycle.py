"""One demo appeal's life, written as the services would have written it.

For each appeal: a status that suits its age, a path through TRANSITIONS that ends in that
status, times for each step (staff act in their working hours), and then the steps applied in
memory, each checked against the table and `cases.permissions.refusal` exactly as
`appeal_transition` checks them. The result is the appeal row with its final fields and the
rows of its history (events, assignments, replies, ratings, extensions), ready for bulk insert.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Any, Final

from django.conf import settings
from django.utils import timezone

from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.accounts.roles import Role
from minxin.cases.machine import APPEALS
from minxin.cases.models import (
    Appeal,
    AppealEvent,
    AppealKind,
    Assignment,
    AssignmentRole,
    Channel,
    Extension,
    ExtensionStatus,
    Reply,
)
from minxin.cases.services import query_code_new, tracking_numbers_allocate
from minxin.cases.workflow import TRANSITIONS, Action, AppealStatus, Satisfaction
from minxin.deadlines import calendar
from minxin.deadlines.models import Urgency
from minxin.directory.models import Category, Region, Unit, UnitKind
from minxin.feedback.models import Rating

from . import district as d
from .texts import Message

S = AppealStatus
A = Action

DAYS_BACK: Final = 90
# Received at least this long before `now`, so every later step fits before it.
FRESHEST: Final = timedelta(minutes=2)

# Share of the appeals of an age in each status: young ones are still open, old ones archived.
# Appeals in progress at 10-14 days are near their 10-working-day limit, older ones overdue.
_BAND_STATUSES: Final = (
    S.RECEIVED, S.SCREENED, S.DISPATCHED, S.RETURNED, S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED,
    S.RESOLVED, S.RATED, S.FOLLOW_UP, S.ARCHIVED, S.INVALID, S.MERGED,
)  # fmt: skip
# fmt: off
_AGE_BANDS: Final[list[tuple[float, tuple[float, ...]]]] = [
    # age below  rcvd scrn disp retd acpt prog susp resd ratd foll arch invl mrgd  (days)
    (0.25,      (34,  20,  20,  0,   6,   5,   0,   0,   0,   0,   0,   8,   7)),
    (1,         (5,   8,   20,  5,   18,  30,  0,   0,   0,   0,   0,   6,   6)),
    (3,         (0,   0,   4,   4,   6,   52,  5,   16,  2,   0,   0,   5,   6)),
    (10,        (0,   0,   0,   1,   0,   28,  5,   27,  15,  5,   9,   4,   6)),
    (14,        (0,   0,   0,   0,   0,   12,  3,   8,   12,  5,   50,  4,   6)),
    (20,        (0,   0,   0,   0,   0,   3,   3,   4,   9,   5,   66,  4,   6)),
    (math.inf,  (0,   0,   0,   0,   0,   0.8, 1,   0,   2,   1.5, 84,  4,   6)),
]
# fmt: on

_CHANNELS: Final = {
    Channel.HOTLINE: 40,
    Channel.WEB: 22,
    Channel.BOARD: 20,
    Channel.API: 6,
    Channel.VISIT: 5,
    Channel.IMPORT: 4,
    Channel.SUGGESTION: 3,
}
_KINDS: Final = {
    AppealKind.COMPLAINT: 45,
    AppealKind.HELP: 25,
    AppealKind.INQUIRY: 15,
    AppealKind.SUGGESTION: 10,
    AppealKind.REPORT: 5,
}
# The first keyword found in the title decides the kind.
_KIND_WORDS: Final = [
    (("表扬", "感谢", "点赞"), AppealKind.PRAISE),
    (("举报",), AppealKind.REPORT),
    (("投诉",), AppealKind.COMPLAINT),
    (("建议", "希望"), AppealKind.SUGGESTION),
    (("求助", "帮助", "帮忙", "救助"), AppealKind.HELP),
    (("咨询", "请问", "如何", "能否", "是否", "？", "?"), AppealKind.INQUIRY),
]
_URGENCIES: Final = {Urgency.NORMAL: 92, Urgency.URGENT: 6.5, Urgency.CRITICAL: 1.5}
# Calls by the hour of the day.
_HOURS: Final = [
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.5, 3.5, 3.0,
    2.0, 2.5, 3.0, 3.0, 2.8, 2.5, 2.0, 1.8, 1.5, 1.2, 0.8, 0.4,
]  # fmt: skip

_SURNAMES: Final = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛阎段雷侯龙史黎贺顾毛郝龚"
)
_TITLES: Final = {"先生": 40, "女士": 36, "阿姨": 6, "师傅": 6, "大爷": 3, "同学": 4, "老师": 5}
_NICKNAMES: Final = ("网友", "热心市民", "一位业主", "附近居民", "家长")

_REASONS: Final[dict[Action, tuple[str, ...]]] = {
    A.MARK_INVALID: (
        "内容与政务诉求无关",
        "广告推销信息",
        "内容空白，无法联系诉求人核实",
        "测试信息",
        "来电内容不完整，诉求人未说明具体事项",
    ),
    A.RESTORE: ("经核实为有效诉求，恢复受理", "诉求人补充了具体事项，恢复受理"),
    A.RETURN: (
        "该事项不属于本单位职责范围，请重新派单",
        "诉求地点不在本辖区，请核实后转辖区单位办理",
        "涉及多个部门职责，请明确主办单位",
        "该事项已进入司法程序，不属于本单位办理范围",
    ),
    A.FIRST_CONTACT: (
        "已电话联系诉求人，了解具体情况",
        "已与诉求人取得联系，约定现场查看时间",
        "电话未接通，已发送短信告知受理情况及办理人联系方式",
        "已上门走访诉求人，听取具体诉求",
    ),
    A.NOTE: (
        "已安排工作人员现场核查",
        "已协调相关单位共同处理",
        "已约谈物业公司负责人，要求限期整改",
        "正在制定整改方案",
        "已下发责令整改通知书",
        "已会同社区召开协调会",
    ),
    A.REQUEST_EXTENSION: (
        "涉及多个部门协调，需延长办理时间",
        "需等待施工条件具备后整改",
        "整改资金需走审批程序",
        "需诉求相关方提供材料，时间较长",
    ),
    A.APPROVE_EXTENSION: ("", "同意延期，请在延长期限内办结"),
    A.REFUSE_EXTENSION: ("延期理由不充分，请按期办结", "该事项可在原时限内办结"),
    A.SUSPEND: (
        "请诉求人补充具体地址及楼栋号",
        "请诉求人提供相关票据照片",
        "请诉求人补充事发时间和经过",
    ),
    A.RESUME: ("", "诉求人已补充材料"),
    A.FOLLOW_UP: (
        "电话回访诉求人，诉求人表示问题仍未解决",
        "回访诉求人，诉求人对处理时效不满意",
        "回访诉求人，诉求人认为答复未回应核心问题",
    ),
    A.REOPEN: (
        "请承办单位重新核查，并在时限内答复诉求人",
        "答复未回应诉求人核心问题，请重新办理",
    ),
    A.CLOSE: (
        "经核实已按政策答复到位，诉求人要求超出政策范围，予以办结",
        "承办单位已依法依规处理，诉求人仍不满意，经审核予以办结",
    ),
}
_COMMENTS: Final[dict[Satisfaction, tuple[str, ...]]] = {
    Satisfaction.SATISFIED: ("", "", "处理及时，谢谢", "问题已解决，感谢", "工作人员态度很好"),
    Satisfaction.BASICALLY_SATISFIED: ("", "基本解决了，希望加强后续管理", "处理有点慢"),
    Satisfaction.DISSATISFIED: ("问题没有实际解决", "答复敷衍，没有现场查看", "处理时间太长"),
}
_SECOND_REPLIES: Final = (
    "您好！针对您对前次答复不满意的情况，我单位高度重视，已再次安排工作人员现场核查，"
    "相关问题已整改到位。感谢您的监督。",
    "您好！经重新核查，我单位已会同相关单位制定整改措施并落实，后续将加强日常巡查。"
    "如有疑问请联系承办人。",
    "您好！您反映的问题经重新办理，已督促责任方完成整改，并将整改情况电话告知您。",
)
_SYSTEM_ARCHIVE_REASON: Final = "超过评价期限未评价，自动归档"


@dataclass
class World:
    """What the seeder built, as the lifecycle needs it (nothing here is read from the
    database again)."""

    district: Region
    subdistricts: list[Region]
    subdistrict_weights: list[int]
    communities: list[list[Region]]  # per subdistrict, same order
    hotline: Unit
    supervision: Unit
    offices: list[Unit]  # per subdistrict, same order
    departments: list[Unit]
    categories: dict[str, Category]  # by path_name, parents linked
    handlers: dict[int, User]  # unit id → its handler
    call_takers: list[User]
    dispatchers: list[User]
    supervisors: list[User]
    messages: list[Message]
    # Active routing rules by category id: (region id or None, unit).
    rules: dict[int, list[tuple[int | None, Unit]]] = field(default_factory=dict)
    limits: dict[tuple[int, str], tuple[Decimal, int]] = field(default_factory=dict)


@dataclass
class AppealPlan:
    appeal: Appeal
    events: list[AppealEvent] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    ratings: list[tuple[Rating, Reply]] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    merge_target: Appeal | None = None


@dataclass
class _Step:
    action: Action
    by: str  # "citizen", "system", "call_taker", "dispatcher", "handler", "assist", "supervisor"
    variant: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class _Who:
    role: Role
    user_id: int | None = None
    unit_id: int | None = None


_CITIZEN: Final = _Who(Role.CITIZEN)
_SYSTEM: Final = _Who(Role.SYSTEM)


class _Weighted:
    """A weighted choice with the cumulative weights computed once (it runs per appeal)."""

    def __init__(self, weights: Mapping[Any, float]) -> None:
        self.population = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random) -> Any:
        return rng.choices(self.population, cum_weights=self.cumulative)[0]


class Lifecycle:
    def __init__(self, *, world: World, rng: random.Random, now: datetime, total: int) -> None:
        self.world = world
        self.rng = rng
        self.tz = timezone.get_default_timezone()
        self.now = now.astimezone(self.tz)
        self.total = total
        self.archive_after = timedelta(days=settings.MINXIN["ARCHIVE_UNRATED_AFTER_DAYS"])
        self.index = 0
        self.seen: set[AppealStatus] = set()

        # Sorted here, not by the database: collations differ, the seed's choices must not.
        leaves = sorted(
            (c for c in world.categories.values() if c.level == 3), key=lambda c: c.path_name
        )
        self.leaves_by_top: dict[str, list[Category]] = {}
        for leaf in leaves:
            self.leaves_by_top.setdefault(leaf.path_name.split("/", 1)[0], []).append(leaf)
        self.leaf_by_id = {leaf.pk: leaf for leaf in leaves}
        self.top_weights = _Weighted(
            {top: d.TOP_WEIGHTS.get(top, 0.5) for top in sorted(self.leaves_by_top)}
        )
        self.channels = _Weighted(_CHANNELS)
        self.kinds = _Weighted(_KINDS)
        self.urgencies = _Weighted(_URGENCIES)
        self.titles = _Weighted(_TITLES)
        self.hours = _Weighted(dict(enumerate(_HOURS)))
        self.bands = [
            (limit, _Weighted(dict(zip(_BAND_STATUSES, weights, strict=True))))
            for limit, weights in _AGE_BANDS
        ]
        self.office_of = {
            region.pk: office
            for region, office in zip(world.subdistricts, world.offices, strict=True)
        }
        self.subdistrict_of: dict[int, Region] = {}
        self.community_by_id: dict[int, Region] = {}
        community_weights: dict[Region, float] = {}
        for subdistrict, weight, communities in zip(
            world.subdistricts, world.subdistrict_weights, world.communities, strict=True
        ):
            for community in communities:
                self.subdistrict_of[community.pk] = subdistrict
                self.community_by_id[community.pk] = community
                community_weights[community] = weight / len(communities)
        self.communities = _Weighted(community_weights)

        # Texts: a shuffled deck of all messages, and one of those with a reply for appeals
        # that get answered (so the answer fits the question).
        self.deck_all = list(range(len(world.messages)))
        self.deck_replied = [i for i, m in enumerate(world.messages) if m.reply]
        rng.shuffle(self.deck_all)
        rng.shuffle(self.deck_replied)
        self.cursor_all = 0
        self.cursor_replied = 0

        self.route_cache: dict[tuple[int, int], list[Unit]] = {}
        self.days_cache: dict[tuple[date, int], datetime] = {}
        self.merge_pool: deque[Appeal] = deque(maxlen=64)
        self.appellants: deque[tuple[str, str, bool]] = deque(maxlen=300)

    # --- the stream -------------------------------------------------------------------

    def plans(self) -> Iterator[AppealPlan]:
        """Appeals in the order they were received, tracking numbers reserved day by day."""
        for day, count in self._per_day():
            if count == 0:
                continue
            numbers = tracking_numbers_allocate(day=day, count=count)
            times = sorted(self._received_at(day) for _ in range(count))
            for number, received_at in zip(numbers, times, strict=True):
                yield self._plan(number, received_at)

    def _per_day(self) -> list[tuple[date, int]]:
        """Split the total over the last DAYS_BACK days: fewer on days off, a slow rise, and
        today only as far as it has gone. Largest remainder, so the counts add up exactly."""
        today = self.now.date()
        days = [today - timedelta(days=n) for n in range(DAYS_BACK - 1, -1, -1)]
        weights: list[float] = []
        for i, day in enumerate(days):
            weight = (1.0 if calendar.is_working_day(day) else 0.55) * (0.85 + 0.3 * i / DAYS_BACK)
            if day == today:
                elapsed = self.now - datetime.combine(today, dtime(0), tzinfo=self.tz) - FRESHEST
                weight *= max(0.0, elapsed.total_seconds()) / 86400
            weights.append(weight)
        total_weight = sum(weights)
        shares = [self.total * w / total_weight for w in weights]
        counts = [int(s) for s in shares]
        by_remainder = sorted(range(len(days)), key=lambda i: shares[i] - counts[i], reverse=True)
        for i in by_remainder[: self.total - sum(counts)]:
            counts[i] += 1
        return list(zip(days, counts, strict=True))

    def _received_at(self, day: date) -> datetime:
        midnight = datetime.combine(day, dtime(0), tzinfo=self.tz)
        latest = min(86399.0, (self.now - FRESHEST - midnight).total_seconds())
        for _ in range(50):
            hour: int = self.hours.pick(self.rng)
            seconds = hour * 3600 + self.rng.randrange(3600)
            if seconds <= latest:
                return midnight + timedelta(seconds=seconds)
        return midnight + timedelta(seconds=self.rng.uniform(0, max(0.0, latest)))

    # --- one appeal -------------------------------------------------------------------

    def _plan(self, tracking_number: str, received_at: datetime) -> AppealPlan:
        rng = self.rng
        age = (self.now - received_at).total_seconds() / 86400
        status = self._status_for(age)
        if status == S.MERGED and not self.merge_pool:
            status = S.INVALID  # nothing received before it to be a duplicate of
        self.index += 1

        channel: str = self.channels.pick(rng)
        steps = self._compose(status, age, channel)
        answered = any(s.action == A.RESOLVE for s in steps)
        screened = any(s.action == A.SCREEN for s in steps)

        target: Appeal | None = None
        leaf: Category | None = None
        if status == S.MERGED:
            target = rng.choice(list(self.merge_pool)[-16:])
            title, content, label, reply = target.title, target.content, "", ""
            assert target.region_id is not None
            community_id = target.region_id
            if target.category_id is not None:
                leaf = self.leaf_by_id[target.category_id]
        else:
            message = self._message(answered)
            title, content, label, reply = (
                message.title,
                message.content,
                message.label,
                message.reply,
            )
            community_id = self.communities.pick(rng).pk
        # The category and urgency are set by screening; unscreened appeals have none yet.
        leaf = (leaf or self._leaf_for(label)) if screened else None
        community = self.community_by_id[community_id]
        name, phone, anonymous = self._appellant()
        urgency: str = self.urgencies.pick(rng) if screened else Urgency.NORMAL

        appeal = Appeal(
            tracking_number=tracking_number,
            query_code=query_code_new(),
            channel=channel,
            kind=AppealKind.SUGGESTION if channel == Channel.SUGGESTION else self._kind(title),
            title=title,
            content=content,
            place_text=(
                f"{self.subdistrict_of[community.pk].name}{community.name}"
                if rng.random() < 0.7
                else ""
            ),
            region_id=community.pk,
            category_id=leaf.pk if leaf is not None else None,
            urgency=urgency,
            appellant_name=name,
            appellant_phone=phone,
            is_anonymous=anonymous,
            received_at=received_at,
            created_at=received_at,
        )
        appeal.status = ""  # before the receive event
        plan = AppealPlan(appeal=appeal, merge_target=target)
        self._schedule(steps, received_at, urgency)
        last = steps[-1].at
        assert last is not None
        if status == S.RESOLVED and last < self.now - self.archive_after:
            # Unrated for longer than the rating period: the nightly job has archived it.
            archived_at = last + self.archive_after + timedelta(hours=rng.uniform(0.5, 12))
            if archived_at < self.now:
                steps.append(_Step(A.ARCHIVE, "system", at=archived_at))
                status = S.ARCHIVED
        _Apply(self, plan, leaf, community, reply).run(steps)
        assert appeal.status == status, (appeal.status, status, [s.action for s in steps])
        self.seen.add(status)
        if status not in (S.MERGED, S.INVALID):
            self.merge_pool.append(appeal)
        return plan

    def _status_for(self, age: float) -> AppealStatus:
        # The last few appeals make up for statuses chance left out, so every one occurs.
        missing = [s for s in AppealStatus if s not in self.seen]
        if missing and self.total - self.index <= len(missing):
            return missing[0]
        for limit, weights in self.bands:
            if age < limit:
                status: AppealStatus = weights.pick(self.rng)
                return status
        raise AssertionError("the last band has no limit")

    def _compose(self, status: AppealStatus, age: float, channel: str) -> list[_Step]:
        """The steps of a path through TRANSITIONS that ends in `status`."""
        r = self.rng.random
        received_by_channel: dict[str, str] = {
            Channel.HOTLINE: "call_taker",
            Channel.VISIT: "dispatcher",
            Channel.API: "system",
            Channel.IMPORT: "system",
        }
        steps = [_Step(A.RECEIVE, received_by_channel.get(channel, "citizen"))]
        if status == S.RECEIVED:
            if r() < 0.03:
                steps += [_Step(A.MARK_INVALID, "dispatcher"), _Step(A.RESTORE, "supervisor")]
            return steps
        if status in (S.INVALID, S.MERGED):
            if r() < 0.3:
                steps.append(_Step(A.SCREEN, "dispatcher"))
            action = A.MARK_INVALID if status == S.INVALID else A.MERGE
            steps.append(
                _Step(action, "dispatcher" if r() < 0.9 or action == A.MARK_INVALID else "system")
            )
            return steps
        if r() < 0.01:
            restorer = "supervisor" if r() < 0.5 else "dispatcher"
            steps += [_Step(A.MARK_INVALID, "dispatcher"), _Step(A.RESTORE, restorer)]
        steps.append(_Step(A.SCREEN, "dispatcher"))
        if status == S.SCREENED:
            return steps
        steps.append(_Step(A.DISPATCH, "dispatcher"))
        if status == S.RETURNED:
            return [*steps, _Step(A.RETURN, "handler")]
        if r() < 0.05:
            steps += [_Step(A.RETURN, "handler"), _Step(A.DISPATCH, "dispatcher", "again")]
        if status == S.DISPATCHED:
            return steps
        steps.append(_Step(A.ACCEPT, "handler"))
        if status == S.ACCEPTED:
            return steps
        steps.append(_Step(A.FIRST_CONTACT, "handler"))
        # A few appeals in progress are back from a dissatisfied rating (重办).
        reopened = status == S.IN_PROGRESS and age > 8 and r() < 0.12
        still_open = status == S.IN_PROGRESS and not reopened
        steps += self._handling(age if still_open else 0.0, pending_ok=still_open)
        if still_open:
            return steps
        if status == S.SUSPENDED:
            return [*steps, _Step(A.SUSPEND, "handler")]
        steps.append(_Step(A.RESOLVE, "handler"))
        if reopened:
            return [
                *steps,
                _Step(A.RATE_DISSATISFIED, "rater"),
                _Step(A.FOLLOW_UP, "caller"),
                _Step(A.REOPEN, "supervisor"),
            ]
        if status == S.RESOLVED:
            return steps
        if status == S.RATED:
            return [*steps, _Step(A.RATE, "rater")]
        if status == S.FOLLOW_UP:
            steps.append(_Step(A.RATE_DISSATISFIED, "rater"))
            if r() < 0.5:
                steps.append(_Step(A.FOLLOW_UP, "caller"))
            return steps
        assert status == S.ARCHIVED
        x = r()
        if x < 0.22 and age > 12:
            return [*steps, _Step(A.ARCHIVE, "system")]  # never rated: archived after 7 days
        if x < 0.86:
            return [*steps, _Step(A.RATE, "rater"), _Step(A.ARCHIVE, "supervisor")]
        steps += [_Step(A.RATE_DISSATISFIED, "rater"), _Step(A.FOLLOW_UP, "caller")]
        if x < 0.93:
            return [*steps, _Step(A.CLOSE, "supervisor")]
        return [
            *steps,
            _Step(A.REOPEN, "supervisor"),
            _Step(A.NOTE, "handler"),
            _Step(A.RESOLVE, "handler", "again"),
            _Step(A.RATE, "rater"),
            _Step(A.ARCHIVE, "supervisor"),
        ]

    def _handling(self, open_for: float, *, pending_ok: bool) -> list[_Step]:
        """Notes, a pause for the citizen, an extension: what happens while in progress.
        `open_for` > 0 for an appeal still in progress after that many days: more notes."""
        r = self.rng.random
        steps: list[_Step] = []
        notes = self.rng.choices((0, 1, 2), weights=(55, 35, 10))[0] + min(3, int(open_for / 6))
        for _ in range(notes):
            steps.append(_Step(A.NOTE, "assist" if r() < 0.15 else "handler"))
        if r() < 0.04:
            steps += [_Step(A.SUSPEND, "handler"), _Step(A.RESUME, "handler")]
        if r() < 0.06 + (0.1 if open_for > 10 else 0.0):
            steps.append(_Step(A.REQUEST_EXTENSION, "handler"))
            if not (pending_ok and r() < 0.3):
                decider = "dispatcher" if r() < 0.6 else "supervisor"
                decision = A.APPROVE_EXTENSION if r() < 0.8 else A.REFUSE_EXTENSION
                steps.append(_Step(decision, decider))
        return steps

    # --- times ------------------------------------------------------------------------

    def _schedule(self, steps: list[_Step], received_at: datetime, urgency: str) -> None:
        # Urgent matters are taken on and the citizen called at once, by whoever is on duty.
        haste = {Urgency.URGENT: 0.25, Urgency.CRITICAL: 0.08}.get(Urgency(urgency), 1.0)
        at = received_at
        steps[0].at = at
        for step in steps[1:]:
            gap = self._gap(step)
            if step.action in (A.DISPATCH, A.ACCEPT, A.FIRST_CONTACT) and haste < 1:
                at += timedelta(hours=gap * haste)
            else:
                at = self._within_hours(at + timedelta(hours=gap), step.by)
            step.at = at
        limit = self.now - timedelta(seconds=30)
        last = steps[-1].at
        assert last is not None
        if last > limit:
            # The nominal path does not fit before now: squeeze it into the time there is.
            # The nightly job archives only after the 7 days to rate: a supervisor does here.
            for step in steps:
                if step.action == A.ARCHIVE:
                    step.by = "supervisor"
            factor = (limit - received_at) / (last - received_at)
            previous = received_at
            for step in steps[1:]:
                assert step.at is not None
                moved = received_at + (step.at - received_at) * factor
                step.at = max(moved, previous + timedelta(milliseconds=1))
                previous = step.at

    def _gap(self, step: _Step) -> float:
        """Hours since the previous step."""
        rng = self.rng

        def exp(mean: float) -> float:
            return rng.expovariate(1 / mean)

        action = step.action
        if action == A.SCREEN:
            return 0.05 + exp(0.8)
        if action in (A.MARK_INVALID, A.MERGE):
            return 0.1 + exp(1.5)
        if action == A.RESTORE:
            return 2 + exp(12)
        if action == A.DISPATCH:
            return 0.5 + exp(6) if step.variant == "again" else 0.05 + exp(1.5)
        if action == A.RETURN:
            return 0.5 + exp(8)
        if action == A.ACCEPT:
            return 0.05 + exp(2)
        if action == A.FIRST_CONTACT:
            return 0.2 + exp(3)
        if action == A.NOTE:
            return 4 + exp(24)
        if action == A.REQUEST_EXTENSION:
            return 24 + exp(60)
        if action in (A.APPROVE_EXTENSION, A.REFUSE_EXTENSION):
            return 1 + exp(8)
        if action == A.SUSPEND:
            return 4 + exp(24)
        if action == A.RESUME:
            return 12 + exp(48)
        if action == A.RESOLVE:
            median_days = 4.0 if step.variant == "again" else 2.0
            return max(2.0, 24 * rng.lognormvariate(math.log(median_days), 0.75))
        if action in (A.RATE, A.RATE_DISSATISFIED):
            return 1 + exp(30)
        if action == A.FOLLOW_UP:
            return 4 + exp(24)
        if action == A.REOPEN:
            return 1 + exp(12)
        if action == A.CLOSE:
            return 4 + exp(48)
        if action == A.ARCHIVE:
            if step.by == "system":  # the nightly job, once the 7 days to rate are over
                return self.archive_after.total_seconds() / 3600 + rng.uniform(0.5, 24)
            return 4 + exp(48)
        raise AssertionError(f"no gap for {action}")

    def _within_hours(self, at: datetime, by: str) -> datetime:
        """Move a step to when its actor works: offices on working days 8:30–17:30, the
        dispatchers 8:00–22:00 and the hotline 8:30–21:00 every day."""
        local = at.astimezone(self.tz)
        minutes = local.hour * 60 + local.minute
        if by in ("handler", "assist", "supervisor"):
            if calendar.is_working_day(local.date()) and 510 <= minutes < 1050:
                return at
            day = local.date() if minutes < 510 else local.date() + timedelta(days=1)
            while not calendar.is_working_day(day):
                day += timedelta(days=1)
            start = datetime.combine(day, dtime(8, 30), tzinfo=self.tz)
            return start + timedelta(minutes=self.rng.uniform(0, 120))
        window = {"dispatcher": (480, 1320), "call_taker": (510, 1260), "caller": (510, 1260)}.get(
            by
        )
        if window is None or window[0] <= minutes < window[1]:
            return at
        day = local.date() if minutes < window[0] else local.date() + timedelta(days=1)
        start = datetime.combine(day, dtime(0), tzinfo=self.tz) + timedelta(minutes=window[0])
        return start + timedelta(minutes=self.rng.uniform(0, 60))

    # --- content ----------------------------------------------------------------------

    def _message(self, answered: bool) -> Message:
        if answered:
            if self.cursor_replied >= len(self.deck_replied):
                self.rng.shuffle(self.deck_replied)
                self.cursor_replied = 0
            index = self.deck_replied[self.cursor_replied]
            self.cursor_replied += 1
        else:
            if self.cursor_all >= len(self.deck_all):
                self.rng.shuffle(self.deck_all)
                self.cursor_all = 0
            index = self.deck_all[self.cursor_all]
            self.cursor_all += 1
        return self.world.messages[index]

    def _leaf_for(self, label: str) -> Category:
        # Labelled messages keep their top-level class; the rest are guessed by weight until
        # triage suggests categories.
        top = label if label in self.leaves_by_top else self.top_weights.pick(self.rng)
        return self.rng.choice(self.leaves_by_top[top])

    def _kind(self, title: str) -> str:
        for words, kind in _KIND_WORDS:
            if any(w in title for w in words):
                return kind
        guessed: str = self.kinds.pick(self.rng)
        return guessed

    def _appellant(self) -> tuple[str, str, bool]:
        rng = self.rng
        if self.appellants and rng.random() < 0.07:
            return rng.choice(self.appellants)  # someone who has called before
        if rng.random() < 0.15:
            nickname = f"{rng.choice(_NICKNAMES)}" if rng.random() < 0.4 else ""
            phone = self._phone() if rng.random() < 0.3 else ""
            person = (nickname, phone, True)
        else:
            person = (rng.choice(_SURNAMES) + self.titles.pick(rng), self._phone(), False)
        self.appellants.append(person)
        return person

    def _phone(self) -> str:
        rng = self.rng
        return f"1{rng.choice('356789')}{rng.randrange(10**9):09d}"

    # --- routing and limits -----------------------------------------------------------

    def routes(self, category: Category, community: Region) -> list[Unit]:
        """The units the routing rules name for a category and place, most specific first:
        the ranking of dispatch.selectors.units_suggested_for (tests check they agree), over
        the rules loaded once instead of a query per pair."""
        key = (category.pk, community.pk)
        units = self.route_cache.get(key)
        if units is None:
            chain = category.ancestors_and_self()
            regions: list[int | None] = []
            node: Region | None = community
            while node is not None:
                regions.append(node.pk)
                node = node.parent
            regions.append(None)
            ranked = sorted(
                (
                    (c_rank, regions.index(region_id), unit)
                    for c_rank, c in enumerate(chain)
                    for region_id, unit in self.world.rules.get(c.pk, ())
                    if region_id in regions
                ),
                key=lambda item: (item[0], item[1]),
            )
            units = []
            for _, _, unit in ranked:
                if unit not in units:
                    units.append(unit)
            self.route_cache[key] = units
        return units

    def add_days(self, at: datetime, days: int) -> datetime:
        # add_working_days depends on the date only: one computation per date and count.
        key = (at.astimezone(self.tz).date(), days)
        due = self.days_cache.get(key)
        if due is None:
            due = calendar.add_working_days(at, days)
            self.days_cache[key] = due
        return due


class _Apply:
    """Apply the scheduled steps to one appeal as appeal_transition and the services would."""

    def __init__(
        self,
        life: Lifecycle,
        plan: AppealPlan,
        leaf: Category | None,
        community: Region,
        reply: str,
    ) -> None:
        self.life = life
        self.rng = life.rng
        self.plan = plan
        self.appeal = plan.appeal
        self.leaf = leaf
        self.community = community
        self.reply_text = reply
        self.active: list[Assignment] = []
        self.returned_by: set[int] = set()
        self.pending: Extension | None = None

    def run(self, steps: list[_Step]) -> None:
        for step in steps:
            assert step.at is not None
            self._step(step, step.at)
        appeal = self.appeal
        appeal.version = len(self.plan.events)
        appeal.updated_at = self.plan.events[-1].created_at

    def _who(self, by: str) -> _Who:
        life, rng = self.life, self.rng
        has_phone = bool(self.appeal.appellant_phone)
        if by == "rater":
            # The citizen rates with the query code, or the hotline calls back and asks;
            # without a phone number only the first.
            by = "citizen" if not has_phone or rng.random() < 0.35 else "call_taker"
        elif by == "caller":
            # A follow-up is a call from the hotline or a supervisor's visit.
            by = "call_taker" if has_phone and rng.random() < 0.6 else "supervisor"
        if by == "citizen":
            return _CITIZEN
        if by == "system":
            return _SYSTEM
        if by in ("handler", "assist"):
            unit_id = self.appeal.lead_unit_id
            assists = [a.unit_id for a in self.active if a.role == AssignmentRole.ASSIST]
            if by == "assist" and assists:
                unit_id = rng.choice(assists)
            assert unit_id is not None
            return _Who(Role.HANDLER, life.world.handlers[unit_id].pk, unit_id)
        pool = {
            "call_taker": life.world.call_takers,
            "dispatcher": life.world.dispatchers,
            "supervisor": life.world.supervisors,
        }[by]
        user = pool[0] if len(pool) == 1 or rng.random() < 0.6 else rng.choice(pool[1:])
        return _Who(Role(user.role), user.pk, user.unit_id)

    def _reason(self, action: Action) -> str:
        return self.rng.choice(_REASONS[action])

    def _step(self, step: _Step, at: datetime) -> None:
        appeal, action = self.appeal, step.action
        who = self._who(step.by)
        from_status = appeal.status
        transition = TRANSITIONS[action]
        if action == A.RECEIVE:
            assert from_status == "" and who.role in transition.roles
        else:
            why_not = APPEALS.refusal(
                actor=Actor(role=who.role, unit_id=who.unit_id),
                action=action,
                status=AppealStatus(from_status),
                lead_unit_id=appeal.lead_unit_id,
                assisting_unit_ids=frozenset(
                    a.unit_id for a in self.active if a.role == AssignmentRole.ASSIST
                ),
            )
            if why_not is not None:
                raise AssertionError(f"demo path breaks the rules at {action}: {why_not}")
        reason = ""
        payload: dict[str, Any] = {}
        handler = getattr(self, f"_do_{action.value}", None)
        if handler is not None:
            reason, payload = handler(who, at)
        elif action in _REASONS:
            reason = self._reason(action)
        if transition.needs_reason and not reason:
            raise AssertionError(f"demo path gives {action} no {transition.reason_label}")
        appeal.status = transition.target or from_status
        self.plan.events.append(
            AppealEvent(
                actor_id=who.user_id,
                actor_unit_id=who.unit_id,
                actor_role=who.role.value,
                action=action.value,
                from_status=from_status,
                to_status=appeal.status,
                reason=reason,
                payload=payload,
                created_at=at,
            )
        )

    # Each _do_<action> sets the fields its service sets and returns (reason, payload).

    def _do_receive(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        self.appeal.created_by_id = who.user_id
        return "", {"channel": self.appeal.channel, "photos": 0}

    def _do_screen(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        assert self.leaf is not None
        appeal = self.appeal
        return "", {
            "category": self.leaf.path_name,
            "region_id": appeal.region_id,
            "urgency": appeal.urgency,
        }

    def _do_merge(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        target = self.plan.merge_target
        assert target is not None
        return (
            f"与{target.tracking_number}反映同一事项，合并办理",
            {"merged_into": target.tracking_number},
        )

    def _do_dispatch(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        life, appeal, leaf = self.life, self.appeal, self.leaf
        assert leaf is not None and appeal.category_id is not None
        suggested = [u for u in life.routes(leaf, self.community) if u.pk not in self.returned_by]
        candidates = [u for u in suggested if u.pk in life.world.handlers]
        if candidates:
            lead = candidates[0]
        else:  # no rule fits, or every suggestion sent it back: the dispatcher decides
            lead = self.rng.choice(
                [u for u in life.world.departments if u.pk not in self.returned_by]
            )
        assists: list[Unit] = []
        if self.rng.random() < 0.12:
            if lead.kind == UnitKind.SUBDISTRICT:
                assists = [self.rng.choice(life.world.departments)]
            else:
                subdistrict = life.subdistrict_of[self.community.pk]
                assists = [life.office_of[subdistrict.pk]]
        first_contact_hours, resolve_days = life.world.limits[(appeal.category_id, appeal.urgency)]
        first_contact_due = calendar.add_working_hours(at, first_contact_hours)
        resolve_due = life.add_days(at, resolve_days)
        appeal.lead_unit_id = lead.pk
        appeal.dispatched_at = at
        appeal.first_contact_due = first_contact_due
        appeal.resolve_due = resolve_due
        appeal.first_contacted_at = None
        for assignment in self.active:
            assignment.is_active = False
            assignment.ended_at = at
            assignment.end_reason = "重新派单"
        self.active = [
            Assignment(
                unit_id=unit.pk,
                role=role,
                assigned_at=at,
                assigned_by_id=who.user_id,
            )
            for unit, role in [(lead, AssignmentRole.LEAD)]
            + [(u, AssignmentRole.ASSIST) for u in assists]
        ]
        self.plan.assignments += self.active
        return "", {
            "lead_unit": lead.name,
            "assist_units": [u.name for u in assists],
            "first_contact_due": first_contact_due.isoformat(),
            "resolve_due": resolve_due.isoformat(),
        }

    def _do_return(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        appeal = self.appeal
        reason = self._reason(A.RETURN)
        assert appeal.lead_unit_id is not None
        self.returned_by.add(appeal.lead_unit_id)
        appeal.lead_unit_id = None
        appeal.first_contact_due = None
        appeal.resolve_due = None
        for assignment in self.active:
            assignment.is_active = False
            assignment.ended_at = at
            assignment.end_reason = f"退单：{reason[:400]}"
        self.active = []
        return reason, {"unit_id": who.unit_id}

    def _do_first_contact(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        self.appeal.first_contacted_at = at
        return self._reason(A.FIRST_CONTACT), {}

    def _do_request_extension(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        days = self.rng.randint(3, 10)
        reason = self._reason(A.REQUEST_EXTENSION)
        assert who.user_id is not None and who.unit_id is not None
        self.pending = Extension(
            unit_id=who.unit_id,
            requested_by_id=who.user_id,
            days=days,
            reason=reason,
            status=ExtensionStatus.PENDING,
            created_at=at,
        )
        self.plan.extensions.append(self.pending)
        return reason, {"days": days}

    def _decide(self, who: _Who, at: datetime, approve: bool) -> tuple[str, dict[str, Any]]:
        pending = self.pending
        assert pending is not None
        action = A.APPROVE_EXTENSION if approve else A.REFUSE_EXTENSION
        reason = self._reason(action)
        payload: dict[str, Any] = {"days": pending.days}
        if approve and self.appeal.resolve_due is not None:
            self.appeal.resolve_due = calendar.add_working_days(
                self.appeal.resolve_due, pending.days
            )
            payload["resolve_due"] = self.appeal.resolve_due.isoformat()
        pending.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        pending.decided_by_id = who.user_id
        pending.decided_at = at
        pending.decision_reason = reason
        self.pending = None
        return reason, payload

    def _do_approve_extension(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        return self._decide(who, at, approve=True)

    def _do_refuse_extension(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        return self._decide(who, at, approve=False)

    def _do_suspend(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        self.appeal.paused_at = at
        return self._reason(A.SUSPEND), {}

    def _do_resume(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        appeal = self.appeal
        paused = calendar.working_seconds_between(appeal.paused_at, at) if appeal.paused_at else 0
        if appeal.resolve_due is not None:
            appeal.resolve_due = calendar.add_working_seconds(appeal.resolve_due, paused)
        appeal.paused_at = None
        return self._reason(A.RESUME), {"paused_working_seconds": paused}

    def _do_resolve(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        appeal = self.appeal
        content = self.reply_text if not self.plan.replies else self.rng.choice(_SECOND_REPLIES)
        if not content:  # a duplicate's text has no reply of its own
            content = self.rng.choice(_SECOND_REPLIES)
        appeal.resolved_at = at
        appeal.satisfaction = ""
        assert who.unit_id is not None
        self.plan.replies.append(
            Reply(unit_id=who.unit_id, author_id=who.user_id, content=content, created_at=at)
        )
        return content, {}

    def _rate(
        self, who: _Who, at: datetime, satisfaction: Satisfaction
    ) -> tuple[str, dict[str, Any]]:
        comment = self.rng.choice(_COMMENTS[satisfaction])
        self.appeal.satisfaction = satisfaction
        rating = Rating(
            satisfaction=satisfaction,
            comment=comment,
            by_staff=who.role != Role.CITIZEN,
            created_at=at,
        )
        self.plan.ratings.append((rating, self.plan.replies[-1]))
        return comment, {"satisfaction": satisfaction.value}

    def _do_rate(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        satisfied = self.rng.random() < 0.75
        choice = Satisfaction.SATISFIED if satisfied else Satisfaction.BASICALLY_SATISFIED
        return self._rate(who, at, choice)

    def _do_rate_dissatisfied(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        return self._rate(who, at, Satisfaction.DISSATISFIED)

    def _do_reopen(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        appeal = self.appeal
        assert appeal.category_id is not None
        _, resolve_days = self.life.world.limits[(appeal.category_id, appeal.urgency)]
        appeal.resolve_due = self.life.add_days(at, resolve_days)
        appeal.resolved_at = None
        appeal.satisfaction = ""
        appeal.reopen_count += 1
        return self._reason(A.REOPEN), {"resolve_due": appeal.resolve_due.isoformat()}

    def _do_close(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        self.appeal.closed_at = at
        return self._reason(A.CLOSE), {}

    def _do_archive(self, who: _Who, at: datetime) -> tuple[str, dict[str, Any]]:
        self.appeal.closed_at = at
        return (_SYSTEM_ARCHIVE_REASON if who.role == Role.SYSTEM else ""), {}
