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
from datetime import date, datetime, timedelta
from typing import Any, Final, Literal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
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

from minxin.cases.models import Appeal, AppealEvent
from minxin.cases.workflow import OPEN_STATUSES, RESUMING_ACTIONS, Action
from minxin.deadlines.calendar import day_start, working_seconds_between
from minxin.directory.models import Category, Region, RegionLevel, Unit
from minxin.directory.selectors import of_district

from .facts import ALL, CATEGORY, COUNTERS, GROUP_DIMS, REGION, UNIT, metric_facts_apply
from .models import AppealFact, MetricCell

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
    "review_return_rate": RateDefinition(
        "审核退回率", "sent_back", "reviews", higher_is_better=False
    ),
    "revisit_rate": RateDefinition("回访率", "revisits_reached", "revisits"),
    "actual_resolution_rate": RateDefinition("实际解决率", "revisit_solved", "revisit_answers"),
    "refused_return_rate": RateDefinition(
        "退单驳回率", "returns_refused", "returns", higher_is_better=False
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
    reviews: int = 0
    sent_back: int = 0
    revisits: int = 0
    revisits_reached: int = 0
    revisit_answers: int = 0
    revisit_solved: int = 0
    returns_refused: int = 0  # returns the dispatcher refused (退单审核), of `returns`


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

    @property
    def review_return_rate(self) -> float | None:
        return self.rate("review_return_rate")

    @property
    def revisit_rate(self) -> float | None:
        return self.rate("revisit_rate")

    @property
    def actual_resolution_rate(self) -> float | None:
        return self.rate("actual_resolution_rate")

    @property
    def refused_return_rate(self) -> float | None:
        return self.rate("refused_return_rate")


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the district's local time; both dates are included."""
    if end < start:
        raise ValueError("the period ends before it starts")
    return day_start(start), day_start(end + timedelta(days=1))


def working_day_seconds() -> int:
    """Length of one working day in seconds, from settings.MINXIN["WORKING_HOURS"]."""
    total = 0
    for start, end in settings.MINXIN["WORKING_HOURS"]:
        sh, sm = (int(x) for x in start.split(":"))
        eh, em = (int(x) for x in end.split(":"))
        total += (eh * 60 + em - sh * 60 - sm) * 60
    return total


def group_key(group_by: GroupBy, path: str = "") -> Any:
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
        group_key(group_by, path),
        group_key(group_by, f"{path}merged_into__"),
        output_field=IntegerField(),
    )


