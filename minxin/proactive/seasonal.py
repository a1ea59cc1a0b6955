"""Seasonal proposals for 未诉先办: a matter in a place that rose at this time last year is
proposed before it rises again. Pure (no Django): the app feeds it the appeals' monthly
counts, `bench/proactive_seasonal.py` the public board's, to measure how often it is right.

The rule, fixed before it was measured: for a target month, a (matter, place) pair is proposed
when, in the same month a year before, it had at least MIN_COUNT appeals and at least LIFT times
its own monthly mean over that year. A proposal is a hit when the pair rises again: in the
target month it has at least MIN_COUNT appeals and at least LIFT times its own monthly mean over
the twelve months before the target month (its level now, so that a board that grows every
year does not make everything a "rise")."""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

MIN_COUNT = 3
LIFT = 1.5

Month = tuple[int, int]  # (year, month)
K = TypeVar("K", bound=Hashable)  # how the caller keys a (matter, place) pair


def month_shift(month: Month, by: int) -> Month:
    index = month[0] * 12 + (month[1] - 1) + by
    return index // 12, index % 12 + 1


def _mean_of_year_before(months: Mapping[Month, int], target: Month) -> float:
    """The pair's mean per month over the twelve months before `target`."""
    return sum(months.get(month_shift(target, -k), 0) for k in range(1, 13)) / 12


def is_rise(months: Mapping[Month, int], target: Month) -> bool:
    """The pair rose in `target`: enough appeals, well above its level of the year before."""
    count = months.get(target, 0)
    return count >= MIN_COUNT and count >= LIFT * _mean_of_year_before(months, target)


@dataclass(frozen=True)
class Proposal:
    pair: Hashable  # (matter, place) as the caller keys it
    last_year: int  # the pair's appeals in the target month a year before
    mean: float  # its mean per month over the year before that month


def seasonal_proposals(counts: Mapping[K, Mapping[Month, int]], target: Month) -> list[Proposal]:
    """The pairs that rose in the target month a year ago, most appeals first."""
    a_year_ago = month_shift(target, -12)
    proposals = [
        Proposal(pair, months.get(a_year_ago, 0), _mean_of_year_before(months, a_year_ago))
        for pair, months in counts.items()
        if is_rise(months, a_year_ago)
    ]
    proposals.sort(key=lambda p: (-p.last_year, str(p.pair)))
    return proposals


@dataclass(frozen=True)
class Backtest:
    months: int  # target months evaluated
    proposals: int
    hits: int
    pairs_seen: int  # (pair, month) cells with any history, the base population
    rises: int  # of those, the cells that rose (the base rate's numerator)

    @property
    def hit_rate(self) -> float:
        return self.hits / self.proposals if self.proposals else 0.0

    @property
    def base_rate(self) -> float:
        return self.rises / self.pairs_seen if self.pairs_seen else 0.0


def backtest(counts: Mapping[K, Mapping[Month, int]], targets: list[Month]) -> Backtest:
    """The rule run for each target month on the history before it: how many proposals rose
    again, against how often any pair with history rose in a month (the base rate)."""
    proposals = hits = seen = rises = 0
    for target in targets:
        proposed = {p.pair for p in seasonal_proposals(counts, target)}
        for pair, months in counts.items():
            if not any(month_shift(target, -k) in months for k in range(1, 13)):
                continue  # no history in the year before: not a candidate for anything
            seen += 1
            rose = is_rise(months, target)
            rises += rose
            if pair in proposed:
                proposals += 1
                hits += rose
    return Backtest(len(targets), proposals, hits, seen, rises)
