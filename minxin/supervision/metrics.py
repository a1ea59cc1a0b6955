"""The rates of docs/metrics.md, computed from the appeals and their event log.

One call of `rates_for` runs a fixed number of aggregate queries (appeals, rating events, lead
assignments, handling times, labels), whatever the number of appeals: counting is done by the
database with conditional `Count`s, and event facts ("was returned", "was reopened after its
resolution") are `Exists`/`Subquery` expressions. Only handling times are computed in Python,
because working time follows the statutory calendar (`deadlines.calendar`); they are bounded by
HANDLING_TIME_MAX_ROWS (see `_handling_times`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final, Literal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from minxin.cases.models import Appeal, AppealEvent, Assignment, AssignmentRole, Reply
from minxin.cases.workflow import OPEN_STATUSES, Action, AppealStatus
from minxin.deadlines.calendar import working_seconds_between
from minxin.directory.models import Category, Region, RegionLevel, Unit

GroupBy = Literal["unit", "category", "region"]

# Handling times need the working-day calendar, so they are computed in Python on the appeals
# resolved in the period. Above this many appeals the call refuses to compute them (the fields
# are None and `handling_time_capped` is set) rather than load an unbounded list: whole-history
# figures belong to the pre-aggregated tables, not to this function.
HANDLING_TIME_MAX_ROWS: Final = 100_000

NO_KEY_LABELS: Final[Mapping[str, str]] = {
    "unit": "未派单",
    "category": "未分类",
    "region": "未定位到街道",
}
ALL_LABEL: Final = "全区"


@dataclass(frozen=True)
class RateDefinition:
    label: str
    numerator: str
    denominator: str
    # False for rates where less is better (repeat, return, reopen): the score inverts them.
    higher_is_better: bool = True


RATES: Final[Mapping[str, RateDefinition]] = {
    "first_contact_rate": RateDefinition(
        "先行联系率", "first_contact_on_time", "first_contact_due"
    ),
    "on_time_rate": RateDefinition("按时办结率", "resolved_on_time", "resolved_or_overdue"),
    "reply_rate": RateDefinition("回复率", "replied", "received_valid"),
    "resolution_rate": RateDefinition("办结率", "resolved", "received_valid"),
    "satisfaction_rate": RateDefinition("满意率", "satisfied", "rated"),
    "repeat_rate": RateDefinition("重复率", "repeats", "received", higher_is_better=False),
    "return_rate": RateDefinition("退单率", "returns", "dispatches", higher_is_better=False),
    "reopen_rate": RateDefinition(
        "重办率", "reopened", "resolved_in_period", higher_is_better=False
    ),
}


@dataclass(frozen=True)
class RateCounts:
    """Numerators and denominators, so a screen can show "12/15" next to 80 %."""

    first_contact_on_time: int = 0
    first_contact_due: int = 0
    resolved_on_time: int = 0
    resolved_or_overdue: int = 0
    replied: int = 0
    resolved: int = 0
    received_valid: int = 0
    satisfied: int = 0
    rated: int = 0
    repeats: int = 0
    received: int = 0
    returns: int = 0
    dispatches: int = 0
    reopened: int = 0
    resolved_in_period: int = 0
    handled: int = 0  # appeals behind the handling-time figures


@dataclass(frozen=True)
class RateRow:
    key: int | None
    label: str
    counts: RateCounts
    avg_handling_days: float | None = None
    p90_handling_days: float | None = None
    handling_time_capped: bool = False

    def rate(self, name: str) -> float | None:
        """The rate `name` of RATES; None when its denominator is 0."""
        definition = RATES[name]
        denominator: int = getattr(self.counts, definition.denominator)
        if denominator == 0:
            return None
        return float(getattr(self.counts, definition.numerator)) / denominator

    @property
    def first_contact_rate(self) -> float | None:
        return self.rate("first_contact_rate")

    @property
    def on_time_rate(self) -> float | None:
        return self.rate("on_time_rate")

    @property
    def reply_rate(self) -> float | None:
        return self.rate("reply_rate")

    @property
    def resolution_rate(self) -> float | None:
        return self.rate("resolution_rate")

    @property
    def satisfaction_rate(self) -> float | None:
        return self.rate("satisfaction_rate")

    @property
    def repeat_rate(self) -> float | None:
        return self.rate("repeat_rate")

    @property
    def return_rate(self) -> float | None:
        return self.rate("return_rate")

    @property
    def reopen_rate(self) -> float | None:
        return self.rate("reopen_rate")


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the district's local time; both dates are included."""
    if end < start:
        raise ValueError("the period ends before it starts")
    tz = timezone.get_default_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def working_day_seconds() -> int:
    """Length of one working day in seconds, from settings.MINXIN["WORKING_HOURS"]."""
    total = 0
    for start, end in settings.MINXIN["WORKING_HOURS"]:
        sh, sm = (int(x) for x in start.split(":"))
        eh, em = (int(x) for x in end.split(":"))
        total += (eh * 60 + em - sh * 60 - sm) * 60
    return total


