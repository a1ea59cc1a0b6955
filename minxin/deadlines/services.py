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
_policies: dict[_PolicyKey, tuple[Decimal, int]] | None = None
# Urgencies that have at least one category row: only those need the ancestor walk.
_category_urgencies: frozenset[str] = frozenset()
_policies_loaded_at = 0.0


@dataclass(frozen=True)
class Deadlines:
    first_contact_due: datetime
    resolve_due: datetime


def policy_cache_clear() -> None:
    global _policies
    _policies = None


def _load_policies() -> tuple[dict[_PolicyKey, tuple[Decimal, int]], frozenset[str]]:
    global _policies, _category_urgencies, _policies_loaded_at
    policies, category_urgencies = _policies, _category_urgencies
    now = _clock()
    if policies is None or now - _policies_loaded_at > POLICY_TTL_SECONDS:
        rows = DeadlinePolicy.objects.order_by().values_list(
            "category_id", "urgency", "first_contact_hours", "resolve_days"
        )
        policies = {(cat_id, urg): (hours, days) for cat_id, urg, hours, days in rows}
        category_urgencies = frozenset(urg for cat_id, urg in policies if cat_id is not None)
        _policies, _category_urgencies = policies, category_urgencies
        _policies_loaded_at = now
    return policies, category_urgencies


def policy_for(*, category: Category | None, urgency: str) -> tuple[Decimal, int]:
    """(first_contact_hours, resolve_days) of the most specific policy.

    The category's own row, then its ancestors', then the district default (category null);
    when none of these exists for the urgency, DEFAULT_LIMITS.
    """
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
    return policies.get((None, urgency), DEFAULT_LIMITS[urgency])


def deadlines_for(*, category: Category | None, urgency: str, start: datetime) -> Deadlines:
    first_contact_hours, resolve_days = policy_for(category=category, urgency=urgency)
    return Deadlines(
        first_contact_due=add_working_hours(start, first_contact_hours),
        resolve_due=add_working_days(start, resolve_days),
    )
