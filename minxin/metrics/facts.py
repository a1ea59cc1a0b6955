"""Pre-aggregated figures, kept exact as appeals change.

Every appeal event adds a `cases.ChangedAppeal` row in its own transaction. `metric_facts_apply`
takes those rows, recomputes each changed appeal's AppealFact (the days, keys and flags that
decide what it adds to the counters) and applies the difference between its old and new
contribution to MetricCell, all in one transaction: the cells are always the sum of the facts,
and applying an appeal twice changes nothing. Readers apply one batch of what is pending before
they read (`rates_for`), and a periodic task applies the rest every minute, so a page shows the
last committed change unless a bulk load left more than one batch, and then says so.

A cell holds one day's counters for one key of one dimension (DIMS). Only two figures depend on
the clock as well as on the appeals ("due but not contacted", "due and not resolved"); the cells
count them on the day they belong to, and the reader subtracts the few appeals whose deadline
is still ahead (an index range on the deadline), so those are exact too. See docs/metrics.md.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, tzinfo
from typing import Any, Final

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from minxin.cases.models import (
    Appeal,
    AppealEvent,
    Assignment,
    AssignmentRole,
    ChangedAppeal,
    Reply,
    Revisit,
    RevisitStatus,
)
from minxin.cases.workflow import OPEN_STATUSES, RESUMING_ACTIONS, Action, AppealStatus
from minxin.deadlines.calendar import working_seconds_between
from minxin.directory.models import Category, Region, RegionLevel
from minxin.exemptions.selectors import approved_exemptions

from .models import AppealFact, MetricCell, MetricsLock

# Dimensions of the cells: the whole district, the (lead) unit, the top-level category, the
# subdistrict, the channel.
ALL, UNIT, CATEGORY, REGION, CHANNEL = "a", "u", "c", "r", "h"
DIMS: Final = (ALL, UNIT, CATEGORY, REGION, CHANNEL)
GROUP_DIMS: Final[Mapping[str | None, str]] = {
    None: ALL,
    "unit": UNIT,
    "category": CATEGORY,
    "region": REGION,
}

COUNTERS: Final = (
    "arrived",
    "received",
    "repeats",
    "received_valid",
    "replied",
    "resolved",
    "fc_contacted",
    "fc_pending",
    "fc_on_time",
    "resolved_due",
    "resolved_on_time",
    "open_due",
    "rated",
    "satisfied",
    "dispatches",
    "returns",
    "resolutions",
    "reopened",
    "handled",
    "handling_seconds",
    "reviews",
    "sent_back",
    "revisits",
    "revisits_reached",
    "revisit_answers",
    "revisit_solved",
    "returns_refused",
)
BATCH: Final = 2000
_FACT_EVENTS: Final = (
    Action.RESOLVE,
    Action.REOPEN,
    Action.RATE,
    Action.RATE_DISSATISFIED,
    Action.RETURN,
    *RESUMING_ACTIONS,
    Action.APPROVE_REPLY,
    Action.SEND_BACK,
    Action.DISPATCH,
    Action.REFUSE_RETURN,
)

Cell = tuple[str, str, str]  # (dim, day ISO, key)
Contribution = dict[Cell, dict[str, int]]


@functools.cache
def _district_tz() -> tzinfo:
    return timezone.get_default_timezone()


def _day(moment: datetime) -> str:
    """The district's local day (settings.TIME_ZONE), as the periods are."""
    return moment.astimezone(_district_tz()).date().isoformat()


def _k(value: Any) -> str:
    return "" if value is None else str(value)


# --- one appeal's fact and contribution --------------------------------------------------


class _Directory:
    """Top-level category and subdistrict of every category and region (small tables)."""

    def __init__(self) -> None:
        parents: dict[int, int | None] = dict(Category.objects.values_list("pk", "parent_id"))
        self.top: dict[int, int] = {}
        for pk in parents:
            node = pk
            while (parent := parents.get(node)) is not None:
                node = parent
            self.top[pk] = node
        regions: dict[int, tuple[str, int | None]] = {
            pk: (level, parent)
            for pk, level, parent in Region.objects.values_list("pk", "level", "parent_id")
        }
        self.subdistrict: dict[int, int | None] = {
            pk: self._subdistrict(regions, pk) for pk in regions
        }

    @staticmethod
    def _subdistrict(regions: Mapping[int, tuple[str, int | None]], pk: int) -> int | None:
        """The subdistrict a region lies in; None above a subdistrict (the district itself)."""
        current: int | None = pk
        while current is not None:
            level, parent = regions[current]
            if level == RegionLevel.SUBDISTRICT:
                return current
            if level not in (RegionLevel.COMMUNITY, RegionLevel.GRID):
                return None
            current = parent
        return None

    def keys(self, unit: int | None, category: int | None, region: int | None) -> list[Any]:
        return [
            unit,
            self.top.get(category) if category is not None else None,
            self.subdistrict.get(region) if region is not None else None,
        ]