def _key(group_by: GroupBy, path: str) -> Any:
    """The group key of the appeal reached through `path` ("" or "appeal__")."""
    if group_by == "unit":
        return F(f"{path}lead_unit")
    if group_by == "category":
        # The catalogue has three levels (大类/小类/细类): the top is the highest known ancestor.
        return Coalesce(
            F(f"{path}category__parent__parent"),
            F(f"{path}category__parent"),
            F(f"{path}category"),
            output_field=IntegerField(),
        )
    return Case(
        When(**{f"{path}region__level": RegionLevel.SUBDISTRICT}, then=F(f"{path}region")),
        When(**{f"{path}region__level": RegionLevel.COMMUNITY}, then=F(f"{path}region__parent")),
        When(
            **{f"{path}region__level": RegionLevel.GRID},
            then=F(f"{path}region__parent__parent"),
        ),
        default=Value(None),
        output_field=IntegerField(),
    )


def _appeal_key(group_by: GroupBy, path: str = "") -> Any:
    """A merged duplicate, which has no unit (and maybe no category or place) of its own,
    belongs to the group of the appeal it was merged into."""
    return Coalesce(
        _key(group_by, path),
        _key(group_by, f"{path}merged_into__"),
        output_field=IntegerField(),
    )


def _grouped(qs: Any, group_by: GroupBy | None, key: Any, aggs: dict[str, Any]) -> dict[Any, Any]:
    """{group key: {count name: n}}. The aliases are prefixed in SQL so that a count named
    like a field (first_contact_due) does not shadow the field in the other counts' filters."""
    aliased = {f"n_{name}": agg for name, agg in aggs.items()}
    if group_by is None:
        rows = [{"key": None, **qs.aggregate(**aliased)}]
    else:
        rows = list(qs.annotate(key=key).values("key").annotate(**aliased).order_by())
    return {row.pop("key"): {name[2:]: n for name, n in row.items()} for row in rows}


def _in(field: str, lo: datetime, hi: datetime) -> Q:
    return Q(**{f"{field}__gte": lo, f"{field}__lt": hi})


