"""One appeal's fact: the days, keys and flags that decide what it adds to the counters,
computed from its row, its events, replies, revisits and lead assignments (a fixed number of
queries for a whole batch). `metrics/facts.py` turns facts into the cells' counters."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from typing import Any, Final

from django.utils import timezone

from minxin.cases.models import (
    Appeal,
    AppealEvent,
    Assignment,
    AssignmentRole,
    Reply,
    Revisit,
    RevisitStatus,
)
from minxin.cases.workflow import OPEN_STATUSES, RESUMING_ACTIONS, Action, AppealStatus
from minxin.deadlines.calendar import working_seconds_between
from minxin.directory.models import Category, Region, RegionLevel
from minxin.exemptions.selectors import approved_exemptions

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


@functools.cache
def _district_tz() -> tzinfo:
    return timezone.get_default_timezone()


def _day(moment: datetime) -> str:
    """The district's local day (settings.TIME_ZONE), as the periods are."""
    return moment.astimezone(_district_tz()).date().isoformat()


def _k(value: Any) -> str:
    return "" if value is None else str(value)


# --- one appeal's fact ---------------------------------------------------------------------


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


# An appeal's fact: its district (whose cells count it) and the JSON stored in AppealFact.data.
Fact = tuple[int, dict[str, Any]]

_APPEAL_FIELDS: Final = (
    "pk",
    "jurisdiction_id",
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


def facts_compute(appeal_ids: Iterable[int]) -> dict[int, Fact]:
    """The current fact of each appeal, with its district: a fixed number of queries for the
    whole batch."""
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
        pk: (
            row["jurisdiction_id"],
            _fact(
                row,
                target_rows,
                _without_exempted_ratings(events[pk], exempted.ratings.get(pk, ())),
                pk in replied,
                leads[pk],
                directory,
                exempted.deadlines.get(pk, ()),
            )
            | {"vs": revisits[pk]},
        )
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
