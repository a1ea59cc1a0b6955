"""Reads of the figures' screens: the dashboard's aggregates and the period they cover.

The period's figures are sums over the pre-aggregated cells (metrics/facts.py: one row per
day and key, so the cost follows the period's length, not the number of appeals); what depends
on the open appeals now (overdue, near the deadline) is counted live over that bounded set."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from minxin.accounts.models import User
from minxin.cases.models import Appeal, Channel
from minxin.cases.selectors import overdue_q
from minxin.cases.workflow import OPEN_STATUSES, AppealStatus
from minxin.core.errors import NotFound
from minxin.core.posted import date_or_none
from minxin.core.replica import reporting_reads
from minxin.directory.models import Category, Jurisdiction, Region, RegionLevel
from minxin.directory.selectors import of_district
from minxin.supervision.models import Clock, DeadlineWarning, WarningLevel
from minxin.triage.hotspots import ActiveHotspot, hotspot_members_among, hotspots_active
from minxin.triage.nlp.hotspots import heat_index

from .facts import CATEGORY, CHANNEL, REGION
from .metrics import RateRow, group_key, period_bounds, rates_for
from .models import Export, ExportStatus, MetricCell

DEFAULT_PERIOD_DAYS: Final = 30
MAX_PERIOD_DAYS: Final = 3660
TOP_CATEGORIES: Final = 10
PANEL_ROWS: Final = 8
# Hotspots and repeats are about what is happening now: the panels look at the period's last
# 30 days (and at most MATTER_SCAN matters), which also bounds their cost on a long history.
MATTER_WINDOW_DAYS: Final = 30
# The open-appeal figures (SLA, overdue per subdistrict, hotspots) are at most this old; the
# periodic task refreshes the default period's every minute.
LIVE_SECONDS: Final = 120
MATTER_SCAN: Final = 500
LOW_SATISFACTION_MIN_RATED: Final = 5


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period_from(params: Mapping[str, str], today: date | None = None) -> Period:
    """The period of the `start`/`end` GET parameters; the last 30 days (today included) by
    default or when they make no sense."""
    today = today or timezone.localdate()
    end = date_or_none(params.get("end")) or today
    start = date_or_none(params.get("start")) or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if start > end or (end - start).days >= MAX_PERIOD_DAYS:
        end = today
        start = end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    return Period(start, end)


@dataclass(frozen=True)
class Districts:
    """Whose figures a viewer sees: one district's (`chosen`, a jurisdiction) or every
    district's (None), and the districts a viewer of the city may pick from (`options`, empty
    for a district's staff and on a district's own install)."""

    chosen: int | None
    options: list[tuple[int, str]]


def districts_for(*, user: User, asked: str | None = None) -> Districts:
    """A district's staff see their district's figures; the city's (above the districts) see
    every district's, or the one they ask for (`?district=`). On an install of one district
    both are the whole install: read with no district at all, as before there were several.
    One query (the user's district is cached on the user)."""
    districts = list(Jurisdiction.objects.order_by("pk").values_list("pk", "name"))
    if len(districts) <= 1:
        return Districts(chosen=None, options=[])
    own = user.jurisdiction_scope
    if own is not None:
        return Districts(chosen=own, options=[])
    chosen = next((pk for pk, _ in districts if str(pk) == asked), None)
    return Districts(chosen=chosen, options=districts)


def near_deadline_q() -> Q:
    """Open appeals that got a yellow warning for the deadline they now have (warnings are
    raised by `deadline_warnings_raise`, which measures the working time used); overdue ones
    are counted as overdue, not here."""
    yellow = DeadlineWarning.objects.filter(appeal=OuterRef("pk"), level=WarningLevel.YELLOW)
    return Q(status__in=OPEN_STATUSES) & (
        Q(Exists(yellow.filter(clock=Clock.RESOLVE, due=OuterRef("resolve_due"))))
        | Q(
            Exists(yellow.filter(clock=Clock.FIRST_CONTACT, due=OuterRef("first_contact_due"))),
            first_contacted_at__isnull=True,
        )
    )


@dataclass(frozen=True)
class Sla:
    open: int
    near: int
    overdue: int


@dataclass(frozen=True)
class Matter:
    """One matter behind several appeals: the appeal the others were merged into."""

    appeal_id: int
    tracking_number: str
    title: str
    appeals: int  # the appeal and its merged duplicates in the window
    people: int  # distinct callers among them
    supports: int  # readers' 附议 on the appeal


@dataclass(frozen=True)
class LowSatisfaction:
    category_id: int
    name: str
    satisfied: int
    rated: int

    @property
    def rate(self) -> float:
        return self.satisfied / self.rated


@dataclass(frozen=True)
class Dashboard:
    period: Period
    district: RateRow
    sla: Sla
    days: list[str]
    by_channel: dict[str, list[int]]  # channel label -> count per day
    categories: list[tuple[int, str, int]]  # (id, name, appeals), most first
    regions: list[tuple[int, str, int, int]]  # (id, name, received, overdue now)
    matters_since: date  # the hotspot and repeat panels look at the period's last days
    hotspots: list[Matter]  # many people, one matter
    repeats: list[Matter]  # the same person again and again
    low_satisfaction: list[LowSatisfaction]


def _cells(dim: str, period: Period, district: int | None) -> Any:
    return MetricCell.objects.filter(
        of_district(district), dim=dim, day__gte=period.start, day__lte=period.end
    )


def _hotspots(since: datetime, hi: datetime, district: int | None) -> list[ActiveHotspot]:
    """The active hotspots with an appeal in [since, hi), a district's when given (a hotspot
    is its first appeal's district: one place); hottest first, PANEL_ROWS of them."""
    stored = hotspots_active(
        since=since,
        until=hi,
        scan=MATTER_SCAN,
        rows=PANEL_ROWS if district is None else MATTER_SCAN,
    )
    if district is None:
        return stored
    ours = set(
        Appeal.objects.filter(
            pk__in=[h.appeal_id for h in stored], jurisdiction_id=district
        ).values_list("pk", flat=True)
    )
    return [h for h in stored if h.appeal_id in ours][:PANEL_ROWS]


def _merged_groups(since: datetime, hi: datetime, district: int | None) -> list[Any]:
    """The appeals merged in [since, hi), by the appeal they were merged into: how many, how
    many callers, how many by that appeal's own caller; the largest first."""
    return list(
        Appeal.objects.filter(
            of_district(district),
            status=AppealStatus.MERGED,
            received_at__gte=since,
            received_at__lt=hi,
        )
        .values("merged_into")
        .annotate(
            n=Count("pk"),
            people=Count("appellant_phone", distinct=True, filter=~Q(appellant_phone="")),
            same=Count("pk", filter=Q(appellant_phone=F("merged_into__appellant_phone"))),
        )
        .order_by("-n")[:MATTER_SCAN]
    )


def _matters(
    since: datetime, hi: datetime, district: int | None = None
) -> tuple[list[Matter], list[Matter]]:
    """Hotspots (集中投诉) and repeats (反复诉求) with an appeal in [since, hi).

    Hotspots: the place-and-matter hotspots triage grows (`triage.hotspots`, the code of
    `minxin triage hotspots`), and the matters a dispatcher merged appeals of several callers
    into that are in none of those; hottest first by the heat index of `triage.nlp.hotspots`.
    Repeats: appeals merged by the caller of the appeal they were merged into. Bounded by
    MATTER_WINDOW_DAYS and MATTER_SCAN, over the (status, received_at) index. A district's
    are those of its appeals (a hotspot is its first appeal's district: one place)."""
    stored = _hotspots(since, hi, district)
    groups = _merged_groups(since, hi, district)
    ids: list[int] = [g["merged_into"] or 0 for g in groups]  # never None: merged rows have one
    targets = {
        pk: (number, title, phone)
        for pk, number, title, phone in Appeal.objects.filter(pk__in=ids).values_list(
            "pk", "tracking_number", "title", "appellant_phone"
        )
    }
    # 附议 are the board's (board.AppealSupport), counted through the appeal's `supports`.
    supports = dict(
        Appeal.objects.filter(pk__in=ids, supports__isnull=False)
        .values("pk")
        .annotate(n=Count("supports"))
        .values_list("pk", "n")
    )
    covered = hotspot_members_among(appeal_ids=ids, hotspot_ids=[h.hotspot_id for h in stored])
    hot: list[tuple[float, Matter]] = [
        (
            h.heat,
            Matter(
                appeal_id=h.appeal_id,
                tracking_number=h.tracking_number,
                title=h.label,
                appeals=h.appeals,
                people=h.people,
                supports=h.supports,
            ),
        )
        for h in stored
    ]
    again: list[Matter] = []
    for g, target in zip(groups, ids, strict=True):
        number, title, phone = targets[target]
        people = g["people"] + (1 if phone else 0) - (1 if g["same"] and phone else 0)
        matter = Matter(
            appeal_id=target,
            tracking_number=number,
            title=title,
            appeals=g["n"] + 1,
            people=people,
            supports=supports.get(target, 0),
        )
        if (people >= 2 or matter.supports) and target not in covered:
            hot.append((heat_index(people, matter.supports, 0.0), matter))
        if g["same"]:
            again.append(matter)
    hot.sort(key=lambda h: (-h[0], -h[1].appeals, h[1].appeal_id))
    again.sort(key=lambda m: (-m.appeals, m.appeal_id))
    return [m for _, m in hot[:PANEL_ROWS]], again[:PANEL_ROWS]


def _low_satisfaction(period: Period, district: int | None) -> list[LowSatisfaction]:
    rows = (
        _cells(CATEGORY, period, district)
        .exclude(key="")
        .values("key")
        .annotate(rated=Sum("rated"), satisfied=Sum("satisfied"))
        .filter(rated__gte=LOW_SATISFACTION_MIN_RATED)
        .order_by()
    )
    ranked = sorted(rows, key=lambda r: (r["satisfied"] / r["rated"], -r["rated"]))[:PANEL_ROWS]
    names = dict(
        Category.objects.filter(pk__in=[int(r["key"]) for r in ranked]).values_list("pk", "name")
    )
    return [
        LowSatisfaction(
            int(r["key"]), names.get(int(r["key"]), r["key"]), r["satisfied"], r["rated"]
        )
        for r in ranked
        if r["satisfied"] < r["rated"]
    ]


@dataclass(frozen=True)
class _Live:
    sla: Sla
    overdue_in: dict[str, int]  # subdistrict id (str) -> open appeals overdue now
    matters_since: date
    hotspots: list[Matter]
    repeats: list[Matter]


def _live(
    period: Period,
    lo: datetime,
    hi: datetime,
    now: datetime,
    *,
    district: int | None,
    cached: bool,
    refresh: bool = False,
) -> _Live:
    """What depends on the open and the latest appeals rather than on the cells: scanned over
    those (bounded by the open appeals, not by the history), and kept LIVE_SECONDS in the cache;
    the periodic task refreshes the default period's every minute (`dashboard_live_refresh`),
    so a dashboard opened on it never waits for the scan."""
    key = f"metrics:live:{period.start}:{period.end}:{district or ''}"
    hit = cache.get(key) if cached and not refresh else None
    if isinstance(hit, _Live):
        return hit
    overdue = overdue_q(now)
    appeals = Appeal.objects.filter(of_district(district))
    # All three are open appeals: the status index (a district's: its jurisdiction, status
    # index) keeps this to the open ones, however long the history.
    sla = appeals.filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=overdue),
        near=Count("pk", filter=near_deadline_q() & ~overdue),
    )
    # Overdue now, per subdistrict (of the appeal's place: open appeals are never merged).
    overdue_in: dict[str, int] = {
        str(key): n
        for key, n in appeals.filter(overdue)
        .annotate(key=group_key("region"))
        .values("key")
        .annotate(n=Count("pk"))
        .values_list("key", "n")
    }
    since = max(lo, hi - timedelta(days=MATTER_WINDOW_DAYS))
    hotspots, repeats = _matters(since, hi, district)
    live = _Live(
        sla=Sla(open=sla["open"], near=sla["near"], overdue=sla["overdue"]),
        overdue_in=overdue_in,
        matters_since=timezone.localtime(since).date(),
        hotspots=hotspots,
        repeats=repeats,
    )
    if cached or refresh:
        cache.set(key, live, LIVE_SECONDS)
    return live