def _appeal_counts(
    group_by: GroupBy | None, lo: datetime, hi: datetime, now: datetime
) -> dict[Any, Any]:
    resolve_events_in_period = AppealEvent.objects.filter(
        appeal=OuterRef("pk"), action=Action.RESOLVE, created_at__gte=lo, created_at__lt=hi
    )
    qs = (
        Appeal.objects.filter(
            _in("received_at", lo, hi)
            | _in("dispatched_at", lo, hi)
            | _in("resolved_at", lo, hi)
            | _in("resolve_due", lo, hi)
            | Q(Exists(resolve_events_in_period))
        )
        .annotate(
            replied=Exists(Reply.objects.filter(appeal=OuterRef("pk"))),
            first_resolve=Subquery(
                resolve_events_in_period.order_by("created_at", "id").values("created_at")[:1]
            ),
        )
        .annotate(
            reopened_after=Exists(
                AppealEvent.objects.filter(
                    appeal=OuterRef("pk"),
                    action=Action.REOPEN,
                    created_at__gt=OuterRef("first_resolve"),
                )
            )
        )
    )
    received = _in("received_at", lo, hi) & ~Q(status=AppealStatus.INVALID)
    valid = received & ~Q(status=AppealStatus.MERGED)
    dispatched = _in("dispatched_at", lo, hi) & Q(first_contact_due__isnull=False)
    resolved = _in("resolved_at", lo, hi) & Q(resolve_due__isnull=False)
    overdue = _in("resolve_due", lo, hi) & Q(
        resolved_at__isnull=True, status__in=OPEN_STATUSES, resolve_due__lt=now
    )
    first_resolved = Q(first_resolve__isnull=False)
    aggs = {
        "received": Count("pk", filter=received),
        "repeats": Count("pk", filter=received & Q(status=AppealStatus.MERGED)),
        "received_valid": Count("pk", filter=valid),
        "replied": Count("pk", filter=valid & Q(replied=True)),
        "resolved": Count("pk", filter=valid & Q(resolved_at__isnull=False)),
        "first_contact_due": Count(
            "pk",
            filter=dispatched
            & (Q(first_contacted_at__isnull=False) | Q(first_contact_due__lt=now)),
        ),
        "first_contact_on_time": Count(
            "pk", filter=dispatched & Q(first_contacted_at__lte=F("first_contact_due"))
        ),
        "resolved_or_overdue": Count("pk", filter=resolved | overdue),
        "resolved_on_time": Count("pk", filter=resolved & Q(resolved_at__lte=F("resolve_due"))),
        "resolved_in_period": Count("pk", filter=first_resolved),
        "reopened": Count("pk", filter=first_resolved & Q(reopened_after=True)),
    }
    return _grouped(qs, group_by, _appeal_key(group_by) if group_by else None, aggs)


def _rating_counts(group_by: GroupBy | None, lo: datetime, hi: datetime) -> dict[Any, Any]:
    qs = AppealEvent.objects.filter(
        _in("created_at", lo, hi), action__in=[Action.RATE, Action.RATE_DISSATISFIED]
    )
    aggs = {"rated": Count("pk"), "satisfied": Count("pk", filter=Q(action=Action.RATE))}
    key = _appeal_key(group_by, "appeal__") if group_by else None
    return _grouped(qs, group_by, key, aggs)


def _dispatch_counts(group_by: GroupBy | None, lo: datetime, hi: datetime) -> dict[Any, Any]:
    """Each lead assignment made in the period is one dispatch to its unit; it was returned
    when that unit later recorded a return on the appeal. (A lead assignment ends only by a
    return: the table allows no re-dispatch of a dispatched appeal, so any return by the unit
    after the assignment began is the one that ended it.)"""
    qs = Assignment.objects.filter(_in("assigned_at", lo, hi), role=AssignmentRole.LEAD).annotate(
        returned=Exists(
            AppealEvent.objects.filter(
                appeal=OuterRef("appeal"),
                action=Action.RETURN,
                actor_unit=OuterRef("unit"),
                created_at__gte=OuterRef("assigned_at"),
            )
        )
    )
    aggs = {"dispatches": Count("pk"), "returns": Count("pk", filter=Q(returned=True))}
    if group_by == "unit":
        key: Any = F("unit")
    else:
        key = _appeal_key(group_by, "appeal__") if group_by else None
    return _grouped(qs, group_by, key, aggs)


@dataclass(frozen=True)
class _Handling:
    avg: float | None
    p90: float | None
    count: int


