"""Reads of the supervision screens: the dashboard's aggregates and the period they cover.

Everything is counted by the database (GROUP BY day, channel, top-level category,
subdistrict), so the number of queries is fixed whatever the number of appeals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from minxin.cases.models import Appeal, Channel
from minxin.cases.selectors import overdue_q
from minxin.cases.workflow import OPEN_STATUSES
from minxin.directory.models import Category, Region, RegionLevel

from .metrics import RateRow, period_bounds, rates_for
from .models import Clock, DeadlineWarning, WarningLevel

DEFAULT_PERIOD_DAYS: Final = 30
MAX_PERIOD_DAYS: Final = 3660
TOP_CATEGORIES: Final = 10


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _parse(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def period_from(params: Mapping[str, str], today: date | None = None) -> Period:
    """The period of the `start`/`end` GET parameters; the last 30 days (today included) by
    default or when they make no sense."""
    today = today or timezone.localdate()
    end = _parse(params.get("end")) or today
    start = _parse(params.get("start")) or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if start > end or (end - start).days >= MAX_PERIOD_DAYS:
        end = today
        start = end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    return Period(start, end)


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


def _top_category() -> Any:
    return Coalesce(
        F("category__parent__parent"),
        F("category__parent"),
        F("category"),
        output_field=IntegerField(),
    )


def _subdistrict() -> Any:
    return Case(
        When(region__level=RegionLevel.SUBDISTRICT, then=F("region")),
        When(region__level=RegionLevel.COMMUNITY, then=F("region__parent")),
        When(region__level=RegionLevel.GRID, then=F("region__parent__parent")),
        default=Value(None),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class Sla:
    open: int
    near: int
    overdue: int


@dataclass(frozen=True)
class Dashboard:
    period: Period
    district: RateRow
    sla: Sla
    days: list[str]
    by_channel: dict[str, list[int]]  # channel label -> count per day
    categories: list[tuple[int, str, int]]  # (id, name, appeals), most first
    regions: list[tuple[int, str, int, int]]  # (id, name, received, overdue now)


def dashboard_for(*, period: Period, now: datetime | None = None) -> Dashboard:
    """The dashboard's figures: the district's rates for the period, the SLA picture now,
    volume per day and channel, the top categories and each subdistrict's volume and overdue."""
    now = now or timezone.now()
    lo, hi = period_bounds(period.start, period.end)
    district = rates_for(start=period.start, end=period.end, group_by=None, now=now)[0]
    overdue = overdue_q(now)
    sla = Appeal.objects.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=overdue),
        near=Count("pk", filter=near_deadline_q() & ~overdue),
    )
    received = Appeal.objects.filter(received_at__gte=lo, received_at__lt=hi)
    tz = timezone.get_default_timezone()
    per_day = (
        received.annotate(day=TruncDate("received_at", tzinfo=tz))
        .values("day", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    days = [period.start + timedelta(days=i) for i in range(period.days)]
    index = {d: i for i, d in enumerate(days)}
    labels = dict(Channel.choices)
    by_channel: dict[str, list[int]] = {}
    for row in per_day:
        label = labels.get(row["channel"], row["channel"])
        series = by_channel.setdefault(label, [0] * len(days))
        if row["day"] in index:
            series[index[row["day"]]] += row["n"]
    top = list(
        received.annotate(key=_top_category())
        .filter(key__isnull=False)
        .values("key")
        .annotate(n=Count("pk"))
        .order_by("-n", "key")[:TOP_CATEGORIES]
    )
    names = dict(Category.objects.filter(pk__in=[r["key"] for r in top]).values_list("pk", "name"))
    per_region: dict[int, tuple[int, int]] = {
        row["key"]: (row["received"], row["overdue"])
        for row in Appeal.objects.filter(Q(received_at__gte=lo, received_at__lt=hi) | overdue)
        .annotate(key=_subdistrict())
        .filter(key__isnull=False)
        .values("key")
        .annotate(
            received=Count("pk", filter=Q(received_at__gte=lo, received_at__lt=hi)),
            overdue=Count("pk", filter=overdue),
        )
        .order_by()
    }
    streets = Region.objects.filter(level=RegionLevel.SUBDISTRICT).order_by("code", "pk")
    regions = [
        (pk, name, *per_region.get(pk, (0, 0))) for pk, name in streets.values_list("pk", "name")
    ]
    return Dashboard(
        period=period,
        district=district,
        sla=Sla(open=sla["open"], near=sla["near"], overdue=sla["overdue"]),
        days=[d.isoformat() for d in days],
        by_channel=by_channel,
        categories=[(r["key"], names.get(r["key"], str(r["key"])), r["n"]) for r in top],
        regions=regions,
    )