def dashboard_live_refresh() -> None:
    """Recompute the open-appeal figures of the dashboard's default period (the last 30 days)
    into the cache, the city's and, on an install of several districts, each district's: run
    by the periodic metrics task."""
    period = period_from({})
    lo, hi = period_bounds(period.start, period.end)
    now = timezone.now()
    districts = list(Jurisdiction.objects.values_list("pk", flat=True))
    for district in [None, *districts] if len(districts) > 1 else [None]:
        _live(period, lo, hi, now, district=district, cached=True, refresh=True)


@reporting_reads()
def dashboard_for(
    *, period: Period, district: int | None = None, now: datetime | None = None
) -> Dashboard:
    """The dashboard's figures: the district's rates for the period, the SLA picture now,
    volume per day and channel, the top categories, each subdistrict's volume and overdue,
    hotspots, repeats and low satisfaction. The period's figures come from the pre-aggregated
    cells; only what depends on open appeals (a bounded set) is counted live. One district's
    (`district`, a jurisdiction: `districts_for`) or every district's (None)."""
    cached = now is None  # an explicit `now` (a test, a report) is computed afresh
    now = now or timezone.now()
    lo, hi = period_bounds(period.start, period.end)
    rates = rates_for(
        start=period.start, end=period.end, group_by=None, now=now, district=district
    )[0]
    live = _live(period, lo, hi, now, district=district, cached=cached)
    days = [period.start + timedelta(days=i) for i in range(period.days)]
    index = {d: i for i, d in enumerate(days)}
    labels = dict(Channel.choices)
    by_channel: dict[str, list[int]] = {}
    for day, channel, n in _cells(CHANNEL, period, district).values_list("day", "key", "arrived"):
        if not n:
            continue
        series = by_channel.setdefault(labels.get(channel, channel), [0] * len(days))
        series[index[day]] += n
    top = list(
        _cells(CATEGORY, period, district)
        .exclude(key="")
        .values("key")
        .annotate(n=Sum("arrived"))
        .filter(n__gt=0)
        .order_by("-n", "key")[:TOP_CATEGORIES]
    )
    names = dict(
        Category.objects.filter(pk__in=[int(r["key"]) for r in top]).values_list("pk", "name")
    )
    received_in: dict[str, int] = dict(
        _cells(REGION, period, district)
        .values("key")
        .annotate(n=Sum("arrived"))
        .values_list("key", "n")
    )
    streets = _streets(district)
    regions = [
        (pk, name, received_in.get(str(pk), 0), live.overdue_in.get(str(pk), 0))
        for pk, name in streets.values_list("pk", "name")
    ]
    return Dashboard(
        period=period,
        district=rates,
        sla=live.sla,
        days=[d.isoformat() for d in days],
        by_channel=by_channel,
        categories=[(int(r["key"]), names.get(int(r["key"]), r["key"]), r["n"]) for r in top],
        regions=regions,
        matters_since=live.matters_since,
        hotspots=live.hotspots,
        repeats=live.repeats,
        low_satisfaction=_low_satisfaction(period, district),
    )


def _streets(district: int | None) -> QuerySet[Region]:
    """The subdistricts of the district (under its region), or of every district."""
    streets = Region.objects.filter(level=RegionLevel.SUBDISTRICT).order_by("code", "pk")
    if district is None:
        return streets
    root = Jurisdiction.objects.filter(pk=district).values_list("region__path", flat=True)
    return streets.filter(path__startswith=root.first() or "-")


def export_list_for(*, user: User) -> QuerySet[Export]:
    """The viewer's own exports, newest first; callers paginate."""
    return Export.objects.filter(requested_by=user).order_by("-created_at", "-id")


def export_get_for(*, user: User, export_id: int) -> Export:
    """One of the viewer's finished exports; anyone else's does not exist."""
    export = Export.objects.filter(
        pk=export_id, requested_by=user, status=ExportStatus.DONE
    ).first()
    if export is None:
        raise NotFound("未找到该导出文件")
    return export
