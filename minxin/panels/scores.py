"""The arithmetic of a panel's scores, pure: per unit, the number of panellists who scored it,
the mean of their totals, the spread (population standard deviation, lowest and highest), and
each item's mean. Rounded to two decimals for display only."""

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class UnitScore:
    panellists: int
    mean: float
    spread: float
    lowest: int
    highest: int


def unit_score(totals: Sequence[int]) -> UnitScore | None:
    if not totals:
        return None
    n = len(totals)
    mean = sum(totals) / n
    spread = math.sqrt(sum((x - mean) ** 2 for x in totals) / n)
    return UnitScore(n, round(mean, 2), round(spread, 2), min(totals), max(totals))


def as_percent(mean: float, full: int) -> float:
    """A unit's mean total as a share of the full score (the scorecard's 0–100 scale)."""
    return round(mean * 100 / full, 1) if full else 0.0
