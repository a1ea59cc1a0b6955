"""The arithmetic of a project's plan, pure (no queries): backward scheduling from the
deadline (倒排工期), the share of time elapsed, the project's progress from its targets, and
whether it is behind plan. docs/projects.md gives the same definitions."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class Step:
    """A milestone as the planner sees it: how long it takes, and whether it is done."""

    duration_days: int
    done_on: date | None = None


def backward_plan(end: date, steps: Sequence[Step]) -> list[tuple[date, date]]:
    """Planned (start, end) for each step, laid from the project's end backwards: the last
    step ends on `end`, each one ends the day before the next starts. Calendar days: works
    on a project run through weekends and holidays."""
    plan: list[tuple[date, date]] = []
    finish = end
    for step in reversed(steps):
        days = max(int(step.duration_days), 1)
        start = finish - timedelta(days=days - 1)
        plan.append((start, finish))
        finish = start - timedelta(days=1)
    plan.reverse()
    return plan


def dated_plan(start: date, ends: Sequence[date]) -> list[tuple[date, date]]:
    """Planned (start, end) for steps whose ends a task book already gives, in order: each
    starts the day after the previous one ends (the first on the project's start), or on its
    own end day when steps end on the same day."""
    plan: list[tuple[date, date]] = []
    begin = start
    for end in ends:
        plan.append((min(begin, end), end))
        begin = max(begin, end + timedelta(days=1))
    return plan


def time_share(start: date, end: date, today: date) -> float:
    """% of the planned time elapsed on `today` (0 before the start, 100 from the end)."""
    if today <= start:
        return 0.0
    if today >= end:
        return 100.0
    return round(100 * (today - start).days / max((end - start).days, 1), 1)


def target_share(achieved: Decimal, value: Decimal) -> float:
    """% of a target achieved: over 100 allowed."""
    return round(float(achieved / value * 100), 1) if value > 0 else 0.0


def project_progress(targets: Sequence[tuple[Decimal, Decimal]]) -> float:
    """A project's progress: the mean over its targets (achieved, value) of % achieved, each
    capped at 100, so that overshooting one target cannot hide falling short on another."""
    if not targets:
        return 0.0
    shares = [min(target_share(achieved, value), 100.0) for achieved, value in targets]
    return round(sum(shares) / len(shares), 1)


def gap(progress: float, elapsed: float) -> float:
    """Progress minus time elapsed, in percentage points: negative is behind plan."""
    return round(progress - elapsed, 1)


def is_behind(progress: float, elapsed: float, margin: int) -> bool:
    return gap(progress, elapsed) < -margin


def achieved_by_year(
    reports: Sequence[tuple[int, Decimal]], years: Sequence[int]
) -> dict[int, Decimal]:
    """What a target reached within each of `years` (a multi-year target's parts): the last
    cumulative value reported by the year's end less the last by the previous year's end.
    `reports` are (the year it was reported in, the cumulative value), in time order; a
    correction lowers the year it was made in."""
    last: dict[int, Decimal] = {}
    for year, value in reports:
        last[year] = value

    def by_end(year: int) -> Decimal:
        before = [y for y in last if y <= year]
        return last[max(before)] if before else Decimal(0)

    return {year: by_end(year) - by_end(year - 1) for year in years}