def _in(field: str, lo: datetime, hi: datetime) -> Q:
    return Q(**{f"{field}__gte": lo, f"{field}__lt": hi})


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
    group_by: GroupBy | None, lo: datetime, hi: datetime, district: int | None = None
) -> tuple[dict[Any, _Handling], bool]:
    """Working days from the (last) dispatch to the (latest) resolution of the appeals resolved
    in the period, less the working time they spent suspended (the resuming events' recorded
    `paused_working_seconds` between the two). One query, then Python, bounded."""
    paused = (
        AppealEvent.objects.filter(
            appeal=OuterRef("pk"),
            action__in=(*RESUMING_ACTIONS, Action.SEND_BACK),
            created_at__gt=OuterRef("dispatched_at"),
            created_at__lte=OuterRef("resolved_at"),
        )
        .order_by()
        .values("appeal")
        .annotate(
            total=Sum(
                Coalesce(
                    Cast(KT("payload__paused_working_seconds"), output_field=IntegerField()),
                    Cast(KT("payload__review_working_seconds"), output_field=IntegerField()),
                    Value(0),
                )
            )
        )
        .values("total")
    )
    qs = (
        Appeal.objects.filter(
            _in("resolved_at", lo, hi), of_district(district), dispatched_at__isnull=False
        )
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


def cell_sums(
    dim: str, start: date, end: date, district: int | None = None
) -> dict[str, dict[str, int]]:
    """The counters of every key of `dim` summed over [start, end] (and the districts): one
    GROUP BY over at most (days × keys × districts) cells, whatever the number of appeals."""
    rows = (
        MetricCell.objects.filter(of_district(district), dim=dim, day__gte=start, day__lte=end)
        .values("key")
        .annotate(**{f"n_{c}": Sum(c) for c in COUNTERS})
        .order_by()
    )
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        key = values.pop("key")
        out[key] = {name[2:]: int(n or 0) for name, n in values.items()}
    return out


def _ahead(
    dim: str, lo: datetime, hi: datetime, now: datetime, district: int | None = None
) -> dict[str, tuple[int, int]]:
    """Per key, the appeals the cells count as due whose deadline is still ahead of `now`:
    (dispatched in the period, not contacted, first-contact deadline ≥ now), and (open,
    unresolved, resolution deadline in the period and ≥ now). Both are index ranges over
    future deadlines, so they stay small however long the history."""
    appeals = Appeal.objects.filter(of_district(district))
    not_contacted = appeals.filter(
        _in("dispatched_at", lo, hi), first_contacted_at__isnull=True, first_contact_due__gte=now
    ).values_list("pk", flat=True)
    not_due = appeals.filter(
        _in("resolve_due", lo, hi),
        resolve_due__gte=now,
        resolved_at__isnull=True,
        status__in=OPEN_STATUSES,
    ).values_list("pk", flat=True)
    position = {ALL: None, UNIT: 0, CATEGORY: 1, REGION: 2}[dim]
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for index, ids in enumerate((not_contacted, not_due)):
        if position is None:
            counts[""][index] += ids.count()
            continue
        # The key each appeal is counted under is in its fact: grouped by the database.
        for key, n in (
            AppealFact.objects.filter(appeal_id__in=ids)
            .values(key=KT(f"data__k__{position}"))
            .annotate(n=Count("pk"))
            .values_list("key", "n")
        ):
            counts[key or ""][index] += n
    return {key: (fc, op) for key, (fc, op) in counts.items() if fc or op}


def _counts(c: dict[str, int], ahead: tuple[int, int]) -> RateCounts:
    """A group's counts from its summed cells, less what is due but still ahead (`_ahead`)."""
    fc_ahead, open_ahead = ahead
    return RateCounts(
        first_contact_on_time=c.get("fc_on_time", 0),
        first_contact_due=c.get("fc_contacted", 0) + c.get("fc_pending", 0) - fc_ahead,
        resolved_on_time=c.get("resolved_on_time", 0),
        resolved_or_overdue=c.get("resolved_due", 0) + c.get("open_due", 0) - open_ahead,
        replied=c.get("replied", 0),
        resolved=c.get("resolved", 0),
        received_valid=c.get("received_valid", 0),
        satisfied=c.get("satisfied", 0),
        rated=c.get("rated", 0),
        repeats=c.get("repeats", 0),
        received=c.get("received", 0),
        returns=c.get("returns", 0),
        dispatches=c.get("dispatches", 0),
        reopened=c.get("reopened", 0),
        resolved_in_period=c.get("resolutions", 0),
        handled=c.get("handled", 0),
        reviews=c.get("reviews", 0),
        sent_back=c.get("sent_back", 0),
        revisits=c.get("revisits", 0),
        revisits_reached=c.get("revisits_reached", 0),
        revisit_answers=c.get("revisit_answers", 0),
        revisit_solved=c.get("revisit_solved", 0),
        returns_refused=c.get("returns_refused", 0),
    )


def rates_for(
    *,
    start: date,
    end: date,
    group_by: GroupBy | None,
    now: datetime | None = None,
    with_p90: bool = False,
    district: int | None = None,
) -> list[RateRow]:
    """Every rate of docs/metrics.md for the period [start, end] (local dates, both included),
    one row per group (the lead unit, the top-level category, the subdistrict) or one row for
    the whole district when `group_by` is None; of one district's appeals (`district`, a
    jurisdiction) or of all of them (None). Groups with nothing in the period have no row
    (except the district row, which is always there). `now` decides what is overdue.

    Read from the pre-aggregated cells (metrics/facts.py) after applying pending changes;
    the p90 handling time is not additive, so it is computed from the appeals, and only when
    asked (`with_p90`) and bounded (HANDLING_TIME_MAX_ROWS)."""
    now = now or timezone.now()
    # One batch at most: a backlog (after a bulk import) is the periodic task's, not a page's.
    metric_facts_apply(max_batches=1)
    lo, hi = period_bounds(start, end)
    dim = GROUP_DIMS[group_by]
    sums = cell_sums(dim, start, end, district)
    ahead = _ahead(dim, lo, hi, now, district)
    handling: dict[Any, _Handling] = {}
    capped = False
    if with_p90:
        handling, capped = _handling_times(group_by, lo, hi, district)
    day_seconds = working_day_seconds()
    counted: dict[Any, tuple[RateCounts, float | None]] = {}
    for key in sums.keys() | ahead.keys() | ({""} if group_by is None else set()):
        c = sums.get(key, {})
        counts = _counts(c, ahead.get(key, (0, 0)))
        if group_by is not None and not any(vars(counts).values()):
            continue
        avg = (
            c.get("handling_seconds", 0) / counts.handled / day_seconds if counts.handled else None
        )
        counted[None if key == "" else int(key)] = (counts, avg)
    rows: list[RateRow] = []
    labels = _labels(group_by, set(counted))
    for group, (counts, avg) in counted.items():
        h = handling.get(group)
        rows.append(
            RateRow(
                key=group,
                label=labels.get(group, str(group)),
                counts=counts,
                avg_handling_days=avg,
                p90_handling_days=h.p90 if h else None,
                handling_time_capped=capped,
            )
        )
    rows.sort(key=lambda r: (r.key is None, r.label))
    return rows
