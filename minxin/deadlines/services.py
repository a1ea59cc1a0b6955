"""Deadline policies: which limits apply to an appeal, and when its deadlines fall."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final

from minxin.directory.models import Category

from .calendar import add_working_days, add_working_hours
from .models import DeadlinePolicy, Urgency

POLICY_TTL_SECONDS: Final = 60.0

# Used when no policy row matches: (first_contact_hours, resolve_days).
DEFAULT_LIMITS: Final[Mapping[str, tuple[Decimal, int]]] = {
    Urgency.NORMAL: (Decimal("8"), 10),
    Urgency.URGENT: (Decimal("2"), 3),
    Urgency.CRITICAL: (Decimal("0.5"), 1),
}

_clock = time.monotonic

_PolicyKey = tuple[int | None, str]
# (first_contact_hours, resolve_days, transfer_restarts_clock, refused_return_restarts_clock)
_PolicyRow = tuple[Decimal, int, bool, bool]
_policies: dict[_PolicyKey, _PolicyRow] | None = None
# Urgencies that have at least one category row: only those need the ancestor walk.
_category_urgencies: frozenset[str] = frozenset()
_policies_loaded_at = 0.0


@dataclass(frozen=True)
class Deadlines:
    first_contact_due: datetime
    resolve_due: datetime


@dataclass(frozen=True)
class ClockRules:
    """What a policy says of the clock between units (docs/metrics.md): whether an approved
    transfer gives the new lead unit fresh deadlines, and whether a refused return gives the
    returning unit fresh ones (else it gets back those it had)."""

    transfer_restarts: bool = True
    refused_return_restarts: bool = False


DEFAULT_CLOCK_RULES: Final = ClockRules()


def policy_cache_clear() -> None:
    global _policies
    _policies = None


def _load_policies() -> tuple[dict[_PolicyKey, _PolicyRow], frozenset[str]]:
    global _policies, _category_urgencies, _policies_loaded_at
    policies, category_urgencies = _policies, _category_urgencies
    now = _clock()
    if policies is None or now - _policies_loaded_at > POLICY_TTL_SECONDS:
        rows = DeadlinePolicy.objects.order_by().values_list(
            "category_id",
            "urgency",
            "first_contact_hours",
            "resolve_days",
            "transfer_restarts_clock",
            "refused_return_restarts_clock",
        )
        policies = {
            (cat_id, urg): (hours, days, transfer, refused)
            for cat_id, urg, hours, days, transfer, refused in rows
        }
        category_urgencies = frozenset(urg for cat_id, urg in policies if cat_id is not None)
        _policies, _category_urgencies = policies, category_urgencies
        _policies_loaded_at = now
    return policies, category_urgencies


def _policy_row(category: Category | None, urgency: str) -> _PolicyRow | None:
    """The most specific policy row: the category's own, then its ancestors', then the district
    default (category null); None when none of these exists for the urgency."""
    urgency = Urgency(urgency)  # ValueError for an unknown urgency
    policies, category_urgencies = _load_policies()
    if category is not None and urgency in category_urgencies:
        # Walk upwards lazily: a leaf with its own row costs no parent query.
        node: Category | None = category
        while node is not None:
            found = policies.get((node.pk, urgency))
            if found is not None:
                return found
            node = node.parent if node.parent_id is not None else None
    return policies.get((None, urgency))


def policy_for(*, category: Category | None, urgency: str) -> tuple[Decimal, int]:
    """(first_contact_hours, resolve_days) of the most specific policy.

    The category's own row, then its ancestors', then the district default (category null);
    when none of these exists for the urgency, DEFAULT_LIMITS.
    """
    row = _policy_row(category, urgency)
    return (row[0], row[1]) if row is not None else DEFAULT_LIMITS[Urgency(urgency)]


def clock_rules_for(*, category: Category | None, urgency: str) -> ClockRules:
    """What the most specific policy (as `policy_for` finds it) says of the clock when an
    appeal moves between units; DEFAULT_CLOCK_RULES when no row applies."""
    row = _policy_row(category, urgency)
    if row is None:
        return DEFAULT_CLOCK_RULES
    return ClockRules(transfer_restarts=row[2], refused_return_restarts=row[3])


def deadlines_for(*, category: Category | None, urgency: str, start: datetime) -> Deadlines:
    first_contact_hours, resolve_days = policy_for(category=category, urgency=urgency)
    return Deadlines(
        first_contact_due=add_working_hours(start, first_contact_hours),
        resolve_due=add_working_days(start, resolve_days),
    )
