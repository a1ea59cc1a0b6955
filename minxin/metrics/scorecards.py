"""Units' composite scores and ranking for a period, with the change against the period before.

score = 100 × Σ wᵢ·vᵢ / Σ wᵢ over the rates that are defined for the unit (denominator > 0),
where vᵢ is the rate, or 1 − rate for the rates where less is better (repeat, return, reopen).
Weights come from settings.MINXIN["SCORE_WEIGHTS"] or DEFAULT_SCORE_WEIGHTS (docs/metrics.md).
A unit that leads livelihood projects has one more component, its projects on plan at the
period's end (`projects.selectors.on_plan_by_unit`), weighted PROJECT_WEIGHT. Apps above this
one add components of their own through a `scorecard.py` (found like the machines and the
nav, so that nothing here imports them): the panels' grades of units (背对背测评) are one.
A district's scorecard counts the projects of its own programmes and its own evaluations
(a unit of the city, on those only); the city's every district's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from minxin.core.discover import app_modules
from minxin.core.replica import reporting_reads
from minxin.directory.models import Unit, UnitKind
from minxin.directory.selectors import serving
from minxin.projects.selectors import on_plan_by_unit

from .metrics import RATES, RateCounts, RateRow, rates_for

DEFAULT_SCORE_WEIGHTS: Final[Mapping[str, float]] = {
    "first_contact_rate": 15,
    "on_time_rate": 25,
    "reply_rate": 10,
    "resolution_rate": 10,
    "satisfaction_rate": 25,
    "repeat_rate": 5,
    "return_rate": 5,
    "reopen_rate": 5,
}
# The weight of the projects-on-plan component beside the rates' weights (their sum is 100).
DEFAULT_PROJECT_WEIGHT: Final = 10.0
# The units that handle appeals and are therefore measured.
MEASURED_UNIT_KINDS: Final = (UnitKind.SUBDISTRICT, UnitKind.DEPARTMENT, UnitKind.ENTERPRISE)


@dataclass(frozen=True)
class Component:
    """A component another app adds: for the period, each unit's share (0-1), and its weight
    beside the rates' (their sum is 100)."""

    name: str
    label: str
    weight: float
    shares: Mapping[int, float]


def components_for(*, start: date, end: date, district: int | None = None) -> list[Component]:
    """Every app's `scorecard.py`: NAME, LABEL, `weight()` and `unit_shares(start=, end=,
    district=)` (of `district`'s own rows; every district's for None); a component weighted 0
    is left out."""
    found = []
    for module in app_modules("scorecard"):
        weight = float(module.weight())
        if weight < 0:
            raise ImproperlyConfigured(f"{module.__name__}: a component's weight is non-negative")
        if weight:
            shares = module.unit_shares(start=start, end=end, district=district)
            found.append(Component(module.NAME, module.LABEL, weight, shares))
    return found


def component_labels() -> list[tuple[str, str]]:
    """(name, label) of the other apps' components that count (weight above 0)."""
    return [(m.NAME, m.LABEL) for m in app_modules("scorecard") if float(m.weight()) > 0]


@dataclass(frozen=True)
class ScoreRow:
    unit_id: int
    label: str
    rates: RateRow
    score: float | None
    rank: int | None  # None: nothing to measure in the period
    projects: tuple[int, int] | None  # (on plan, measured) livelihood projects it leads
    extras: Mapping[str, float]  # other apps' components: name → the unit's share (0-1)
    previous_score: float | None
    previous_rank: int | None
    score_delta: float | None  # score − previous score
    rank_delta: int | None  # previous rank − rank: positive = moved up


def score_weights() -> Mapping[str, float]:
    weights = settings.MINXIN.get("SCORE_WEIGHTS") or DEFAULT_SCORE_WEIGHTS
    unknown = set(weights) - set(RATES)
    if unknown or any(w < 0 for w in weights.values()):
        raise ImproperlyConfigured(
            f"MINXIN['SCORE_WEIGHTS'] takes non-negative weights of {sorted(RATES)}"
        )
    return weights


