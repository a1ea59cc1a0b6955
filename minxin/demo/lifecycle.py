"""The demo's stream of appeals, each written as the services would have written it.

For each appeal: a status that suits its age, the message, the place and the citizen; a path
through TRANSITIONS that ends in that status with a time for each step (`paths`); and the
steps applied in memory by the very change functions the services apply (`steps`). The result
is the appeal row with its final fields and the rows of its history (events, assignments,
replies, ratings, extensions), ready for bulk insert.
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
from shapely.geometry.base import BaseGeometry

from minxin.accounts.models import User
from minxin.cases.models import Appeal, AppealKind, Channel
from minxin.cases.services import query_code_new, tracking_numbers_allocate
from minxin.cases.workflow import Action, AppealStatus
from minxin.deadlines import calendar
from minxin.deadlines.models import Urgency
from minxin.directory.models import Category, Region, Unit
from minxin.dispatch.selectors import region_chain, units_ranked
from minxin.review.models import ReviewRule

from . import district as d
from .boundaries import point_in
from .paths import Clock, Step, compose
from .steps import AppealPlan, AppealSteps
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
    S.REVIEWING, S.RESOLVED, S.RATED, S.FOLLOW_UP, S.ARCHIVED, S.INVALID, S.MERGED,
)  # fmt: skip
# fmt: off
_AGE_BANDS: Final[list[tuple[float, tuple[float, ...]]]] = [
    # age below  rcvd scrn disp retd acpt prog susp revw resd ratd foll arch invl mrgd  (days)
    (0.25,      (34,  20,  20,  0,   6,   5,   0,   0,   0,   0,   0,   0,   8,   7)),
    (1,         (5,   8,   20,  5,   18,  30,  0,   10,  0,   0,   0,   0,   6,   6)),
    (3,         (0,   0,   4,   4,   6,   52,  5,   15,  16,  2,   0,   0,   5,   6)),
    (10,        (0,   0,   0,   1,   0,   28,  5,   0,   27,  15,  5,   9,   4,   6)),
    (14,        (0,   0,   0,   0,   0,   12,  3,   0,   8,   12,  5,   50,  4,   6)),
    (20,        (0,   0,   0,   0,   0,   3,   3,   0,   4,   9,   5,   66,  4,   6)),
    (math.inf,  (0,   0,   0,   0,   0,   0.8, 1,   0,   0,   2,   1.5, 84,  4,   6)),
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
# The share of each door's appeals that come with coordinates (the phone page asks for the
# location, Open311 apps send it, officials mark their visits).
LOCATED_SHARE: Final[dict[str, float]] = {Channel.WEB: 0.6, Channel.API: 0.5, Channel.VISIT: 0.8}
LOCATED_SEED: Final = 12345
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


@dataclass
class World:
    """What the seeder built, as the lifecycle needs it (nothing here is read from the
    database again)."""

    district: Region
    jurisdiction_id: int
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
    # Community outlines by region id (the generated map), where located appeals are drawn.
    shapes: dict[int, BaseGeometry] = field(default_factory=dict)
    # The centre's review rules (办结审核), categories linked to the world's.
    review_rules: list[ReviewRule] = field(default_factory=list)


@dataclass(frozen=True)
class _Source:
    title: str
    content: str
    label: str  # the message's top-level class, when it has one
    reply: str  # the real reply that came with the message
    community_id: int
    leaf: Category | None = None  # a duplicate's is its original's
    target: Appeal | None = None  # the original a duplicate repeats


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
        self.clock = Clock(
            rng=rng,
            tz=self.tz,
            now=self.now,
            archive_after=timedelta(days=settings.MINXIN["ARCHIVE_UNRATED_AFTER_DAYS"]),
        )
        self.index = 0
        self.seen: set[AppealStatus] = set()

        self._categories_index(world)
        self.channels = _Weighted(_CHANNELS)
        self.kinds = _Weighted(_KINDS)
        self.urgencies = _Weighted(_URGENCIES)
        self.titles = _Weighted(_TITLES)
        self.hours = _Weighted(dict(enumerate(_HOURS)))
        self.bands = [
            (limit, _Weighted(dict(zip(_BAND_STATUSES, weights, strict=True))))
            for limit, weights in _AGE_BANDS
        ]
        self._places_index(world)

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
        # Where located appeals lie: drawn from a stream of its own, so the rest of the demo
        # is the same with or without a map.
        self.where = random.Random(LOCATED_SEED)  # noqa: S311 - demo data, not a secret  # nosec B311

    def _categories_index(self, world: World) -> None:
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

    def _places_index(self, world: World) -> None:
        """Each community's subdistrict and office, and its weight (its subdistrict's, shared)."""
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
        status, made_up = self._status_for(age)
        if status == S.MERGED and not self.merge_pool:
            status = S.INVALID  # nothing received before it to be a duplicate of
        self.index += 1

        channel: str = self.channels.pick(rng)
        steps = compose(rng, status, age, channel)
        screened = any(s.action == A.SCREEN for s in steps)
        source = self._source(status, answered=any(s.action == A.RESOLVE for s in steps))
        # The category and urgency are set by screening; unscreened appeals have none yet.
        leaf = (source.leaf or self._leaf_for(source.label)) if screened else None
        if status == S.REVIEWING and made_up:
            # The policy draws only part of the replies: a make-up one goes to a class whose
            # replies are all reviewed, or chance could pass it and leave the status out.
            leaf = self._always_reviewed_leaf() or leaf
        community = self.community_by_id[source.community_id]
        appellant = self._appellant()
        urgency: str = self.urgencies.pick(rng) if screened else Urgency.NORMAL
        appeal = self._appeal_new(
            tracking_number, received_at, channel, source, community, appellant
        )
        plan = AppealPlan(appeal=appeal, merge_target=source.target)
        self.clock.schedule(steps, received_at, urgency)
        status = self._archived_if_unrated(steps, status)
        AppealSteps(
            self, plan, leaf=leaf, community=community, urgency=urgency, reply=source.reply
        ).run(steps)
        # A reply meant to wait for review that the policy lets through is released at once.
        released = status == S.REVIEWING and appeal.status == S.RESOLVED
        assert appeal.status == status or released, (
            appeal.status,
            status,
            [s.action for s in steps],
        )
        self.seen.add(AppealStatus(appeal.status))
        if status not in (S.MERGED, S.INVALID):
            self.merge_pool.append(appeal)
        return plan

    def _source(self, status: AppealStatus, *, answered: bool) -> _Source:
        """The text and place: a duplicate repeats an earlier appeal, the rest are real
        messages (with their real reply when the appeal gets one)."""
        if status == S.MERGED:
            target = self.rng.choice(list(self.merge_pool)[-16:])
            assert target.region_id is not None
            leaf = self.leaf_by_id[target.category_id] if target.category_id is not None else None
            return _Source(target.title, target.content, "", "", target.region_id, leaf, target)
        message = self._message(answered)
        community_id = self.communities.pick(self.rng).pk
        return _Source(message.title, message.content, message.label, message.reply, community_id)

    def _appeal_new(
        self,
        tracking_number: str,
        received_at: datetime,
        channel: str,
        source: _Source,
        community: Region,
        appellant: tuple[str, str, bool],
    ) -> Appeal:
        """The appeal as it was received: no category, normal urgency, no status yet (the
        receive step gives it its first)."""
        name, phone, anonymous = appellant
        kind = AppealKind.SUGGESTION if channel == Channel.SUGGESTION else self._kind(source.title)
        place = self.subdistrict_of[community.pk].name + community.name
        appeal = Appeal(
            tracking_number=tracking_number,
            query_code=query_code_new(),
            jurisdiction_id=self.world.jurisdiction_id,
            channel=channel,
            kind=kind,
            title=source.title,
            content=source.content,
            place_text=place if self.rng.random() < 0.7 else "",
            region_id=community.pk,
            appellant_name=name,
            appellant_phone=phone,
            is_anonymous=anonymous,
            received_at=received_at,
            created_at=received_at,
        )
        appeal.latitude, appeal.longitude = self._location(channel, source.community_id)
        appeal.status = ""  # before the receive event
        return appeal

    def _location(self, channel: str, region_id: int) -> tuple[Decimal | None, Decimal | None]:
        """A citizen on the phone page shares the location more often than not, an official
        on a visit marks it; the hotline and the other doors bring no coordinates."""
        area = self.world.shapes.get(region_id)
        share = LOCATED_SHARE.get(channel, 0.0)
        if area is None or self.where.random() >= share:
            return None, None
        lat, lng = point_in(area, self.where)
        return Decimal(str(lat)), Decimal(str(lng))

    def _archived_if_unrated(self, steps: list[Step], status: AppealStatus) -> AppealStatus:
        """Unrated for longer than the rating period: the nightly job has archived it."""
        last = steps[-1].at
        assert last is not None
        if status == S.RESOLVED and last < self.now - self.clock.archive_after:
            archived_at = (
                last + self.clock.archive_after + timedelta(hours=self.rng.uniform(0.5, 12))
            )
            if archived_at < self.now:
                steps.append(Step(A.ARCHIVE, "system", at=archived_at))
                return S.ARCHIVED
        return status

    def _status_for(self, age: float) -> tuple[AppealStatus, bool]:
        """The status the appeal ends in, and whether it makes up for one chance left out."""
        # The last few appeals make up for statuses chance left out, so every one occurs.
        missing = [s for s in AppealStatus if s not in self.seen]
        if missing and self.total - self.index <= len(missing):
            return missing[0], True
        for limit, weights in self.bands:
            if age < limit:
                status: AppealStatus = weights.pick(self.rng)
                return status, False
        raise AssertionError("the last band has no limit")

    def _always_reviewed_leaf(self) -> Category | None:
        """A leaf of a class the review policy reviews in full (district-wide rules only)."""
        for rule in self.world.review_rules:
            if (
                rule.sample_percent >= 100
                and rule.pass_score is None
                and rule.unit_id is None
                and rule.category is not None
            ):
                prefix = rule.category.path_name
                for leaves in self.leaves_by_top.values():
                    for leaf in leaves:
                        if leaf.path_name == prefix or leaf.path_name.startswith(prefix + "/"):
                            return leaf
        return None

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
        """The units the routing rules name for a category and place, ranked as dispatch
        ranks them (`units_ranked`), over the rules loaded once instead of a query per pair."""
        key = (category.pk, community.pk)
        units = self.route_cache.get(key)
        if units is None:
            chain = category.ancestors_and_self()
            units = units_ranked(
                category_ids=[c.pk for c in chain],
                region_ids=[r.pk if r else None for r in region_chain(community)],
                rules=(
                    (c.pk, region_id, unit)
                    for c in chain
                    for region_id, unit in self.world.rules.get(c.pk, ())
                ),
            )
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