_APPEAL_FIELDS: Final = (
    "pk",
    "status",
    "channel",
    "lead_unit_id",
    "category_id",
    "region_id",
    "merged_into_id",
    "received_at",
    "dispatched_at",
    "first_contact_due",
    "first_contacted_at",
    "resolve_due",
    "resolved_at",
)


def _facts_compute(appeal_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The current fact of each appeal: a fixed number of queries for the whole batch."""
    ids = list(appeal_ids)
    rows = {r["pk"]: r for r in Appeal.objects.filter(pk__in=ids).values(*_APPEAL_FIELDS)}
    targets = {r["merged_into_id"] for r in rows.values() if r["merged_into_id"]}
    target_rows = {
        pk: (unit, category, region)
        for pk, unit, category, region in Appeal.objects.filter(pk__in=targets).values_list(
            "pk", "lead_unit_id", "category_id", "region_id"
        )
    }
    events: dict[int, list[tuple[str, datetime, int | None, Any]]] = defaultdict(list)
    for appeal_id, action, at, unit, payload in (
        AppealEvent.objects.filter(appeal_id__in=ids, action__in=_FACT_EVENTS)
        .order_by("created_at", "pk")
        .values_list("appeal_id", "action", "created_at", "actor_unit_id", "payload")
    ):
        events[appeal_id].append((action, at, unit, payload))
    # A reply counts once the citizen has it: released by the review (办结审核).
    replied = set(
        Reply.objects.filter(appeal_id__in=ids, released_at__isnull=False).values_list(
            "appeal_id", flat=True
        )
    )
    revisits: dict[int, list[list[Any]]] = defaultdict(list)
    for appeal_id, created, status, solved, closed in (
        Revisit.objects.filter(appeal_id__in=ids)
        .order_by("created_at", "pk")
        .values_list("appeal_id", "created_at", "status", "solved", "closed_at")
    ):
        reached = status == RevisitStatus.DONE
        revisits[appeal_id].append(
            [_day(created), reached, _day(closed) if reached and closed else None, bool(solved)]
        )
    leads: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for appeal_id, unit, at in Assignment.objects.filter(
        appeal_id__in=ids, role=AssignmentRole.LEAD
    ).values_list("appeal_id", "unit_id", "assigned_at"):
        leads[appeal_id].append((unit, at))
    directory = _Directory()
    exempted = approved_exemptions(ids)
    return {
        pk: _fact(
            row,
            target_rows,
            _without_exempted_ratings(events[pk], exempted.ratings.get(pk, ())),
            pk in replied,
            leads[pk],
            directory,
            exempted.deadlines.get(pk, ()),
        )
        | {"vs": revisits[pk]}
        for pk, row in rows.items()
    }


def _without_exempted_ratings(
    events: list[tuple[str, datetime, int | None, Any]], exempted: Iterable[datetime]
) -> list[tuple[str, datetime, int | None, Any]]:
    """The events without the dissatisfied ratings an approved exemption (考核申诉) leaves out
    of the figures (known by their time: an appeal's events are written one at a time)."""
    times = set(exempted)
    if not times:
        return events
    return [e for e in events if not (e[0] == Action.RATE_DISSATISFIED and e[1] in times)]


def _fact(
    a: dict[str, Any],
    targets: Mapping[int, tuple[int | None, int | None, int | None]],
    events: list[tuple[str, datetime, int | None, Any]],
    has_reply: bool,
    leads: list[tuple[int, datetime]],
    directory: _Directory,
    exempt_deadlines: Iterable[datetime] = (),
) -> dict[str, Any]:
    own = directory.keys(a["lead_unit_id"], a["category_id"], a["region_id"])
    # A merged duplicate belongs to the groups of the appeal it was merged into.
    target = targets.get(a["merged_into_id"] or 0)
    via = directory.keys(*target) if target else [None, None, None]
    keys = [o if o is not None else v for o, v in zip(own, via, strict=True)]
    fact: dict[str, Any] = {
        "k": [_k(keys[0]), _k(keys[1]), _k(keys[2]), a["channel"]],
        "r": _day(a["received_at"]),
        "inv": a["status"] == AppealStatus.INVALID,
        "mrg": a["status"] == AppealStatus.MERGED,
        "rep": has_reply,
        "res": a["resolved_at"] is not None,
    }
    fact.update(_clocks(a, events, frozenset(exempt_deadlines)))
    fact.update(_history(events, leads))
    return fact


def _clocks(
    a: dict[str, Any],
    events: list[tuple[str, datetime, int | None, Any]],
    exempt_deadlines: frozenset[datetime] = frozenset(),
) -> dict[str, Any]:
    """The first-contact clock ("d"), and the completion clock: resolved ("s", with the
    working time it took, pauses aside) or still open and due ("o"). A deadline whose miss an
    approved exemption excuses (考核申诉) counts as met: resolved on time, or not yet due."""
    part: dict[str, Any] = {}
    dispatched, resolved = a["dispatched_at"], a["resolved_at"]
    fc_due, contacted = a["first_contact_due"], a["first_contacted_at"]
    if dispatched is not None and fc_due is not None:
        part["d"] = [
            _day(dispatched),
            contacted is not None,
            bool(contacted and contacted <= fc_due),
        ]
    due = a["resolve_due"]
    if resolved is not None:
        seconds = None
        if dispatched is not None:
            paused = sum(
                _paused_seconds(action, payload)
                for action, at, _, payload in events
                if dispatched < at <= resolved
            )
            seconds = max(working_seconds_between(dispatched, resolved) - paused, 0)
        on_time = bool(due and (resolved <= due or due in exempt_deadlines))
        part["s"] = [_day(resolved), due is not None, on_time, seconds]
    elif due is not None and a["status"] in OPEN_STATUSES and due not in exempt_deadlines:
        part["o"] = _day(due)
    return part


def _paused_seconds(action: str, payload: Mapping[str, Any] | None) -> int:
    """Working time the unit's clock stood still: suspended (resume) or a reply in the centre's
    review that was sent back (send_back)."""
    if action in RESUMING_ACTIONS:
        return int((payload or {}).get("paused_working_seconds") or 0)
    if action == Action.SEND_BACK:
        return int((payload or {}).get("review_working_seconds") or 0)
    return 0


def _history(
    events: list[tuple[str, datetime, int | None, Any]], leads: list[tuple[int, datetime]]
) -> dict[str, Any]:
    """The ratings ("rt"), the lead assignments and whether each was returned ("as"), and the
    resolutions and whether each was reopened ("rs")."""
    ratings = [
        [_day(at), action == Action.RATE]
        for action, at, _, _ in events
        if action in (Action.RATE, Action.RATE_DISSATISFIED)
    ]
    # A lead assignment ends by a return or by an approved transfer (no re-dispatch of a
    # dispatched appeal), so the first return by its unit after it began is the one that ended
    # it; it was refused (退单审核) when the next dispatch or refusal after it is a refusal.
    assignments = []
    for unit, assigned_at in leads:
        returned_at = next(
            (
                at
                for action, at, by, _ in events
                if action == Action.RETURN and by == unit and at >= assigned_at
            ),
            None,
        )
        assignments.append(
            [
                _day(assigned_at),
                _k(unit),
                returned_at is not None,
                returned_at is not None and _return_refused(events, returned_at),
            ]
        )
    reopens = [at for action, at, _, _ in events if action == Action.REOPEN]
    resolutions = [
        [_day(at), any(r > at for r in reopens)]
        for action, at, _, _ in events
        if action == Action.RESOLVE
    ]
    # The reviews a person made (an approval by the policy is no review): sent back or not,
    # against the unit whose reply it was.
    reviews = [
        [_day(at), action == Action.SEND_BACK, _k((payload or {}).get("unit_id"))]
        for action, at, _, payload in events
        if action == Action.SEND_BACK
        or (action == Action.APPROVE_REPLY and (payload or {}).get("reviewed"))
    ]
    return {"rt": ratings, "as": assignments, "rs": resolutions, "rv": reviews}


def _return_refused(events: list[tuple[str, datetime, int | None, Any]], at: datetime) -> bool:
    """Whether the return made at `at` was refused: the appeal's next dispatch or refusal of
    a return after it is a refusal (a returned appeal leaves RETURNED by one or the other,
    or by being marked invalid or merged, which refuses nothing)."""
    for action, when, _, _ in events:
        if when > at and action in (Action.DISPATCH, Action.REFUSE_RETURN):
            return action == Action.REFUSE_RETURN
    return False


def contribution(fact: Mapping[str, Any] | None) -> Contribution:
    """What the fact adds to each cell (one entry per dimension for each counted thing)."""
    out: Contribution = {}
    if not fact:
        return out
    unit, category, region, channel = fact["k"]
    keys = {ALL: "", UNIT: unit, CATEGORY: category, REGION: region, CHANNEL: channel}

    def add(day: str, counters: Mapping[str, int], unit_key: str | None = None) -> None:
        for dim in DIMS:
            key = unit_key if dim == UNIT and unit_key is not None else keys[dim]
            cell = out.setdefault((dim, day, key), {})
            for name, n in counters.items():
                if n:
                    cell[name] = cell.get(name, 0) + n

    counted = {"arrived": 1}
    if not fact["inv"]:
        counted["received"] = 1
        if fact["mrg"]:
            counted["repeats"] = 1
        else:
            counted |= {
                "received_valid": 1,
                "replied": int(fact["rep"]),
                "resolved": int(fact["res"]),
            }
    add(fact["r"], counted)
    if "d" in fact:
        day, contacted, on_time = fact["d"]
        add(
            day,
            {
                "fc_contacted": int(contacted),
                "fc_pending": int(not contacted),
                "fc_on_time": int(on_time),
            },
        )
    if "s" in fact:
        day, has_due, on_time, seconds = fact["s"]
        add(
            day,
            {
                "resolved_due": int(has_due),
                "resolved_on_time": int(has_due and on_time),
                "handled": int(seconds is not None),
                "handling_seconds": seconds or 0,
            },
        )
    if "o" in fact:
        add(fact["o"], {"open_due": 1})
    for day, satisfied in fact["rt"]:
        add(day, {"rated": 1, "satisfied": int(satisfied)})
    for day, lead_unit, returned, *refused in fact["as"]:  # facts counted before 退单审核: 3
        add(
            day,
            {
                "dispatches": 1,
                "returns": int(returned),
                "returns_refused": int(bool(refused and refused[0])),
            },
            unit_key=lead_unit,
        )
    for day, reopened in fact["rs"]:
        add(day, {"resolutions": 1, "reopened": int(reopened)})
    for day, sent_back, reply_unit in fact.get("rv", []):
        add(day, {"reviews": 1, "sent_back": int(sent_back)}, unit_key=reply_unit or None)
    for day, reached, answered, solved in fact.get("vs", []):
        add(day, {"revisits": 1, "revisits_reached": int(reached)})
        if answered is not None:
            add(answered, {"revisit_answers": 1, "revisit_solved": int(solved)})
    return {cell: counters for cell, counters in out.items() if counters}


def _difference(old: Contribution, new: Contribution) -> Contribution:
    delta: Contribution = {}
    for cell in old.keys() | new.keys():
        before, after = old.get(cell, {}), new.get(cell, {})
        changed = {
            name: after.get(name, 0) - before.get(name, 0)
            for name in before.keys() | after.keys()
            if after.get(name, 0) != before.get(name, 0)
        }
        if changed:
            delta[cell] = changed
    return delta


# --- applying changes -----------------------------------------------------------------------


def _cells_add(delta: Contribution) -> None:
    """Add the deltas to the cells: one INSERT ... ON CONFLICT DO UPDATE per 400 cells (both
    SQLite and PostgreSQL), in a fixed order so concurrent appliers cannot deadlock."""
    table = MetricCell._meta.db_table
    columns = ", ".join(COUNTERS)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
    cells = sorted(delta.items())
    width = 3 + len(COUNTERS)
    for start in range(0, len(cells), 400):
        chunk = cells[start : start + 400]
        placeholders = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
        params: list[Any] = []
        for (dim, day, key), counters in chunk:
            params += [dim, date.fromisoformat(day), key]
            params += [counters.get(c, 0) for c in COUNTERS]
        sql = (
            f"INSERT INTO {table} (dim, day, key, {columns}) VALUES {placeholders} "  # noqa: S608 - names are ours  # nosec B608
            f"ON CONFLICT (dim, day, key) DO UPDATE SET {updates}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _lock(pk: int = 1) -> None:
    now = timezone.now()
    if not MetricsLock.objects.filter(pk=pk).update(applied_at=now):
        MetricsLock.objects.bulk_create([MetricsLock(pk=pk, applied_at=now)], ignore_conflicts=True)
        MetricsLock.objects.filter(pk=pk).update(applied_at=now)


Part = tuple[int, int]  # (i, n): the changes of the appeals whose id % n == i


@transaction.atomic
def _apply_batch(size: int, part: Part | None = None) -> int:
    # A write first: appliers take turns, on SQLite as on PostgreSQL (one lock per part).
    _lock(1 if part is None else 100 + part[1] * 10 + part[0])
    pending = ChangedAppeal.objects.order_by("pk")
    if part is not None:
        pending = pending.alias(rest=F("appeal_id") % part[1]).filter(rest=part[0])
    marks = list(pending.values_list("pk", "appeal_id")[:size])
    if not marks:
        return 0
    ids = {appeal_id for _, appeal_id in marks}
    # Appeals merged into a changed one take their groups from it. A part hands them to the
    # part they belong to (a change row each), so no appeal is ever counted by two appliers.
    dependents = set(Appeal.objects.filter(merged_into_id__in=ids).values_list("pk", flat=True))
    if part is None:
        ids |= dependents
    else:
        ChangedAppeal.objects.bulk_create(
            [ChangedAppeal(appeal_id=pk) for pk in dependents if pk % part[1] != part[0]]
        )
        ids |= {pk for pk in dependents if pk % part[1] == part[0]}
    new = _facts_compute(ids)
    old = dict(AppealFact.objects.filter(appeal_id__in=ids).values_list("appeal_id", "data"))
    delta: Contribution = {}
    for appeal_id, fact in new.items():
        if old.get(appeal_id) == fact:
            continue
        before = old.get(appeal_id)
        # A first count (a rebuild, a new appeal) adds the contribution as it is.
        change = (
            contribution(fact)
            if before is None
            else _difference(contribution(before), contribution(fact))
        )
        for cell, counters in change.items():
            into = delta.setdefault(cell, {})
            for name, n in counters.items():
                into[name] = into.get(name, 0) + n
    _cells_add(delta)
    AppealFact.objects.bulk_create(
        [AppealFact(appeal_id=pk, data=fact) for pk, fact in new.items() if old.get(pk) != fact],
        update_conflicts=True,
        unique_fields=["appeal"],
        update_fields=["data"],
    )
    ChangedAppeal.objects.filter(pk__in=[pk for pk, _ in marks]).delete()
    return len(marks)


def metric_facts_apply(
    *, batch: int | None = None, max_batches: int | None = None, part: Part | None = None
) -> int:
    """Apply pending appeal changes to the cells (all of them, or at most `max_batches`
    batches of `batch`, BATCH by default); the number of change rows applied.

    `part=(i, n)` applies only the changes of appeals whose id % n == i, so that n processes
    can recount a bulk load side by side (`minxin metrics_rebuild --workers n`); run them alone,
    not beside the unpartitioned appliers."""
    if not ChangedAppeal.objects.exists():  # the common case for a reader: nothing to do
        return 0
    batch = batch or BATCH
    done = batches = 0
    while (max_batches is None or batches < max_batches) and (n := _apply_batch(batch, part)):
        done += n
        batches += 1
    return done


def metric_changes_pending() -> int:
    """Change rows not yet applied (a screen says its figures are still being brought up to
    date when a bulk import left more than a reader applies in one go)."""
    return ChangedAppeal.objects.count()


def metrics_rebuild(*, batch: int = BATCH, apply: bool = True) -> int:
    """Recount every cell from the appeals (after a bulk load that wrote no change rows, or to
    check the cells): the number of appeals counted. With `apply=False` it only empties the
    cells and queues every appeal, for partitioned appliers to count."""
    with transaction.atomic():
        _lock()
        MetricCell.objects.all().delete()
        AppealFact.objects.all().delete()
        ChangedAppeal.objects.all().delete()
        table = ChangedAppeal._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (appeal_id, created_at) "  # noqa: S608 - names are ours  # nosec B608
                f"SELECT id, %s FROM {Appeal._meta.db_table}",
                [timezone.now()],
            )
    return metric_facts_apply(batch=batch) if apply else 0
