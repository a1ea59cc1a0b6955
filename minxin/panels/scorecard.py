"""The panels' component of the units' scorecard (背对背测评 beside the appeal rates): a unit's
mean total as a share of the full score, over the evaluations closed in the period (their
mean when there are several). A district's scorecard counts its own evaluations only; the
city's every district's. Found by `metrics.scorecards.components_for`."""

from datetime import date, timedelta

from django.conf import settings

from minxin.deadlines.calendar import day_start
from minxin.directory.selectors import of_district

from .models import Evaluation
from .selectors import results
from .workflow import EvaluationStatus

NAME = "panels"
LABEL = "测评得分"
DEFAULT_WEIGHT = 10.0


def weight() -> float:
    return float(settings.MINXIN.get("PANEL_WEIGHT", DEFAULT_WEIGHT))


def unit_shares(*, start: date, end: date, district: int | None = None) -> dict[int, float]:
    """Each unit's share over the evaluations of `district` (every district's: None) closed in
    [start, end]."""
    lo, hi = day_start(start), day_start(end + timedelta(days=1))
    closed = Evaluation.objects.filter(
        of_district(district), status=EvaluationStatus.CLOSED, closes_at__gte=lo, closes_at__lt=hi
    )
    per_unit: dict[int, list[float]] = {}
    for evaluation in closed:
        for row in results(evaluation):
            if row.percent is not None:
                per_unit.setdefault(row.unit_id, []).append(row.percent / 100)
    return {unit: round(sum(v) / len(v), 4) for unit, v in per_unit.items()}