def score_min_appeals() -> int:
    """The appeals dispatched to a unit in the period below which it is not ranked."""
    value = int(settings.MINXIN.get("SCORE_MIN_APPEALS", 0))
    if value < 0:
        raise ImproperlyConfigured("MINXIN['SCORE_MIN_APPEALS'] is 0 or more")
    return value


def score_formula() -> str:
    """The composite score's formula, in the words of the scorecards page."""
    weights = score_weights()
    parts = [
        f"{RATES[name].label}×{weight:g}" + ("" if RATES[name].higher_is_better else "（取1−比率）")
        for name, weight in weights.items()
        if weight
    ]
    if project_weight():
        parts.append(f"民心工程按计划率×{project_weight():g}")
    parts += [f"{label}×{weight:g}" for label, weight in _component_weights()]
    return (
        "综合得分 = 100 × (" + " + ".join(parts) + ") ÷ 参与计算的权重之和；"
        "分母为 0 的指标不参与计算。"
        f"本期派单不少于 {score_min_appeals()} 件的单位才排名。"
    )


def _component_weights() -> list[tuple[str, float]]:
    return [(m.LABEL, float(m.weight())) for m in app_modules("scorecard") if float(m.weight()) > 0]


def project_weight() -> float:
    weight = float(settings.MINXIN.get("PROJECT_WEIGHT", DEFAULT_PROJECT_WEIGHT))
    if weight < 0:
        raise ImproperlyConfigured("MINXIN['PROJECT_WEIGHT'] takes a non-negative weight")
    return weight


def score_of(
    row: RateRow,
    weights: Mapping[str, float] | None = None,
    projects: tuple[int, int] | None = None,
    extras: Sequence[tuple[float, float]] = (),
) -> float | None:
    """The composite score (0-100, two decimals); None when no weighted rate is defined.
    `extras`: other apps' components the unit has, as (weight, share)."""
    weights = score_weights() if weights is None else weights
    total = weighted = 0.0
    if projects and projects[1] and (weight := project_weight()):
        weighted += weight * projects[0] / projects[1]
        total += weight
    for weight, share in extras:
        weighted += weight * share
        total += weight
    for name, weight in weights.items():
        value = row.rate(name)
        if value is None or weight == 0:
            continue
        weighted += weight * (value if RATES[name].higher_is_better else 1 - value)
        total += weight
    if total == 0:
        return None
    return round(100 * weighted / total, 2)


def _ranks(scores: Mapping[int, float | None]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4) of the units that have a score (the caller leaves out
    those with too few appeals)."""
    ordered = sorted((s for s in scores.values() if s is not None), reverse=True)
    first_at: dict[float, int] = {}
    for position, s in enumerate(ordered, start=1):
        first_at.setdefault(s, position)
    return {unit: first_at[s] for unit, s in scores.items() if s is not None}


def _by_unit(start: date, end: date, district: int | None) -> dict[int, RateRow]:
    rows = rates_for(start=start, end=end, group_by="unit", district=district)
    return {r.key: r for r in rows if r.key}


def _scored(
    units: Iterable[int],
    rates: Mapping[int, RateRow],
    weights: Mapping[str, float],
    projects: Mapping[int, tuple[int, int]],
    components: list[Component],
) -> dict[int, float | None]:
    """Each unit's score: its rates (none counted: empty), its projects on plan, and the other
    apps' components it has a share in."""
    empty = RateCounts()
    return {
        u: score_of(
            rates.get(u) or RateRow(u, "", empty),
            weights,
            projects.get(u),
            [(c.weight, c.shares[u]) for c in components if u in c.shares],
        )
        for u in units
    }


