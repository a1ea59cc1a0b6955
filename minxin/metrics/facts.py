"""Pre-aggregated figures, kept exact as appeals change.

Every appeal event adds a `cases.ChangedAppeal` row in its own transaction. `metric_facts_apply`
takes those rows, recomputes each changed appeal's AppealFact (the days, keys and flags that
decide what it adds to the counters) and applies the difference between its old and new
contribution to MetricCell, all in one transaction: the cells are always the sum of the facts,
and applying an appeal twice changes nothing. Readers apply one batch of what is pending before
they read (`rates_for`), and a periodic task applies the rest every minute, so a page shows the
last committed change unless a bulk load left more than one batch, and then says so.

A cell holds one day's counters for one key of one dimension (DIMS) in one district (the
appeal's jurisdiction): a district's figures are its cells, the city's the sum of all. Only two
figures depend on the clock as well as on the appeals ("due but not contacted", "due and not
resolved"); the cells count them on the day they belong to, and the reader subtracts the few
appeals whose deadline is still ahead (an index range on the deadline), so those are exact too.
See docs/metrics.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from minxin.cases.models import Appeal, ChangedAppeal

from .appeal_facts import Fact, facts_compute
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

Cell = tuple[str, str, str, int]  # (dim, day ISO, key, jurisdiction)
Contribution = dict[Cell, dict[str, int]]


# --- what a fact adds to the cells ----------------------------------------------------------


def contribution(jurisdiction: int, fact: Mapping[str, Any] | None) -> Contribution:
    """What the fact adds to each cell of its district (one entry per dimension for each
    counted thing)."""
    out: Contribution = {}
    if not fact:
        return out
    unit, category, region, channel = fact["k"]
    keys = {ALL: "", UNIT: unit, CATEGORY: category, REGION: region, CHANNEL: channel}

    def add(day: str, counters: Mapping[str, int], unit_key: str | None = None) -> None:
        for dim in DIMS:
            key = unit_key if dim == UNIT and unit_key is not None else keys[dim]
            cell = out.setdefault((dim, day, key, jurisdiction), {})
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
    width = 4 + len(COUNTERS)
    for start in range(0, len(cells), 400):
        chunk = cells[start : start + 400]
        placeholders = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
        params: list[Any] = []
        for (dim, day, key, jurisdiction), counters in chunk:
            params += [dim, date.fromisoformat(day), key, jurisdiction]
            params += [counters.get(c, 0) for c in COUNTERS]
        sql = (
            f"INSERT INTO {table} (dim, day, key, jurisdiction_id, {columns}) "  # noqa: S608 - names are ours  # nosec B608
            f"VALUES {placeholders} "
            f"ON CONFLICT (dim, day, key, jurisdiction_id) DO UPDATE SET {updates}"
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
    new = facts_compute(ids)
    old: dict[int, Fact] = {
        pk: (jurisdiction, data)
        for pk, jurisdiction, data in AppealFact.objects.filter(appeal_id__in=ids).values_list(
            "appeal_id", "jurisdiction_id", "data"
        )
    }
    delta: Contribution = {}
    for appeal_id, fact in new.items():
        if old.get(appeal_id) == fact:
            continue
        before = old.get(appeal_id)
        # A first count (a rebuild, a new appeal) adds the contribution as it is.
        change = (
            contribution(*fact)
            if before is None
            else _difference(contribution(*before), contribution(*fact))
        )
        for cell, counters in change.items():
            into = delta.setdefault(cell, {})
            for name, n in counters.items():
                into[name] = into.get(name, 0) + n
    _cells_add(delta)
    AppealFact.objects.bulk_create(
        [
            AppealFact(appeal_id=pk, jurisdiction_id=jurisdiction, data=data)
            for pk, (jurisdiction, data) in new.items()
            if old.get(pk) != (jurisdiction, data)
        ],
        update_conflicts=True,
        unique_fields=["appeal"],
        update_fields=["jurisdiction", "data"],
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