def percentile(values: list[float], share: float) -> float:
    """Linear interpolation between closest ranks, as PostgreSQL's PERCENTILE_CONT."""
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _handling_times(
    group_by: GroupBy | None, lo: datetime, hi: datetime
) -> tuple[dict[Any, _Handling], bool]:
    """Working days from the (last) dispatch to the (latest) resolution of the appeals resolved
    in the period, less the working time they spent suspended (the RESUME events' recorded
    `paused_working_seconds` between the two). One query, then Python, bounded."""
    paused = (
        AppealEvent.objects.filter(
            appeal=OuterRef("pk"),
            action=Action.RESUME,
            created_at__gt=OuterRef("dispatched_at"),
            created_at__lte=OuterRef("resolved_at"),
        )
        .order_by()
        .values("appeal")
        .annotate(
            total=Sum(Cast(KT("payload__paused_working_seconds"), output_field=IntegerField()))
        )
        .values("total")
    )
    qs = (
        Appeal.objects.filter(_in("resolved_at", lo, hi), dispatched_at__isnull=False)
        .annotate(
            key=_appeal_key(group_by) if group_by else Value(None, output_field=IntegerField()),
            paused=Coalesce(Subquery(paused, output_field=IntegerField()), Value(0)),
        )
        .order_by()
        .values_list("key", "dispatched_at", "resolved_at", "paused")
    )
    rows = list(qs[: HANDLING_TIME_MAX_ROWS + 1])
    if len(rows) > HANDLING_TIME_MAX_ROWS:
        return {}, True
    day = working_day_seconds()
    by_key: dict[Any, list[float]] = defaultdict(list)
    for key, dispatched_at, resolved_at, paused_seconds in rows:
        if dispatched_at is None or resolved_at is None:  # excluded by the filter
            continue
        seconds = working_seconds_between(dispatched_at, resolved_at) - int(paused_seconds or 0)
        by_key[key].append(max(seconds, 0) / day)
    return {
        key: _Handling(avg=sum(days) / len(days), p90=percentile(days, 0.9), count=len(days))
        for key, days in by_key.items()
    }, False


def _labels(group_by: GroupBy | None, keys: set[Any]) -> dict[Any, str]:
    if group_by is None:
        return {None: ALL_LABEL}
    model: Any = {"unit": Unit, "category": Category, "region": Region}[group_by]
    labels: dict[Any, str] = dict(
        model.objects.filter(pk__in=[k for k in keys if k is not None]).values_list("pk", "name")
    )
    labels[None] = NO_KEY_LABELS[group_by]
    return labels


def rates_for(
    *, start: date, end: date, group_by: GroupBy | None, now: datetime | None = None
) -> list[RateRow]:
    """Every rate of docs/metrics.md for the period [start, end] (local dates, both included),
    one row per group (the lead unit, the top-level category, the subdistrict) or one row for
    the whole district when `group_by` is None. Groups with nothing in the period have no row
    (except the district row, which is always there). `now` decides what is overdue."""
    now = now or timezone.now()
    lo, hi = period_bounds(start, end)
    parts: list[dict[Any, Any]] = [
        _appeal_counts(group_by, lo, hi, now),
        _rating_counts(group_by, lo, hi),
        _dispatch_counts(group_by, lo, hi),
    ]
    handling, capped = _handling_times(group_by, lo, hi)
    keys: set[Any] = set(handling)
    for part in parts:
        keys.update(k for k, counts in part.items() if any(counts.values()))
    if group_by is None:
        keys = {None}
    labels = _labels(group_by, keys)
    rows = []
    for key in keys:
        values: dict[str, int] = {}
        for part in parts:
            values.update({name: int(n or 0) for name, n in part.get(key, {}).items()})
        h = handling.get(key)
        rows.append(
            RateRow(
                key=key,
                label=labels.get(key, str(key)),
                counts=RateCounts(**values, handled=h.count if h else 0),
                avg_handling_days=h.avg if h else None,
                p90_handling_days=h.p90 if h else None,
                handling_time_capped=capped,
            )
        )
    rows.sort(key=lambda r: (r.key is None, r.label))
    return rows