def _measured(district: int | None) -> QuerySet[Unit]:
    """The units a scorecard ranks: `district`'s own when given, else every one."""
    measured = Unit.objects.filter(is_active=True, kind__in=MEASURED_UNIT_KINDS)
    return measured if district is None else measured.filter(jurisdiction_id=district)


def _serving_only(
    district: int | None,
    projects: Mapping[int, tuple[int, int]],
    components: list[Component],
) -> tuple[dict[int, tuple[int, int]], list[Component]]:
    """The district's projects and components without a unit of another district (a project
    of its programme led by one, say): only its own units and the city's are on its card."""
    if district is None:
        return dict(projects), components
    others = set(Unit.objects.exclude(serving(district)).values_list("pk", flat=True))
    kept = [
        replace(c, shares={u: v for u, v in c.shares.items() if u not in others})
        for c in components
    ]
    return {u: v for u, v in projects.items() if u not in others}, kept


def _beyond_appeals(
    start: date, end: date, district: int | None
) -> tuple[dict[int, tuple[int, int]], list[Component]]:
    """What a unit is scored on besides its appeals in [start, end]: its projects on plan at
    the end, and the other components (evaluations, ...)."""
    return _serving_only(
        district,
        on_plan_by_unit(on=end, district=district),
        components_for(start=start, end=end, district=district),
    )


@reporting_reads()
def scorecard_for(*, start: date, end: date, district: int | None = None) -> list[ScoreRow]:
    """Every measured unit's rates, score and rank for [start, end], and the change against
    the period of the same length just before it. Ranked units first, then the rest by name.

    One district's (`district`, a jurisdiction): its units, ranked on its appeals, the projects
    of its programmes and its evaluations, and a unit of the city that led some of its appeals
    or projects, on those only; no unit of another district. None: every unit on every
    appeal, project and evaluation."""
    weights = score_weights()
    length = end - start + timedelta(days=1)
    current = _by_unit(start, end, district)
    before_start = start - timedelta(days=1)
    previous = _by_unit(start - length, before_start, district)
    measured = _measured(district)
    projects, extras = _beyond_appeals(start, end, district)
    projects_before, extras_before = _beyond_appeals(start - length, before_start, district)
    units = dict(measured.values_list("pk", "name"))
    units.update(Unit.objects.filter(pk__in=set(current) - set(units)).values_list("pk", "name"))
    units.update(Unit.objects.filter(pk__in=set(projects) - set(units)).values_list("pk", "name"))
    scores = _scored(units, current, weights, projects, extras)
    before = _scored(
        set(previous) | set(projects_before), previous, weights, projects_before, extras_before
    )
    minimum = score_min_appeals()

    def enough(rows: Mapping[int, RateRow], unit: int) -> bool:
        row = rows.get(unit)
        return (row.counts.dispatches if row is not None else 0) >= minimum

    ranks = _ranks({u: s for u, s in scores.items() if enough(current, u)})
    previous_ranks = _ranks({u: s for u, s in before.items() if enough(previous, u)})
    rows = []
    for unit_id, name in units.items():
        score, rank = scores[unit_id], ranks.get(unit_id)
        prev_score, prev_rank = before.get(unit_id), previous_ranks.get(unit_id)
        rows.append(
            ScoreRow(
                unit_id=unit_id,
                label=name,
                rates=current.get(unit_id) or RateRow(key=unit_id, label=name, counts=RateCounts()),
                score=score,
                rank=rank,
                projects=projects.get(unit_id),
                extras={c.name: c.shares[unit_id] for c in extras if unit_id in c.shares},
                previous_score=prev_score,
                previous_rank=prev_rank,
                score_delta=None
                if score is None or prev_score is None
                else round(score - prev_score, 2),
                rank_delta=None if rank is None or prev_rank is None else prev_rank - rank,
            )
        )
    # Ranked units, then those scored but with too few appeals (best first), then the rest.
    rows.sort(
        key=lambda r: (r.rank is None, r.score is None, r.rank or 0, -(r.score or 0), r.label)
    )
    return rows
